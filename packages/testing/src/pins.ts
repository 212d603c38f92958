// Per-request pins travel in a request header that only a test client reads: a test sets it on one request,
// so tests running side by side against one app never see each other's flags.
import { ConfigurationError, type MemoryFlagValue, memorySource } from '@flagwise/core';

/**
 * The flags pinned for one request (or one test): flag name → `true`, `false`, `{ variant: 'short' }`, a flag as
 * in flags.yaml (`{ users: ['ada'] }`, `{ rollout: 50 }`, variants with payloads) or an Unleash definition.
 * @example
 * const pins: PinnedFlags = { 'new-checkout': true, 'checkout-copy': { variant: 'short' } };
 */
export type PinnedFlags = Record<string, MemoryFlagValue>;

/**
 * The header that carries one request's pins, as JSON. Only a client from `createTestFlags()` reads it; a client
 * from `createFlags()` never looks.
 * @example
 * await request(app).get('/checkout').set(PINS_HEADER, JSON.stringify({ 'new-checkout': true }));
 */
export const PINS_HEADER = 'x-flagwise-test-pins';

/**
 * The header that names one request in the test client's record (`flags.request(label)`).
 * @example
 * await request(app).get('/').set(LABEL_HEADER, 'first');
 */
export const LABEL_HEADER = 'x-flagwise-test-label';

/**
 * Headers that pin flags for one request: for supertest's `.set()`, Fastify's `inject({ headers })`, `fetch`, and
 * supertest against Nest's `app.getHttpServer()`. The pins are checked here, so a typo fails the test at this line.
 * @example
 * await request(app).get('/checkout').set(pinHeaders({ 'new-checkout': true })).expect(200);
 * await app.inject({ url: '/checkout', headers: pinHeaders({ 'new-checkout': false }) });
 * @example
 * await request(app).get('/').set(pinHeaders({ beta: true }, { label: 'beta on' }));
 * flags.request('beta on')?.read; // ['beta', ...]
 */
export function pinHeaders(pins: PinnedFlags, options: { label?: string } = {}): Record<string, string> {
  checkPins(pins, 'pinHeaders(pins)');
  const headers: Record<string, string> = { [PINS_HEADER]: JSON.stringify(pins) };
  if (options.label !== undefined) headers[LABEL_HEADER] = options.label;
  return headers;
}

/** What supertest's (superagent's) `.use()` takes. */
export interface SuperagentRequest {
  set(field: Record<string, string>): unknown;
}

/**
 * A supertest plugin that pins flags for the request it is used on.
 * @example
 * await request(app).get('/checkout').use(pinned({ 'new-checkout': true })).expect(200);
 */
export function pinned<R extends SuperagentRequest>(
  pins: PinnedFlags,
  options: { label?: string } = {},
): (request: R) => R {
  const headers = pinHeaders(pins, options);
  return (request) => {
    request.set(headers);
    return request;
  };
}

/** The request's pins header and label, when it has them; any object with `headers` (Express, Fastify, Koa). */
export function pinsHeaderOf(request: unknown): { pins: string | undefined; label: string | undefined } {
  const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
  if (headers === undefined || headers === null) return { pins: undefined, label: undefined };
  const pins = headers[PINS_HEADER];
  const label = headers[LABEL_HEADER];
  return {
    pins: typeof pins === 'string' ? pins : undefined,
    label: typeof label === 'string' ? label : undefined,
  };
}

/** Reads a pins header; throws a ConfigurationError that shows the header and how to make a good one. */
export function parsePins(header: string): PinnedFlags {
  let pins: unknown;
  try {
    pins = JSON.parse(header);
  } catch {
    throw new ConfigurationError(
      `the ${PINS_HEADER} header is not JSON (${JSON.stringify(header.slice(0, 80))}); ` +
        "set it with pinHeaders({ 'flag-name': true })",
    );
  }
  checkPins(pins, `the ${PINS_HEADER} header`);
  return pins;
}

function checkPins(pins: unknown, where: string): asserts pins is PinnedFlags {
  if (typeof pins !== 'object' || pins === null || Array.isArray(pins)) {
    throw new ConfigurationError(
      `${where}: pins must be an object of flag name → value, e.g. { 'new-checkout': true }`,
    );
  }
  // The same check the test client makes when it serves the pins: every value must be one memorySource takes.
  const check = memorySource();
  for (const [name, value] of Object.entries(pins)) check.set(name, value as MemoryFlagValue);
}
