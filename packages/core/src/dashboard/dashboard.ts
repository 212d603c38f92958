// The flags dashboard as one Endpoint: the page and its small JSON API, framework-free. Every adapter mounts it
// (flagsDashboard() in each); it answers only visitors `allow(request)` admits, and looks absent to everyone else.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookieHeader, serialize as serializeCookie } from 'cookie';
import type { OutcomeSummary } from '../client/outcome-stats.js';
import { telemetryOf } from '../client/telemetry.js';
import type { Endpoint, EndpointRequest, EndpointResponse } from '../endpoint/endpoint.js';
import { eventStreamsOf } from '../endpoint/event-streams.js';
import { headerText } from '../endpoint/headers.js';
import { appHostNames } from '../endpoint/host-names.js';
import { type CompiledFlags, compileFlags } from '../engine/index.js';
import { type FlagTrace, traceFlag } from '../engine/trace.js';
import { traceLines } from '../engine/trace-lines.js';
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';
import { overridesOf } from '../request/flags-object.js';
import type { FlagOverrides } from '../request/overrides.js';
import type { RequestFlags } from '../request/request-flags.js';
import { requestPathOf } from '../request/request-path.js';
import { featureVariantNames } from '../snapshot/snapshot.js';
import type {
  ClientFeaturesPayload,
  Explanation,
  FeatureDefinition,
  FlagContext,
  FlagName,
} from '../types.js';
import type { DashboardFlag, DashboardState } from './dashboard-state.js';
import { historyOf } from './history.js';
import { renderPage } from './page.js';

/** Options of `createDashboard()` (and of each adapter's `flagsDashboard()`). */
export interface DashboardOptions<Request = any> {
  /**
   * Who may open the dashboard. Without it, or when it answers false or throws, the dashboard and its API look
   * absent (the framework's own 404). It may return a Promise.
   * @example allow: (req) => req.ip === '127.0.0.1' || req.ip === '::1'
   */
  allow?: (request: Request) => boolean | Promise<boolean>;
  /**
   * The host names the app is reached by, besides `localhost`, IP addresses and this machine's host name, which
   * are always its own; `*.example.com` stands for every name below. A request naming another host (in Host or
   * X-Forwarded-Host) finds the dashboard absent, so a page on another name that resolves to the app (DNS
   * rebinding) cannot read it, whatever `allow` says of its address. Behind a proxy or on a domain, list the
   * names the browser uses.
   * @example hosts: ['admin.example.com']
   */
  hosts?: readonly string[];
  /** the page's title; default `flags` */
  title?: string;
}

const OPTION_KEYS = ['allow', 'hosts', 'title'] as const;
const BROWSER_COOKIE = 'flagwise_dashboard';
const CSRF_HEADER = 'x-flagwise-csrf';

/**
 * The dashboard: every flag for the visitor's own request (value, variant, payload, the reason, this browser's
 * override), the source and its status, recent changes with field-level diffs, live updates; forcing flags
 * through the signed override cookie. Mount it with your adapter's `flagsDashboard()`.
 * @example
 * app.use('/_flags', flagsDashboard({ allow: (req) => req.ip === '127.0.0.1' }));   // Express
 */
