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

/**
 * Makes `request.flags` (and `flags` in the response's view locals) the request's lazy flags. They are built on
 * first read — after the guards that run before that read, so `req.user` set by an auth guard is in their
 * context — and then stay the same object for the rest of the request.
 */
export function attachRequestFlags(
  request: PlatformRequest,
  response: PlatformResponse,
  client: FlagsClient,
  options: NestAdapterOptions,
): void {
  if (Object.hasOwn(request, 'flags')) return;
  let flags: RequestFlags | undefined;
  const read = (): RequestFlags => {
    if (flags === undefined) flags = buildRequestFlags(request, response, client, options);
    return flags;
  };
  // Enumerable: Express's render and @fastify/view copy locals with for-in / Object.assign.
  const property = { get: read, enumerable: true, configurable: true };
  Object.defineProperty(request, 'flags', property);
  const locals = response.locals;
  if (locals !== null && typeof locals === 'object') Object.defineProperty(locals, 'flags', property);
}

function buildRequestFlags(
  request: PlatformRequest,
  response: PlatformResponse,
  client: FlagsClient,
  options: NestAdapterOptions,
): RequestFlags {
  const { flags, setCookie } = client.forRequest(
    request,
    {
      user: request.user,
      sessionId: request.sessionID ?? request.session?.sessionId ?? request.session?.id,
      // req.ip honours the platform's trust-proxy setting.
      ip: request.ip,
      cookieHeader: headerValue(request.headers?.cookie),
      // Express 5 parses req.query on every access: touch it only when overrides are on.
      query: client.overridesEnabled ? (request.query as Record<string, unknown> | undefined) : undefined,
    },
    options.context,
  );
  if (setCookie !== undefined) appendSetCookie(response, setCookie);
  return flags;
}

function appendSetCookie(response: PlatformResponse, value: string): void {
  // Express's `res.header` replaces; its `append` adds. Fastify's `reply.header` adds for set-cookie.
  if (typeof response.append === 'function') response.append('Set-Cookie', value);
  else if (typeof response.header === 'function') response.header('set-cookie', value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('; ') : value;
}

/** The flags `attachRequestFlags` put on the request, if it ran. */
export function flagsOfRequest(request: unknown): RequestFlags | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  return Object.hasOwn(request, 'flags') ? (request as PlatformRequest).flags : undefined;
}
