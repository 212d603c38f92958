// How a request becomes flags, for adapters: the context (defaults from what the adapter read of the request,
// then the app's hook), the QA overrides `allow()` permits, a visitor id, and the lazy flags, built now or at
// their first read. One RequestPath per client, kept on the client under a symbol rather than on its public
// class: adapters reach it through @flagwise/core/adapter.
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import type { FlagContext } from '../types.js';
import { type ContextHook, isPromiseLike, type RequestInput, requestContext } from './context.js';
import {
  createDeferredRequestFlags,
  createRequestFlags,
  type FlagsClass,
  flagsClassOf,
} from './flags-object.js';
import {
  LaterRequest,
  type LaterRequestHost,
  type LaterRequestKind,
  type RequestReader,
} from './later-request.js';
import {
  type OverrideInput,
  type OverrideResolver,
  overrideRefusalHeaders,
  type RecentOverrideRefusal,
  type ResolvedOverrides,
} from './overrides.js';
import type { RequestFlags, RequestFlagsHost } from './request-flags.js';
import { SharedAddressWatch } from './shared-address.js';
import type { VisitorIds } from './visitor-id.js';

/** Where a client keeps its RequestPath: a registered symbol, so every copy of this module finds it. */
const REQUEST_PATH = Symbol.for('flagwise.requestPath');

/** One request's flags, and the Set-Cookie and other headers the adapter must send with the response. */
export interface RequestFlagsResult {
  flags: RequestFlags;
  setCookie?: string[];
  /** other response headers (`flagwise-override-refused` when the override query changed nothing of an entry) */
  headers?: Record<string, string>;
}

/**
 * How the framework serving a client names what its warnings point at: the option that gives anonymous browsers a
 * stable id, and the setting that trusts a reverse proxy. Adapters set them once (`setUpAdapter`'s `hints`).
 */
export class AdapterHints {
  /** e.g. `featureFlags({ visitorId: true })` */
  visitorId = "the adapter's visitorId option (e.g. featureFlags({ visitorId: true }))";
  /** e.g. `app.set('trust proxy', 1)` */
  trustProxy = "tell the framework to trust the proxy (Express: app.set('trust proxy', 1))";
}

/** Anonymous requests in a row from one private address with X-Forwarded-For before the proxy warning. */
export const SHARED_ADDRESS_REQUESTS = 20;

/** What a RequestPath needs of its client. */
export interface RequestPathHost {
  /** the client's current snapshot: each request's flags keep the one they were made with */
  readonly snapshot: FlagsSnapshot;
  /** what requests' flags report to the client (evaluations, unknown names) */
  readonly flagsHost: RequestFlagsHost;
  /** logs a warning once per key */
  warnOnce(key: string, message: string): void;
  /** the app's context hook threw or rejected */
  contextHookFailed(error: unknown): void;
  /** true once the client is closed */
  readonly closed: boolean;
  /** what the framework adapter calls its options (the client reads them for its warnings too) */
  readonly hints: AdapterHints;
}

/**
 * Another way to serve one request: flags built by another client (a test client's pinned flags), and a wrapper
 * around them before the adapter attaches them (a test client's record of what the request read).
 */
export interface RequestRoute {
  /** the client whose flags serve the request; default: the client the adapter holds */
  client?: object;
  /** wraps the request's flags */
  wrap?(flags: RequestFlags): RequestFlags;
}

/** Decides per request whether it is served another way; undefined: the usual way. */
export type RequestRouter<Request> = (request: Request) => RequestRoute | undefined;

/** The request path of one client. */
export class RequestPath<Request = any> {
  private router: RequestRouter<Request> | undefined;
  /** context hooks seen to answer synchronously, and those seen to return a Promise at least once */
  private readonly syncHooks = new WeakSet<object>();
  private readonly asyncHooks = new WeakSet<object>();
  /** the last hook found synchronous and never async: what nearly every request asks about */
  private lastSyncHook: object | undefined = undefined;
  private readonly sharedAddress = new SharedAddressWatch(SHARED_ADDRESS_REQUESTS);
  /** what the last adapter's requests share (one adapter per client, nearly always) */
  private lastKind: LaterRequestKind<Request, any> | undefined = undefined;
  /** the request flags class of the last snapshot requests were made with */
  private classSnapshot: FlagsSnapshot | undefined = undefined;
  private flagsClass: FlagsClass | undefined = undefined;

  constructor(
    private readonly host: RequestPathHost,
    private readonly overrides: OverrideResolver<Request> | undefined,
  ) {}

  /** The client's current snapshot. */
  get snapshot(): FlagsSnapshot {
    return this.host.snapshot;
  }

  /** true once the client is closed */
  get clientClosed(): boolean {
    return this.host.closed;
  }

  /** what the framework adapter calls its options, for warnings */
  get hints(): AdapterHints {
    return this.host.hints;
  }

