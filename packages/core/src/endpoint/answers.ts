// What the JSON endpoints flagwise serves to browsers (Unleash's Frontend API, OFREP) share: a JSON body read
// from what the framework handed over, a JSON answer with an ETag and 304, and the request's flags with the
// context fields the app lets the browser add.
import { createHash } from 'node:crypto';
import { overridesOf } from '../request/flags-object.js';
import type { RequestFlags } from '../request/request-flags.js';
import type { FlagContext } from '../types.js';
import type { EndpointRequest, EndpointResponse } from './endpoint.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** per user, and always revalidated: the answer depends on who asks and on definitions that change */
const PRIVATE_NO_CACHE = 'private, no-cache';

/**
 * A JSON answer.
 * @example return jsonAnswer(400, { message: 'the body is not JSON' });
 */
export function jsonAnswer(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): EndpointResponse {
  return {
    status,
    headers: { 'cache-control': PRIVATE_NO_CACHE, ...headers, 'content-type': JSON_TYPE },
    body: JSON.stringify(value),
  };
}

/**
 * A 200 JSON answer with an ETag over its text, or 304 when the request's `If-None-Match` already holds it.
 * `untagged` fields are added to the object after the ETag is taken: what changes them alone is no new answer.
 * @example return conditionalJsonAnswer(request, { toggles });
 */
export function conditionalJsonAnswer(
  request: Pick<EndpointRequest, 'headers'>,
  value: Record<string, unknown>,
  headers: Record<string, string> = {},
  untagged?: Record<string, unknown>,
): EndpointResponse {
  const text = JSON.stringify(value);
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
  const answered = { ...headers, etag, 'cache-control': PRIVATE_NO_CACHE };
  if (etagMatches(request.headers['if-none-match'], etag)) return { status: 304, headers: answered };
  let body = text;
  if (untagged !== undefined && Object.keys(untagged).length > 0) {
    const added = JSON.stringify(untagged).slice(1);
    body = text === '{}' ? `{${added}` : `${text.slice(0, -1)},${added}`;
  }
  return { status: 200, headers: { ...answered, 'content-type': JSON_TYPE }, body };
}

/** `If-None-Match` holds a list of tags, maybe weak (`W/"…"`), or `*`. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return false;
  return text.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * A JSON object body as the framework handed it over: already parsed, or text (or bytes) to parse. An empty
 * body reads as `{}`; anything else that is not a JSON object reads as undefined.
 * @example const body = jsonObjectBody(request.body); if (!body) return jsonAnswer(400, { message });
 */
export function jsonObjectBody(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (value instanceof Uint8Array) value = new TextDecoder().decode(value);
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value === undefined || value === null) return {};
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The request's flags, or, when the browser sent fields the app lets count, flags for the request's context
 * with those fields filled in — the request's own fields (user, session, IP, the context hook) always win —
 * and the same QA overrides.
 * @example const flags = flagsWithClientFields(request, { properties: { theme: 'dark' } });
 */
export function flagsWithClientFields<Request>(
  request: EndpointRequest<Request>,
  fromClient: FlagContext | undefined,
): RequestFlags {
  if (fromClient === undefined) return request.flags;
  const own = request.flags.context;
  const context = fillIn(fromClient, own) as FlagContext;
  if (fromClient.properties !== undefined || own.properties !== undefined) {
    context.properties = fillIn(
      fromClient.properties ?? {},
      own.properties ?? {},
    ) as FlagContext['properties'];
  }
  return request.client.forContext(context, { overrides: overridesOf(request.flags) });
}

/** `base` with every field of `own` that has a value on top (a hook's `plan: undefined` does not erase one) */
function fillIn(base: object, own: object): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) if (value !== undefined) result[key] = value;
  return result;
}
