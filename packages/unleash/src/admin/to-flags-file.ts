// Unleash → a flags file: each flag in the shortest short-format form that compiles back to exactly what Unleash
// has, checked by compiling it; a flag no short form reproduces is written in Unleash's own shape (`unleash:`).
import {
  type ConditionSpec,
  compileFlagsFile,
  type DependencySpec,
  type FlagSpec,
  type FlagsFileSpec,
  type PayloadSpec,
  type RuleSpec,
  type VariantSpec,
  type WhenSpec,
} from '@flagwise/core';
import { stringify } from 'yaml';
import {
  comparable,
  type SyncConstraint,
  type SyncFlag,
  type SyncSegment,
  type SyncState,
  type SyncStrategy,
  type SyncVariant,
  sameValue,
  stateFromDefinitions,
} from './flag-state.js';

const SHORT_OPERATORS: Record<string, string> = {
  IN: 'in',
  NOT_IN: 'not',
  STR_CONTAINS: 'contains',
  STR_STARTS_WITH: 'starts_with',
  STR_ENDS_WITH: 'ends_with',
  NUM_EQ: 'eq',
  NUM_GT: 'gt',
  NUM_GTE: 'gte',
  NUM_LT: 'lt',
  NUM_LTE: 'lte',
  DATE_AFTER: 'after',
  DATE_BEFORE: 'before',
  SEMVER_EQ: 'semver_eq',
  SEMVER_GT: 'semver_gt',
  SEMVER_LT: 'semver_lt',
  SEMVER_GTE: 'semver_gte',
  SEMVER_LTE: 'semver_lte',
  REGEX: 'regex',
};

/** Keys a flags file may hold that Unleash does not store; pull keeps them from the file it replaces. */
const LOCAL_ONLY_KEYS = ['browser', 'expires', 'owner'] as const;

type WhenStyle = 'readable' | 'raw';

function rawConstraint(constraint: SyncConstraint): Record<string, unknown> {
  const raw: Record<string, unknown> = { contextName: constraint.contextName, operator: constraint.operator };
  if (constraint.value !== undefined) raw.value = constraint.value;
  else raw.values = constraint.values;
  if (constraint.inverted) raw.inverted = true;
  if (constraint.caseInsensitive) raw.caseInsensitive = true;
  return raw;
}

function readableCondition(constraint: SyncConstraint): ConditionSpec | undefined {
  const operator = SHORT_OPERATORS[constraint.operator];
  if (!operator) return undefined;
  if (constraint.operator === 'IN' && !constraint.inverted && !constraint.caseInsensitive) {
    return constraint.values;
  }
  const condition: Record<string, unknown> = {
    [operator]: constraint.value !== undefined ? constraint.value : constraint.values,
  };
  if (constraint.caseInsensitive) condition.case_insensitive = true;
  if (constraint.inverted) condition.inverted = true;
  return condition as ConditionSpec;
}

/** Constraints → `when:`, a readable map when each field appears once, else Unleash's list. */
export function whenOf(constraints: SyncConstraint[], style: WhenStyle = 'readable'): WhenSpec | undefined {
  if (constraints.length === 0) return undefined;
  const fields = new Set(constraints.map((constraint) => constraint.contextName));
  if (style === 'readable' && fields.size === constraints.length) {
    const when: Record<string, ConditionSpec> = {};
    for (const constraint of constraints) {
      const condition = readableCondition(constraint);
      if (condition === undefined) return constraints.map(rawConstraint) as unknown as WhenSpec;
      when[constraint.contextName] = condition;
    }
    return when;
  }
  return constraints.map(rawConstraint) as unknown as WhenSpec;
}

function payloadOf(payload: { type: string; value: string }): PayloadSpec {
  if (payload.type === 'string') return payload.value;
  if (payload.type === 'number' && String(Number(payload.value)) === payload.value)
    return Number(payload.value);
  if (payload.type === 'json') {
    try {
      const parsed = JSON.parse(payload.value) as unknown;
      if (typeof parsed === 'object' && parsed !== null && JSON.stringify(parsed) === payload.value) {
        return parsed as PayloadSpec;
      }
    } catch {
      // not JSON: written as Unleash has it
    }
  }
  return { type: payload.type as 'string', value: payload.value };
}