export function createDashboard<Request = any>(options: DashboardOptions<Request> = {}): Endpoint<Request> {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('flagsDashboard(options): options must be an object such as { allow }');
  }
  checkKnownKeys('flagsDashboard(options)', options, OPTION_KEYS);
  if (options.allow !== undefined && typeof options.allow !== 'function') {
    throw new ConfigurationError(
      'flagsDashboard({ allow }): allow must be a function (request) => boolean, e.g. (req) => req.ip === "127.0.0.1"',
    );
  }
  const title = options.title ?? 'flags';
  const hosts = appHostNames(options.hosts, 'flagsDashboard({ hosts })');
  // Tokens are HMACs of a random per-browser id under a key of this process: nothing a page elsewhere can compute.
  const csrfKey = randomBytes(32);
  const tokenFor = (browserId: string) => createHmac('sha256', csrfKey).update(browserId).digest('base64url');

  let warnedNoAllow = false;
  const allowed = async (request: EndpointRequest<Request>): Promise<boolean> => {
    if (options.allow === undefined) {
      if (!warnedNoAllow) {
        warnedNoAllow = true;
        request.client.logger.warn(
          {},
          'flagwise: flagsDashboard() answers 404 to everyone, as it was given no allow: pass one, e.g. ' +
            "flagsDashboard({ allow: (req) => req.ip === '127.0.0.1' || req.ip === '::1' })",
        );
      }
      return false;
    }
    try {
      return (await options.allow(request.request)) === true;
    } catch (error) {
      request.client.logger.warn(
        { err: error },
        'flagwise: flagsDashboard({ allow }) threw; treating as not allowed',
      );
      return false;
    }
  };

  let warnedForeignHost = false;
  const ownHost = (request: EndpointRequest<Request>): boolean => {
    const foreign = hosts.foreignName(request.headers);
    if (foreign === undefined) return true;
    if (!warnedForeignHost) {
      warnedForeignHost = true;
      const named = /^[a-z0-9_.-]{1,100}$/.test(foreign) ? `host "${foreign}"` : 'a host that is not a name';
      request.client.logger.warn(
        {},
        `flagwise: flagsDashboard() answered 404 to a request for ${named}, which is not one of the app's ` +
          `names (${hosts.description}); if the app is reached by that name, list it: flagsDashboard({ hosts: ['name'] })`,
      );
    }
    return false;
  };

  return {
    name: 'flagsDashboard()',
    async handle(request) {
      const route = routeOf(request);
      // A path the dashboard does not serve is the app's: allow() is not asked about it.
      if (route === undefined || !ownHost(request) || !(await allowed(request))) return undefined;
      switch (route) {
        case 'page': {
          const { browserId, setCookie } = browserIdOf(request);
          const state = stateOf(request, request.flags, title, tokenFor(browserId));
          const nonce = randomBytes(16).toString('base64');
          return {
            status: 200,
            headers: {
              ...securityHeaders(nonce),
              'content-type': 'text/html; charset=utf-8',
              ...(setCookie ? { 'set-cookie': setCookie } : {}),
            },
            body: renderPage(state, nonce),
          };
        }
        case 'state': {
          const { browserId } = browserIdOf(request);
          return json(200, stateOf(request, request.flags, title, tokenFor(browserId)));
        }
        case 'trace':
          return json(200, traceOf(request));
        case 'events':
          // HEAD learns the stream's headers without holding a stream open.
          return request.method === 'HEAD' ? { ...events(request), stream: undefined } : events(request);
        case 'overrides':
          return changeOverrides(request, title, tokenFor);
      }
    },
  };
}

type Route = 'page' | 'state' | 'trace' | 'events' | 'overrides';

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['GET /', 'page'],
  ['GET /api/state', 'state'],
  ['GET /api/trace', 'trace'],
  ['GET /api/events', 'events'],
  ['POST /api/overrides', 'overrides'],
]);

function routeOf(request: EndpointRequest<any>): Route | undefined {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  return ROUTES.get(`${method} ${request.path.replace(/\/$/, '') || '/'}`);
}

function browserIdOf(request: EndpointRequest<any>): { browserId: string; setCookie?: string } {
  const cookies = parseCookieHeader(headerText(request.headers.cookie) ?? '');
  const existing = cookies[BROWSER_COOKIE];
  if (existing !== undefined && /^[A-Za-z0-9_-]{22}$/.test(existing)) return { browserId: existing };
  const browserId = randomBytes(16).toString('base64url');
  const setCookie = serializeCookie(BROWSER_COOKIE, browserId, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.secure,
  });
  return { browserId, setCookie };
}

