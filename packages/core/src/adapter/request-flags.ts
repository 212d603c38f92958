// How an adapter makes one request's flags: functions that take the client, over the request path the client
// keeps (request/request-path.ts). Apps never call them; the client's public class is the app's API only.
import type { FlagsClient } from '../client/flags-client.js';
import { ConfigurationError } from '../errors.js';
import type { ContextHook, RequestInput } from '../request/context.js';
import type { RequestReader } from '../request/later-request.js';
import type { RequestFlags } from '../request/request-flags.js';
import {
  type RequestFlagsResult,
  type RequestPath,
  type RequestRouter,
  requestPathOf,
} from '../request/request-path.js';
import type { VisitorIds } from '../request/visitor-id.js';

/**
 * Everything one request needs in one call: the context (defaults from `input`, then the hook), the QA overrides
 * `allow()` permits, a visitor id when `visitors` is given and the request has no user or session id, and the
 * lazy flags. Send every `setCookie` and each of `headers`. A Promise only when the hook or `allow()` returned
 * one; never throws nor rejects.
 * @example
 * const { flags, setCookie } = requestFlags(client, req, { user: req.user, ip: req.ip, cookieHeader: req.headers.cookie }, options.context);
 */
export function requestFlags<Request>(
  client: FlagsClient<Request>,
  request: Request,
  input: RequestInput,
  hook?: ContextHook<Request>,
  visitors?: VisitorIds,
): RequestFlagsResult | Promise<RequestFlagsResult> {
  return pathOf(client).forRequest(request, input, hook, visitors);
}

/**
 * For adapters, which attach flags before the request is authenticated (auth middleware and guards run later):
 * the request's flags, built at their first read from what `reader.inputOf(request)` says then.
 * `settleRequestFlags(flags)` builds them earlier and awaits an async context hook or `allow()` (guards and
 * endpoints do). Set-Cookie headers go to `reader.setCookies(response, cookies)`, the others to
 * `reader.setHeaders(response, headers)`.
 *
 * Middleware that can wait passes `prepared`: when the hook may be async or a cookie may be due (visitor ids, QA
 * overrides), the facts are built now, `prepared.waiting` is the Promise to await before the request goes on, and
 * the first read builds them again if the request's user or session changed since.
 * @example
 * const prepared = { waiting: undefined };
 * req.flags = requestFlagsLater(client, req, res, reader, options.context, visitors, prepared);
 * if (prepared.waiting) prepared.waiting.then(() => next()); else next();
 */
export function requestFlagsLater<Request, Response>(
  client: FlagsClient<Request>,
  request: Request,
  response: Response,
  reader: RequestReader<Request, Response>,
  hook?: ContextHook<Request>,
  visitors?: VisitorIds,
  prepared?: { waiting: Promise<void> | undefined },
): RequestFlags {
  return pathOf(client).forRequestLater(request, response, reader, hook, visitors, prepared);
}

/**
 * Serves the requests `router` picks another way (undefined: the usual way): flags of another client, or wrapped
 * before they are attached.
 * For clients that stand in for a real one in tests (a test client's pinned flags and records).
 * @example routeRequests(testClient, (req) => (pinned(req) ? { client: pinnedClient, wrap: record } : { wrap: record }));
 */
export function routeRequests<Request>(
  client: FlagsClient<Request>,
  router: (
    request: Request,
  ) => { client?: FlagsClient<Request>; wrap?(flags: RequestFlags): RequestFlags } | undefined,
): void {
  pathOf(client).routeWith(router as RequestRouter<Request>);
}

function pathOf<Request>(client: FlagsClient<Request>): RequestPath<Request> {
  const path = requestPathOf<Request>(client);
  if (path === undefined) {
    throw new ConfigurationError('expected a flags client from createFlags(); got something else');
  }
  return path;
}
