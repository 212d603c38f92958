// Calling an endpoint as an adapter does: the request's `flags` are built by requestFlags(client, ...), exactly as
// `req.flags` is, and handed over with the request's method, path, query, headers and body.
import { requestFlags } from '../../packages/core/src/adapter/index.js';
import type { ContextHook, Endpoint, EndpointResponse, FlagsClient } from '../../packages/core/src/index.js';

/** The request of endpoint unit tests: a signed-in user, a QA flag for overrides' allow(), a plan. */
export interface TestRequest {
  user?: { id: string };
  qa?: boolean;
  plan?: string;
  /** the client IP, as the framework computed it */
  ip?: string;
}

export interface CallInit {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  body?: unknown;
  secure?: boolean;
  /** where the endpoint is mounted ('' or absent: the root) */
  mountPath?: string;
}

/** The context hook of these tests: the request's plan as a property. */
export const planHook: ContextHook<TestRequest> = (request) =>
  request.plan ? { properties: { plan: request.plan } } : {};

/**
 * A function that sends one request to the endpoint, with flags built from the request's user, its Cookie header
 * and `hook`.
 * @example const call = endpointCaller(client, createDashboard({ allow: () => true })); await call({}, { path: '/api/state' });
 */
export function endpointCaller<Request extends TestRequest>(
  client: FlagsClient<Request>,
  endpoint: Endpoint<Request>,
  hook: ContextHook<Request> = planHook as ContextHook<Request>,
): (request: Request, init?: CallInit) => Promise<EndpointResponse | undefined> {
  return async (request, init = {}) => {
    // Every request over HTTP/1.1 names its host.
    const headers: Record<string, string> = { host: 'localhost', ...init.headers };
    const { flags } = await requestFlags(
      client,
      request,
      { user: request.user, cookieHeader: headers.cookie, ip: request.ip },
      hook,
    );
    return endpoint.handle({
      method: init.method ?? 'GET',
      path: init.path ?? '/',
      mountPath: init.mountPath,
      query: new URLSearchParams(init.query ?? ''),
      headers,
      readBody: async () => init.body,
      secure: init.secure ?? false,
      request,
      flags,
      client,
    });
  };
}

/** The JSON body of an answer, after checking its status. */
export function jsonOf<T = any>(response: EndpointResponse | undefined, status = 200): T {
  if (response?.status !== status) {
    throw new Error(`expected status ${status}, got ${response?.status}: ${String(response?.body ?? '')}`);
  }
  return JSON.parse(String(response.body)) as T;
}