function securityHeaders(nonce?: string): Record<string, string> {
  const script = nonce ? `'nonce-${nonce}'` : "'none'";
  return {
    'content-security-policy':
      `default-src 'none'; script-src ${script}; style-src ${script}; connect-src 'self'; img-src 'self' data:; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

function json(
  status: number,
  value: unknown,
  extraHeaders: Record<string, string | string[]> = {},
): EndpointResponse {
  return {
    status,
    headers: { ...securityHeaders(), 'content-type': 'application/json; charset=utf-8', ...extraHeaders },
    body: JSON.stringify(value),
  };
}

function stateOf(
  request: EndpointRequest<any>,
  flags: RequestFlags,
  title: string,
  csrfToken: string,
): DashboardState {
  const { client } = request;
  const history = historyOf(client);
  const path = requestPathOf(client);
  const overrides = overridesOf(flags);
  const context = flags.context;
  const anonymous = context.userId === undefined && context.sessionId === undefined;
  const list: DashboardFlag[] = [];
  for (const name of client.names().sort()) {
    const feature = client.feature(name);
    const explanation = flags.explain(name as FlagName);
    const entry: DashboardFlag = {
      name,
      enabled: explanation.enabled,
      reason: explanation.reason,
      variants: featureVariantNames(feature),
    };
    if (typeof feature?.description === 'string' && feature.description)
      entry.description = feature.description;
    if (explanation.enabled && explanation.variant.enabled) {
      entry.variant = explanation.variant.name;
      if (explanation.variant.payload) entry.payload = explanation.variant.payload;
    }
    if (explanation.detail) entry.detail = explanation.detail;
    if (anonymous && explanation.reason !== 'override') {
      const decidedBy = anonymousAnswer(feature, explanation, context);
      if (decidedBy !== undefined) entry.random = decidedBy;
    }
    const forcedVariant = overrides?.variants?.[name];
    const forced = overrides?.flags?.[name];
    if (forcedVariant !== undefined) entry.override = forcedVariant;
    else if (forced !== undefined) entry.override = forced ? 'on' : 'off';
    list.push(entry);
  }
  return {
    title,
    source: history.source(),
    version: history.version,
    context,
    overridesEnabled: path?.overridesEnabled === true,
    overrideQuery: overrideQuery(overrides),
    refusedOverrides: path?.overrideRefusals ?? [],
    flags: list,
    changes: history.changes,
    ...outcomesOf(client),
    csrfToken,
  };
}

/** The request figures per flag and variant, when the client's telemetry keeps them. */
function outcomesOf(client: unknown): { outcomes?: OutcomeSummary[] } {
  const stats = telemetryOf(client)?.stats;
  return stats === undefined ? {} : { outcomes: stats.summaries() };
}

// Without a user or session id, a rollout with default or random stickiness answers at random, and a variant
// split with default stickiness follows the client IP (random only without one).
function anonymousAnswer(
  feature: FeatureDefinition | undefined,
  explanation: Explanation,
  context: FlagContext,
): string | undefined {
  if (rolloutAtRandom(feature, explanation.strategyIndex)) return 'random: no user or session id';
  const variants = feature?.variants ?? [];
  const split =
    variants.length > 1 &&
    variants.some((variant) => variant.stickiness === undefined || variant.stickiness === 'default');
  if (!split || !explanation.variant.enabled) return undefined;
  return context.remoteAddress
    ? `by IP ${context.remoteAddress}: no user or session id`
    : 'random: no user or session id';
}

function rolloutAtRandom(feature: FeatureDefinition | undefined, strategyIndex: number | undefined): boolean {
  if (feature === undefined || feature.enabled !== true) return false;
  const strategies = feature.strategies ?? [];
  const deciding = strategyIndex === undefined ? strategies : [strategies[strategyIndex]];
  const randomStickiness = (value: unknown) =>
    value === undefined || value === 'default' || value === 'random';
  for (const strategy of deciding) {
    if (strategy === undefined) continue;
    if (strategy.name === 'gradualRolloutRandom') return true;
    if (strategy.name === 'flexibleRollout') {
      const rollout = Number(strategy.parameters?.rollout);
      if (rollout > 0 && rollout < 100 && randomStickiness(strategy.parameters?.stickiness)) return true;
    }
  }
  return false;
}

function overrideQuery(overrides: FlagOverrides | undefined): string {
  const items: string[] = [];
  for (const [name, on] of Object.entries(overrides?.flags ?? {})) {
    const variant = overrides?.variants?.[name];
    items.push(`${name}:${variant ?? (on ? 'on' : 'off')}`);
  }
  for (const [name, variant] of Object.entries(overrides?.variants ?? {}))
    if (overrides?.flags?.[name] === undefined) items.push(`${name}:${variant}`);
  return items.length ? `flagwise=${items.join(',')}` : '';
}

const compiledCache = new WeakMap<ClientFeaturesPayload, CompiledFlags>();

// The structured trace of one flag for this request: which strategy matched, which constraint failed with what value.
function traceOf(request: EndpointRequest<any>) {
  const name = request.query.get('flag') ?? '';
  const { client } = request;
  if (client.feature(name) === undefined) return { flag: name, found: false };
  const definitions = client.definitions();
  let compiled = compiledCache.get(definitions);
  if (compiled === undefined) {
    compiled = compileFlags(definitions, { onWarn: () => {} });
    compiledCache.set(definitions, compiled);
  }
  const context = request.flags.context;
  const explanation = request.flags.explain(name as FlagName);
  // The request's own answer (what its page got), with the parts traced behind it.
  const trace: FlagTrace = {
    ...traceFlag(compiled, name, context),
    reason: explanation.reason,
    enabled: explanation.enabled,
    detail: explanation.detail,
    strategyIndex: explanation.strategyIndex,
  };
  return { found: true, ...trace, lines: traceLines(trace, context) };
}

function events(request: EndpointRequest<any>): EndpointResponse {
  const history = historyOf(request.client);
  return eventStreamsOf(request.client).answer({
    channel: history.channel,
    headers: securityHeaders(),
    first: () => [{ event: 'version', data: String(history.version) }],
  });
}

/** A POST from this page: same origin (scheme and host), JSON, and the token of this browser's id. */
function refusal(request: EndpointRequest<any>, tokenFor: (browserId: string) => string): string | undefined {
  const host = headerText(request.headers.host);
  const origin = headerText(request.headers.origin) ?? headerText(request.headers.referer);
  if (host === undefined || origin === undefined) return 'a request without Origin or Host';
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return 'a malformed Origin';
  }
  if (from.host !== host) return `a request from another origin (${from.origin})`;
  const scheme = request.secure ? 'https:' : 'http:';
  if (from.protocol !== scheme) {
    return (
      `a request from another origin (${from.origin}) to this ${scheme.slice(0, -1)} page` +
      (request.secure ? '' : " (behind a TLS proxy, set the framework's trust proxy setting)")
    );
  }
  if (!/^application\/json\b/i.test(headerText(request.headers['content-type']) ?? ''))
    return 'a body that is not JSON';
  const browserId = parseCookieHeader(headerText(request.headers.cookie) ?? '')[BROWSER_COOKIE];
  const token = headerText(request.headers[CSRF_HEADER]);
  if (browserId === undefined || token === undefined) return 'a request without the page’s token';
  const expected = Buffer.from(tokenFor(browserId));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'a wrong token';
  return undefined;
}

async function changeOverrides(
  request: EndpointRequest<any>,
  title: string,
  tokenFor: (browserId: string) => string,
): Promise<EndpointResponse> {
  const refused = refusal(request, tokenFor);
  if (refused !== undefined) return json(403, { error: `refused ${refused}; nothing changed` });
  const { client } = request;
  const path = requestPathOf(client);
  if (path?.overridesEnabled !== true) {
    return json(409, {
      error: 'overrides are off: createFlags({ overrides: { secret, allow } }) turns them on',
    });
  }
  const body = bodyObject(await request.readBody());
  let query: string | undefined;
  if (body?.clear === true) query = 'clear';
  else if (typeof body?.flag === 'string' && typeof body.value === 'string' && client.feature(body.flag)) {
    const value = body.value;
    if (
      value === 'on' ||
      value === 'off' ||
      value === 'default' ||
      featureVariantNames(client.feature(body.flag)).includes(value)
    )
      query = `${body.flag}:${value}`;
  }
  if (query === undefined) {
    return json(400, {
      error: 'send { flag, value: "on" | "off" | "default" | a variant name } or { clear: true }',
    });
  }
  const resolved = await path.resolveOverrides(request.request, {
    cookieHeader: headerText(request.headers.cookie),
    query,
  });
  if (resolved.setCookie === undefined) {
    return json(403, { error: 'overrides.allow() refuses this request; nothing changed' });
  }
  const flags = client.forContext(
    request.flags.context,
    resolved.overrides ? { overrides: resolved.overrides } : {},
  );
  const browserId = parseCookieHeader(headerText(request.headers.cookie) ?? '')[BROWSER_COOKIE] ?? '';
  return json(200, stateOf(request, flags, title, tokenFor(browserId)), { 'set-cookie': resolved.setCookie });
}

function bodyObject(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
