// The OpenFeature Remote Evaluation Protocol (OFREP) as a framework-free endpoint: what an OpenFeature web SDK
// (@openfeature/ofrep-web-provider) or a server OFREP provider asks, answered with this request's own flags —
// the user, session and properties the app's context hook builds, QA overrides included — and only the flags
// marked `browser: true`. Each adapter mounts it the framework's way.
import { createHash } from 'node:crypto';
import { ConfigurationError, type FlagContext, type RequestFlags } from '@flagwise/core';
import type { Endpoint, EndpointRequest, EndpointResponse } from '@flagwise/core/adapter';
import { toFlagContext } from './context.js';
import { resolveExplanation } from './resolution.js';

/**
 * Which fields of the context the web SDK sends may count: a list of OpenFeature field names, or a function
 * that picks fields from what was sent for this request. Nothing the browser sends counts unless listed here.
 */
export type OfrepClientContext<Request = unknown> =
  | readonly string[]
  | ((
      sent: Readonly<Record<string, unknown>>,
      request: Request,
    ) => Record<string, unknown> | undefined | null);

export interface OfrepEndpointOptions<Request = unknown> {
  /**
   * Fields of the SDK-sent context to evaluate with, mapped as the provider maps OpenFeature context (see
   * the README's table). They only fill in: a field the request's own context has (from the app's context
   * hook, the user, the session, the IP) always wins. Default: none.
   * @example clientContext: ['locale', 'screen']
   */
  clientContext?: OfrepClientContext<Request>;
}

const PREFIX = '/ofrep/v1/evaluate/flags';
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'private, no-cache',
};

interface FlagAnswer {
  key: string;
  value?: unknown;
  reason?: string;
  variant?: string;
  metadata?: Record<string, string | number | boolean>;
  errorCode?: string;
  errorDetails?: string;
}

/**
 * The OFREP endpoint: `POST /ofrep/v1/evaluate/flags` (every browser-visible flag, with an ETag; 304 when the
 * answer has not changed) and `POST /ofrep/v1/evaluate/flags/{key}` (one flag; a flag that is not
 * browser-visible is answered as not found). Mount it where the web SDK's `baseUrl` points.
 * @example
 * app.use(featureFlags());
 * app.use(mountEndpoint(ofrepEndpoint({ clientContext: ['locale'] })));
 * // in the page: new OFREPWebProvider({ baseUrl: location.origin })
 */
export function ofrepEndpoint<Request = unknown>(
  options: OfrepEndpointOptions<Request> = {},
): Endpoint<Request> {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'ofrepEndpoint(options): options must be an object, e.g. { clientContext: [] }',
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== 'clientContext') {
      throw new ConfigurationError(`ofrepEndpoint(options): unknown option "${key}"; it takes clientContext`);
    }
  }
  const pick = contextPicker(options.clientContext);
  return {
    name: 'ofrepEndpoint()',
    handle(request) {
      const { path } = request;
      if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return undefined;
      const key = path === PREFIX ? undefined : decodeKey(path.slice(PREFIX.length + 1));
      if (key === null) return undefined;
      if (request.method !== 'POST') {
        return json(405, { errorDetails: 'OFREP evaluates with POST' }, { allow: 'POST' });
      }
      if (!request.client.isReady) {
        return json(
          503,
          { errorCode: 'GENERAL', errorDetails: 'flags have not loaded yet' },
          { 'retry-after': '1' },
        );
      }
      const body = parseBody(request.body);
      if (!body.ok) return json(400, { ...(key ? { key } : {}), ...body.error });
      const flags = flagsFor(request, pick, body.context);
      if (key !== undefined) {
        const answer = answerFor(request, flags, key);
        return answer.errorCode === undefined
          ? json(200, answer)
          : json(answer.errorCode === 'FLAG_NOT_FOUND' ? 404 : 400, answer);
      }
      const answers = browserFlags(request).map((name) => answerFor(request, flags, name));
      const text = JSON.stringify({ flags: answers });
      const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
      if (matches(request.headers['if-none-match'], etag)) {
        return { status: 304, headers: { etag, 'cache-control': JSON_HEADERS['cache-control'] } };
      }
      return { status: 200, headers: { ...JSON_HEADERS, etag }, body: text };
    },
  };
}

