// Nest 11 as the conformance rows use it: every module loaded from this package's own resolution, including
// the copy of @flagwise/nestjs that pnpm injected here (resolved against Nest 11, not the workspace's Nest).
import 'reflect-metadata';
import * as fastifyView from '@fastify/view';
import * as flagwise from '@flagwise/nestjs';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as platformExpress from '@nestjs/platform-express';
import * as platformFastify from '@nestjs/platform-fastify';
import * as testing from '@nestjs/testing';
import ejs from 'ejs';
import { nestMajor } from './nest-major.js';

export const nest = nestMajor(import.meta.url, 11, {
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

// Types for the rows, which live outside this package and cannot resolve Nest themselves.
export type { ArgumentsHost } from '@nestjs/common';
export type { NestExpressApplication } from '@nestjs/platform-express';
export type { NestFastifyApplication } from '@nestjs/platform-fastify';
