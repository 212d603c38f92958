// Unleash's Frontend API in Fastify, for unleash-proxy-client in the page: a plugin registered with a prefix
// after featureFlags, answering with each request's own flags.
import { type FrontendApiOptions, frontendApiEndpoint } from '@flagwise/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { mountEndpoint } from './mount-endpoint.js';

/**
 * A plugin serving Unleash's Frontend API (what `unleash-proxy-client` and its React and Vue wrappers call)
 * below the prefix it is registered with, answering with the request's own flags: the browser flags that are on
 * for the signed-in user, exactly as `request.flags` evaluates them. Register it after featureFlags.
 * @example
 * await app.register(featureFlags);
 * await app.register(flagsFrontendApi({ clientKeys: [process.env.FRONTEND_KEY!] }), { prefix: '/api/frontend' });
 */
export function flagsFrontendApi(options?: FrontendApiOptions<FastifyRequest>): FastifyPluginAsync {
  return mountEndpoint(frontendApiEndpoint<FastifyRequest>(options));
}
