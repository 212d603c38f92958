// The options every framework adapter takes on top of the client's: how a request's context is completed, how
// long the first requests wait for the flags, and visitor ids. Apps write them; the adapter layer checks them.
import type { ContextHook } from './context.js';
import type { VisitorIdOptions } from './visitor-id.js';

/**
 * The options every adapter takes on top of the client's.
 * @example featureFlags({ context: (req) => ({ properties: { plan: req.user?.plan } }), visitorId: true })
 */
export interface AdapterOptions<Request = any> {
  /**
   * Adds context fields for a request, on top of the defaults (the user's id, the session id, the client IP as
   * the framework's proxy setting reads it). May be async; one that throws or rejects leaves the defaults.
   * @example context: (req) => ({ properties: { plan: req.user?.plan } })
   */
  context?: ContextHook<Request>;
  /**
   * How long the startup waits for the first flags: Fastify's `register`, Nest's bootstrap, the `ready()` of the
   * Express and Koa middleware (or, in an app that does not await it, its first requests). Flags that are only
   * late then give way to fallbacks (flags off, guarded routes 404) with a warning; a misconfiguration is not
   * waited out (see `startOnFallbacks`). Default 5000.
   */
  readyTimeoutMs?: number;
  /**
   * Refuse to start when the flags are not ready within `readyTimeoutMs` (a `FlagwiseError` with code
   * `NOT_READY`), instead of starting on fallbacks. Default false.
   */
  failOnNotReady?: boolean;
  /**
   * Start even when the flags cannot load because of a misconfiguration (a flags file that is invalid or missing,
   * a refused token): requests read fallbacks (flags off, guarded routes 404) until the flags load, and a flags
   * file is watched and loads once it is valid. Default false: the app refuses to start, with the reason (for a
   * flags file, `path:line:column` and the problem).
   */
  startOnFallbacks?: boolean;
  /**
   * A stable random id, in a cookie, for requests with neither user nor session id, used as their `sessionId`:
   * a percentage rollout then stays the same per browser. `true` for the defaults (cookie `flagwise_visitor`,
   * one year). Off by default.
   * @example visitorId: { cookieName: 'vid', maxAgeSeconds: 30 * 24 * 3600 }
   */
  visitorId?: boolean | VisitorIdOptions;
}