function answerFor(request: EndpointRequest<any>, flags: RequestFlags, key: string): FlagAnswer {
  const definition = request.client.feature(key);
  if (definition?.browser !== true) {
    return { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `no browser-visible flag named "${key}"` };
  }
  const explanation = flags.explain(key);
  const resolution = resolveExplanation(explanation, definition, 'any', flags.context);
  if (resolution.errorCode !== undefined) {
    // The browser learns that the flag cannot be evaluated, not why: the detail may quote its definition.
    return {
      key,
      errorCode: resolution.errorCode === 'PARSE_ERROR' ? 'PARSE_ERROR' : 'GENERAL',
      errorDetails: `flag "${key}" cannot be evaluated (${resolution.errorCode})`,
    };
  }
  const answer: FlagAnswer = {
    key,
    value: resolution.value,
    reason: resolution.reason,
    metadata: { reason: explanation.reason, enabled: explanation.enabled },
  };
  if (resolution.variant !== undefined) answer.variant = resolution.variant;
  return answer;
}

/** The flags a browser may see, in definition order. */
function browserFlags(request: EndpointRequest<any>): string[] {
  return request.client.names().filter((name) => request.client.feature(name)?.browser === true);
}

/** This request's flags, or, when the app lets SDK-sent fields count and some were sent, flags with them. */
function flagsFor<Request>(
  request: EndpointRequest<Request>,
  pick: ((sent: Record<string, unknown>, request: Request) => FlagContext | undefined) | undefined,
  sent: Record<string, unknown> | undefined,
): RequestFlags {
  if (pick === undefined || sent === undefined) return request.flags;
  const extra = pick(sent, request.request);
  if (extra === undefined) return request.flags;
  const own = request.flags.context;
  const merged: FlagContext = { ...extra, ...own };
  if (extra.properties !== undefined || own.properties !== undefined) {
    merged.properties = { ...extra.properties, ...own.properties };
  }
  const { overrides } = request.client.resolveOverrides(request.request, {
    cookieHeader: headerText(request.headers.cookie),
  });
  return request.client.forContext(merged, { overrides });
}

function contextPicker<Request>(
  allowed: OfrepClientContext<Request> | undefined,
): ((sent: Record<string, unknown>, request: Request) => FlagContext | undefined) | undefined {
  if (allowed === undefined) return undefined;
  if (Array.isArray(allowed)) {
    if (allowed.length === 0) return undefined;
    const fields = new Set<string>(allowed);
    return (sent) => {
      const picked: Record<string, unknown> = {};
      let any = false;
      for (const field of fields) {
        if (sent[field] !== undefined) {
          picked[field] = sent[field];
          any = true;
        }
      }
      return any ? toFlagContext(picked) : undefined;
    };
  }
  if (typeof allowed === 'function') {
    const hook = allowed as Exclude<OfrepClientContext<Request>, readonly string[]>;
    return (sent, request) => {
      const picked = hook(sent, request);
      return picked && typeof picked === 'object' ? toFlagContext(picked) : undefined;
    };
  }
  throw new ConfigurationError(
    'ofrepEndpoint({ clientContext }): clientContext must be a list of field names, e.g. ["locale"], ' +
      'or a function (sent, request) => fields',
  );
}

type ParsedBody =
  | { ok: true; context: Record<string, unknown> | undefined }
  | { ok: false; error: { errorCode: string; errorDetails: string } };

function parseBody(body: unknown): ParsedBody {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    if (text.trim() === '') return { ok: true, context: undefined };
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, error: { errorCode: 'PARSE_ERROR', errorDetails: 'the body is not JSON' } };
    }
  }
  if (value === undefined || value === null) return { ok: true, context: undefined };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      error: { errorCode: 'PARSE_ERROR', errorDetails: 'the body must be { "context": {...} }' },
    };
  }
  const context = (value as { context?: unknown }).context;
  if (context === undefined || context === null) return { ok: true, context: undefined };
  if (typeof context !== 'object' || Array.isArray(context)) {
    return { ok: false, error: { errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be an object' } };
  }
  return { ok: true, context: context as Record<string, unknown> };
}

function decodeKey(raw: string): string | null {
  if (raw === '' || raw.includes('/')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function matches(header: string | string[] | undefined, etag: string): boolean {
  const text = headerText(header);
  if (text === undefined) return false;
  return text.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function headerText(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header.join(', ') : header;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}
