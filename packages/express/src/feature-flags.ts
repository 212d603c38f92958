// The middleware: translates an Express request into one `requestFlags(client, ...)` call and points `req.flags`
// and `res.locals.flags` at the lazy per-request flags. Options, readiness, context and overrides are the
// shared adapter layer's (@flagwise/core/adapter).
import type { AdapterOptions, FlagsClient, FlagsOptions, RequestFlags } from '@flagwise/core';
import {
  isPromiseLike,
  OptionalFields,
  type RequestFlagsResult,
  requestFlags,
  requestReadiness,
  setUpAdapter,
  trustsProxy,
  watchGuardedFlags,
} from '@flagwise/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * What `featureFlags()` adds on top of the client's options: `context`, `readyTimeoutMs` (how long the first
 * requests wait for the flags; default 5000) and `visitorId`.
 */
export interface ExpressAdapterOptions extends AdapterOptions<Request> {}

/** Options for `featureFlags(options)`: the client's options (source, logger, overrides...) and the adapter's. */
export interface FeatureFlagsOptions extends FlagsOptions<Request>, ExpressAdapterOptions {}

/** The middleware `featureFlags()` returns; it also carries its client. */
export interface FeatureFlagsMiddleware extends RequestHandler {
  /** the client this middleware evaluates with (created from options, or the one given) */
  readonly client: FlagsClient<Request>;
}

/** Express's request as this middleware leaves it. */
export type RequestWithFlags = Request & { flags: RequestFlags };

/**
 * Attaches the lazy per-request flags as `req.flags` and `res.locals.flags` (so every `res.render` template
 * sees `flags`). Takes nothing (flags.yaml in the working directory), options, a client, `{ client, ...options }`
 * or a client and adapter options. Requests that arrive before the flags have loaded wait for them, up to
 * `readyTimeoutMs`.
 * @example
 * app.use(featureFlags());
 * app.get('/pricing', (req, res) => res.render('pricing'));   // template: <% if (flags.newPricing) { %>
 * @example
 * const flags = createFlags({ source: fileSource('config/flags.yaml') });
 * app.use(featureFlags(flags, { context: (req) => ({ properties: { plan: req.get('x-plan') } }) }));
 */
export function featureFlags(
  clientOrOptions?:
    | FlagsClient<Request>
    | FeatureFlagsOptions
    | ({ client: FlagsClient } & ExpressAdapterOptions),
  adapterOptions?: ExpressAdapterOptions,
): FeatureFlagsMiddleware {
  const { client, options, visitors, readsCookies, readsQuery } = setUpAdapter<Request>(
    { entry: 'featureFlags(options)' },
    clientOrOptions,
    adapterOptions,
  );
  const hook = options.context;
  // Fields that session and auth middleware (express-session, passport, ...) add; not in Express's own types.
  const added = new OptionalFields(['user', 'session', 'sessionID']);
  const waitForFlags = requestReadiness(client, options.readyTimeoutMs);
  watchGuardedFlags(client);

  const attached = (req: Request, res: Response, next: NextFunction, result: RequestFlagsResult) => {
    (req as RequestWithFlags).flags = result.flags;
    res.locals.flags = result.flags;
    if (result.setCookie !== undefined) res.append('Set-Cookie', result.setCookie);
    if (result.headers !== undefined) res.set(result.headers);
    next();
  };

  const attach = (req: Request, res: Response, next: NextFunction) => {
    const result = requestFlags(
      client,
      req,
      {
        user: added.read(req, 'user'),
        session: added.read(req, 'session'),
        sessionId: added.read(req, 'sessionID'),
        ip: trustsProxy(req.app.get('trust proxy')) ? req.ip : req.socket.remoteAddress,
        cookieHeader: readsCookies ? req.headers.cookie : undefined,
        // Express 5 parses req.query on every access: touch it only when an override could be in it.
        query: readsQuery && req.url.includes('?') ? (req.query as Record<string, unknown>) : undefined,
        secure: visitors !== undefined && req.secure,
      },
      hook,
      visitors,
    );
    if (isPromiseLike<RequestFlagsResult>(result))
      result.then((ready) => attached(req, res, next, ready), next);
    else attached(req, res, next, result);
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