function variantsOf(variants: SyncVariant[], stickiness: string): Record<string, number | VariantSpec> {
  const spec: Record<string, number | VariantSpec> = {};
  for (const variant of variants) {
    const weight = variant.weight / 10;
    const short: VariantSpec = { weight };
    if (variant.payload) short.payload = payloadOf(variant.payload);
    if (variant.stickiness !== stickiness) short.stickiness = variant.stickiness;
    const [first, ...others] = variant.overrides;
    if (first && others.length === 0 && first.contextName === 'userId') short.users = first.values;
    else if (first) {
      short.overrides = Object.fromEntries(variant.overrides.map((o) => [o.contextName, o.values]));
    }
    spec[variant.name] = Object.keys(short).length === 1 ? weight : short;
  }
  return spec;
}

/** The variants' own stickiness when they share one; else `default`. */
function sharedStickiness(variants: SyncVariant[]): string {
  const first = variants[0]?.stickiness;
  return first !== undefined && variants.every((variant) => variant.stickiness === first) ? first : 'default';
}

function isRolloutRule(strategy: SyncStrategy): boolean {
  const keys = Object.keys(strategy.parameters).sort().join(',');
  const rollout = strategy.parameters.rollout;
  return (
    strategy.name === 'flexibleRollout' &&
    keys === 'groupId,rollout,stickiness' &&
    /^(100|[1-9]?\d)$/.test(rollout ?? '')
  );
}

function isUsersRule(strategy: SyncStrategy): boolean {
  return strategy.name === 'userWithId' && Object.keys(strategy.parameters).join(',') === 'userIds';
}

function userIds(strategy: SyncStrategy): string[] {
  return strategy.parameters.userIds.split(',');
}

function ruleOf(strategy: SyncStrategy, flagName: string, style: WhenStyle): RuleSpec {
  const rule: RuleSpec = {};
  let variantStickiness = 'default';
  if (isRolloutRule(strategy)) {
    const { rollout, stickiness, groupId } = strategy.parameters;
    if (rollout !== '100') rule.rollout = Number(rollout);
    if (stickiness !== 'default') rule.stickiness = stickiness;
    if (groupId !== flagName) rule.groupId = groupId;
    variantStickiness = stickiness;
  } else if (isUsersRule(strategy)) {
    rule.users = userIds(strategy);
  } else {
    rule.strategy = strategy.name;
    if (Object.keys(strategy.parameters).length > 0) rule.parameters = strategy.parameters;
  }
  const when = whenOf(strategy.constraints, style);
  if (when) rule.when = when;
  if (strategy.segments.length > 0) rule.segments = strategy.segments;
  if (strategy.variants.length > 0) rule.variants = variantsOf(strategy.variants, variantStickiness);
  if (strategy.title) rule.title = strategy.title;
  return rule;
}

function requiresOf(flag: SyncFlag): FlagSpec['requires'] {
  const list = flag.dependencies.map((dependency): string | DependencySpec => {
    if (!dependency.enabled) return { flag: dependency.feature, enabled: false };
    if (dependency.variants.length > 0) return { flag: dependency.feature, variants: dependency.variants };
    return dependency.feature;
  });
  if (list.length === 0) return undefined;
  return list.length === 1 && typeof list[0] === 'string' ? list[0] : list;
}

