// An evaluation outside a request (a job, a script) with telemetry on: one engine decision gives the value or the
// variant and the reason the evaluation record carries, so the record and the answer always agree.
import { isOnDecision, reasonOfDecision } from '../engine/index.js';
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import type { ClientFeaturesPayload, EvaluationReason, FlagContext, VariantResult } from '../types.js';
import type { FlagsTelemetry } from './telemetry.js';

/**
 * Decides `name` for `context` once, records the evaluation, and answers from that decision.
 * @example evaluateRecorded(telemetry, snapshot, 'beta', { userId: '42' }, false, undefined, false).enabled
 */
export function evaluateRecorded(
  recorder: FlagsTelemetry,
  snapshot: FlagsSnapshot,
  name: string,
  context: FlagContext,
  fallback: boolean,
  fallbackVariant: VariantResult | undefined,
  wantsVariant: boolean,
): { enabled: boolean; variant?: VariantResult } {
  const compiled = snapshot.compiled;
  const handle = compiled.handle(name);
  let result: { enabled: boolean; variant?: VariantResult };
  let reason: EvaluationReason;
  let strategyIndex: number | undefined;
  if (handle === undefined) {
    reason = snapshot.ready ? 'not-found' : 'not-ready';
    result = wantsVariant
      ? { enabled: false, variant: compiled.getVariant(name, context, fallbackVariant) }
      : { enabled: fallback };
  } else {
    const decision = compiled.decide(handle, context);
    reason = reasonOfDecision(decision);
    strategyIndex = decision >= 0 ? decision : undefined;
    if (wantsVariant) {
      const variant = compiled.variantOfDecision(handle, context, decision, fallbackVariant);
      result = { enabled: variant.feature_enabled, variant };
    } else result = { enabled: isOnDecision(decision, fallback) };
  }
  recorder.recordEvaluation(name, result.enabled, result.variant, reason, strategyIndex, context);
  return result;
}

/**
 * The revision of definitions where the source gives one (Unleash's `meta.revisionId`): the evaluation record's
 * `feature_flag.version`.
 * @example revisionOf({ version: 2, features: [], meta: { revisionId: 12 } }) // '12'
 */
export function revisionOf(definitions: ClientFeaturesPayload): string | undefined {
  const meta = definitions.meta as { revisionId?: unknown } | undefined;
  const revision = meta?.revisionId;
  return typeof revision === 'number' || typeof revision === 'string' ? String(revision) : undefined;
}
