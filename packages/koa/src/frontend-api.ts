// Unleash's Frontend API in Koa, for unleash-proxy-client in the page: a middleware serving below its prefix
// after featureFlags(), answering with each request's own flags.
import { type FrontendApiOptions, frontendApiEndpoint } from '@flagwise/core';
import type { Context } from 'koa';
import { type EndpointMiddleware, mountEndpoint } from './mount-endpoint.js';

/** Options of `flagsFrontendApi()` in Koa: the Frontend API's, and where it answers. */
export interface KoaFrontendApiOptions extends FrontendApiOptions<Context> {
  /** the path it answers below; default '/api/frontend', where Unleash serves it */
  prefix?: string;
}

/**
 * Serves Unleash's Frontend API (what `unleash-proxy-client` and its React and Vue wrappers call) below
 * `prefix`, answering with the request's own flags: the browser flags that are on for the signed-in user,
 * exactly as `ctx.state.flags` evaluates them. Use it after `featureFlags()`.
 * @example
 * app.use(featureFlags());
 * app.use(flagsFrontendApi({ clientKeys: [process.env.FRONTEND_KEY!] })); // at /api/frontend
 */
export function flagsFrontendApi(options: KoaFrontendApiOptions = {}): EndpointMiddleware {
  const { prefix = '/api/frontend', ...rest } = options ?? {};
  return mountEndpoint(frontendApiEndpoint<Context>(rest, 'flagsFrontendApi(options)', ['prefix']), {
    prefix,
  });
}