/** The short form of a flag, or undefined when it has nothing the short keys can hold. */
function shortFlag(flag: SyncFlag, style: WhenStyle): boolean | FlagSpec {
  const spec: FlagSpec = {};
  if (!flag.enabled) spec.enabled = false;
  if (flag.description) spec.description = flag.description;
  if (flag.type !== 'release') spec.type = flag.type;
  if (flag.impressionData) spec.impressionData = true;
  if (flag.tags.length > 0) spec.tags = flag.tags;
  const requires = requiresOf(flag);
  if (requires !== undefined) spec.requires = requires;

  let strategies = flag.strategies;
  const first = strategies[0];
  if (
    first &&
    isUsersRule(first) &&
    first.constraints.length === 0 &&
    first.segments.length === 0 &&
    first.variants.length === 0 &&
    !first.title
  ) {
    spec.users = userIds(first);
    strategies = strategies.slice(1);
  }
  let variantStickiness = sharedStickiness(flag.variants);
  const only = strategies.length === 1 ? strategies[0] : undefined;
  if (only && isRolloutRule(only) && only.variants.length === 0 && !only.title) {
    const { rollout, stickiness, groupId } = only.parameters;
    // with users: listed, rollout must be written or the flag would only be on for those users
    if (rollout !== '100' || spec.users !== undefined) spec.rollout = Number(rollout);
    if (stickiness !== 'default') spec.stickiness = stickiness;
    if (groupId !== flag.name) spec.groupId = groupId;
    const when = whenOf(only.constraints, style);
    if (when) spec.when = when;
    if (only.segments.length > 0) spec.segments = only.segments;
    variantStickiness = stickiness;
  } else if (strategies.length > 0) {
    spec.rules = strategies.map((strategy) => ruleOf(strategy, flag.name, style));
    if (variantStickiness !== 'default') spec.stickiness = variantStickiness;
  }
  if (flag.variants.length > 0) spec.variants = variantsOf(flag.variants, variantStickiness);
  if (Object.keys(spec).length === 0) return true;
  if (Object.keys(spec).length === 1 && spec.enabled === false && flag.strategies.length === 0) return false;
  return spec;
}

/** Unleash's own shape, with segments by name. */
function unleashShapedFlag(flag: SyncFlag): FlagSpec {
  const definition: Record<string, unknown> = {
    enabled: flag.enabled,
    type: flag.type,
    description: flag.description,
    impressionData: flag.impressionData,
    strategies: flag.strategies.map((strategy) => {
      const raw: Record<string, unknown> = {
        name: strategy.name,
        parameters: strategy.parameters,
        constraints: strategy.constraints.map(rawConstraint),
      };
      if (strategy.segments.length > 0) raw.segments = strategy.segments;
      if (strategy.variants.length > 0) raw.variants = strategy.variants.map(rawVariant);
      if (strategy.title) raw.title = strategy.title;
      return raw;
    }),
    variants: flag.variants.map(rawVariant),
  };
  if (flag.dependencies.length > 0) definition.dependencies = flag.dependencies;
  const spec: Record<string, unknown> = { unleash: definition };
  if (flag.tags.length > 0) spec.tags = flag.tags;
  return spec as FlagSpec;
}

function rawVariant(variant: SyncVariant): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    name: variant.name,
    weight: variant.weight,
    stickiness: variant.stickiness,
  };
  if (variant.payload) raw.payload = variant.payload;
  if (variant.overrides.length > 0) raw.overrides = variant.overrides;
  return raw;
}

function segmentsSpec(segments: SyncSegment[], style: WhenStyle): Record<string, WhenSpec> {
  return Object.fromEntries(
    segments.map((segment) => [segment.name, whenOf(segment.constraints, style) ?? {}]),
  );
}

/** Does this written flag compile back to exactly the flag Unleash has? */
function reproduces(spec: boolean | FlagSpec, flag: SyncFlag, segments: Record<string, WhenSpec>): boolean {
  try {
    const compiled = stateFromDefinitions(compileFlagsFile({ segments, flags: { [flag.name]: spec } }));
    return compiled.flags.length === 1 && sameValue(comparable(compiled.flags[0]), comparable(flag));
  } catch {
    return false;
  }
}

/**
 * What toFlagsFile() returns: the file as an object, and what the reader should know (flags written in
 * Unleash's shape, strategies Unleash keeps switched off, which the file leaves out).
 * @example
 * const { file, warnings } = toFlagsFile(state);
 */
