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
import { type FlagOverrides, overrideRefusalHeaders, type ResolvedOverrides } from './overrides.js';
import type { DeferredFacts, RequestFlagsFacts } from './request-flags.js';
import type { VisitorIds } from './visitor-id.js';

const EMPTY_CONTEXT: FlagContext = Object.freeze({});

/** How an adapter reads a request's facts and sends its cookies and headers; one per app, shared by every request. */
export interface RequestReader<Request, Response> {
  /** what the adapter knows of the request now (its user, session, IP, cookie header, query) */
  inputOf(request: Request): RequestInput;
  /**
   * sends Set-Cookie headers with the response (a refreshed override cookie, a new visitor id); a response whose
   * headers are already sent keeps its headers
   */
  setCookies(response: Response, cookies: string[]): void;
  /**
   * sends other headers with the response (which override entries were refused); a response whose headers are
   * already sent keeps its headers
   */
  setHeaders(response: Response, headers: Record<string, string>): void;
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
  /** what the hook returned once: a Promise or not (decides whether later requests build their facts early) */
  hookAnswered(hook: ContextHook<Request>, async: boolean): void;
  /** the facts of one request, for what they say about the requests of the app (a shared proxy address) */
  observe(context: FlagContext, input: RequestInput): void;
  /** a read came before an async hook could be awaited (warned once by the client) */
  onUnsettledRead(): void;
}

/**
 * What every request of one adapter shares: its client's side, how it reads requests, its hook and visitor ids.
 * Made once per adapter, so each request's LaterRequest holds one reference instead of four.
 */
export interface LaterRequestKind<Request, Response> {
  readonly host: LaterRequestHost<Request>;
  readonly reader: RequestReader<Request, Response>;
  readonly hook: ContextHook<Request> | undefined;
  readonly visitors: VisitorIds | undefined;
  /**
   * true when the requests need neither QA overrides nor a visitor id: their facts are the context alone, built
   * by `plainContextNow` without a LaterRequest
   */
  readonly plain: boolean;
}

/** The facts `prepare()` built, and the user and session they were built with. */
interface EarlyFacts {
  facts: RequestFlagsFacts;
  user: unknown;
  session: unknown;
  sessionId: unknown;
}

/** The cookies one request handed to its response: its visitor id, decided once, and every Set-Cookie sent. */
interface IssuedCookies {
  visitor: { id: string; setCookie?: string } | undefined;
  sent: string[];
}

/** The deferred facts of one request's flags; once built, it holds them itself (one object per request). */
export class LaterRequest<Request, Response> implements DeferredFacts, RequestFlagsFacts {
  context: FlagContext = EMPTY_CONTEXT;
  overrides: FlagOverrides | undefined = undefined;
  /** true once a build started an async hook: a read meanwhile must not run the hook again */
  private waiting = false;
  private early: EarlyFacts | undefined = undefined;
  private issued: IssuedCookies | undefined = undefined;

  constructor(
    private readonly kind: LaterRequestKind<Request, Response>,
    private readonly request: Request,
    private readonly response: Response,
  ) {}

  /**
   * For adapter middleware, as the request passes, when the hook may be async or a cookie may be due: builds the
   * facts now (a Promise while an async hook or allow() runs; never rejects).
   */
  prepare(): Promise<void> | undefined {
    const input = this.kind.reader.inputOf(this.request);
    const early = (built: RequestFlagsFacts) => {
      this.early = { facts: built, user: input.user, session: input.session, sessionId: input.sessionId };
    };
    const facts = this.settleWith(input);
    if (!isPromiseLike<RequestFlagsFacts>(facts)) {
      early(facts);
      return undefined;
    }
    return facts.then(early);
  }

  whenSettled(): RequestFlagsFacts | Promise<RequestFlagsFacts> {
    const input = this.kind.reader.inputOf(this.request);
    const early = this.earlyFor(input);
    return early ?? this.settleWith(input);
  }

