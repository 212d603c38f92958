// The one shape pull, diff and push compare: what Unleash stores for a flag in one project and environment, with
// defaults filled in, values as strings and segments by name, so a flags file and the server's answer compare
// field by field. Weight types are left out: they only say how Unleash computes weights, and the weights are kept.
import type {
  ClientFeaturesPayload,
  ConstraintDefinition,
  DependencyDefinition,
  FeatureDefinition,
  StrategyDefinition,
  VariantDefinition,
} from '@flagwise/core';
import { ConfigurationError, isSingleValueOperator } from '@flagwise/core';
import type { AdminConstraint, AdminFeature, AdminSegment, AdminTag, AdminVariant } from './admin-client.js';

/** A constraint with Unleash's defaults filled in. */
export interface SyncConstraint {
  contextName: string;
  operator: string;
  values: string[];
  value?: string;
  inverted: boolean;
  caseInsensitive: boolean;
}

export interface SyncVariant {
  name: string;
  /** out of 1000 */
  weight: number;
  stickiness: string;
  payload?: { type: string; value: string };
  overrides: { contextName: string; values: string[] }[];
}

export interface SyncStrategy {
  name: string;
  title: string | null;
  parameters: Record<string, string>;
  constraints: SyncConstraint[];
  /** segment names, sorted */
  segments: string[];
  variants: SyncVariant[];
}

export interface SyncDependency {
  feature: string;
  enabled: boolean;
  variants: string[];
}

/**
 * One flag in one environment, as the sync compares it.
 * @example
 * const flag: SyncFlag = { name: 'dark-mode', type: 'release', description: null, impressionData: false, enabled: true, strategies: [], variants: [], dependencies: [], tags: [] };
 */
export interface SyncFlag {
  name: string;
  type: string;
  description: string | null;
  impressionData: boolean;
  enabled: boolean;
  strategies: SyncStrategy[];
  variants: SyncVariant[];
  dependencies: SyncDependency[];
  /** `type:value`, sorted */
  tags: string[];
}

export interface SyncSegment {
  name: string;
  constraints: SyncConstraint[];
}

/**
 * Flags and the segments they use, from a flags file or from Unleash.
 * @example
 * const state: SyncState = stateFromDefinitions(parseFlagsFile(text, 'flags.yaml').definitions);
 */
export interface SyncState {
  flags: SyncFlag[];
  segments: SyncSegment[];
}

/** A flag read from Unleash, with what writes need: strategy ids in the same order as `strategies`. */
export interface RemoteFlag extends SyncFlag {
  strategyIds: string[];
  /** strategies switched off in Unleash: never evaluated, never touched by push */
  disabledStrategies: number;
}

export interface RemoteSegment extends SyncSegment {
  id: number;
}

/** The project and environment as read from Unleash. */
export interface RemoteState {
  project: string;
  environment: string;
  flags: RemoteFlag[];
  /** every segment Unleash has (segments are global in open-source Unleash) */
  segments: RemoteSegment[];
  /** the strategy types Unleash accepts; push defines the missing ones the file uses */
  strategyTypes: string[];
}

export function syncConstraint(constraint: ConstraintDefinition | AdminConstraint): SyncConstraint {
  const result: SyncConstraint = {
    contextName: constraint.contextName,
    operator: constraint.operator,
    values: [],
    inverted: constraint.inverted ?? false,
    caseInsensitive: constraint.caseInsensitive ?? false,
  };
  if (isSingleValueOperator(constraint.operator)) {
    result.value = String(constraint.value ?? constraint.values?.[0] ?? '');
  } else {
    result.values = (constraint.values ?? []).map(String);
    if (constraint.value !== undefined && constraint.value !== null && result.values.length === 0) {
      result.value = String(constraint.value);
    }
  }
  return result;
}

export function syncVariant(variant: VariantDefinition | AdminVariant): SyncVariant {
  const result: SyncVariant = {
    name: variant.name,
    weight: Number(variant.weight),
    stickiness: variant.stickiness || 'default',
    overrides: (variant.overrides ?? []).map((override) => ({
      contextName: override.contextName,
      values: override.values.map(String),
    })),
  };
  if (variant.payload) result.payload = { type: variant.payload.type, value: String(variant.payload.value) };
  return result;
}

function syncParameters(parameters: Record<string, string | number | undefined> | undefined) {
  const result: Record<string, string> = {};
  for (const key of Object.keys(parameters ?? {}).sort()) {
    const value = parameters?.[key];
    if (value !== undefined && value !== null) result[key] = String(value);
  }
  return result;
}

function syncDependencies(dependencies: DependencyDefinition[] | undefined): SyncDependency[] {
  return (dependencies ?? [])
    .map((dependency) => {
      const enabled = dependency.enabled ?? true;
      return {
        feature: dependency.feature,
        enabled,
        variants: enabled ? [...(dependency.variants ?? [])] : [],
      };
    })
    .sort((a, b) => a.feature.localeCompare(b.feature));
}

export function tagText(tag: AdminTag): string {
  return `${tag.type}:${tag.value}`;
}

function syncStrategy(
  strategy: StrategyDefinition | AdminFeatureStrategy,
  segmentName: (id: number) => string,
): SyncStrategy {
  return {
    name: strategy.name,
    title: strategy.title || null,
    parameters: syncParameters(strategy.parameters),
    constraints: (strategy.constraints ?? []).map(syncConstraint),
    segments: [...new Set((strategy.segments ?? []).map(segmentName))].sort(),
    variants: (strategy.variants ?? []).map(syncVariant),
  };
}