  /** true when per-browser overrides are configured */
  get overridesEnabled(): boolean {
    return this.overrides !== undefined;
  }

  /** The override query entries refused most recently, across requests, newest first. */
  get overrideRefusals(): readonly RecentOverrideRefusal[] {
    return this.overrides?.recentRefusals ?? [];
  }

  /** Calls `listener` after each refused override; returns the unsubscribe. */
  watchOverrideRefusals(listener: () => void): () => void {
    return this.overrides?.watchRefusals(listener) ?? (() => {});
  }

  /** Serves requests the router picks another way (see RequestRoute); one router per client. */
  routeWith(router: RequestRouter<Request>): void {
    this.router = router;
  }

  /**
   * The overrides one request may use. Reads the signed cookie and the override query parameter, but only when
   * `overrides.allow(request)` says yes; otherwise nothing a client sends has any effect. A Promise only when
   * `allow()` returned one.
   */
  resolveOverrides(request: Request, input: OverrideInput): ResolvedOverrides | Promise<ResolvedOverrides> {
    return this.overrides?.resolve(request, input) ?? { overrides: undefined };
  }

  /** One request's flags, built now (adapters: `requestFlags(client, ...)`, which documents it). */
  forRequest(
    request: Request,
    input: RequestInput,
    hook?: ContextHook<Request>,
    visitors?: VisitorIds,
  ): RequestFlagsResult | Promise<RequestFlagsResult> {
    const route = this.router?.(request);
    if (route === undefined) return this.build(request, input, hook, visitors);
    const result = this.routedTo(route).build(request, input, hook, visitors);
    const wrap = route.wrap;
    if (wrap === undefined) return result;
    const wrapped = (built: RequestFlagsResult): RequestFlagsResult => ({
      ...built,
      flags: wrap(built.flags),
    });
    return isPromiseLike<RequestFlagsResult>(result)
      ? Promise.resolve(result).then(wrapped)
      : wrapped(result);
  }

  /**
   * One request's flags, built at their first read (adapters: `requestFlagsLater(client, ...)`). With `prepared`,
   * the facts are built now when the hook may be async or a cookie may be due, and `prepared.waiting` is the
   * Promise to await before the request goes on.
   */
  forRequestLater<Response>(
    request: Request,
    response: Response,
    reader: RequestReader<Request, Response>,
    hook?: ContextHook<Request>,
    visitors?: VisitorIds,
    prepared?: { waiting: Promise<void> | undefined },
  ): RequestFlags {
    const route = this.router?.(request);
    if (route === undefined) return this.buildLater(request, response, reader, hook, visitors, prepared);
    const flags = this.routedTo(route).buildLater(request, response, reader, hook, visitors, prepared);
    return route.wrap === undefined ? flags : route.wrap(flags);
  }

  private routedTo(route: RequestRoute): RequestPath<Request> {
    return route.client === undefined ? this : (requestPathOf<Request>(route.client) ?? this);
  }

  private build(
    request: Request,
    input: RequestInput,
    hook: ContextHook<Request> | undefined,
    visitors: VisitorIds | undefined,
  ): RequestFlagsResult | Promise<RequestFlagsResult> {
    const context = requestContext(request, input, hook, this.onContextHookError);
    if (this.overrides === undefined && visitors === undefined) {
      if (isPromiseLike<FlagContext>(context)) return context.then((ready) => this.flagsFor(ready));
      return this.flagsFor(context);
    }
    const overrides = this.overridesFor(request, input);
    if (isPromiseLike(context) || isPromiseLike(overrides)) {
      return Promise.all([context, overrides]).then(([ready, resolved]) =>
        this.flagsFor(ready, resolved, visitors, input),
      );
    }
    return this.flagsFor(context, overrides, visitors, input);
  }

  private buildLater<Response>(
    request: Request,
    response: Response,
    reader: RequestReader<Request, Response>,
    hook: ContextHook<Request> | undefined,
    visitors: VisitorIds | undefined,
    prepared: { waiting: Promise<void> | undefined } | undefined,
  ): RequestFlags {
    let kind = this.lastKind as LaterRequestKind<Request, Response> | undefined;
    if (kind === undefined || kind.reader !== reader || kind.hook !== hook || kind.visitors !== visitors) {
      const plain = this.overrides === undefined && visitors === undefined;
      kind = { host: this.laterHost, reader, hook, visitors, plain };
      this.lastKind = kind;
    }
    const snapshot = this.host.snapshot;
    if (snapshot !== this.classSnapshot) {
      this.classSnapshot = snapshot;
      this.flagsClass = flagsClassOf(snapshot);
    }
    let facts: LaterRequest<Request, Response> | undefined;
    if (prepared !== undefined) {
      if (this.buildsEarly(kind)) {
        facts = new LaterRequest(kind, request, response);
        prepared.waiting = facts.prepare();
      } else prepared.waiting = undefined;
    }
    return createDeferredRequestFlags(
      snapshot,
      this.host.flagsHost,
      kind,
      request,
      response,
      facts,
      this.flagsClass,
    );
  }

