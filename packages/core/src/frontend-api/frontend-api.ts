// Unleash's Frontend API, served by the app itself: what unleash-proxy-client 3.x (and its React and Vue
// wrappers) call. The answers are the request's own flags (`req.flags`: the signed-in user, the session, the IP,
// the app's context hook, the QA overrides of that browser), so browser code sees exactly what the server sees;
// what the browser claims about its context is ignored unless the app trusts it.
//
//   GET  <prefix>                  the toggles, context in the query      → { toggles: [...] }, ETag, 304
//   POST <prefix>                  the toggles, `{ context }` in the body → the same
//   POST <prefix>/client/metrics   the browser's usage counts             → counted into the source's metrics
//   POST <prefix>/client/register  the browser's registration            → accepted
//   GET  <prefix>/events           server-sent `refetchEvaluation` notices when a browser flag changes, for the
//                                  page to call `client.updateToggles()` (unleash-proxy-client has no push)

import type { FlagsClient } from '../client/flags-client.js';
import {
  conditionalJsonAnswer,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from '../endpoint/answers.js';
import type { Endpoint, EndpointRequest, EndpointResponse } from '../endpoint/endpoint.js';
import type { ClientFeaturesPayload, FlagName, Payload } from '../types.js';
import { browserChangesOf, browserStreamAnswer } from './browser-changes.js';
import { BrowserImpactBounds, forwardBrowserImpactMetrics } from './browser-impact-metrics.js';
import { isMetricsReport, recordBrowserMetrics, variantNamesOf } from './browser-metrics.js';
import {
  type ClientContextField,
  contextFromBody,
  contextFromQuery,
  trustedFields,
} from './client-context.js';
import {
  type FrontendApiOptions,
  type ResolvedCors,
  type ResolvedFrontendApiOptions,
  resolveFrontendApiOptions,
} from './options.js';

/** One toggle as Unleash's Frontend API answers it. Only enabled flags are listed, as Unleash does. */
export interface FrontendApiToggle {
  name: string;
  enabled: boolean;
  variant: { name: string; enabled: boolean; payload?: Payload; feature_enabled: boolean };
  impressionData: boolean;
}

const PREFLIGHT_HEADERS =
  'authorization, content-type, if-none-match, unleash-appname, unleash-connection-id, unleash-sdk';

/**
 * The Unleash Frontend API as a framework-free endpoint; each adapter's `flagsFrontendApi(options)` mounts it.
 * Misconfiguration throws a ConfigurationError here, at startup.
 * @example
 * const endpoint = frontendApiEndpoint({ clientKeys: ['web-key'] });
 * const response = await endpoint.handle(endpointRequest); // { status: 200, body: '{"toggles":[...]}' }
 */
export function frontendApiEndpoint<Request = unknown>(
  options?: FrontendApiOptions<Request>,
  where = 'flagsFrontendApi(options)',
  /** options the adapter's wrapper took out first (a Koa `prefix`), named when an unknown key is reported */
  mountKeys: readonly string[] = [],
): Endpoint<Request> {
  const resolved = resolveFrontendApiOptions(options, where, mountKeys);
  const exposed = exposedFlagsOf<Request>(resolved);
  // what each client took of browsers' impact metrics, bounded (see browser-impact-metrics.ts)
  const impactBounds = new WeakMap<object, BrowserImpactBounds>();
  const boundsOf = (client: object) => {
    let bounds = impactBounds.get(client);
    if (bounds === undefined) impactBounds.set(client, (bounds = new BrowserImpactBounds()));
    return bounds;
  };
  const changes = browserChangesOf(exposed);
  return {
    name: 'flagsFrontendApi()',
    serves: (path) => Object.hasOwn(ROUTES, path.length > 1 ? path.replace(/\/+$/, '') : path),
    handle(request) {
      const path = request.path.length > 1 ? request.path.replace(/\/+$/, '') : request.path;
      const route = routeOf(path, request.method);
      if (route === undefined) return undefined;
      const corsHeaders = corsHeadersFor(resolved.cors, request.headers.origin);
      if (route === 'preflight') {
        if (resolved.cors === undefined) return undefined;
        const asked = request.headers['access-control-request-headers'];
        return {
          status: 204,
          headers: { ...corsHeaders, ...preflightHeaders(resolved.cors, corsHeaders, asked) },
        };
      }
      // An EventSource cannot send the client key; the stream carries no flag, only when to refetch.
      if (route === 'events') return browserStreamAnswer(request, changes(request.client), corsHeaders);
      if (
        resolved.clientKeys !== undefined &&
        !keyAllowed(resolved.clientKeys, request.headers.authorization)
      ) {
        return jsonAnswer(
          401,
          {
            message:
              'unknown client key: send one of the keys flagsFrontendApi({ clientKeys }) lists in the Authorization header ' +
              '(unleash-proxy-client: new UnleashClient({ clientKey }))',
          },
          corsHeaders,
        );
      }
      switch (route) {
        case 'toggles':
          return answerToggles(request, resolved, exposed, corsHeaders);
        case 'metrics':
          return acceptMetrics(request, exposed, corsHeaders, boundsOf);
        case 'register':
          return { status: 200, headers: corsHeaders };
      }
    },
  };
}

type Route = 'toggles' | 'metrics' | 'register' | 'events' | 'preflight';

const ROUTES: Record<string, { route: Exclude<Route, 'preflight'>; methods: readonly string[] }> = {
  '/': { route: 'toggles', methods: ['GET', 'POST'] },
  '/client/metrics': { route: 'metrics', methods: ['POST'] },
  '/client/register': { route: 'register', methods: ['POST'] },
  '/events': { route: 'events', methods: ['GET'] },
};

function routeOf(path: string, method: string): Route | undefined {
  const served = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (served === undefined) return undefined;
  if (method === 'OPTIONS') return 'preflight';
  return served.methods.includes(method) ? served.route : undefined;
}

async function answerToggles<Request>(
  request: EndpointRequest<Request>,
  options: ResolvedFrontendApiOptions<Request>,
  exposed: (client: FlagsClient<Request>) => readonly string[],
  corsHeaders: Record<string, string>,
): Promise<EndpointResponse> {
  const { client } = request;
  if (!client.isReady) {
    return jsonAnswer(
      503,
      { message: `flags from ${client.source.name} have not loaded yet` },
      {
        ...corsHeaders,
        'retry-after': '1',
      },
    );
  }
  let sent: ClientContextField[];
  if (request.method === 'POST') {
    const body = jsonObjectBody(await request.readBody());
    const fields = body === undefined ? undefined : contextFromBody(body);
    if (fields === undefined) {
      return jsonAnswer(
        400,
        { message: 'the body must be JSON of the form { "context": { "properties": { ... } } }' },
        corsHeaders,
      );
    }
    sent = fields;
  } else sent = contextFromQuery(request.query);
  const flags = flagsWithClientFields(request, trustedFields(sent, options.trust, request.request));
  const toggles: FrontendApiToggle[] = [];
  for (const name of exposed(client)) {
    // explain() answers as the request's flags do (QA overrides, values already read) without counting an
    // evaluation: the browser reports its own usage to /client/metrics.
    const explanation = flags.explain(name as FlagName);
    if (!explanation.enabled) continue;
    const { variant } = explanation;
    toggles.push({
      name,
      enabled: true,
      variant: {
        name: variant.name,
        enabled: variant.enabled,
        ...(variant.payload ? { payload: variant.payload } : {}),
        feature_enabled: true,
      },
      impressionData: client.feature(name)?.impressionData === true,
    });
  }
  return conditionalJsonAnswer(request, { toggles }, corsHeaders);
}

async function acceptMetrics<Request>(
  request: EndpointRequest<Request>,
  exposed: (client: FlagsClient<Request>) => readonly string[],
  corsHeaders: Record<string, string>,
  boundsOf: (client: object) => BrowserImpactBounds,
): Promise<EndpointResponse> {
  const body = jsonObjectBody(await request.readBody());
  if (body === undefined || !isMetricsReport(body)) {
    return jsonAnswer(
      400,
      { message: 'the body must be an Unleash metrics report: { "bucket": { "toggles": { ... } } }' },
      corsHeaders,
    );
  }
  const names = new Set(exposed(request.client));
  recordBrowserMetrics(request.client.source, body, (flag) => {
    const feature = names.has(flag) ? request.client.feature(flag) : undefined;
    return feature && variantNamesOf(feature);
  });
  // unleash-proxy-client 3.8 sends `impactMetrics` with the usage; Unleash takes them where the source sends them
  const impact = request.client.source.impactMetrics;
  const impactMetrics = (body as { impactMetrics?: unknown }).impactMetrics;
  if (impact !== undefined && impactMetrics !== undefined) {
    forwardBrowserImpactMetrics(impact, impactMetrics, boundsOf(request.client));
  }
  return { status: 200, headers: corsHeaders };
}

/**
 * The exposed flag names (`browser: true`, or picked by `expose`), worked out once per set of definitions.
 * Shared by the endpoints that answer a browser (the Frontend API, OFREP).
 */
export function exposedFlagsOf<Request>(
  options: Pick<ResolvedFrontendApiOptions<unknown>, 'expose'>,
): (client: FlagsClient<Request>) => readonly string[] {
  const cache = new WeakMap<ClientFeaturesPayload, readonly string[]>();
  const { expose } = options;
  return (client) => {
    const definitions = client.definitions();
    let names = cache.get(definitions);
    if (names === undefined) {
      names = client.names().filter((name) => {
        const feature = client.feature(name);
        return feature !== undefined && (feature.browser === true || expose?.(feature) === true);
      });
      cache.set(definitions, names);
    }
    return names;
  };
}

function keyAllowed(keys: ReadonlySet<string>, header: string | undefined): boolean {
  if (header === undefined) return false;
  return keys.has(header) || (header.startsWith('Bearer ') && keys.has(header.slice(7)));
}

function corsHeadersFor(cors: ResolvedCors | undefined, origin: string | undefined): Record<string, string> {
  if (cors === undefined || origin === undefined || !cors.allows(origin)) return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin': cors.anyOrigin ? '*' : origin,
    'access-control-expose-headers': 'ETag',
  };
  if (!cors.anyOrigin) headers.vary = 'Origin';
  if (cors.credentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

function preflightHeaders(
  cors: ResolvedCors,
  allowed: Record<string, string>,
  asked: string | undefined,
): Record<string, string> {
  if (!('access-control-allow-origin' in allowed)) return {};
  return {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    // The client's customHeaders are the app's own choice: allow what the preflight asks for.
    'access-control-allow-headers': asked ? asked : PREFLIGHT_HEADERS,
    'access-control-max-age': String(cors.maxAgeSeconds),
  };
}
