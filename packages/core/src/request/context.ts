// Building an Unleash context from a Node web request. Adapters pass what their framework computed
// (the client IP respects the framework's trust-proxy setting); the user hook adds or replaces fields.
import type { FlagContext } from '../types.js';

/** What an adapter knows about a request before the user's hook runs. */
export interface RequestFacts {
  /** the authenticated user, usually `req.user`; its `id` (or `userId`, `sub`) becomes `userId` */
  user?: unknown;
  /** a session id (`req.session.id`, `req.sessionID`, ...) */
  sessionId?: unknown;
  /** the client IP as the framework computed it (`req.ip`) */
  ip?: string;
}

/**
 * A hook that adds context fields for a request.
 * @example
 * featureFlags({ context: (req) => ({ properties: { plan: req.user?.plan } }) })
 */
export type ContextHook<Request> = (request: Request) => Partial<FlagContext> | undefined | null;

/**
 * The default context of a request, then the hook's fields on top.
 * Never throws: a hook that throws is reported through `onHookError` and its fields are left out.
 * @example
 * const context = requestContext(req, { user: req.user, sessionId: req.sessionID, ip: req.ip }, hook);
 */
export function requestContext<Request>(
  request: Request,
  facts: RequestFacts,
  hook?: ContextHook<Request>,
  onHookError?: (error: unknown) => void,
): FlagContext {
  const context: FlagContext = {};
  const userId = idOf(facts.user);
  if (userId !== undefined) context.userId = userId;
  const sessionId = stringOf(facts.sessionId);
  if (sessionId !== undefined) context.sessionId = sessionId;
  if (facts.ip) context.remoteAddress = facts.ip;
  if (hook === undefined) return context;
  let extra: Partial<FlagContext> | undefined | null;
  try {
    extra = hook(request);
  } catch (error) {
    onHookError?.(error);
    return context;
  }
  if (!extra || typeof extra !== 'object') return context;
  // The hook returns a fresh object per request; its `properties` are taken as they are, not copied.
  return Object.assign(context, extra);
}

function idOf(user: unknown): string | undefined {
  if (user === null || typeof user !== 'object') return undefined;
  const record = user as Record<string, unknown>;
  return stringOf(record.id ?? record.userId ?? record.sub);
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
