// What every request's flags report to the client that made them: evaluations (usage metrics, impression events,
// telemetry) and the warnings a read can raise, each said once per flag through the client's notices.
import type { RequestFlagsHost } from '../request/request-flags.js';
import type { AdapterHints } from '../request/request-path.js';
import { type FlagsSnapshot, flagNameSuggestion } from '../snapshot/snapshot.js';
import type { FlagContext, VariantResult } from '../types.js';
import type { ClientNotices } from './events.js';
import type { FlagsTelemetry } from './telemetry.js';

/** What the host needs of its client. */
export interface RequestHostParts {
  client: object;
  recorder: FlagsTelemetry | undefined;
  hints: AdapterHints;
  notices: ClientNotices;
  snapshot(): FlagsSnapshot;
  afterEvaluation(
    flag: string,
    enabled: boolean,
    variant: VariantResult | undefined,
    context: FlagContext,
  ): void;
}

/**
 * The host of a client's request flags: made once per client, shared by every request.
 * @example const host = requestFlagsHost({ client, recorder, hints, notices, snapshot, afterEvaluation });
 */
export function requestFlagsHost(parts: RequestHostParts): RequestFlagsHost {
  const { notices, hints } = parts;
  return {
    client: parts.client,
    evaluations: parts.recorder,
    get visitorIdHint() {
      return hints.visitorId;
    },
    onEvaluation: (flag, enabled, variant, _reason, context) =>
      parts.afterEvaluation(flag, enabled, variant, context),
    onUnknownFlag: (name) => {
      const snapshot = parts.snapshot();
      if (!snapshot.ready) return;
      notices.warnOnce(
        `unknown:${name}`,
        `unknown flag "${name}" read on a request; it reads as false${flagNameSuggestion(snapshot, name)}`,
      );
    },
    onNoVariants: (name) =>
      notices.warnOnce(
        `variants:${name}`,
        `variant("${name}") was asked for, but flag "${name}" has no variants: it reads as "disabled"; ` +
          'give the flag variants, or read it with isEnabled()',
      ),
    onRandomAnswer: (name) =>
      notices.warnOnce(
        `random:${name}`,
        `flag "${name}" was answered at random: the request has no userId and no sessionId, and the flag ` +
          "uses Unleash's default stickiness (userId, else sessionId, else random). Turn on " +
          `${hints.visitorId} for a stable answer per browser`,
      ),
    onAddressAnswer: (name) =>
      notices.warnOnce(
        `address:${name}`,
        `flag "${name}" picked its variant by the client IP: the request has no userId and no sessionId, and ` +
          "the variants use Unleash's default stickiness (userId, else sessionId, else remoteAddress), so every " +
          `visitor behind one address gets one variant. Turn on ${hints.visitorId} for a stable variant per browser`,
      ),
  };
}
