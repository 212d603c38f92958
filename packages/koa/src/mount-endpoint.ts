// Mounting a flagwise endpoint (the dashboard, the Frontend API, OFREP) in Koa: a middleware that serves the
// requests below its prefix, after featureFlags() so `ctx.state.flags` is there.
import type { Endpoint, EndpointResponse } from '@flagwise/core/adapter';
import {
  clientOf,
  EndpointShutdown,
  flagsMissingError,
  mayServe,
  normalizePrefix,
  serveEndpoint,
  urlBelow,
  writeEndpointResponse,
} from '@flagwise/core/adapter';
import type { Context, Middleware, Next } from 'koa';

/** Where a Koa mount serves its endpoint. */
export interface MountOptions {
  /** the path the endpoint answers below, e.g. '/_flags' */
  prefix: string;
}

/**
 * The middleware `mountEndpoint()` returns. Its open event streams end on `server.close()` and on the client's
 * `close()`; `close()` here ends them at once.
 */
export type EndpointMiddleware = Middleware & { close(): void };

/**
 * Serves `endpoint` below `prefix`, with each request's own flags (from `featureFlags()`, which must run first).
 * Requests outside the prefix, and those the endpoint does not answer, go on to the next middleware.
 * @example
 * app.use(featureFlags());
 * app.use(mountEndpoint(createDashboard({ allow: (ctx) => ctx.ip === '127.0.0.1' }), { prefix: '/_flags' }));
 */
export function mountEndpoint(endpoint: Endpoint<Context>, options: MountOptions): EndpointMiddleware {
  const prefix = normalizePrefix(options?.prefix);
  const shutdown = new EndpointShutdown();
  const middleware = async (ctx: Context, next: Next) => {
    const url = urlBelow(ctx.url, prefix);
    // What is not the endpoint's goes on untouched, body and all.
    if (url === undefined || !mayServe(endpoint, url)) return next();
    const flags = ctx.state?.flags;
    const client = clientOf<Context>(flags);
    if (flags === undefined || client === undefined) {
      throw flagsMissingError(
        endpoint.name,
        `add \`app.use(featureFlags())\` before \`app.use(${endpoint.name})\``,
      );
    }
    const response = await serveEndpoint(endpoint, {
      method: ctx.method,
      url,
      mountPath: prefix,
      headers: ctx.headers,
      secure: ctx.secure,
      request: ctx,
      flags,
      client,
      raw: ctx.req,
      parsedBody: (ctx.request as { body?: unknown }).body,
    });
    if (response === undefined) return next();
    respond(ctx, response, shutdown);
  };
  return Object.assign(middleware, { close: () => shutdown.close() });
}

function respond(ctx: Context, response: EndpointResponse, shutdown: EndpointShutdown): void {
  // Headers first: Koa keeps a Content-Type that is already set when the body is assigned.
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') ctx.append('Set-Cookie', value);
    else ctx.set(name, value);
  }
  ctx.status = response.status;
  const { body, stream } = response;
  if (stream !== undefined) {
    // Written past Koa's response handling: Koa 3 reports every streamed body whose client leaves as an error.
    ctx.respond = false;
    writeEndpointResponse(ctx.res, { status: response.status, stream }, shutdown);
    return;
  }
  // An empty string, not null: Koa turns a null body into 204.
  ctx.body = body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body);
}
