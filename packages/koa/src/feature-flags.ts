// The Koa middleware: translates a Koa context into one `requestFlags(client, ...)` call and attaches the lazy
// flags to `ctx.state.flags` (where views read their locals) and `ctx.flags`. Options, readiness, context and
// overrides are the shared adapter layer's (@flagwise/core/adapter).
import type { AdapterOptions, FlagsClient, FlagsOptions, RequestFlags } from '@flagwise/core';
import {
  isPromiseLike,
  type RequestFlagsResult,
  requestFlags,
  requestReadiness,
  setUpAdapter,
  watchGuardedFlags,
} from '@flagwise/core/adapter';
import type { Context, Middleware, Next } from 'koa';

/**
 * What `featureFlags()` adds to `ctx.state` (and, under the same name, to `ctx`).
 * @example
 * router.get('/pricing', (ctx: ParameterizedContext<FlagsState>) => {
 *   ctx.body = ctx.state.flags.newPricing ? 'new' : 'old';
 * });
 */
export interface FlagsState {
  flags: RequestFlags;
}

/**
 * What the middleware takes beyond the client's own options: `context` (gets the Koa ctx), `readyTimeoutMs`
 * (how long the first requests wait for the flags; default 5000) and `visitorId`.
 */
export interface KoaAdapterOptions extends AdapterOptions<Context> {}

/**
 * Options for `featureFlags(options)`: the client's options (`source`, `overrides`, `logger`, ...) plus the
 * adapter's.
 * @example
 * featureFlags({ source: fileSource('config/flags.yaml'), context: (ctx) => ({ properties: { plan: ctx.get('x-plan') } }) })
 */
export interface FeatureFlagsOptions extends FlagsOptions<Context>, KoaAdapterOptions {}

/**
 * The middleware `featureFlags()` returns, with the client it evaluates through (close it on shutdown).
 * @example
 * const flags = featureFlags();
 * app.use(flags);
 * process.on('SIGTERM', () => flags.client.close());
 */
export type FeatureFlagsMiddleware = Middleware<FlagsState, FlagsState> & {
  readonly client: FlagsClient<Context>;
};

/**
 * Koa middleware that gives every request its lazy flags as `ctx.state.flags` (views see `flags`) and
 * `ctx.flags`. Takes nothing (flags.yaml in the working directory), options, a client, `{ client, ...options }`
 * or a client and adapter options.
 * @example
 * const app = new Koa();
 * app.use(featureFlags());
 * app.use((ctx) => { ctx.body = ctx.state.flags.newPricing ? 'new pricing' : 'old pricing'; });
 */
export function featureFlags(
  optionsOrClient?:
    | FeatureFlagsOptions
    | FlagsClient<Context>
    | ({ client: FlagsClient } & KoaAdapterOptions),
  adapterOptions?: KoaAdapterOptions,
): FeatureFlagsMiddleware {
  const { client, options, visitors, readsCookies, readsQuery } = setUpAdapter<Context>(
    { entry: 'featureFlags(options)' },
    optionsOrClient,
    adapterOptions,
  );
  const hook = options.context;
  watchGuardedFlags(client);

  const attached = (ctx: Context, next: Next, result: RequestFlagsResult): Promise<unknown> => {
    if (result.setCookie !== undefined) ctx.append('Set-Cookie', result.setCookie);
    if (result.headers !== undefined) ctx.set(result.headers);
    ctx.state.flags = result.flags;
    ctx.flags = result.flags;
    return next();
  };

  const attach = (ctx: Context, next: Next): Promise<unknown> => {
    const result = requestFlags(
      client,
      ctx,
      {
        user: ctx.state.user,
        // koa-generic-session sets ctx.sessionId; stores that give their sessions an id put it on ctx.session.
        sessionId: ctx.sessionId,
        session: ctx.session,
        // ctx.ip honours app.proxy; without it, the socket's address (Koa would split X-Forwarded-For for nothing).
        ip: ctx.app.proxy ? ctx.ip : ctx.req.socket?.remoteAddress,
        cookieHeader: readsCookies ? ctx.headers.cookie : undefined,
        // Reading ctx.query parses the query string.
        query: readsQuery && ctx.querystring !== '' ? ctx.query : undefined,
        secure: visitors !== undefined && ctx.secure,
      },
      hook,
      visitors,
    );
    return isPromiseLike<RequestFlagsResult>(result)
      ? result.then((ready) => attached(ctx, next, ready))
      : attached(ctx, next, result);
  };

  // Requests that arrive before the flags load wait for them (one shared wait), never longer than readyTimeoutMs.
  const waitForFlags = requestReadiness(client, options.readyTimeoutMs);
  const middleware = (ctx: Context, next: Next) => {
    const waiting = waitForFlags();
    return waiting === undefined ? attach(ctx, next) : waiting.then(() => attach(ctx, next));
  };
  Object.defineProperty(middleware, 'name', { value: 'featureFlags' });
  return Object.assign(middleware, { client }) as FeatureFlagsMiddleware;
}
