// Unleash's Frontend API in Express, for unleash-proxy-client in the page: mounted with
// `app.use(path, flagsFrontendApi())` after featureFlags(), answering with each request's own flags.
import { type FrontendApiOptions, frontendApiEndpoint } from '@flagwise/core';
import type { Request, RequestHandler } from 'express';
import { mountEndpoint } from './mount-endpoint.js';

/**
 * Serves Unleash's Frontend API (what `unleash-proxy-client` and its React and Vue wrappers call) below the
 * path the app mounts it at, answering with the request's own flags: the browser flags that are on for the
 * signed-in user, exactly as `req.flags` evaluates them. Mount it after `featureFlags()`.
 * @example
 * app.use(featureFlags());
 * app.use('/api/frontend', flagsFrontendApi({ clientKeys: [process.env.FRONTEND_KEY!] }));
 */
export function flagsFrontendApi(options?: FrontendApiOptions<Request>): RequestHandler {
  return mountEndpoint(frontendApiEndpoint<Request>(options));
}
