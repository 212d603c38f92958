// The facts of flags attached before their request is authenticated, built at their first read: adapters attach
// the flags as the request comes in, and auth (passport, a Nest guard, a Fastify hook) may set the user after.
// One object per request, with its methods on the prototype: no closures made per request.
//
// Where an adapter middleware can wait (Express, Koa, Fastify), it calls `prepare()`: when the app's context hook
// may be async, or the request may need a cookie (a visitor id, a QA override), the facts are built then, so the
// hook is awaited and the cookies go out with the response whenever the flags are first read. The first read
// then takes them again if the request's user or session changed since (auth ran after the middleware).
import type { FlagContext } from '../types.js';
import { type ContextHook, defaultContext, isPromiseLike, type RequestInput } from './context.js';
import type { FlagOverrides, ResolvedOverrides } from './overrides.js';
import type { DeferredFacts, RequestFlagsFacts } from './request-flags.js';

const EMPTY_CONTEXT: FlagContext = Object.freeze({});

import type { VisitorIds } from './visitor-id.js';

/** How an adapter reads a request's facts and sends its cookies; one per app, shared by every request. */
export interface RequestReader<Request, Response> {
  /** what the adapter knows of the request now (its user, session, IP, cookie header, query) */
  inputOf(request: Request): RequestInput;
  /**
   * sends Set-Cookie headers with the response (a refreshed override cookie, a new visitor id); a response whose
   * headers are already sent keeps its headers
   */
  setCookies(response: Response, cookies: string[]): void;
}

/** What a LaterRequest needs of its client. */
export interface LaterRequestHost<Request> {
  contextOf(
    request: Request,
    input: RequestInput,
    hook: ContextHook<Request> | undefined,
  ): FlagContext | Promise<FlagContext>;
  overridesOf(
    request: Request,
    input: RequestInput,
  ): ResolvedOverrides | Promise<ResolvedOverrides> | undefined;
  /** true when the facts should be built as the request passes the adapter (see `prepare`) */
  buildsEarly(hook: ContextHook<Request> | undefined, visitors: VisitorIds | undefined): boolean;
  /** what the hook returned once: a Promise or not (decides `buildsEarly` for later requests) */
  hookAnswered(hook: ContextHook<Request>, async: boolean): void;
  /** the facts of one request, for what they say about the requests of the app (a shared proxy address) */
  observe(context: FlagContext, input: RequestInput): void;
  /** a read came before an async hook could be awaited (warned once by the client) */
  onUnsettledRead(): void;
}

/** The deferred facts of one request's flags; once built, it holds them itself (one object per request). */
export class LaterRequest<Request, Response> implements DeferredFacts, RequestFlagsFacts {
  context: FlagContext = EMPTY_CONTEXT;
  overrides: FlagOverrides | undefined = undefined;
  /** true once a build started an async hook: a read meanwhile must not run the hook again */
  private waiting = false;
  /** the facts `prepare()` built, and the user and session they were built with */
  private early: RequestFlagsFacts | undefined = undefined;
  private earlyUser: unknown = undefined;
  private earlySession: unknown = undefined;
  private earlySessionId: unknown = undefined;
  /** the visitor id this request uses, once decided: one per request however often the facts are built */
  private visitor: { id: string; setCookie?: string } | undefined = undefined;
  /** Set-Cookie headers already handed to the response */
  private sent: string[] | undefined = undefined;

  constructor(
    private readonly host: LaterRequestHost<Request>,
    private readonly request: Request,
    private readonly response: Response,
    private readonly reader: RequestReader<Request, Response>,
    private readonly hook: ContextHook<Request> | undefined,
    private readonly visitors: VisitorIds | undefined,
  ) {}

  /**
   * For adapter middleware, as the request passes: builds the facts now when the hook may be async or a cookie
   * may be due (a Promise while an async hook or allow() runs; never rejects), else leaves them to the first read.
   */
  prepare(): Promise<void> | undefined {
    if (!this.host.buildsEarly(this.hook, this.visitors)) return undefined;
    const input = this.reader.inputOf(this.request);
    this.earlyUser = input.user;
    this.earlySession = input.session;
    this.earlySessionId = input.sessionId;
    const facts = this.settleWith(input);
    if (!isPromiseLike<RequestFlagsFacts>(facts)) {
      this.early = facts;
      return undefined;
    }
    return facts.then((built) => {
      this.early = built;
    });
  }

  whenSettled(): RequestFlagsFacts | Promise<RequestFlagsFacts> {
    const input = this.reader.inputOf(this.request);
    const early = this.earlyFor(input);
    return early ?? this.settleWith(input);
  }

  now(): RequestFlagsFacts {
    const input = this.reader.inputOf(this.request);
    const early = this.earlyFor(input);
    if (early !== undefined) return early;
    if (!this.waiting) {
      const context = this.contextOf(input);
      const overrides = this.host.overridesOf(this.request, input);
      if (!isPromiseLike(context) && !isPromiseLike(overrides)) return this.built(input, context, overrides);
      // Not awaited here: a rejection is reported by the hook's own handling, never left unhandled.
      if (isPromiseLike(context)) Promise.resolve(context).catch(() => {});
      if (isPromiseLike(overrides)) Promise.resolve(overrides).catch(() => {});
    }
    this.host.onUnsettledRead();
    return this.built(input, defaultContext(input), undefined);
  }

  /** The facts `prepare()` built, while the request's user and session are still those they were built with. */
  private earlyFor(input: RequestInput): RequestFlagsFacts | undefined {
    const early = this.early;
    if (early === undefined) return undefined;
    if (
      input.user === this.earlyUser &&
      input.session === this.earlySession &&
      input.sessionId === this.earlySessionId
    )
      return early;
    this.early = undefined;
    return undefined;
  }

  private settleWith(input: RequestInput): RequestFlagsFacts | Promise<RequestFlagsFacts> {
    const context = this.contextOf(input);
    const overrides = this.host.overridesOf(this.request, input);
    if (!isPromiseLike(context) && !isPromiseLike(overrides)) return this.built(input, context, overrides);
    this.waiting = true;
    return Promise.all([context, overrides]).then(([ready, resolved]) => {
      this.waiting = false;
      return this.built(input, ready, resolved);
    });
  }

  private contextOf(input: RequestInput): FlagContext | Promise<FlagContext> {
    const context = this.host.contextOf(this.request, input, this.hook);
    if (this.hook !== undefined) this.host.hookAnswered(this.hook, isPromiseLike(context));
    return context;
  }

  private built(
    input: RequestInput,
    context: FlagContext,
    resolved: ResolvedOverrides | undefined,
  ): RequestFlagsFacts {
    let cookies: string[] | undefined;
    const overrideCookie = resolved?.setCookie;
    if (overrideCookie !== undefined && !this.sent?.includes(overrideCookie)) cookies = [overrideCookie];
    const visitors = this.visitors;
    if (visitors !== undefined && !context.userId && !context.sessionId) {
      const visitor = (this.visitor ??= visitors.idOf(input.cookieHeader, input.secure === true));
      context.sessionId = visitor.id;
      const cookie = visitor.setCookie;
      if (cookie !== undefined && !this.sent?.includes(cookie)) (cookies ??= []).push(cookie);
    }
    if (cookies !== undefined) {
      (this.sent ??= []).push(...cookies);
      this.reader.setCookies(this.response, cookies);
    }
    this.host.observe(context, input);
    if (this.early === undefined && !this.waiting) {
      // The facts of this request: kept here, no object made for them.
      this.context = context;
      this.overrides = resolved?.overrides;
      return this;
    }
    return { context, overrides: resolved?.overrides };
  }
}