export interface PulledFlagsFile {
  file: FlagsFileSpec;
  /** flags written as `unleash:` because no short form reproduces them */
  unleashShaped: string[];
  warnings: string[];
}

/**
 * Flags (as read from Unleash) → a short-format flags file that evaluates exactly as Unleash serves them.
 * `existing` is the file being replaced: its local-only keys (`browser`, …) are kept for flags that stay.
 * @example
 * const { file } = toFlagsFile(await readRemoteState(client, scope));
 * writeFileSync('flags.yaml', stringifyFlagsFile(file, 'flags.yaml'));
 */
export function toFlagsFile(
  state: SyncState & { flags: (SyncFlag & { disabledStrategies?: number })[] },
  existing?: FlagsFileSpec,
): PulledFlagsFile {
  const used = new Set(
    state.flags.flatMap((flag) => flag.strategies.flatMap((strategy) => strategy.segments)),
  );
  const segments = state.segments.filter((segment) => used.has(segment.name));
  const warnings: string[] = [];
  let segmentSpec = segmentsSpec(segments, 'readable');
  const rawSegments = segmentsSpec(segments, 'raw');
  for (const segment of segments) {
    const readable = { [segment.name]: segmentSpec[segment.name] };
    if (!reproducesSegment(readable, segment))
      segmentSpec = { ...segmentSpec, [segment.name]: rawSegments[segment.name] };
    if (!reproducesSegment({ [segment.name]: segmentSpec[segment.name] }, segment)) {
      warnings.push(
        `segment "${segment.name}" has constraints the flags file cannot hold (see its when:); fix them in Unleash`,
      );
    }
  }

  const flags: Record<string, boolean | FlagSpec> = {};
  const unleashShaped: string[] = [];
  for (const flag of state.flags) {
    const candidates = [shortFlag(flag, 'readable'), shortFlag(flag, 'raw')];
    let chosen = candidates.find((candidate) => reproduces(candidate, flag, segmentSpec));
    if (chosen === undefined) {
      chosen = unleashShapedFlag(flag);
      unleashShaped.push(flag.name);
    }
    const local = existing?.flags?.[flag.name];
    if (typeof local === 'object' && local !== null) {
      const kept = Object.fromEntries(
        LOCAL_ONLY_KEYS.filter((key) => key in local).map((key) => [
          key,
          (local as Record<string, unknown>)[key],
        ]),
      );
      if (Object.keys(kept).length > 0) {
        chosen = { ...(typeof chosen === 'object' ? chosen : chosen ? {} : { enabled: false }), ...kept };
      }
    }
    flags[flag.name] = chosen;
    if (flag.disabledStrategies) {
      warnings.push(
        `${flag.name}: ${flag.disabledStrategies} strategy(ies) switched off in Unleash are left out of the file ` +
          '(they are never evaluated, and push leaves them alone)',
      );
    }
  }
  const file: FlagsFileSpec = { flags };
  if (segments.length > 0) file.segments = segmentSpec;
  return { file, unleashShaped, warnings };
}

function reproducesSegment(spec: Record<string, WhenSpec>, segment: SyncSegment): boolean {
  try {
    const compiled = stateFromDefinitions(compileFlagsFile({ segments: spec, flags: {} }));
    return sameValue(compiled.segments[0]?.constraints, segment.constraints);
  } catch {
    return false;
  }
}

/**
 * The file's text: YAML (with a header comment), or JSON when the path ends in `.json`.
 * @example
 * writeFileSync('flags.yaml', stringifyFlagsFile(file, 'flags.yaml', 'pulled from Unleash'));
 */
export function stringifyFlagsFile(file: FlagsFileSpec, path: string, header?: string): string {
  if (/\.json$/i.test(path)) return `${JSON.stringify(file, null, 2)}\n`;
  const comment = header ? `${header.replace(/^/gm, '# ')}\n` : '';
  return comment + stringify(file, { lineWidth: 0, aliasDuplicateObjects: false });
}
