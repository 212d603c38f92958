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

/**
 * Runs a synchronous evaluation of the client without its telemetry's evaluation record, for evaluations another
 * layer records (the OpenFeature provider, whose calls OpenFeature's telemetry hooks record): one record each.
 * @example const enabled = untracedEvaluation(client, () => client.isEnabled(flag, context));
 */
export function untracedEvaluation<T>(client: unknown, evaluate: () => T): T {
  const telemetry = telemetryOf(client);
  return telemetry === undefined ? evaluate() : telemetry.untraced(evaluate);
}

/**
 * Records a conversion through the client's telemetry (`client.track()`), with the primitive fields of `details`
 * as attributes (at most 20). Nothing when telemetry is off.
 * @example trackConversion(client, 'checkout', { value: 42, currency: 'EUR' });
 */
export function trackConversion(client: unknown, name: string, details?: Record<string, unknown>): void {
  const telemetry = telemetryOf(client);
  if (telemetry === undefined) return;
  const attributes: Record<string, string | number | boolean> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(details ?? {})) {
    if (kept === 20) break;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    attributes[key === 'value' ? 'flagwise.conversion.value' : `flagwise.conversion.${key}`] = value;
    kept++;
  }
  telemetry.recordConversion(name, attributes);
}
