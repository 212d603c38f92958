// Each request's outcome by the flags it read, for adapters: they take the duration and status at their
// framework's own end-of-response point and hand them here. Undefined when telemetry is off or records no
// outcomes, so a request costs nothing then.
import { type RequestOutcomes, telemetryOf } from '../client/telemetry.js';

export type { RequestOutcomes } from '../client/telemetry.js';

/**
 * What records request outcomes for the client, once per adapter; undefined when the client's telemetry is off.
 * @example
 * const outcomes = requestOutcomes(client);
 * if (outcomes) reply.raw.once('finish', () => outcomes.record(req.flags, outcomes.now() - started, res.statusCode));
 */
export function requestOutcomes(client: unknown): RequestOutcomes | undefined {
  const telemetry = telemetryOf(client);
  return telemetry?.recordsOutcomes ? telemetry : undefined;
}

/** A Node response (Express's `res`, Fastify's `reply.raw`): what `recordWhenFinished` listens to. */
interface FinishingResponse {
  readonly statusCode: number;
  once(event: 'finish', listener: () => void): unknown;
}

/**
 * Records the request's outcome when its Node response finishes (Express's `res`, whose error handler answers
 * 500 for a thrown error).
 * @example if (outcomes) recordWhenFinished(outcomes, req.flags, res);
 */
export function recordWhenFinished(
  outcomes: RequestOutcomes,
  flags: unknown,
  response: FinishingResponse,
): void {
  const started = outcomes.now();
  response.once('finish', () => outcomes.record(flags, outcomes.now() - started, response.statusCode));
}
