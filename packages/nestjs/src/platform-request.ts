// What the adapter does with the platform's request and response (Express `req`/`res`, Fastify
// `request`/`reply`): attach the request's flags as `request.flags` and to views (`res.locals` / `reply.locals`)
// when the request comes in, and build their context at the first read, after the guards that run before it (so
// `req.user` set by an auth guard is in it). The module's guard and `@Flags()` build it earlier and await an async
// context hook or `allow()`.
import type { FlagsClient, RequestFlags } from '@flagwise/core';
import {
  type AdapterSetup,
  headerText,
  OptionalFields,
  type RequestInput,
  type RequestReader,
  requestFlagsLater,
  settleRequestFlags,
  templateView,
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
  /** Express */
  headersSent?: boolean;
  /** Fastify */
  sent?: boolean;
}

/** Builds and attaches one request's flags: the module's middleware, guard and `@Flags()` share one per app. */
export class NestRequestFlags implements RequestReader<PlatformRequest, PlatformResponse | undefined> {
  readonly client: FlagsClient;
  private readonly options: NestAdapterOptions;
  /** what passport and express-session (or their Fastify plugins) add to the request, and flags set before */
  private readonly added = new OptionalFields(['user', 'session', 'sessionID', 'flags']);

  constructor(private readonly setup: AdapterSetup<any, NestAdapterOptions>) {
    this.client = setup.client;
    this.options = setup.options;
  }

  /**
   * Attaches the request's flags, to be built at their first read, and returns them; flags something else
   * attached first stay. Given `prepared` (the module's middleware, which can wait), the facts are built now when
   * the hook may be async or a cookie may be due, and `prepared.waiting` is what to await before going on.
   */
  attachLater(
    request: PlatformRequest,
    response: PlatformResponse | undefined,
    prepared?: { waiting: Promise<void> | undefined },
  ): RequestFlags {
    const attached = asFlags(this.added.read(request, 'flags'));
    if (attached !== undefined) return attached;
    const flags = requestFlagsLater(
      this.client,
      request,
      response,
      this,
      this.options.context,
      this.setup.visitors,
      prepared,
    );
    request.flags = flags;
    const locals = response?.locals;
    if (locals !== null && typeof locals === 'object') locals.flags = templateView(flags);
    return flags;
  }

  /**
   * Makes sure the request's flags are built, awaiting an async context hook or `allow()`: a Promise only while
   * they run. Never rejects. Attaches them first when nothing did (a request the middleware never saw).
   */
  ready(request: PlatformRequest, response: PlatformResponse | undefined): Promise<void> | undefined {
    return settleRequestFlags(this.attachLater(request, response));
  }

  inputOf(request: PlatformRequest): RequestInput {
    const { readsCookies, readsQuery, visitors } = this.setup;
    const express = typeof request.app?.get === 'function';
    const ip =
      express && !trustsProxy(request.app!.get!('trust proxy')) ? request.socket?.remoteAddress : request.ip;
    return {
      user: this.added.read(request, 'user'),
      sessionId: this.added.read(request, 'sessionID'),
      session: this.added.read(request, 'session'),
      // Express: req.ip honours `trust proxy`; without it, the socket's address. Fastify's request.ip follows trustProxy.
      ip,
      cookieHeader: readsCookies ? headerText(request.headers?.cookie) : undefined,
      // The query matters only to QA overrides (Express 5 parses req.query on every access).
      query: readsQuery ? (request.query as Record<string, unknown> | undefined) : undefined,
      secure: visitors !== undefined && (request.secure === true || request.protocol === 'https'),
      // X-Forwarded-For that the platform's proxy setting left unread: the IP is the socket's own address.
      forwarded: request.headers?.['x-forwarded-for'] !== undefined && ip === request.socket?.remoteAddress,
    };
  }

  setCookies(response: PlatformResponse | undefined, cookies: string[]): void {
    setCookies(response, cookies);
  }

  setHeaders(response: PlatformResponse | undefined, headers: Record<string, string>): void {
    if (response === undefined || response.headersSent === true || response.sent === true) return;
    // Express's `res.header` and Fastify's `reply.header` both set one header.
    for (const [name, value] of Object.entries(headers)) response.header?.(name, value);
  }
}

function setCookies(response: PlatformResponse | undefined, cookies: string[]): void {
  // Flags first read while the body streams can no longer set a cookie; the next request will.
  if (response === undefined || response.headersSent === true || response.sent === true) return;
  // Express's `res.header` replaces; its `append` adds. Fastify's `reply.header` adds for set-cookie.
  if (typeof response.append === 'function') response.append('Set-Cookie', cookies);
  else if (typeof response.header === 'function') response.header('set-cookie', cookies);
}

/** The request's flags, or undefined when the module gave the request none. */
export function flagsOfRequest(request: unknown): RequestFlags | undefined {
  return asFlags((request as PlatformRequest | null | undefined)?.flags);
}

function asFlags(value: unknown): RequestFlags | undefined {
  return typeof value === 'object' && value !== null ? (value as RequestFlags) : undefined;
}
