// Nest 12 as the conformance rows use it: every module loaded from this package's own resolution, including
// the copy of @flagwise/nestjs that pnpm injected here (resolved against Nest 12, not the workspace's Nest).
// Nest 12's packages are ES modules only; this package imports them as an ESM app does.
import 'reflect-metadata';
import * as fastifyView from '@fastify/view';
import * as flagwise from '@flagwise/nestjs';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as platformExpress from '@nestjs/platform-express';
import * as platformFastify from '@nestjs/platform-fastify';
import * as testing from '@nestjs/testing';
import ejs from 'ejs';
import { injectedAdapter } from '../../nest11/src/injected-adapter.js';

/** One Nest major, and the adapter resolved against it. */
export interface NestMajor {
  /** e.g. 12 */
  major: number;
  /** the @nestjs/core version this package resolves */
  coreVersion: string;
  /** the @nestjs/core version the injected @flagwise/nestjs copy resolves */
  adapterCoreVersion: string;
  /** where the injected copy lives, and whether its files match packages/nestjs */
  adapter: ReturnType<typeof injectedAdapter>;
  common: typeof common;
  core: typeof core;
  platformExpress: typeof platformExpress;
  platformFastify: typeof platformFastify;
  /** Nest's testing module builder (`Test.createTestingModule`) of this major */
  testing: typeof testing;
  flagwise: typeof flagwise;
  fastifyView: unknown;
  ejs: typeof ejs;
}

const adapter = injectedAdapter(import.meta.url);

export const nest: NestMajor = {
  major: 12,
  coreVersion: adapter.versionHere('@nestjs/core'),
  adapterCoreVersion: adapter.versionFromAdapter('@nestjs/core'),
  adapter,
  common,
  core,
  platformExpress,
  platformFastify,
  testing,
  flagwise,
  fastifyView: (fastifyView as { default?: unknown }).default ?? fastifyView,
  ejs,
};
