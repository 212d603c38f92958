// What the adapter does with the platform's request and response (Express `req`/`res`, Fastify
// `request`/`reply`): build the request's flags once, on first read, and expose them as `req.flags` and to views.
import type { FlagsClient, RequestFlags } from '@flagwise/core';
import type { NestAdapterOptions } from './options.js';

// Fields that session and auth code (passport, express-session, @fastify/session) add to the request.
interface PlatformRequest {
  flags?: RequestFlags;
  user?: unknown;
  ip?: string;
  headers?: Record<string, string | string[] | undefined>;
  query?: unknown;
  session?: { id?: unknown; sessionId?: unknown } | null;
  sessionID?: unknown;
}

interface PlatformResponse {
  /** Express: `res.locals`; Fastify with @fastify/view: `reply.locals` */
  locals?: Record<string, unknown> | null;
  /** Express */
  append?: (field: string, value: string) => unknown;
  /** Fastify (appends for set-cookie) */
  header?: (field: string, value: string) => unknown;
}

// What the module's request hook leaves on each request: a stand-in that builds the real flags on its first use. It is one
// small Proxy with a shared handler, set as plain data properties: per-request accessors (defineProperty) would
// cost more than the rest of the adapter together.
const LAZY_STATE = Symbol('flagwise.nestjs.lazyFlags');

interface PendingFlags {
  request: PlatformRequest;
  response: PlatformResponse;
  client: FlagsClient;
  options: NestAdapterOptions;
  flags: RequestFlags | undefined;
}

function realFlags(pending: PendingFlags): RequestFlags {
  if (pending.flags === undefined) pending.flags = buildRequestFlags(pending);
  return pending.flags;
}

// Every trap forwards to the real flags, so the stand-in behaves exactly like them (templates, JSON, `in`).
const lazyFlagsHandler: ProxyHandler<PendingFlags> = {
  get: (pending, key) => (key === LAZY_STATE ? pending : Reflect.get(realFlags(pending), key)),
  has: (pending, key) => key === LAZY_STATE || Reflect.has(realFlags(pending), key),
  ownKeys: (pending) => Reflect.ownKeys(realFlags(pending)),
  getOwnPropertyDescriptor: (pending, key) => Reflect.getOwnPropertyDescriptor(realFlags(pending), key),
  getPrototypeOf: (pending) => Reflect.getPrototypeOf(realFlags(pending)),
  set: (pending, key, value) => Reflect.set(realFlags(pending), key, value),
  defineProperty: (pending, key, descriptor) => Reflect.defineProperty(realFlags(pending), key, descriptor),
  deleteProperty: (pending, key) => Reflect.deleteProperty(realFlags(pending), key),
};

/**
 * Gives the request `request.flags` (and the response's view locals `flags`): the request's lazy flags, built on
 * first use — after the guards that run before that use, so `req.user` set by an auth guard is in their
 * context — and the same for the rest of the request.
 */
export function attachRequestFlags(
  request: PlatformRequest,
  response: PlatformResponse,
  client: FlagsClient,
  options: NestAdapterOptions,
): void {
  const pending: PendingFlags = { request, response, client, options, flags: undefined };
  const flags = new Proxy(pending, lazyFlagsHandler) as unknown as RequestFlags;
  request.flags = flags;
  const locals = response.locals;
  if (locals !== null && typeof locals === 'object') locals.flags = flags;
}

function buildRequestFlags({ request, response, client, options }: PendingFlags): RequestFlags {
  const { flags, setCookie } = client.forRequest(
    request,
    {
      user: request.user,
      sessionId: request.sessionID ?? request.session?.sessionId ?? request.session?.id,
      ip: clientIp(request),
      // The Cookie header and the query matter only to QA overrides (Express 5 parses req.query on every access).
      cookieHeader: client.overridesEnabled ? headerValue(request.headers?.cookie) : undefined,
      query: client.overridesEnabled ? (request.query as Record<string, unknown> | undefined) : undefined,
    },
    options.context,
  );
  if (setCookie !== undefined) appendSetCookie(response, setCookie);
  return flags;
}

/**
 * `req.ip`, which honours the platform's trust-proxy setting. On Express without `trust proxy`, req.ip is the
 * socket's address, read here directly: Express's getter would parse X-Forwarded-For on every request only to
 * ignore it (several µs a request on the bench machine). Fastify's request.ip is cheap as it is.
 */
function clientIp(request: PlatformRequest): string | undefined {
  const app = (request as { app?: { get?: (setting: string) => unknown } }).app;
  if (typeof app?.get === 'function') {
    const trustProxy = app.get('trust proxy');
    if (trustProxy === false || trustProxy === undefined || trustProxy === 0) {
      return (request as { socket?: { remoteAddress?: string } }).socket?.remoteAddress;
    }
  }
  return request.ip;
}

function appendSetCookie(response: PlatformResponse, value: string): void {
  // Express's `res.header` replaces; its `append` adds. Fastify's `reply.header` adds for set-cookie.
  if (typeof response.append === 'function') response.append('Set-Cookie', value);
  else if (typeof response.header === 'function') response.header('set-cookie', value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('; ') : value;
}

/** The request's flags (built now if they were not yet), or undefined when `attachRequestFlags` did not run. */
export function flagsOfRequest(request: unknown): RequestFlags | undefined {
  const flags = (request as PlatformRequest | null | undefined)?.flags;
  if (flags === undefined || flags === null) return undefined;
  const pending = (flags as unknown as { [LAZY_STATE]?: PendingFlags })[LAZY_STATE];
  return pending === undefined ? flags : realFlags(pending);
}
