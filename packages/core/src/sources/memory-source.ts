// Flags held in memory and changed at run time: tests, admin tools, and the @flagwise/testing helpers.
import { ConfigurationError } from '../errors.js';
import { compileFlag } from '../flags-file/compile-short-format.js';
import { IssueCollector } from '../flags-file/issues.js';
import type { FlagSpec } from '../flags-file/short-format-types.js';
import type { ClientFeaturesPayload, FeatureDefinition, FlagSource, SourceStartContext } from '../types.js';
import { definitionsFromInput, type FlagsInput, freezeDefinitions } from './in-code-definitions.js';
import { BaseSource } from './source-base.js';

/**
 * What `set()` accepts for one flag.
 * @example
 * const value: MemoryFlagValue = { variant: 'short' };
 */
export type MemoryFlagValue = boolean | { variant: string } | FlagSpec | FeatureDefinition;

/**
 * A source whose flags change at run time; each change is visible to the next read.
 * @example
 * const source: MemorySource = memorySource();
 * source.set('new-pricing', true);
 */
export interface MemorySource extends FlagSource {
  /**
   * Defines or replaces one flag: `true` (on for everyone), `false` (off), `{ variant: 'short' }` (on with
   * that one variant), a flag object as in flags.yaml, or an Unleash FeatureDefinition.
   * Throws a ConfigurationError for anything else.
   */
  set(name: string, value: MemoryFlagValue): void;
  /** Removes a flag; reading it afterwards gives the default. Returns whether it existed. */
  remove(name: string): boolean;
  /** Replaces every flag (and segment) at once. */
  replace(definitionsOrFlags: FlagsInput): void;
  /** Back to the flags the source was created with. */
  reset(): void;
}

const EMPTY: ClientFeaturesPayload = freezeDefinitions({ version: 2, features: [], segments: [] });

const ACCEPTED =
  "set() accepts true, false, { variant: 'name' }, a flag object as in flags.yaml ({ rollout: 10, users: ['qa-1'] }) " +
  'or an Unleash FeatureDefinition ({ name, enabled, strategies })';

/**
 * Flags in memory, changeable at run time. Each change emits `definitions` synchronously.
 * @example
 * const source = memorySource({ flags: { 'new-pricing': false } });
 * const flags = createFlags({ source });
 * source.set('new-pricing', true);
 * source.set('checkout-copy', { variant: 'short' });
 */
export function memorySource(initial?: FlagsInput): MemorySource {
  return new InMemorySource(initial);
}

class InMemorySource extends BaseSource implements MemorySource {
  readonly name = 'memory';
  private readonly initial: ClientFeaturesPayload;

  constructor(initial?: FlagsInput) {
    super();
    this.initial =
      initial === undefined ? EMPTY : definitionsFromInput(initial, 'memorySource(initial)').definitions;
    this.setInitial(this.initial);
  }

  async start(context: SourceStartContext): Promise<void> {
    this.logger = context.logger;
    this.setStatus('ready');
  }

  async stop(): Promise<void> {}

  set(name: string, value: MemoryFlagValue): void {
    if (typeof name !== 'string' || name === '') {
      throw new ConfigurationError(
        `memorySource().set(name, value): name must be a flag name; got ${String(name)}`,
      );
    }
    const definitions = this.definitionsNow();
    const feature = this.toFeature(name, value, definitions);
    const features = definitions.features.filter((existing) => existing.name !== name);
    const index = definitions.features.findIndex((existing) => existing.name === name);
    if (index === -1) features.push(feature);
    else features.splice(index, 0, feature);
    this.publish(freezeDefinitions({ ...definitions, features }));
  }

  remove(name: string): boolean {
    const definitions = this.definitionsNow();
    const features = definitions.features.filter((existing) => existing.name !== name);
    if (features.length === definitions.features.length) return false;
    this.publish(freezeDefinitions({ ...definitions, features }));
    return true;
  }

  replace(definitionsOrFlags: FlagsInput): void {
    const { definitions, warnings } = definitionsFromInput(definitionsOrFlags, 'memorySource().replace()');
    this.publish(definitions);
    for (const warning of warnings) this.emitWarning(`memorySource(): ${warning}`);
  }

  reset(): void {
    this.publish(this.initial);
  }

  private definitionsNow(): ClientFeaturesPayload {
    return this.current() ?? EMPTY;
  }

  private toFeature(
    name: string,
    value: MemoryFlagValue,
    definitions: ClientFeaturesPayload,
  ): FeatureDefinition {
    const call = `memorySource().set('${name}', …)`;
    if (isFeatureDefinition(value)) {
      if (value.name !== name) {
        throw new ConfigurationError(
          `${call}: the FeatureDefinition is named "${value.name}"; use the same name`,
        );
      }
      if (
        typeof value.enabled !== 'boolean' ||
        (value.strategies !== undefined && !Array.isArray(value.strategies))
      ) {
        throw new ConfigurationError(
          `${call}: a FeatureDefinition needs enabled: true|false and strategies: [...]; ${ACCEPTED}`,
        );
      }
      return value;
    }
    if (typeof value !== 'boolean' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ConfigurationError(`${call}: got ${String(value)}; ${ACCEPTED}`);
    }
    const issues = new IssueCollector();
    const warnings: string[] = [];
    const segmentIds = new Map<string, number>();
    for (const segment of definitions.segments ?? [])
      if (segment.name) segmentIds.set(segment.name, segment.id);
    const flagNames = new Set(definitions.features.map((feature) => feature.name)).add(name);
    const feature = compileFlag(name, value, ['flags', name], issues, { segmentIds, flagNames, warnings });
    if (!feature || !issues.ok) {
      throw new ConfigurationError(
        `${call}: ${issues.issues.map((issue) => issue.message).join('; ')}. ${ACCEPTED}`,
      );
    }
    for (const warning of warnings) this.emitWarning(`memorySource(): ${warning}`);
    return feature;
  }
}

function isFeatureDefinition(value: unknown): value is FeatureDefinition {
  return (
    typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
  );
}
