// The flags dashboard in Fastify: core's dashboard endpoint as an encapsulated plugin, registered with a prefix.
import { createDashboard, type DashboardOptions } from '@flagwise/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { mountEndpoint } from './mount-endpoint.js';

/**
 * The flags dashboard as a plugin: register it with a `prefix`, after the featureFlags plugin. Without `allow`,
 * or when it says no, it looks absent (Fastify's 404).
 * @example
 * await app.register(featureFlags);
 * await app.register(flagsDashboard, { prefix: '/_flags', allow: (request) => request.ip === '127.0.0.1' });
 */
export const flagsDashboard: FastifyPluginAsync<DashboardOptions<FastifyRequest>> = async (
  fastify: FastifyInstance,
  options,
) => {
  // What Fastify's register() itself reads is not the dashboard's.
  const {
    prefix: _prefix,
    logLevel: _logLevel,
    logSerializers: _logSerializers,
    ...dashboard
  } = (options ?? {}) as DashboardOptions<FastifyRequest> & Record<string, unknown>;
  await mountEndpoint(createDashboard(dashboard as DashboardOptions<FastifyRequest>))(fastify, {});
};
