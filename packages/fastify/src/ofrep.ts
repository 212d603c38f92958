// OFREP in Fastify: core's ofrepEndpoint() through the generic mount.
import { type OfrepEndpointOptions, ofrepEndpoint } from '@flagwise/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { mountEndpoint } from './mount-endpoint.js';

/**
 * Serves OFREP (`POST /ofrep/v1/evaluate/flags` and `/ofrep/v1/evaluate/flags/{key}`) with each request's own
 * flags, browser-visible flags only, for OpenFeature's web SDK (`new OFREPWebProvider({ baseUrl })`). Register
 * it after featureFlags, with or without a prefix (the web SDK's `baseUrl` then ends with it).
 * @example
 * await app.register(featureFlags);
 * await app.register(flagsOfrep({ trustClientContext: ['properties.locale'] }));
 */
export function flagsOfrep(options?: OfrepEndpointOptions<FastifyRequest>): FastifyPluginAsync {
  // Every OFREP route (evaluation and the event stream) is below the endpoint's scope, /ofrep/v1.
  return mountEndpoint(ofrepEndpoint<FastifyRequest>(options));
}
