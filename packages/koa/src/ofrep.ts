// OFREP in Koa: core's ofrepEndpoint() through the generic mount.
import { type OfrepEndpointOptions, ofrepEndpoint } from '@flagwise/core';
import type { Context } from 'koa';
import { type EndpointMiddleware, mountEndpoint } from './mount-endpoint.js';

/** `flagsOfrep()`'s options: the endpoint's, and where it answers. */
export interface FlagsOfrepOptions extends OfrepEndpointOptions<Context> {
  /** the path the web SDK's `baseUrl` ends with; default '/' */
  prefix?: string;
}

/**
 * Serves OFREP (`POST /ofrep/v1/evaluate/flags` and `/ofrep/v1/evaluate/flags/{key}`) with each request's own
 * flags, browser-visible flags only, for OpenFeature's web SDK (`new OFREPWebProvider({ baseUrl })`). Use it
 * after featureFlags(); call `close()` when the app stops.
 * @example
 * app.use(featureFlags());
 * app.use(flagsOfrep({ trustClientContext: ['properties.locale'] }));
 */
export function flagsOfrep(options: FlagsOfrepOptions = {}): EndpointMiddleware {
  const { prefix = '/', ...endpointOptions } = options;
  return mountEndpoint(ofrepEndpoint<Context>(endpointOptions), { prefix });
}
