// Each flag's effect on the requests that read it, since the app started, for the dashboard: per flag and
// variant, the requests, how many failed, and their latency quantiles. Latencies go into DDSketch (relative-error
// quantiles in a bounded number of bins), so memory stays bounded however long the app runs.
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/** One flag and variant's requests since the app started. */
export interface OutcomeSummary {
  flag: string;
  /** the variant's name, or `on`/`off` for a flag read without its variant */
  variant: string;
  requests: number;
  /** requests that threw or answered 5xx */
  errors: number;
  /** errors / requests, 0 to 1 */
  errorRate: number;
  /** median latency in milliseconds (within 1 %) */
  p50Ms: number;
  /** 95th percentile latency in milliseconds (within 1 %) */
  p95Ms: number;
}

/** flag and variant pairs kept at most: names come from the definitions, this bounds a source with very many */
export const MAX_OUTCOME_SERIES = 2_000;
/** 1 % relative accuracy in at most this many bins per pair (a few KB each) */
const SKETCH_BINS = 512;

interface Series {
  flag: string;
  variant: string;
  requests: number;
  errors: number;
  latency: LogCollapsingLowestDenseDDSketch;
}

/** Request outcomes per flag and variant. */
export class OutcomeStats {
  private readonly series = new Map<string, Map<string, Series>>();
  private size = 0;

  /** Counts one request that read `flag` and got `variant`; false when the pair is past MAX_OUTCOME_SERIES. */
  record(flag: string, variant: string, milliseconds: number, failed: boolean): boolean {
    let variants = this.series.get(flag);
    let entry = variants?.get(variant);
    if (entry === undefined) {
      if (this.size >= MAX_OUTCOME_SERIES) return false;
      if (variants === undefined) this.series.set(flag, (variants = new Map()));
      entry = {
        flag,
        variant,
        requests: 0,
        errors: 0,
        latency: new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.01, binLimit: SKETCH_BINS }),
      };
      variants.set(variant, entry);
      this.size++;
    }
    entry.requests++;
    if (failed) entry.errors++;
    entry.latency.accept(Math.max(milliseconds, 0));
    return true;
  }

  /** Every flag and variant seen, by flag name then variant name. */
  summaries(): OutcomeSummary[] {
    const result: OutcomeSummary[] = [];
    for (const flag of [...this.series.keys()].sort()) {
      const variants = this.series.get(flag)!;
      for (const variant of [...variants.keys()].sort()) {
        const entry = variants.get(variant)!;
        result.push({
          flag,
          variant,
          requests: entry.requests,
          errors: entry.errors,
          errorRate: entry.errors / entry.requests,
          p50Ms: entry.latency.getValueAtQuantile(0.5),
          p95Ms: entry.latency.getValueAtQuantile(0.95),
        });
      }
    }
    return result;
  }
}
