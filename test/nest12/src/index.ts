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
import { nestMajor } from '../../nest11/src/nest-major.js';

export const nest = nestMajor(import.meta.url, 12, {
  common,
  core,
  platformExpress,
  platformFastify,
  testing,
  flagwise,
  fastifyView,
  ejs,
  /** GraphQL (Apollo), microservices and WebSockets (socket.io) of this major, loaded when a table needs them */
  loadContexts: async () => (await import('./contexts.js')).contexts,
});

/** One Nest major, and the adapter resolved against it. */
export type NestMajor = typeof nest;
