// unleash-client 6.12.2, run offline: its `repository` option gets an in-memory repository whose payload can be
// swapped between evaluations, metrics are disabled, nothing touches the network.
import { EventEmitter } from 'node:events';
import type { ClientFeaturesPayload, FlagContext, VariantResult } from '@flagwise/core';
import { Strategy, Unleash } from 'unleash-client';

/** A repository that serves whatever payload it was last given, as unleash-client's Repository would. */
class SwappableRepository extends EventEmitter {
  private toggles: Record<string, unknown> = {};
  private segments = new Map<unknown, unknown>();

  load(payload: ClientFeaturesPayload): void {
    // the same shapes as Repository.convertToMap / createSegmentLookup: last definition of a name wins
    const toggles: Record<string, unknown> = {};
    for (const feature of payload.features) toggles[feature.name] = feature;
    this.toggles = toggles;
    this.segments = new Map((payload.segments ?? []).map((segment) => [segment.id, segment]));
  }
  async start(): Promise<void> {
    this.emit('ready');
    this.emit('changed', Object.values(this.toggles));
  }
  stop(): void {}
  getToggle(name: string): unknown {
    return this.toggles[name];
  }
  getToggles(): unknown[] {
    return Object.values(this.toggles);
  }
  getTogglesWithSegmentData(): unknown[] {
    return this.getToggles();
  }
  getSegment(id: unknown): unknown {
    return this.segments.get(id);
  }
  getMode(): string {
    return 'polling';
  }
  async setMode(): Promise<void> {}
}

export interface OfflineUnleash {
  load(payload: ClientFeaturesPayload): void;
  isEnabled(name: string, context: FlagContext): boolean;
  getVariant(name: string, context: FlagContext): VariantResult;
  /** warnings unleash-client emitted (missing strategies, ...) */
  readonly warnings: string[];
  destroy(): void;
}

/** The shape of a custom strategy both sides register in the differential test. */
export interface SharedCustomStrategy {
  name: string;
  isEnabled(parameters: Record<string, unknown>, context: FlagContext): boolean;
}

/**
 * Starts unleash-client offline with the given static context and custom strategies.
 * @example
 * const unleash = await startOfflineUnleash({ appName: 'app', environment: 'production' });
 * unleash.load(payload); unleash.isEnabled('flag', { userId: '1' });
 */
export async function startOfflineUnleash(
  staticContext: { appName: string; environment?: string },
  customStrategies: readonly SharedCustomStrategy[] = [],
): Promise<OfflineUnleash> {
  const repository = new SwappableRepository();
  const strategies = customStrategies.map((custom) => {
    const strategy = new Strategy(custom.name);
    strategy.isEnabled = (parameters: unknown, context: unknown) =>
      custom.isEnabled(parameters as Record<string, unknown>, context as FlagContext);
    return strategy;
  });
  const unleash = new Unleash({
    appName: staticContext.appName,
    environment: staticContext.environment,
    url: 'http://127.0.0.1:9/api/',
    disableMetrics: true,
    disableAutoStart: true,
    skipInstanceCountWarning: true,
    // the repository option is typed as unleash-client's own class; ours has the same surface
    repository: repository as any,
    strategies,
  });
  const warnings: string[] = [];
  unleash.on('warn', (message: unknown) => warnings.push(String(message)));
  unleash.on('error', () => {});
  await unleash.start();
  return {
    load: (payload) => repository.load(payload),
    isEnabled: (name, context) => unleash.isEnabled(name, context as never),
    getVariant: (name, context) => unleash.getVariant(name, context as never) as unknown as VariantResult,
    warnings,
    destroy: () => unleash.destroy(),
  };
}
