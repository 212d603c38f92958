// The middleware: attaches the lazy per-request flags as `req.flags` (and their template view as
// `res.locals.flags`) through one `requestFlagsLater(client, ...)` call. Their context is taken at the first read,
// so auth middleware that runs after this one (passport, a session) is in it. Options, readiness, context and
// overrides are the shared adapter layer's (@flagwise/core/adapter).
import type { AdapterOptions, FlagsClient, FlagsOptions, RequestFlags } from '@flagwise/core';
import {
  flagsReadiness,
  OptionalFields,
  type RequestInput,
  type RequestReader,
  recordWhenFinished,
  requestFlagsLater,
  requestOutcomes,
  setUpAdapter,
  templateView,
  trustsProxy,
  watchGuardedFlags,
} from '@flagwise/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * What `featureFlags()` adds on top of the client's options: `context`, the startup (`readyTimeoutMs`, default
 * 5000; `startOnFallbacks`; `failOnNotReady`) and `visitorId`.
 */
export interface ExpressAdapterOptions extends AdapterOptions<Request> {}

/** Options for `featureFlags(options)`: the client's options (source, logger, overrides...) and the adapter's. */
export interface FeatureFlagsOptions extends FlagsOptions<Request>, ExpressAdapterOptions {}

/** The middleware `featureFlags()` returns; it also carries its client and the app's startup. */
export interface FeatureFlagsMiddleware extends RequestHandler {
  /** the client this middleware evaluates with (created from options, or the one given) */
  readonly client: FlagsClient<Request>;
  /**
   * Await it before `app.listen()`: resolves once the flags have loaded (or, when they are only late, after
   * `readyTimeoutMs` with a warning: the app serves fallbacks until they load), and rejects when the app should
   * not start: a misconfiguration such as an invalid flags file (`path:line:column` and the problem), unless
   * `startOnFallbacks` is set, or flags not ready in time with `failOnNotReady`. An app that does not await it
   * answers each request with that error (a 500) until the flags load.
   * @example
   * const flags = featureFlags();
   * app.use(flags);
   * await flags.ready(); // an invalid flags.yaml stops the app here, as Fastify's register and Nest's bootstrap do
   * app.listen(3000);
   */
  ready(): Promise<void>;
}

/** Express's request as this middleware leaves it. */
export type RequestWithFlags = Request & { flags: RequestFlags };

/**
 * Attaches the lazy per-request flags as `req.flags` and `res.locals.flags` (so every `res.render` template
 * sees `flags`). Their context (`req.user`, the session) is taken at the first read, so auth middleware may come
 * after this one. Takes nothing (flags.yaml in the working directory), options, a client, `{ client, ...options }`
 * or a client and adapter options. Await `ready()` before listening: it refuses to start on a misconfiguration.
 * Requests that arrive before the flags have loaded wait for them, up to `readyTimeoutMs`.
 * @example
 * const flags = featureFlags();
 * app.use(flags);
 * app.get('/pricing', (req, res) => res.render('pricing'));   // template: <% if (flags.newPricing) { %>
 * await flags.ready();
 * app.listen(3000);
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
    {
      entry: 'featureFlags(options)',
      hints: {
        visitorId: 'featureFlags({ visitorId: true })',
        trustProxy: "app.set('trust proxy', 1) (or the proxy's address: Express's 'trust proxy' setting)",
      },
    },
    clientOrOptions,
    adapterOptions,
  );
  const hook = options.context;
  // Fields that session and auth middleware (express-session, passport, ...) add; not in Express's own types.
  const added = new OptionalFields(['user', 'session', 'sessionID']);
  const readiness = flagsReadiness(client, options);
  watchGuardedFlags(client);
  // Each request's duration and status by the flags it read, when telemetry is on.
  const outcomes = requestOutcomes(client);

  // What the flags read of the request at their first read (after the auth middleware that follows this one).
  const reader: RequestReader<Request, Response> = {
    inputOf(req: Request): RequestInput {
      const trusted = trustsProxy(req.app.get('trust proxy'));
      return {
        user: added.read(req, 'user'),
        session: added.read(req, 'session'),
        sessionId: added.read(req, 'sessionID'),
        ip: trusted ? req.ip : req.socket.remoteAddress,
        cookieHeader: readsCookies ? req.headers.cookie : undefined,
        // Express 5 parses req.query on every access: touch it only when an override could be in it.
        query: readsQuery && req.url.includes('?') ? (req.query as Record<string, unknown>) : undefined,
        secure: visitors !== undefined && req.secure,
        forwarded: !trusted && req.headers['x-forwarded-for'] !== undefined,
      };
    },
    setCookies(res: Response, cookies: string[]) {
      // A first read after the response started can no longer add a header; what prepare() sent stays.
      if (!res.headersSent) res.append('Set-Cookie', cookies);
    },
    setHeaders(res: Response, headers: Record<string, string>) {
      if (!res.headersSent) res.set(headers);
    },
  };
  // Filled by requestFlagsLater and read right after, synchronously: one object serves every request.
  const prepared: { waiting: Promise<void> | undefined } = { waiting: undefined };

  const attach = (req: Request, res: Response, next: NextFunction) => {
    const flags = requestFlagsLater(client, req, res, reader, hook, visitors, prepared);
    const waiting = prepared.waiting;
    (req as RequestWithFlags).flags = flags;
    res.locals.flags = templateView(flags);
    if (outcomes !== undefined) recordWhenFinished(outcomes, flags, res);
    if (waiting === undefined) next();
    else waiting.then(() => next(), next);
  };

  // Requests that arrive before the flags load wait for them (the startup's wait), never longer than
  // readyTimeoutMs; while a refused startup's flags are missing, each fails with the reason.
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const waiting = readiness.request();
    if (waiting === undefined) return attach(req, res, next);
    waiting.then(() => {
      try {
        attach(req, res, next);
      } catch (error) {
        next(error);
      }
    }, next);
  };
  Object.defineProperty(middleware, 'client', { value: client, enumerable: true });
  Object.defineProperty(middleware, 'ready', { value: () => readiness.startup(), enumerable: true });
  return middleware as FeatureFlagsMiddleware;
}
