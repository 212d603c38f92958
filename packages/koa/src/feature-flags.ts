// The Koa middleware: attaches the lazy flags through one `requestFlagsLater(client, ...)` call, as `ctx.flags` and
// (their template view) `ctx.state.flags`, where views read their locals. Their context is taken at the first
// read, so auth middleware that runs after this one (koa-passport, a session) is in it. Options, readiness,
// context and overrides are the shared adapter layer's (@flagwise/core/adapter).
import type { AdapterOptions, FlagsClient, FlagsOptions, RequestFlags } from '@flagwise/core';
import {
  flagsReadiness,
  type RequestInput,
  type RequestOutcomes,
  type RequestReader,
  requestFlagsLater,
  requestOutcomes,
  setUpAdapter,
  templateView,
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
 * What the middleware takes beyond the client's own options: `context` (gets the Koa ctx), the startup
 * (`readyTimeoutMs`, default 5000; `startOnFallbacks`; `failOnNotReady`) and `visitorId`.
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
 * The middleware `featureFlags()` returns, with the client it evaluates through (close it on shutdown) and the
 * app's startup to await before listening.
 * @example
 * const flags = featureFlags();
 * app.use(flags);
 * await flags.ready();
 * app.listen(3000);
 * process.on('SIGTERM', () => flags.client.close());
 */
export type FeatureFlagsMiddleware = Middleware<FlagsState, FlagsState> & {
  readonly client: FlagsClient<Context>;
  /**
   * Await it before `app.listen()`: resolves once the flags have loaded (or, when they are only late, after
   * `readyTimeoutMs` with a warning: the app serves fallbacks until they load), and rejects when the app should
   * not start: a misconfiguration such as an invalid flags file (`path:line:column` and the problem), unless
   * `startOnFallbacks` is set, or flags not ready in time with `failOnNotReady`. An app that does not await it
   * answers each request with that error (a 500) until the flags load.
   * @example await flags.ready(); // an invalid flags.yaml stops the app here, as Fastify's register and Nest's bootstrap do
   */
  ready(): Promise<void>;
};

/**
 * Koa middleware that gives every request its lazy flags as `ctx.state.flags` (views see `flags`) and
 * `ctx.flags`. Their context (`ctx.state.user`, the session) is taken at the first read, so auth middleware may
 * come after this one. Takes nothing (flags.yaml in the working directory), options, a client, `{ client, ...options }`
 * or a client and adapter options. Await `ready()` before listening: it refuses to start on a misconfiguration.
 * @example
 * const app = new Koa();
 * const flags = featureFlags();
 * app.use(flags);
 * app.use((ctx) => { ctx.body = ctx.state.flags.newPricing ? 'new pricing' : 'old pricing'; });
 * await flags.ready();
 * app.listen(3000);
 */
export function featureFlags(
  optionsOrClient?:
    | FeatureFlagsOptions
    | FlagsClient<Context>
    | ({ client: FlagsClient } & KoaAdapterOptions),
  adapterOptions?: KoaAdapterOptions,
): FeatureFlagsMiddleware {
  const { client, options, visitors, readsCookies, readsQuery } = setUpAdapter<Context>(
    {
      entry: 'featureFlags(options)',
      hints: { visitorId: 'featureFlags({ visitorId: true })', trustProxy: 'app.proxy = true' },
    },
    optionsOrClient,
    adapterOptions,
  );
  const hook = options.context;
  watchGuardedFlags(client);

  // What the flags read of the request at their first read (after the auth middleware that follows this one).
  const reader: RequestReader<Context, Context> = {
    inputOf(ctx: Context): RequestInput {
      const trusted = ctx.app.proxy;
      return {
        user: ctx.state.user,
        // koa-generic-session sets ctx.sessionId; stores that give their sessions an id put it on ctx.session.
        sessionId: ctx.sessionId,
        session: ctx.session,
        // ctx.ip honours app.proxy; without it, the socket's address (Koa would split X-Forwarded-For for nothing).
        ip: trusted ? ctx.ip : ctx.req.socket?.remoteAddress,
        cookieHeader: readsCookies ? ctx.headers.cookie : undefined,
        // Reading ctx.query parses the query string.
        query: readsQuery && ctx.querystring !== '' ? ctx.query : undefined,
        secure: visitors !== undefined && ctx.secure,
        forwarded: !trusted && ctx.headers['x-forwarded-for'] !== undefined,
      };
    },
    setCookies(ctx: Context, cookies: string[]) {
      // A first read after the response started can no longer add a header; what prepare() sent stays.
      if (!ctx.headerSent) ctx.append('Set-Cookie', cookies);
    },
    setHeaders(ctx: Context, headers: Record<string, string>) {
      if (!ctx.headerSent) ctx.set(headers);
    },
  };
  // Filled by requestFlagsLater and read right after, synchronously: one object serves every request.
  const prepared: { waiting: Promise<void> | undefined } = { waiting: undefined };

  // Each request's duration and status by the flags it read, when telemetry is on: taken around `next`.
  const outcomes = requestOutcomes(client);

  const attach = (ctx: Context, next: Next): Promise<unknown> => {
    const started = outcomes?.now() ?? 0;
    const flags = requestFlagsLater(client, ctx, ctx, reader, hook, visitors, prepared);
    const waiting = prepared.waiting;
    ctx.flags = flags;
    ctx.state.flags = templateView(flags);
    const handled = waiting === undefined ? next() : waiting.then(next);
    return outcomes === undefined ? handled : recordAround(outcomes, ctx, started, handled);
  };

  // Requests that arrive before the flags load wait for them (the startup's wait), never longer than
  // readyTimeoutMs; while a refused startup's flags are missing, each fails with the reason (Koa's 500).
  const readiness = flagsReadiness(client, options);
  const middleware = (ctx: Context, next: Next) => {
    const waiting = readiness.request();
    return waiting === undefined ? attach(ctx, next) : waiting.then(() => attach(ctx, next));
  };
  Object.defineProperty(middleware, 'name', { value: 'featureFlags' });
  return Object.assign(middleware, { client, ready: () => readiness.startup() }) as FeatureFlagsMiddleware;
}

/** Records the request's outcome once the middleware after this one settled (a throw: 0, the error's status). */
function recordAround(
  outcomes: RequestOutcomes,
  ctx: Context,
  started: number,
  handled: Promise<unknown>,
): Promise<unknown> {
  return handled.then(
    (value) => {
      outcomes.record(ctx.flags, outcomes.now() - started, ctx.status);
      return value;
    },
    (error: unknown) => {
      outcomes.record(ctx.flags, outcomes.now() - started, 0, error);
      throw error;
    },
  );
}
