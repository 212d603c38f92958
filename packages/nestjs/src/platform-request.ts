// What the adapter does with the platform's request and response (Express `req`/`res`, Fastify
// `request`/`reply`): build the request's flags once, after the guards that run before (so `req.user` set by an
// auth guard is in their context), and expose them as `request.flags` and to views (`res.locals` / `reply.locals`).
import type { FlagsClient, RequestFlags } from '@flagwise/core';
import {
  type AdapterSetup,
  headerText,
  isPromiseLike,
  type RequestFlagsResult,
  trustsProxy,
} from '@flagwise/core/adapter';
import type { NestAdapterOptions } from './options.js';

// The request fields the adapter reads, with those session and auth code (passport, express-session,
// @fastify/session) add.
interface PlatformRequest {
  flags?: RequestFlags | null;
  user?: unknown;
  ip?: string;
  socket?: { remoteAddress?: string };
  headers?: Record<string, string | string[] | undefined>;
  query?: unknown;
  session?: unknown;
  sessionID?: unknown;
  /** Express: the app, for its trust-proxy setting */
  app?: { get?: (setting: string) => unknown };
  /** Express */
  secure?: boolean;
  /** Fastify */
  protocol?: string;
}

interface PlatformResponse {
  /** Express: `res.locals`; Fastify with @fastify/view: `reply.locals` */
  locals?: Record<string, unknown> | null;
  /** Express */
  append?: (field: string, value: string | string[]) => unknown;
  /** Fastify (appends for set-cookie) */
  header?: (field: string, value: string | string[]) => unknown;
}

/** Builds and attaches one request's flags: the module's guard and interceptor share one per app. */
export class NestRequestFlags {
  private readonly client: FlagsClient;
  private readonly options: NestAdapterOptions;

  constructor(private readonly setup: AdapterSetup<any, NestAdapterOptions>) {
    this.client = setup.client;
    this.options = setup.options;
  }

  /**
   * Attaches the request's flags unless it has them; a Promise only while an async context hook or `allow()`
   * runs. Never rejects.
   */
  attach(request: PlatformRequest, response: PlatformResponse | undefined): Promise<void> | undefined {
    if (typeof request.flags === 'object' && request.flags !== null) return undefined;
    const { readsCookies, readsQuery, visitors } = this.setup;
    const express = typeof request.app?.get === 'function';
    const result = this.client.forRequest(
      request,
      {
        user: request.user,
        sessionId: request.sessionID,
        session: request.session,
        // Express: req.ip honours `trust proxy`; without it, the socket's address. Fastify's request.ip follows trustProxy.
        ip:
          express && !trustsProxy(request.app!.get!('trust proxy'))
            ? request.socket?.remoteAddress
            : request.ip,
        cookieHeader: readsCookies ? headerText(request.headers?.cookie) : undefined,
        // The query matters only to QA overrides (Express 5 parses req.query on every access).
        query: readsQuery ? (request.query as Record<string, unknown> | undefined) : undefined,
        secure: visitors !== undefined && (request.secure === true || request.protocol === 'https'),
      },
      this.options.context,
      visitors,
    );
    if (isPromiseLike<RequestFlagsResult>(result))
      return result.then((ready) => attached(request, response, ready));
    attached(request, response, result);
    return undefined;
  }
}

function attached(
  request: PlatformRequest,
  response: PlatformResponse | undefined,
  result: RequestFlagsResult,
): void {
  request.flags = result.flags;
  const locals = response?.locals;
  if (locals !== null && typeof locals === 'object') locals.flags = result.flags;
  if (result.setCookie !== undefined && response !== undefined) {
    // Express's `res.header` replaces; its `append` adds. Fastify's `reply.header` adds for set-cookie.
    if (typeof response.append === 'function') response.append('Set-Cookie', result.setCookie);
    else if (typeof response.header === 'function') response.header('set-cookie', result.setCookie);
  }
}

/** The request's flags, or undefined when the module gave the request none. */
export function flagsOfRequest(request: unknown): RequestFlags | undefined {
  const flags = (request as PlatformRequest | null | undefined)?.flags;
  return typeof flags === 'object' && flags !== null ? flags : undefined;
}
