// The middleware: one call into the core per request, then `req.flags` and `res.locals.flags` point at the
// lazy per-request flags. Everything worth testing on its own (context, overrides, evaluation) lives in core.
import {
  ConfigurationError,
  type ContextHook,
  createFlags,
  type FlagsClient,
  type FlagsOptions,
  type RequestFlags,
  readyGate,
} from '@flagwise/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What `featureFlags()` adds on top of the client's options. */
export interface ExpressAdapterOptions {
  /**
   * Adds context fields for a request, on top of the defaults (`req.user?.id`, the session id, `req.ip`).
   * @example context: (req) => ({ properties: { plan: req.user?.plan, country: req.get('cf-ipcountry') } })
   */
  context?: ContextHook<Request>;
  /**
   * How long the first requests wait for the flags to load. After that they proceed with fallbacks (unknown
   * flags read as off) and a warning is logged; requests never hang. Default 5000.
   */
  readyTimeoutMs?: number;
}

/** Options for `featureFlags(options)`: the client's options (source, logger, overrides...) and the adapter's. */
export interface FeatureFlagsOptions extends FlagsOptions<Request>, ExpressAdapterOptions {}

/** The middleware `featureFlags()` returns; it also carries its client. */
export interface FeatureFlagsMiddleware extends RequestHandler {
  /** the client this middleware evaluates with (created from options, or the one given) */
  readonly client: FlagsClient<Request>;
}

/** Express's request as this middleware leaves it. */
export type RequestWithFlags = Request & { flags: RequestFlags };

// Fields that session and auth middleware (express-session, passport, ...) add; not in Express's own types.
interface SessionAndUser {
  user?: unknown;
  session?: { id?: unknown } | null;
  sessionID?: unknown;
}

const DEFAULT_READY_TIMEOUT_MS = 5000;

/**
 * Attaches the lazy per-request flags as `req.flags` and `res.locals.flags` (so every `res.render` template
 * sees `flags`). Given options, it creates the client (default source: flags.yaml in the working directory);
 * given a client, it uses that one. Requests that arrive before the flags have loaded wait for them, up to
 * `readyTimeoutMs`.
 * @example
 * app.use(featureFlags());
 * app.get('/pricing', (req, res) => res.render('pricing'));   // template: <% if (flags.newPricing) { %>
 * @example
 * const flags = createFlags({ source: fileSource('config/flags.yaml') });
 * app.use(featureFlags(flags, { context: (req) => ({ properties: { plan: req.get('x-plan') } }) }));
 */
export function featureFlags(
  clientOrOptions?: FlagsClient<Request> | FeatureFlagsOptions,
  adapterOptions?: ExpressAdapterOptions,
): FeatureFlagsMiddleware {
  const { client, options } = resolveClient(clientOrOptions, adapterOptions);
  const hook = options.context;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const waitForFlags = readyGate(client, readyTimeoutMs);
  // The Cookie header and the query matter only to QA overrides: left alone when overrides are off.
  const readsOverrides = client.overridesEnabled;

  const attach = (req: Request, res: Response, next: NextFunction) => {
    const extras = req as Request & SessionAndUser;
    const { flags, setCookie } = client.forRequest(
      req,
      {
        user: extras.user,
        sessionId: extras.session?.id ?? extras.sessionID,
        ip: clientIp(req),
        cookieHeader: readsOverrides ? req.headers.cookie : undefined,
        // Express 5 parses req.query on every access: touch it only when an override could be in it.
        query: readsOverrides && req.url.includes('?') ? (req.query as Record<string, unknown>) : undefined,
      },
      hook,
    );
    (req as RequestWithFlags).flags = flags;
    res.locals.flags = flags;
    if (setCookie !== undefined) res.append('Set-Cookie', setCookie);
    next();
  };

  // Requests that arrive before the flags load wait for them (one shared wait), never longer than readyTimeoutMs.
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const waiting = waitForFlags();
    if (waiting === undefined) return attach(req, res, next);
    waiting.then(() => {
      try {
        attach(req, res, next);
      } catch (error) {
        next(error);
      }
    });
  };
  Object.defineProperty(middleware, 'client', { value: client, enumerable: true });
  return middleware as FeatureFlagsMiddleware;
}

/**
 * `req.ip`, which honours the app's `trust proxy` setting. Without that setting req.ip is the socket's address,
 * read here directly: Express would parse X-Forwarded-For on every request only to ignore it.
 */
function clientIp(req: Request): string | undefined {
  const trustProxy: unknown = req.app.get('trust proxy');
  return trustProxy === false || trustProxy === undefined || trustProxy === 0
    ? req.socket.remoteAddress
    : req.ip;
}

function resolveClient(
  clientOrOptions: FlagsClient<Request> | FeatureFlagsOptions | undefined,
  adapterOptions: ExpressAdapterOptions | undefined,
): { client: FlagsClient<Request>; options: ExpressAdapterOptions } {
  const hook = (isClient(clientOrOptions) ? adapterOptions : clientOrOptions)?.context;
  if (hook !== undefined && typeof hook !== 'function') {
    throw new ConfigurationError(
      'featureFlags({ context }): context must be a function (req) => ({ ...fields })',
    );
  }
  if (isClient(clientOrOptions)) return { client: clientOrOptions, options: adapterOptions ?? {} };
  if (clientOrOptions !== undefined && (clientOrOptions === null || typeof clientOrOptions !== 'object')) {
    throw new ConfigurationError(
      'featureFlags(options | client): pass options such as { source: fileSource("flags.yaml") }, ' +
        'a client from createFlags(), or nothing (flags.yaml in the working directory)',
    );
  }
  if (adapterOptions !== undefined) {
    throw new ConfigurationError(
      'featureFlags(options, adapterOptions): a second argument only goes with a client; ' +
        'put context and readyTimeoutMs into the options object',
    );
  }
  const { context, readyTimeoutMs, ...flagsOptions } = clientOrOptions ?? {};
  return { client: createFlags<Request>(flagsOptions), options: { context, readyTimeoutMs } };
}

function isClient(value: unknown): value is FlagsClient<Request> {
  return typeof (value as FlagsClient | undefined)?.forRequest === 'function';
}