  /**
   * Whether a request's facts are built as it passes the adapter: when a cookie may be due (it must go out with
   * the response however late the first read) or the hook may return a Promise (a plain read cannot wait for it).
   */
  private buildsEarly(kind: LaterRequestKind<Request, unknown>): boolean {
    const hook = kind.hook;
    return (
      kind.plain !== true ||
      (hook !== undefined &&
        hook !== this.lastSyncHook &&
        (this.asyncHooks.has(hook) || !this.syncHooks.has(hook)))
    );
  }

  // What flags built at their first read need of the client; made once, not per request.
  private readonly laterHost: LaterRequestHost<Request> = {
    contextOf: (request, input, hook) => requestContext(request, input, hook, this.onContextHookError),
    overridesOf: (request, input) => this.overridesFor(request, input),
    hookAnswered: (hook, async) => {
      if (async) {
        this.asyncHooks.add(hook);
        if (this.lastSyncHook === hook) this.lastSyncHook = undefined;
      } else if (hook !== this.lastSyncHook && !this.asyncHooks.has(hook)) {
        this.syncHooks.add(hook);
        this.lastSyncHook = hook;
      }
    },
    observe: (context, input) => {
      if (input.forwarded === true && this.sharedAddress.noted(context)) {
        this.host.warnOnce(
          'shared address',
          `${SHARED_ADDRESS_REQUESTS} anonymous requests in a row came from ${context.remoteAddress}, a private ` +
            'address, with an X-Forwarded-For header: the app sees its reverse proxy, not the visitors. Flags ' +
            'whose variants follow the client IP give every anonymous visitor the same variant, and IP ' +
            `constraints see the proxy. Trust the proxy: ${this.host.hints.trustProxy}`,
        );
      }
    },
    onUnsettledRead: () =>
      this.host.warnOnce(
        'read before settled',
        'flags were read before an async context hook or overrides allow() settled: that request was ' +
          'evaluated without what they add (read the flags where the adapter awaits them; see its README)',
      ),
  };

  private readonly onContextHookError = (error: unknown) => this.host.contextHookFailed(error);

  /** The overrides a request may use; undefined when overrides are off. */
  private overridesFor(
    request: Request,
    input: RequestInput,
  ): ResolvedOverrides | Promise<ResolvedOverrides> | undefined {
    if (this.overrides === undefined) return undefined;
    const query = input.query?.[this.overrides.queryParam];
    return this.overrides.resolve(request, {
      cookieHeader: input.cookieHeader,
      query: typeof query === 'string' || Array.isArray(query) ? (query as string | string[]) : undefined,
    });
  }

  private flagsFor(
    context: FlagContext,
    resolved?: ResolvedOverrides,
    visitors?: VisitorIds,
    input?: RequestInput,
  ): RequestFlagsResult {
    const setCookie = this.cookiesFor(context, resolved, visitors, input);
    const flags = createRequestFlags(this.host.snapshot, context, resolved?.overrides, this.host.flagsHost);
    const result: RequestFlagsResult = setCookie === undefined ? { flags } : { flags, setCookie };
    const headers = overrideRefusalHeaders(resolved);
    if (headers !== undefined) result.headers = headers;
    return result;
  }

  /** The Set-Cookie headers of a request: a refreshed override cookie, a new visitor id (set on the context). */
  private cookiesFor(
    context: FlagContext,
    resolved: ResolvedOverrides | undefined,
    visitors: VisitorIds | undefined,
    input: RequestInput | undefined,
  ): string[] | undefined {
    let setCookie: string[] | undefined;
    if (resolved?.setCookie !== undefined) setCookie = [resolved.setCookie];
    if (visitors !== undefined && !context.userId && !context.sessionId) {
      const visitor = visitors.idOf(input?.cookieHeader, input?.secure === true);
      context.sessionId = visitor.id;
      if (visitor.setCookie !== undefined) (setCookie ??= []).push(visitor.setCookie);
    }
    return setCookie;
  }
}

/**
 * Gives a client its request path (the client does it once, as it is made).
 * @example attachRequestPath(this, new RequestPath(host, overrides));
 */
export function attachRequestPath(client: object, path: RequestPath<any>): void {
  Object.defineProperty(client, REQUEST_PATH, { value: path });
}

/**
 * The request path of a flags client; undefined for anything else.
 * @example requestPathOf(client)?.forRequest(req, input, hook)
 */
export function requestPathOf<Request = any>(client: unknown): RequestPath<Request> | undefined {
  if (client === null || typeof client !== 'object') return undefined;
  return (client as { [REQUEST_PATH]?: RequestPath<Request> })[REQUEST_PATH];
}
