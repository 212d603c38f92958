// Flags attached before their request is authenticated, built at their first read: for frameworks whose auth
// runs after the point where an adapter can attach them (Nest's guards run after its middleware). One object per
// request, with its methods on the prototype: no closures made per request.
import type { FlagContext } from '../types.js';
import { type ContextHook, defaultContext, isPromiseLike, type RequestInput } from './context.js';
import type { ResolvedOverrides } from './overrides.js';
import type { DeferredFacts, RequestFlagsFacts } from './request-flags.js';
import type { VisitorIds } from './visitor-id.js';

/** How an adapter reads a request's facts and sends its cookies; one per app, shared by every request. */
export interface RequestReader<Request, Response> {
  /** what the adapter knows of the request now (its user, session, IP, cookie header, query) */
  inputOf(request: Request): RequestInput;
  /** sends Set-Cookie headers with the response (a refreshed override cookie, a new visitor id) */
  setCookies(response: Response, cookies: string[]): void;
  /** sends other headers with the response (which override entries were refused) */
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
  cookiesOf(
    context: FlagContext,
    resolved: ResolvedOverrides | undefined,
    visitors: VisitorIds | undefined,
    input: RequestInput,
  ): string[] | undefined;
  headersOf(resolved: ResolvedOverrides | undefined): Record<string, string> | undefined;
  /** a read came before an async hook could be awaited (warned once by the client) */
  onUnsettledRead(): void;
}

/** The deferred facts of one request's flags. */
export class LaterRequest<Request, Response> implements DeferredFacts {
  /** true once whenSettled started an async hook: a read meanwhile must not run the hook again */
  private waiting = false;

  constructor(
    private readonly host: LaterRequestHost<Request>,
    private readonly request: Request,
    private readonly response: Response,
    private readonly reader: RequestReader<Request, Response>,
    private readonly hook: ContextHook<Request> | undefined,
    private readonly visitors: VisitorIds | undefined,
  ) {}

  whenSettled(): RequestFlagsFacts | Promise<RequestFlagsFacts> {
    const input = this.reader.inputOf(this.request);
    const context = this.host.contextOf(this.request, input, this.hook);
    const overrides = this.host.overridesOf(this.request, input);
    if (!isPromiseLike(context) && !isPromiseLike(overrides)) return this.built(input, context, overrides);
    this.waiting = true;
    return Promise.all([context, overrides]).then(([ready, resolved]) => this.built(input, ready, resolved));
  }

  now(): RequestFlagsFacts {
    const input = this.reader.inputOf(this.request);
    if (!this.waiting) {
      const context = this.host.contextOf(this.request, input, this.hook);
      const overrides = this.host.overridesOf(this.request, input);
      if (!isPromiseLike(context) && !isPromiseLike(overrides)) return this.built(input, context, overrides);
    }
    this.host.onUnsettledRead();
    return this.built(input, defaultContext(input), undefined);
  }

  private built(
    input: RequestInput,
    context: FlagContext,
    resolved: ResolvedOverrides | undefined,
  ): RequestFlagsFacts {
    const cookies = this.host.cookiesOf(context, resolved, this.visitors, input);
    if (cookies !== undefined) this.reader.setCookies(this.response, cookies);
    const headers = this.host.headersOf(resolved);
    if (headers !== undefined) this.reader.setHeaders(this.response, headers);
    return { context, overrides: resolved?.overrides };
  }
}
