// How many live-page event streams a client keeps open and for how long: the `eventStreams` option of
// createFlags(), checked at startup and kept per client for the streams (endpoint/event-streams.ts) to read.
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';

/**
 * Limits of the server-sent event streams that keep pages live (the dashboard, OFREP's `eventStreams`, the
 * Frontend API's `/events`). Every stream of a client counts against one bound, whichever endpoint opened it.
 * @example createFlags({ eventStreams: { maxStreams: 2000, idleTimeoutMs: 300_000 } })
 */
export interface EventStreamOptions {
  /**
   * Streams open at once (a usual app has one client, so this is per process). One more is answered 503 with
   * `Retry-After`, and the page falls back to refetching on focus (or its poll interval). Default 10,000.
   */
  maxStreams?: number;
  /**
   * A stream that has carried no notification for this long is closed; a page that is still open reconnects
   * at once and catches up, while a browser that went away without closing its connection frees it. Checked
   * at every heartbeat. Default 600,000 (10 minutes).
   */
  idleTimeoutMs?: number;
  /** How often a comment is sent down every quiet stream, so proxies keep it open. Default 15,000. */
  heartbeatMs?: number;
  /** How long a browser waits before reconnecting a stream that ended (the SSE `retry:` field). Default 1,000. */
  retryMs?: number;
}

/** The limits as the streams use them. */
export type EventStreamLimits = Required<EventStreamOptions>;

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = Object.freeze({
  maxStreams: 10_000,
  idleTimeoutMs: 600_000,
  heartbeatMs: 15_000,
  retryMs: 1_000,
});

const KEYS = Object.keys(DEFAULT_EVENT_STREAM_LIMITS) as (keyof EventStreamLimits)[];

/** Checks the `eventStreams` option; throws a ConfigurationError that says how to fix it. */
export function resolveEventStreamLimits(options: unknown): EventStreamLimits {
  if (options === undefined) return DEFAULT_EVENT_STREAM_LIMITS;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(
      'createFlags({ eventStreams }): eventStreams must be an object, e.g. { maxStreams: 2000 }',
    );
  }
  checkKnownKeys('createFlags({ eventStreams })', options, KEYS);
  const limits = { ...DEFAULT_EVENT_STREAM_LIMITS };
  for (const key of KEYS) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const least = key === 'maxStreams' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < least) {
      throw new ConfigurationError(
        `createFlags({ eventStreams }): ${key} must be a whole number${key === 'maxStreams' ? ' ≥ 0 (0 turns streams off)' : ' of milliseconds ≥ 1'}; got ${String(value)}`,
      );
    }
    limits[key] = value;
  }
  return limits;
}

const limitsByClient = new WeakMap<object, EventStreamLimits>();

/** Keeps the checked limits of one client. */
export function setEventStreamLimits(client: object, limits: EventStreamLimits): void {
  limitsByClient.set(client, limits);
}

/** The limits of `client` (the defaults for a client made elsewhere). */
export function eventStreamLimitsOf(client: object): EventStreamLimits {
  return limitsByClient.get(client) ?? DEFAULT_EVENT_STREAM_LIMITS;
}
