// Usage metrics a browser reports (unleash-proxy-client's POST <url>/client/metrics), counted into the source's
// own usage metrics (Unleash's exposure counts) where the source keeps them.
import type { FlagSource } from '../types.js';

/** A browser's report: `{ appName, instanceId, bucket: { start, stop, toggles: { name: { yes, no, variants } } } }`. */
interface MetricsReport {
  bucket?: { toggles?: Record<string, { yes?: unknown; no?: unknown; variants?: Record<string, unknown> }> };
}

/** counts above this in one report are taken as this: a browser cannot make the server loop for long */
const MAX_COUNT_PER_FLAG = 10_000;

/** true when the body has the shape of a metrics report */
export function isMetricsReport(body: unknown): body is MetricsReport {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const bucket = (body as MetricsReport).bucket;
  if (bucket === undefined) return true;
  if (bucket === null || typeof bucket !== 'object') return false;
  const toggles = bucket.toggles;
  return (
    toggles === undefined || (toggles !== null && typeof toggles === 'object' && !Array.isArray(toggles))
  );
}

/**
 * Counts the report's evaluations of the flags `counted` allows into `source.recordEvaluation`: each variant
 * count as an evaluation with that variant (`disabled` as a "no"), the rest of `yes` and `no` as plain ones.
 * @returns the number of evaluations counted
 */
export function recordBrowserMetrics(
  source: FlagSource,
  report: MetricsReport,
  counted: (flag: string) => boolean,
): number {
  const record = source.recordEvaluation?.bind(source);
  const toggles = report.bucket?.toggles;
  if (record === undefined || toggles === undefined) return 0;
  let total = 0;
  for (const [flag, counts] of Object.entries(toggles)) {
    if (counts === null || typeof counts !== 'object' || !counted(flag)) continue;
    let yes = count(counts.yes);
    let no = count(counts.no);
    let budget = MAX_COUNT_PER_FLAG;
    const variants = counts.variants;
    if (variants !== null && typeof variants === 'object') {
      for (const [variant, times] of Object.entries(variants)) {
        // unleash-proxy-client counts each getVariant() both as a yes/no and as its variant.
        for (let n = Math.min(count(times), budget); n > 0; n--) {
          const enabled = variant !== 'disabled' && yes > 0;
          record(flag, enabled, variant);
          budget--;
          total++;
          if (enabled) yes = Math.max(0, yes - 1);
          else no = Math.max(0, no - 1);
        }
      }
    }
    for (let n = Math.min(yes, budget); n > 0; n--, budget--, total++) record(flag, true);
    for (let n = Math.min(no, budget); n > 0; n--, budget--, total++) record(flag, false);
  }
  return total;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.min(Math.floor(value), MAX_COUNT_PER_FLAG)
    : 0;
}
