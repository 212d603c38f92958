// The context a browser sends, and the part of it the app trusts. unleash-proxy-client sends its context as
// query parameters on GET (`userId=…&properties[theme]=dark`) or as `{ context }` in a POST body. Unleash
// moves fields it does not know into `properties`; so do we, then keep only the fields the app listed.
import type { FlagContext } from '../types.js';
import { CLIENT_CONTEXT_FIELDS } from './options.js';

const KNOWN_FIELDS: ReadonlySet<string> = new Set(CLIENT_CONTEXT_FIELDS);
const PROPERTY_PARAMETER = /^properties\[(.+)\]$/;
/** more than any real context has; the rest of a flood is ignored */
const MAX_FIELDS = 100;

/** One field the browser sent, named as trustClientContext names it (`sessionId`, `properties.theme`). */
export interface ClientContextField {
  field: string;
  value: string;
}

/** The context fields in a GET query. */
export function contextFromQuery(query: URLSearchParams): ClientContextField[] {
  const fields: ClientContextField[] = [];
  for (const [key, value] of query) {
    if (fields.length >= MAX_FIELDS) break;
    const property = PROPERTY_PARAMETER.exec(key);
    if (property) fields.push({ field: `properties.${property[1]}`, value });
    else fields.push({ field: KNOWN_FIELDS.has(key) ? key : `properties.${key}`, value });
  }
  return fields;
}

/** The context fields in a POST body `{ context: { ... } }`; undefined when the body is not that shape. */
export function contextFromBody(body: Record<string, unknown>): ClientContextField[] | undefined {
  const context = body.context ?? {};
  if (context === null || typeof context !== 'object' || Array.isArray(context)) return undefined;
  const fields: ClientContextField[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (fields.length >= MAX_FIELDS) break;
    if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, property] of Object.entries(value)) {
        const text = scalar(property);
        if (text !== undefined) fields.push({ field: `properties.${name}`, value: text });
      }
      continue;
    }
    const text = scalar(value);
    if (text !== undefined)
      fields.push({ field: KNOWN_FIELDS.has(key) ? key : `properties.${key}`, value: text });
  }
  return fields;
}

/**
 * The fields the app trusts, as a context to fill in under the request's own; undefined when the browser sent
 * none of them (the common case: then `req.flags` itself answers).
 */
export function trustedFields<Request>(
  sent: readonly ClientContextField[],
  trust: ((field: string, value: string, request: Request) => boolean) | undefined,
  request: Request,
): FlagContext | undefined {
  if (trust === undefined || sent.length === 0) return undefined;
  let trusted: FlagContext | undefined;
  for (const { field, value } of sent) {
    if (!trust(field, value, request)) continue;
    trusted ??= {};
    if (field.startsWith('properties.')) {
      const name = field.slice('properties.'.length);
      if (name === '__proto__') continue;
      trusted.properties ??= {};
      trusted.properties[name] = value;
    } else trusted[field] = value;
  }
  return trusted;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
