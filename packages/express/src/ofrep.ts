// OFREP in Express: core's ofrepEndpoint() through the generic mount.
import { type OfrepEndpointOptions, ofrepEndpoint } from '@flagwise/core';
import type { Request, RequestHandler } from 'express';
import { mountEndpoint } from './mount-endpoint.js';

/**
 * Serves OFREP (`POST /ofrep/v1/evaluate/flags` and `/ofrep/v1/evaluate/flags/{key}`) with each request's own
 * flags, browser-visible flags only, for OpenFeature's web SDK (`new OFREPWebProvider({ baseUrl })`). Mount it
 * after featureFlags(), at the root or below a path that the web SDK's `baseUrl` then ends with.
 * @example
 * app.use(featureFlags());
 * app.use(flagsOfrep({ trustClientContext: ['properties.locale'] }));
 */
export function flagsOfrep(options?: OfrepEndpointOptions<Request>): RequestHandler {
  return mountEndpoint(ofrepEndpoint<Request>(options));
}
