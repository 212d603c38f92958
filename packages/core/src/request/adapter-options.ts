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
   * How long to wait for the first flags: at startup where the framework has one (Fastify, Nest), else the
   * first requests (Express, Koa). After that requests read fallbacks (flags off) and a warning is logged.
   * Default 5000.
   */
  readyTimeoutMs?: number;
  /**
   * A stable random id, in a cookie, for requests with neither user nor session id, used as their `sessionId`:
   * a percentage rollout then stays the same per browser. `true` for the defaults (cookie `flagwise_visitor`,
   * one year). Off by default.
   * @example visitorId: { cookieName: 'vid', maxAgeSeconds: 30 * 24 * 3600 }
   */
  visitorId?: boolean | VisitorIdOptions;
}