  now(): RequestFlagsFacts {
    const input = this.kind.reader.inputOf(this.request);
    const early = this.earlyFor(input);
    if (early !== undefined) return early;
    if (!this.waiting) {
      const context = this.contextOf(input);
      const overrides = this.kind.host.overridesOf(this.request, input);
      if (!isPromiseLike(context) && !isPromiseLike(overrides)) return this.built(input, context, overrides);
      // Not awaited here: a rejection is reported by the hook's own handling, never left unhandled.
      if (isPromiseLike(context)) Promise.resolve(context).catch(() => {});
      if (isPromiseLike(overrides)) Promise.resolve(overrides).catch(() => {});
    }
    this.kind.host.onUnsettledRead();
    return this.built(input, defaultContext(input), undefined);
  }

  /** The facts `prepare()` built, while the request's user and session are still those they were built with. */
  private earlyFor(input: RequestInput): RequestFlagsFacts | undefined {
    const early = this.early;
    if (early === undefined) return undefined;
    if (input.user === early.user && input.session === early.session && input.sessionId === early.sessionId)
      return early.facts;
    this.early = undefined;
    return undefined;
  }

  private settleWith(input: RequestInput): RequestFlagsFacts | Promise<RequestFlagsFacts> {
    const context = this.contextOf(input);
    const overrides = this.kind.host.overridesOf(this.request, input);
    if (!isPromiseLike(context) && !isPromiseLike(overrides)) return this.built(input, context, overrides);
    this.waiting = true;
    return Promise.all([context, overrides]).then(([ready, resolved]) => {
      this.waiting = false;
      return this.built(input, ready, resolved);
    });
  }

  private contextOf(input: RequestInput): FlagContext | Promise<FlagContext> {
    return hookedContext(this.kind, this.request, input);
  }

  private built(
    input: RequestInput,
    context: FlagContext,
    resolved: ResolvedOverrides | undefined,
  ): RequestFlagsFacts {
    let cookies: string[] | undefined;
    const overrideCookie = resolved?.setCookie;
    if (overrideCookie !== undefined && !this.issued?.sent.includes(overrideCookie))
      cookies = [overrideCookie];
    const { host, reader, visitors } = this.kind;
    if (visitors !== undefined && !context.userId && !context.sessionId) {
      const issued = (this.issued ??= { visitor: undefined, sent: [] });
      const visitor = (issued.visitor ??= visitors.idOf(input.cookieHeader, input.secure === true));
      context.sessionId = visitor.id;
      const cookie = visitor.setCookie;
      if (cookie !== undefined && !issued.sent.includes(cookie)) (cookies ??= []).push(cookie);
    }
    if (cookies !== undefined) {
      (this.issued ??= { visitor: undefined, sent: [] }).sent.push(...cookies);
      reader.setCookies(this.response, cookies);
    }
    const headers = overrideRefusalHeaders(resolved);
    if (headers !== undefined) reader.setHeaders(this.response, headers);
    host.observe(context, input);
    if (this.early === undefined && !this.waiting) {
      // The facts of this request: kept here, no object made for them.
      this.context = context;
      this.overrides = resolved?.overrides;
      return this;
    }
    return { context, overrides: resolved?.overrides };
  }
}

/**
 * The context of a request whose flags need neither QA overrides nor a visitor id (`kind.plain`), built at the
 * first read as `LaterRequest.now()` builds it, without a LaterRequest: a hook that returns a Promise cannot be
 * awaited by a read, so that read gets the default context and the client warns.
 */
export function plainContextNow<Request>(
  kind: LaterRequestKind<Request, unknown>,
  request: Request,
): FlagContext {
  const host = kind.host;
  const input = kind.reader.inputOf(request);
  let context = hookedContext(kind, request, input);
  if (isPromiseLike<FlagContext>(context)) {
    // Not awaited here: a rejection is reported by the hook's own handling, never left unhandled.
    Promise.resolve(context).catch(() => {});
    host.onUnsettledRead();
    context = defaultContext(input);
  }
  host.observe(context, input);
  return context;
}

/** The default context under the app's hook, the host told whether the hook answered with a Promise. */
function hookedContext<Request>(
  kind: LaterRequestKind<Request, unknown>,
  request: Request,
  input: RequestInput,
): FlagContext | Promise<FlagContext> {
  const { host, hook } = kind;
  const context = host.contextOf(request, input, hook);
  if (hook !== undefined) host.hookAnswered(hook, isPromiseLike(context));
  return context;
}
