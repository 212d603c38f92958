// Impact metrics a browser reports (`impactMetrics` in unleash-proxy-client's metrics report), forwarded into the
// source's impact metrics (Unleash's) where it keeps them. Everything in them is untrusted: names and label keys
// must be Prometheus-style identifiers, label values short strings, values finite numbers in a range; a report
// gives at most so many metrics, samples and labels; a client keeps at most so many names and label sets from
// browsers (past that they are dropped, not grown); `appName`, `environment` and `origin` are the server's; and the
// names of the app's own metrics (`flagwise_...`) cannot be written from a page.
import type { ImpactLabels, ImpactMetrics } from '../types.js';

/** metrics of one report looked at */
export const MAX_METRICS_PER_REPORT = 20;
/** samples of one metric in one report looked at */
const MAX_SAMPLES_PER_METRIC = 20;
/** labels of one sample (beyond appName, environment and origin) */
const MAX_LABELS = 8;
/** distinct metric names a client takes from browsers */
export const MAX_BROWSER_METRIC_NAMES = 50;
/** distinct label sets per metric name a client takes from browsers */
export const MAX_LABEL_SETS_PER_NAME = 200;
const MAX_LABEL_VALUE_LENGTH = 100;
const MAX_HELP_LENGTH = 200;
const MAX_BUCKETS = 30;
/** a counter increment or a histogram count above this in one report is refused */
const MAX_COUNT = 1_000_000;
const MAX_GAUGE = 1e12;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** the app's own metrics: a page cannot write them */
const RESERVED_PREFIX = 'flagwise_';
/** labels the server sets itself */
const SERVER_LABELS = new Set(['appName', 'environment', 'origin']);

/** What a client remembers of the metrics browsers sent: bounded names and label sets. */
export class BrowserImpactBounds {
  private readonly labelSets = new Map<string, Set<string>>();

  /** true when the metric and label set may be kept (already kept, or room for it) */
  admit(name: string, labels: ImpactLabels): boolean {
    let sets = this.labelSets.get(name);
    if (sets === undefined) {
      if (this.labelSets.size >= MAX_BROWSER_METRIC_NAMES) return false;
      this.labelSets.set(name, (sets = new Set()));
    }
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (sets.has(key)) return true;
    if (sets.size >= MAX_LABEL_SETS_PER_NAME) return false;
    sets.add(key);
    return true;
  }
}

/** What was done with a report's impact metrics. */
export interface BrowserImpactResult {
  /** samples forwarded */
  forwarded: number;
  /** samples refused: malformed, out of range, reserved, or past the bounds */
  refused: number;
}

/**
 * Forwards the valid samples of a report's `impactMetrics` into `impact`, labelled `origin: browser` with the
 * server's own appName and environment.
 * @example forwardBrowserImpactMetrics(source.impactMetrics, body.impactMetrics, bounds)
 */
export function forwardBrowserImpactMetrics(
  impact: ImpactMetrics,
  metrics: unknown,
  bounds: BrowserImpactBounds,
): BrowserImpactResult {
  const result: BrowserImpactResult = { forwarded: 0, refused: 0 };
  if (!Array.isArray(metrics)) return result;
  if (metrics.length > MAX_METRICS_PER_REPORT) result.refused += metrics.length - MAX_METRICS_PER_REPORT;
  for (const metric of metrics.slice(0, MAX_METRICS_PER_REPORT)) {
    const { name, help, type, samples } = (metric ?? {}) as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      !IDENTIFIER.test(name) ||
      name.startsWith(RESERVED_PREFIX) ||
      (type !== 'counter' && type !== 'gauge' && type !== 'histogram') ||
      !Array.isArray(samples)
    ) {
      result.refused += Array.isArray(samples) ? Math.max(samples.length, 1) : 1;
      continue;
    }
    const description =
      typeof help === 'string' && help !== '' ? help.slice(0, MAX_HELP_LENGTH) : `${name} (from browsers)`;
    if (samples.length > MAX_SAMPLES_PER_METRIC) result.refused += samples.length - MAX_SAMPLES_PER_METRIC;
    for (const sample of samples.slice(0, MAX_SAMPLES_PER_METRIC)) {
      const labels = labelsOf((sample as { labels?: unknown } | null)?.labels, impact.staticLabels);
      if (labels === undefined || !forwardSample(impact, type, name, description, sample, labels, bounds)) {
        result.refused++;
      } else result.forwarded++;
    }
  }
  return result;
}

function forwardSample(
  impact: ImpactMetrics,
  type: 'counter' | 'gauge' | 'histogram',
  name: string,
  help: string,
  sample: unknown,
  labels: ImpactLabels,
  bounds: BrowserImpactBounds,
): boolean {
  const fields = sample as { value?: unknown; count?: unknown; sum?: unknown; buckets?: unknown };
  if (type === 'counter') {
    const value = fields.value;
    if (!isNumberIn(value, 0, MAX_COUNT) || !bounds.admit(name, labels)) return false;
    if (value > 0) impact.counter(name, help).inc(value, labels);
    return true;
  }
  if (type === 'gauge') {
    const value = fields.value;
    if (!isNumberIn(value, -MAX_GAUGE, MAX_GAUGE) || !bounds.admit(name, labels)) return false;
    impact.gauge(name, help).set(value, labels);
    return true;
  }
  const { count, sum, buckets } = fields;
  if (!isNumberIn(count, 0, MAX_COUNT) || !Number.isInteger(count) || !isNumberIn(sum, -MAX_GAUGE, MAX_GAUGE))
    return false;
  if (!Array.isArray(buckets) || buckets.length === 0 || buckets.length > MAX_BUCKETS) return false;
  const checked: { le: number | '+Inf'; count: number }[] = [];
  for (const bucket of buckets) {
    const { le, count: inBucket } = (bucket ?? {}) as { le?: unknown; count?: unknown };
    if (le !== '+Inf' && !isNumberIn(le, -MAX_GAUGE, MAX_GAUGE)) return false;
    if (!isNumberIn(inBucket, 0, count) || !Number.isInteger(inBucket)) return false;
    checked.push({ le, count: inBucket });
  }
  if (!bounds.admit(name, labels)) return false;
  if (count > 0) impact.addHistogramSample(name, help, { labels, count, sum, buckets: checked });
  return true;
}

function labelsOf(given: unknown, server: ImpactLabels): ImpactLabels | undefined {
  const labels: ImpactLabels = {};
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) return undefined;
    const entries = Object.entries(given).filter(([key]) => !SERVER_LABELS.has(key));
    if (entries.length > MAX_LABELS) return undefined;
    for (const [key, value] of entries) {
      if (!IDENTIFIER.test(key)) return undefined;
      const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      if (typeof text !== 'string' || text.length > MAX_LABEL_VALUE_LENGTH) return undefined;
      labels[key] = text;
    }
  }
  return { ...labels, ...server, origin: 'browser' };
}

function isNumberIn(value: unknown, low: number, high: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= low && value <= high;
}
