// Impact metrics through unleash-client's own registry: the counters, gauges and histograms it collects and sends
// with the usage metrics (`impactMetrics` in POST /client/metrics, with retry and restore on failure). Its public
// MetricsAPI labels a sample by re-evaluating flags itself (a deprecated argument); flagwise knows what each
// request was answered, so it writes the samples, labelled the SDK's way, into the registry the SDK keeps for
// subclasses (`metricRegistry`), through the registry's own API.
import type { ImpactLabels, ImpactMetrics } from '@flagwise/core';
import { Unleash, type UnleashConfig } from 'unleash-client';
import { buildImpactMetricContext } from 'unleash-client/lib/impact-metrics/context.js';
import type { InMemoryMetricRegistry } from 'unleash-client/lib/impact-metrics/metric-types.js';

type HistogramSample = Parameters<ImpactMetrics['addHistogramSample']>[2];

/** unleash-client's Unleash, with the registry its impact metrics are sent from reachable. */
export class ImpactUnleash extends Unleash {
  /** the registry unleash-client collects impact metrics from at each metrics send */
  get impactRegistry(): InMemoryMetricRegistry {
    return this.metricRegistry;
  }
}

/**
 * A source's impact metrics, written into the registry of its running unleash-client (dropped while it is not
 * running). Browser histograms arrive as bucket counts, not observations: they are added up per label set until
 * the next send reaches Unleash and written as one sample.
 */
export class UnleashImpactMetrics implements ImpactMetrics {
  readonly staticLabels: ImpactLabels;
  /** browser histogram samples added since the last send, per metric and label set */
  private readonly pending = new Map<string, HistogramSample>();

  constructor(
    private readonly registry: () => InMemoryMetricRegistry | undefined,
    config: Pick<UnleashConfig, 'appName' | 'environment' | 'customHeaders'>,
  ) {
    const { appName, environment } = buildImpactMetricContext(config.customHeaders, {
      appName: config.appName,
      environment: config.environment ?? 'default',
    });
    this.staticLabels = { appName, environment };
  }

  counter(name: string, help: string): { inc(value: number, labels: ImpactLabels): void } {
    return { inc: (value, labels) => this.registry()?.counter({ name, help }).inc(value, labels) };
  }

  gauge(name: string, help: string): { set(value: number, labels: ImpactLabels): void } {
    return { set: (value, labels) => this.registry()?.gauge({ name, help }).set(value, labels) };
  }

  histogram(
    name: string,
    help: string,
    buckets?: readonly number[],
  ): { observe(value: number, labels: ImpactLabels): void } {
    return {
      observe: (value, labels) =>
        this.registry()
          ?.histogram({ name, help, buckets: buckets && [...buckets] })
          .observe(value, labels),
    };
  }

  addHistogramSample(name: string, help: string, sample: HistogramSample): void {
    const registry = this.registry();
    if (registry === undefined) return;
    const key = `${name}\u0000${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    const before = this.pending.get(key);
    const total: HistogramSample =
      before === undefined || !sameBounds(before, sample)
        ? sample
        : {
            labels: sample.labels,
            count: before.count + sample.count,
            sum: before.sum + sample.sum,
            buckets: before.buckets.map((bucket, index) => ({
              le: bucket.le,
              count: bucket.count + sample.buckets[index].count,
            })),
          };
    this.pending.set(key, total);
    // Made with the sample's bounds: after a send the SDK reports an empty histogram with the bounds it was made
    // with, and Unleash starts a histogram over when the bounds change.
    const bounds = total.buckets.flatMap((bucket) => (bucket.le === '+Inf' ? [] : [bucket.le]));
    registry.histogram({ name, help, buckets: bounds }).restore({ ...total, buckets: [...total.buckets] });
  }

  /** A send reached Unleash: what it carried is not added to again. */
  sent(): void {
    this.pending.clear();
  }
}

function sameBounds(a: HistogramSample, b: HistogramSample): boolean {
  return (
    a.buckets.length === b.buckets.length && a.buckets.every((bucket, i) => bucket.le === b.buckets[i].le)
  );
}
