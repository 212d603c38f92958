// Building an Unleash context from a Node web request. Adapters pass what their framework computed
// (the client IP respects the framework's trust-proxy setting); the user hook adds or replaces fields.
import type { FlagContext } from '../types.js';

/** What an adapter knows about a request before the user's hook runs. */
export interface RequestFacts {
  /** the authenticated user, usually `req.user`; its `id` (or `userId`, `sub`) becomes `userId` */
  user?: unknown;
  /** a session id the framework keeps on the request itself (`req.sessionID`, `ctx.sessionId`) */
  sessionId?: unknown;
  /** the session object (`req.session`); its `id` (or `sessionId`) becomes `sessionId` */
  session?: unknown;
  /** the client IP as the framework computed it (`req.ip`) */
  ip?: string;
}

/** What an adapter knows of one request: its facts, and what QA overrides and visitor ids read. */
export interface RequestInput extends RequestFacts {
  /** the raw Cookie header, for QA overrides and visitor ids */
  cookieHeader?: string;
  /** the parsed query string, for the override query parameter */
  query?: Record<string, unknown> | null;
  /** the request came over TLS (as the framework's proxy setting reads it): cookies it sets are Secure */
  secure?: boolean;
  /**
   * the request carries an X-Forwarded-For header that the framework's proxy setting ignores: with many
   * anonymous requests from one private address, flagwise warns that the app sits behind an untrusted proxy
   */
  forwarded?: boolean;
}

/**
 * A hook that adds context fields for a request. It may be async: the request's flags are attached once it
 * settles. A hook that throws or rejects is logged and leaves the default context.
 * @example
 * featureFlags({ context: (req) => ({ properties: { plan: req.user?.plan } }) })
 * featureFlags({ context: async (req) => ({ properties: { plan: await plans.of(req.user) } }) })
 */
export type ContextHook<Request> = (
  request: Request,
) => Partial<FlagContext> | undefined | null | PromiseLike<Partial<FlagContext> | undefined | null>;

/**
 * The default context of a request (user id, session id, IP).
 * @example
 * const context = defaultContext({ user: req.user, session: req.session, ip: req.ip });
 */
export function defaultContext(facts: RequestFacts): FlagContext {
  const context: FlagContext = {};
  const userId = idOf(facts.user);
  if (userId !== undefined) context.userId = userId;
  const sessionId = stringOf(facts.sessionId) ?? sessionIdOf(facts.session);
  if (sessionId !== undefined) context.sessionId = sessionId;
  if (facts.ip) context.remoteAddress = facts.ip;
  return context;
}

/**
 * The default context of a request, then the hook's fields on top; a Promise when the hook returned one.
 * Never throws nor rejects: a hook that throws or rejects is reported through `onHookError` and its fields are
 * left out.
 * @example
 * const context = requestContext(req, { user: req.user, sessionId: req.sessionID, ip: req.ip }, hook);
 */
export function requestContext<Request>(
  request: Request,
  facts: RequestFacts,
  hook?: ContextHook<Request>,
  onHookError?: (error: unknown) => void,
): FlagContext | Promise<FlagContext> {
  const context = defaultContext(facts);
  if (hook === undefined) return context;
  let extra: ReturnType<ContextHook<Request>>;
  try {
    extra = hook(request);
  } catch (error) {
    onHookError?.(error);
    return context;
  }
  if (isPromiseLike(extra)) {
    return Promise.resolve(extra).then(
      (fields) => withFields(context, fields),
      (error: unknown) => {
        onHookError?.(error);
        return context;
      },
    );
  }
  return withFields(context, extra);
}

/**
 * The hook's fields over the defaults: each own enumerable field of `extra`, in its order, set on `context`, its
 * `properties` taken as they are, not copied (the hook returns a fresh object per request). What
 * `Object.assign(context, extra)` does for a context's string-keyed fields, written out because on the request
 * path V8 runs Object.assign onto an object that has properties, and Object.keys, slower than the rest of
 * building the context: a for-in loop filtered by hasOwnProperty (called as written, which V8 turns into a check
 * of the object's shape) reads the keys V8 caches for the shape, and a store per FlagContext field keeps each
 * store's inline cache.
 */
function withFields(context: FlagContext, extra: Partial<FlagContext> | undefined | null): FlagContext {
  if (!extra || typeof extra !== 'object') return context;
  for (const key in extra) {
    // biome-ignore lint/suspicious/noPrototypeBuiltins: V8 folds this call, not Object.hasOwn, in a for-in loop
    if (!Object.prototype.hasOwnProperty.call(extra, key)) continue;
    switch (key) {
      case 'userId':
        context.userId = extra.userId;
        break;
      case 'properties':
        context.properties = extra.properties;
        break;
      case 'sessionId':
        context.sessionId = extra.sessionId;
        break;
      case 'remoteAddress':
        context.remoteAddress = extra.remoteAddress;
        break;
      case 'environment':
        context.environment = extra.environment;
        break;
      case 'appName':
        context.appName = extra.appName;
        break;
      case 'currentTime':
        context.currentTime = extra.currentTime;
        break;
      default:
        context[key] = extra[key];
    }
  }
  return context;
}

/** True for a Promise or any thenable. */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<T>).then === 'function'
  );
}

function idOf(user: unknown): string | undefined {
  if (user === null || typeof user !== 'object') return undefined;
  const record = user as Record<string, unknown>;
  return stringOf(record.id ?? record.userId ?? record.sub);
}

function sessionIdOf(session: unknown): string | undefined {
  if (session === null || typeof session !== 'object') return undefined;
  const record = session as Record<string, unknown>;
  return stringOf(record.id ?? record.sessionId);
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
