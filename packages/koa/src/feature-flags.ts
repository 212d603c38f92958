// The Koa middleware: translates a Koa context into one `client.forRequest(...)` call and attaches the lazy
// flags to `ctx.state.flags` (where views read their locals) and `ctx.flags`.
import {
  ConfigurationError,
  type ContextHook,
  createFlags,
  type FlagsClient,
  type FlagsOptions,
  type RequestFlags,
  type RequestInput,
  readyGate,
} from '@flagwise/core';
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

/** What the middleware needs from its options beyond the client's own. */
export interface KoaAdapterOptions {
  /**
   * Adds context fields for a request, on top of the defaults (`ctx.state.user`, the session, `ctx.ip`).
   * @example context: (ctx) => ({ properties: { plan: ctx.state.user?.plan } })
   */
  context?: ContextHook<Context>;
  /**
   * How long the first requests wait for the flags to load before they proceed with fallbacks (flags read as
   * off) and a logged warning. Default 5000 ms.
   */
  readyTimeoutMs?: number;
}

/**
 * Options for `featureFlags(options)`: the client's options (`source`, `overrides`, `logger`, ...) plus the
 * adapter's.
 * @example
 * featureFlags({ source: fileSource('config/flags.yaml'), context: (ctx) => ({ properties: { plan: ctx.get('x-plan') } }) })
 */
export interface KoaFlagsOptions extends FlagsOptions<Context>, KoaAdapterOptions {}

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

const DEFAULT_READY_TIMEOUT_MS = 5000;

/**
 * Koa middleware that gives every request its lazy flags as `ctx.state.flags` (views see `flags`) and
 * `ctx.flags`. Given options it creates the client (default source: flags.yaml in the working directory);
 * given a client it uses that one.
 * @example
 * const app = new Koa();
 * app.use(featureFlags());
 * app.use((ctx) => { ctx.body = ctx.state.flags.newPricing ? 'new pricing' : 'old pricing'; });
 */
export function featureFlags(
  optionsOrClient?: KoaFlagsOptions | FlagsClient<Context>,
  adapterOptions: KoaAdapterOptions = {},
): FeatureFlagsMiddleware {
  if (optionsOrClient !== undefined && (optionsOrClient === null || typeof optionsOrClient !== 'object')) {
    throw new ConfigurationError(
      'featureFlags(options | client): pass options such as { source: fileSource("flags.yaml") }, ' +
        'a client from createFlags(), or nothing for flags.yaml in the working directory',
    );
  }
  const givenClient = isClient(optionsOrClient);
  const options: KoaAdapterOptions = givenClient
    ? adapterOptions
    : { ...(optionsOrClient as KoaFlagsOptions | undefined), ...adapterOptions };
  const client: FlagsClient<Context> = givenClient
    ? (optionsOrClient as FlagsClient<Context>)
    : createFlags<Context>(stripAdapterOptions(optionsOrClient as KoaFlagsOptions | undefined));
  const hook = options.context;
  if (hook !== undefined && typeof hook !== 'function') {
    throw new ConfigurationError(
      'featureFlags({ context }): context must be a function of ctx, e.g. context: (ctx) => ({ userId: ctx.state.user?.id })',
    );
  }
  // The Cookie header and the query matter only to QA overrides; reading ctx.query parses the query string.
  const readsOverrides = client.overridesEnabled !== false;

  const attach = (ctx: Context, next: Next): Promise<unknown> => {
    const input: RequestInput = {
      user: ctx.state.user,
      sessionId: sessionIdOf(ctx),
      ip: clientIp(ctx),
      cookieHeader: readsOverrides ? ctx.headers.cookie : undefined,
      query: readsOverrides && ctx.querystring !== '' ? ctx.query : undefined,
    };
    const { flags, setCookie } = client.forRequest(ctx, input, hook);
    if (setCookie !== undefined) ctx.append('Set-Cookie', setCookie);
    ctx.state.flags = flags;
    ctx.flags = flags;
    return next();
  };

  // Requests that arrive before the flags load wait for them (one shared wait), never longer than readyTimeoutMs.
  const waitForFlags = readyGate(client, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  const middleware = (ctx: Context, next: Next) => {
    const waiting = waitForFlags();
    return waiting === undefined ? attach(ctx, next) : waiting.then(() => attach(ctx, next));
  };
  Object.defineProperty(middleware, 'name', { value: 'featureFlags' });
  return Object.assign(middleware, { client }) as FeatureFlagsMiddleware;
}

function isClient(value: unknown): value is FlagsClient<Context> {
  return typeof (value as { forRequest?: unknown } | undefined)?.forRequest === 'function';
}

function stripAdapterOptions(options: KoaFlagsOptions | undefined): FlagsOptions<Context> {
  if (options === undefined) return {};
  const { context: _context, readyTimeoutMs: _readyTimeoutMs, ...clientOptions } = options;
  return clientOptions;
}

/**
 * `ctx.ip`, which honours `app.proxy`. Without it ctx.ip is the socket's address, read here directly: Koa's getter
 * would look up and split X-Forwarded-For on every request only to ignore it.
 */
function clientIp(ctx: Context): string | undefined {
  return ctx.app.proxy ? ctx.ip : ctx.req.socket?.remoteAddress;
}

// koa-generic-session sets ctx.sessionId; stores that give their sessions an id put it on ctx.session.id.
// A cookie-only session (koa-session's default) has no id: pass one through the context hook if you need it.
function sessionIdOf(ctx: Context): unknown {
  return ctx.sessionId ?? (ctx.session as { id?: unknown } | null | undefined)?.id;
}