type AdminFeatureStrategy = NonNullable<
  NonNullable<AdminFeature['environments']>[number]['strategies']
>[number];

/**
 * A flags file's definitions → the state push aims for. Segments must have names (Unleash finds them by name).
 * @throws ConfigurationError when a strategy names a segment the file does not define, or a segment has no name
 * @example
 * const desired = stateFromDefinitions(compileFlagsFile({ flags: { 'dark-mode': true } }));
 */
export function stateFromDefinitions(definitions: ClientFeaturesPayload): SyncState {
  const names = new Map<number, string>();
  for (const segment of definitions.segments ?? []) {
    if (!segment.name) {
      throw new ConfigurationError(
        `segment ${segment.id} has no name: Unleash keeps segments by name, so give it one ("name": "beta-testers")`,
      );
    }
    names.set(segment.id, segment.name);
  }
  const segmentName = (flag: string) => (id: number) => {
    const name = names.get(id);
    if (name === undefined) {
      throw new ConfigurationError(`flag "${flag}" uses segment ${id}, which the file does not define`);
    }
    return name;
  };
  const flags = definitions.features.map(
    (feature: FeatureDefinition): SyncFlag => ({
      name: feature.name,
      type: feature.type ?? 'release',
      description: feature.description || null,
      impressionData: feature.impressionData ?? false,
      enabled: feature.enabled,
      strategies: (feature.strategies ?? [])
        .filter((strategy) => !strategy.disabled)
        .map((strategy) => syncStrategy(strategy, segmentName(feature.name))),
      variants: (feature.variants ?? []).map(syncVariant),
      dependencies: syncDependencies(feature.dependencies),
      tags: (feature.tags ?? []).map(tagText).sort(),
    }),
  );
  const segments = (definitions.segments ?? []).map((segment) => ({
    name: segment.name as string,
    constraints: segment.constraints.map(syncConstraint),
  }));
  return { flags, segments };
}

/** One flag from the admin API's answers → the compared shape, with strategy ids for writes. */
export function remoteFlag(
  feature: AdminFeature,
  environment: string,
  variants: AdminVariant[],
  tags: AdminTag[],
  segments: ReadonlyMap<number, string>,
): RemoteFlag {
  const inEnvironment = feature.environments?.find((entry) => entry.name === environment);
  const strategies = [...(inEnvironment?.strategies ?? [])].sort(
    (a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0),
  );
  const live = strategies.filter((strategy) => !strategy.disabled);
  return {
    name: feature.name,
    type: feature.type ?? 'release',
    description: feature.description || null,
    impressionData: feature.impressionData ?? false,
    enabled: inEnvironment?.enabled ?? false,
    strategies: live.map((strategy) => syncStrategy(strategy, (id) => segments.get(id) ?? `#${id}`)),
    strategyIds: live.map((strategy) => strategy.id),
    disabledStrategies: strategies.length - live.length,
    variants: variants.map(syncVariant),
    dependencies: syncDependencies(feature.dependencies),
    tags: tags.map(tagText).sort(),
  };
}

export function remoteSegment(segment: AdminSegment): RemoteSegment {
  return { id: segment.id, name: segment.name, constraints: segment.constraints.map(syncConstraint) };
}

/** The compared fields only (no ids), for equality checks. */
export function comparable(flag: SyncFlag): SyncFlag {
  return {
    name: flag.name,
    type: flag.type,
    description: flag.description,
    impressionData: flag.impressionData,
    enabled: flag.enabled,
    strategies: flag.strategies,
    variants: flag.variants,
    dependencies: flag.dependencies,
    tags: flag.tags,
  };
}

/** Deep equality of plain JSON values, key order ignored. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const list = b as unknown[];
    return a.length === list.length && a.every((item, index) => sameValue(item, list[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (!sameValue(left[key], right[key])) return false;
  }
  return true;
}

/** The state as Unleash definitions (segment ids by order), for evaluating a state with the core engine. */
export function definitionsFromState(state: SyncState): ClientFeaturesPayload {
  const ids = new Map(state.segments.map((segment, index) => [segment.name, index + 1]));
  const constraint = (c: SyncConstraint): ConstraintDefinition => ({ ...c, values: [...c.values] });
  return {
    version: 2,
    segments: state.segments.map((segment, index) => ({
      id: index + 1,
      name: segment.name,
      constraints: segment.constraints.map(constraint),
    })),
    features: state.flags.map((flag) => {
      const feature: FeatureDefinition = {
        name: flag.name,
        type: flag.type,
        enabled: flag.enabled,
        description: flag.description,
        impressionData: flag.impressionData,
        strategies: flag.strategies.map((strategy) => {
          const result: StrategyDefinition = {
            name: strategy.name,
            parameters: { ...strategy.parameters },
            constraints: strategy.constraints.map(constraint),
            variants: strategy.variants.map((variant) => ({ ...variant })),
          };
          const segments = strategy.segments.map((name) => ids.get(name) ?? 0);
          if (segments.length > 0) result.segments = segments;
          if (strategy.title) result.title = strategy.title;
          return result;
        }),
        variants: flag.variants.map((variant) => ({ ...variant })),
      };
      if (flag.dependencies.length > 0) feature.dependencies = flag.dependencies;
      if (flag.tags.length > 0) {
        feature.tags = flag.tags.map((tag) => {
          const colon = tag.indexOf(':');
          return { type: tag.slice(0, colon), value: tag.slice(colon + 1) };
        });
      }
      return feature;
    }),
  };
}
