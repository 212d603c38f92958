// What the adapter does with the platform's request and response (Express `req`/`res`, Fastify
// `request`/`reply`): build the request's flags once, on first read, and expose them as `req.flags` and to views.
import type { FlagsClient, RequestFlags } from '@flagwise/core';
import type { NestAdapterOptions } from './options.js';

// The request fields the adapter reads, with those session and auth code (passport, express-session,
// @fastify/session) add.
interface PlatformRequest {
  flags?: RequestFlags;
  user?: unknown;
  ip?: string;
  socket?: { remoteAddress?: string };
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

// Fastify (and platforms without the module's hook, through the guard): each request gets a stand-in that builds
// the real flags on its first use. It is one small Proxy with a shared handler, set as plain data properties:
// per-request accessors (defineProperty) would cost more than the rest of the adapter together. Express requests
// are different (see defineExpressRequestFlags).
const LAZY_STATE = Symbol('flagwise.nestjs.lazyFlags');

interface PendingFlags {
  request: PlatformRequest;
  response: PlatformResponse;
  client: FlagsClient;
  options: NestAdapterOptions;
  flags: RequestFlags | undefined;
}

function realFlags(pending: PendingFlags): RequestFlags {
  if (pending.flags === undefined) {
    const { request, response, client, options } = pending;
    pending.flags = buildRequestFlags(request, response, client, options, clientIp(request));
  }
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

/** What an Express app gives every request and response it handles, as their prototypes; and its settings. */
interface ExpressApp {
  request: object;
  response: { render?: (...args: unknown[]) => unknown };
  get(setting: string): unknown;
}

type ExpressRequest = PlatformRequest & { res?: ExpressResponse };
type ExpressResponse = PlatformResponse & { req?: ExpressRequest };

const expressApps = new WeakMap<object, ExpressRequestFlags>();

/**
 * Express: `req.flags` as an accessor on the app's own request prototype (`app.request`, which Express gives
 * each request of the app), and `flags` in the views `res.render` (or `@Render`) renders. Nothing runs for a
 * request that reads no flags, and nothing is added to the request itself.
 *
 * Why not a middleware setting `req.flags`: Express gives every request its prototype with
 * `Object.setPrototypeOf`, after which V8 gives each request object a hidden class of its own. Every property
 * added to one then builds a new hidden class, and every property read misses V8's caches: each costs about a
 * microsecond a request, more than evaluating the flags. So the flags are kept in `res.locals`, which views read
 * anyway and which is a dictionary object (no hidden class), and the request is read as little as possible.
 */
export function defineExpressRequestFlags(
  app: ExpressApp,
  client: FlagsClient,
  options: NestAdapterOptions,
): void {
  const requestFlags = new ExpressRequestFlags(app, client, options);
  expressApps.set(app, requestFlags);
  const requestPrototype = app.request;
  Object.defineProperty(requestPrototype, 'flags', {
    configurable: true,
    get(this: ExpressRequest): RequestFlags | undefined {
      return this === requestPrototype ? undefined : requestFlags.of(this, this.res);
    },
    // Something else (another flags middleware, a test) sets the request's flags: theirs are kept and win.
    set(this: ExpressRequest, flags: RequestFlags | undefined) {
      Object.defineProperty(this, 'flags', {
        value: flags,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      const locals = this.res?.locals;
      if (locals !== null && typeof locals === 'object') locals.flags = flags;
    },
  });
  const render = app.response.render;
  if (typeof render !== 'function') return;
  app.response.render = function renderWithFlags(this: ExpressResponse, ...args: unknown[]) {
    // Views see `flags` even when nothing read them before rendering.
    if (this.req !== undefined) requestFlags.of(this.req, this);
    return render.apply(this, args);
  };
}

/** The flags of the Express app's requests, when the module set them up on it (the guard's short way to them). */
export function expressRequestFlags(app: unknown): ExpressRequestFlags | undefined {
  // An Express app is a function.
  return typeof app === 'function' || (typeof app === 'object' && app !== null)
    ? expressApps.get(app)
    : undefined;
}

export class ExpressRequestFlags {
  constructor(
    private readonly app: ExpressApp,
    private readonly client: FlagsClient,
    private readonly options: NestAdapterOptions,
  ) {}

  /** The request's flags, built on first use and kept in `res.locals.flags` (without locals, on the request). */
  of(request: ExpressRequest, response: ExpressResponse | undefined): RequestFlags {
    const locals = response?.locals;
    const hasLocals = locals !== null && typeof locals === 'object';
    if (hasLocals) {
      const kept = locals.flags as RequestFlags | undefined;
      if (kept !== undefined && kept !== null) return kept;
    } else if (Object.hasOwn(request, 'flags')) {
      return request.flags!;
    }
    const ip = clientIp(request, this.app);
    const flags = buildRequestFlags(request, response, this.client, this.options, ip);
    if (hasLocals) locals.flags = flags;
    else request.flags = flags;
    return flags;
  }
}

function buildRequestFlags(
  request: PlatformRequest,
  response: PlatformResponse | undefined,
  client: FlagsClient,
  options: NestAdapterOptions,
  ip: string | undefined,
): RequestFlags {
  // Read once each, and with Reflect.get: on an Express request (a hidden class of its own, see
  // defineExpressRequestFlags) it finds a property that is not there in less than half the time of `request.user`.
  const session = Reflect.get(request, 'session') as PlatformRequest['session'];
  const { flags, setCookie } = client.forRequest(
    request,
    {
      user: Reflect.get(request, 'user'),
      sessionId: Reflect.get(request, 'sessionID') ?? session?.sessionId ?? session?.id,
      ip,
      // The Cookie header and the query matter only to QA overrides (Express 5 parses req.query on every access).
      cookieHeader: client.overridesEnabled ? headerValue(request.headers?.cookie) : undefined,
      query: client.overridesEnabled ? (request.query as Record<string, unknown> | undefined) : undefined,
    },
    options.context,
  );
  if (setCookie !== undefined && response !== undefined) appendSetCookie(response, setCookie);
  return flags;
}

/**
 * `req.ip`, which honours the platform's trust-proxy setting. On Express without `trust proxy`, req.ip is the
 * socket's address, read here directly: Express's getter would parse X-Forwarded-For on every request only to
 * ignore it (several µs a request on the bench machine). Fastify's request.ip is cheap as it is. Callers that know
 * the Express app pass it, which spares reading `req.app`.
 */
function clientIp(
  request: PlatformRequest,
  app = (request as { app?: Partial<Pick<ExpressApp, 'get'>> }).app,
): string | undefined {
  if (typeof app?.get === 'function') {
    const trustProxy = app.get('trust proxy');
    if (trustProxy === false || trustProxy === undefined || trustProxy === 0) {
      return request.socket?.remoteAddress;
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

/**
 * The request's flags (built now if they were not yet), or undefined when the module gave the request none:
 * `res.locals.flags` / `reply.locals.flags` first (a dictionary object, cheap to read), then `request.flags`.
 */
export function flagsOfRequest(request: unknown, response?: unknown): RequestFlags | undefined {
  const locals = (response as PlatformResponse | null | undefined)?.locals;
  let flags =
    locals !== null && typeof locals === 'object' ? (locals.flags as RequestFlags | undefined) : undefined;
  if (flags === undefined || flags === null) flags = (request as PlatformRequest | null | undefined)?.flags;
  if (flags === undefined || flags === null) return undefined;
  const pending = (flags as unknown as { [LAZY_STATE]?: PendingFlags })[LAZY_STATE];
  return pending === undefined ? flags : realFlags(pending);
}
