// What changed between two sets of definitions, flag by flag and field by field: the `changed` event's payload,
// what an audit log records, and what the dashboard's recent-changes list shows.
import type { CompiledFlags } from '../engine/index.js';
import { runSteps, type Steps } from '../engine/steps.js';
import type {
  ClientFeaturesPayload,
  ConstraintDefinition,
  FeatureDefinition,
  StrategyDefinition,
  VariantDefinition,
} from '../types.js';
import { sameJson } from './same-json.js';

/** One field of one flag that changed, with a sentence for people: `rollout 10 → 50`. */
export interface FieldChange {
  /** where in the definition, e.g. `enabled`, `strategies[1]`, `strategies[0].parameters.rollout`, `variants.blue` */
  field: string;
  /** the value before (absent when the field was added) */
  before?: unknown;
  /** the value after (absent when the field was removed) */
  after?: unknown;
  /** e.g. `enabled → disabled`, `strategy 2 added: userWithId [alice, bob]` */
  text: string;
}

/** One flag that was added, removed or changed, with its field changes. */
export interface FlagChange {
  flag: string;
  kind: 'added' | 'removed' | 'changed';
  changes: FieldChange[];
}

/** A per-flag diff between two sets of definitions: the names by kind, and the field-level diff of each. */
export interface FlagsChange {
  added: string[];
  removed: string[];
  changed: string[];
  /** every added, removed and changed flag, with what changed in it */
  flags: FlagChange[];
}

type Segments = Map<unknown, { name?: unknown; constraints?: ConstraintDefinition[] } | undefined>;

/**
 * The diff between two compiled snapshots. A flag also changes when a segment it uses does.
 * @example
 * diffDefinitions(before, after).flags[0].changes[0].text // 'rollout 10 → 50'
 */
export function diffDefinitions(before: CompiledFlags, after: CompiledFlags): FlagsChange {
  return runSteps(diffDefinitionsInSteps(before, after));
}

/**
 * diffDefinitions() as steps, one flag each, for large sets diffed across event-loop turns.
 * @example
 * const change = runSteps(diffDefinitionsInSteps(before, after));
 */
export function* diffDefinitionsInSteps(before: CompiledFlags, after: CompiledFlags): Steps<FlagsChange> {
  const change: FlagsChange = { added: [], removed: [], changed: [], flags: [] };
  const segmentsBefore = segmentsById(before.definitions);
  const segmentsAfter = segmentsById(after.definitions);
  for (const name of after.names()) {
    yield;
    const old = before.feature(name);
    const now = after.feature(name);
    if (!old) {
      change.added.push(name);
      change.flags.push({
        flag: name,
        kind: 'added',
        changes: [{ field: '', after: now, text: describeNew(now) }],
      });
    } else if (!sameDefinition(old, now, segmentsBefore, segmentsAfter)) {
      change.changed.push(name);
      const fields = diffFeature(old, now ?? ({} as FeatureDefinition), segmentsBefore, segmentsAfter);
      change.flags.push({ flag: name, kind: 'changed', changes: fields });
    }
  }
  for (const name of before.names()) {
    yield;
    if (after.has(name)) continue;
    change.removed.push(name);
    change.flags.push({
      flag: name,
      kind: 'removed',
      changes: [{ field: '', before: before.feature(name), text: 'removed' }],
    });
  }
  return change;
}

function segmentsById(definitions: ClientFeaturesPayload): Segments {
  return new Map(listOf(definitions.segments).map((segment) => [segment?.id, segment]));
}

// Definitions reach the diff as the source sent them, broken ones too (the engine reports those): read defensively.
function listOf<T>(value: T[] | null | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

function recordOf<T extends object>(value: T | null | undefined): Partial<T> {
  return value !== null && typeof value === 'object' ? value : {};
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

/** The same JSON for the flag and for the segments it uses, before and after. */
function sameDefinition(
  before: FeatureDefinition,
  after: FeatureDefinition | undefined,
  segmentsBefore: Segments,
  segmentsAfter: Segments,
): boolean {
  return sameJson(
    [before, usedSegments(before, segmentsBefore)],
    [after, usedSegments(after, segmentsAfter)],
  );
}

function usedSegments(feature: FeatureDefinition | undefined, segments: Segments): unknown[] {
  const used = listOf(feature?.strategies).flatMap((strategy) => listOf(strategy?.segments));
  return used.map((id) => segments.get(id) ?? null);
}

/** Equal as JSON: what the diff has always compared, without building the JSON. */
const same = sameJson;

function diffFeature(
  before: FeatureDefinition,
  after: FeatureDefinition,
  segmentsBefore: Segments,
  segmentsAfter: Segments,
): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.enabled !== after.enabled) {
    changes.push({
      field: 'enabled',
      before: before.enabled,
      after: after.enabled,
      text: `${onOff(before.enabled)} → ${onOff(after.enabled)}`,
    });
  }
  const strategiesBefore = listOf(before.strategies);
  const strategiesAfter = listOf(after.strategies);
  for (let i = 0; i < Math.max(strategiesBefore.length, strategiesAfter.length); i++) {
    changes.push(...diffStrategy(i, strategiesBefore[i], strategiesAfter[i], segmentsBefore, segmentsAfter));
  }
  changes.push(...diffVariants('variants', 'variant', listOf(before.variants), listOf(after.variants)));
  // strategies or variants that are not lists are shown as they are, like any other field
  const handled = new Set(['name', 'enabled']);
  for (const key of ['strategies', 'variants'] as const) {
    if (isListOrAbsent(before[key]) && isListOrAbsent(after[key])) handled.add(key);
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (handled.has(key)) continue;
    const was = (before as unknown as Record<string, unknown>)[key];
    const now = (after as unknown as Record<string, unknown>)[key];
    if (same(was, now)) continue;
    changes.push({ field: key, before: was, after: now, text: `${key} ${show(was)} → ${show(now)}` });
  }
  return changes;
}

function isListOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || Array.isArray(value);
}

function diffStrategy(
  index: number,
  before: StrategyDefinition | undefined,
  after: StrategyDefinition | undefined,
  segmentsBefore: Segments,
  segmentsAfter: Segments,
): FieldChange[] {
  const field = `strategies[${index}]`;
  const label = `strategy ${index + 1}`;
  if (before === undefined) return [{ field, after, text: `${label} added: ${describeStrategy(after)}` }];
  if (after === undefined) return [{ field, before, text: `${label} removed: ${describeStrategy(before)}` }];
  if (!isObject(before) || !isObject(after) || before.name !== after.name) {
    if (same(before, after)) return [];
    return [
      {
        field,
        before,
        after,
        text: `${label}: ${describeStrategy(before)} → ${describeStrategy(after)}`,
      },
    ];
  }
  const changes: FieldChange[] = [];
  const parametersBefore = recordOf(before.parameters);
  const parametersAfter = recordOf(after.parameters);
  for (const key of new Set([...Object.keys(parametersBefore), ...Object.keys(parametersAfter)])) {
    const was = parametersBefore[key];
    const now = parametersAfter[key];
    if (same(was, now)) continue;
    const name = key === 'rollout' || key === 'percentage' ? 'rollout' : `${label} ${key}`;
    const text =
      name === 'rollout' ? `rollout ${show(was)} → ${show(now)}` : `${name} ${show(was)} → ${show(now)}`;
    changes.push({ field: `${field}.parameters.${key}`, before: was, after: now, text });
  }
  const constraintsBefore = listOf(before.constraints);
  const constraintsAfter = listOf(after.constraints);
  for (let j = 0; j < Math.max(constraintsBefore.length, constraintsAfter.length); j++) {
    const was = constraintsBefore[j];
    const now = constraintsAfter[j];
    if (same(was, now)) continue;
    const at = `${field}.constraints[${j}]`;
    if (was === undefined)
      changes.push({ field: at, after: now, text: `${label} constraint added: ${describeConstraint(now)}` });
    else if (now === undefined)
      changes.push({
        field: at,
        before: was,
        text: `${label} constraint removed: ${describeConstraint(was)}`,
      });
    else
      changes.push({
        field: at,
        before: was,
        after: now,
        text: `${label} constraint ${describeConstraint(was)} → ${describeConstraint(now)}`,
      });
  }
  if (!same(before.segments ?? [], after.segments ?? [])) {
    changes.push({
      field: `${field}.segments`,
      before: before.segments,
      after: after.segments,
      text: `${label} segments ${show(before.segments ?? [])} → ${show(after.segments ?? [])}`,
    });
  } else {
    for (const id of listOf(after.segments)) {
      const was = segmentsBefore.get(id);
      const now = segmentsAfter.get(id);
      if (same(was, now)) continue;
      const name = typeof now?.name === 'string' ? ` "${now.name}"` : '';
      const describe = (segment: typeof was) =>
        listOf(segment?.constraints).map(describeConstraint).join(' and ') || 'no constraints';
      changes.push({
        field: `segments.${id}`,
        before: was,
        after: now,
        text: `segment ${id}${name}: ${describe(was)} → ${describe(now)}`,
      });
    }
  }
  changes.push(
    ...diffVariants(`${field}.variants`, `${label} variant`, listOf(before.variants), listOf(after.variants)),
  );
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  // How a flags file wrote a strategy is not a change of what it does.
  for (const key of ['parameters', 'constraints', 'segments', 'variants', 'name', 'shorthand'])
    keys.delete(key);
  for (const key of keys) {
    const was = (before as unknown as Record<string, unknown>)[key];
    const now = (after as unknown as Record<string, unknown>)[key];
    if (!same(was, now))
      changes.push({
        field: `${field}.${key}`,
        before: was,
        after: now,
        text: `${label} ${key} ${show(was)} → ${show(now)}`,
      });
  }
  return changes;
}

function diffVariants(
  field: string,
  label: string,
  before: VariantDefinition[],
  after: VariantDefinition[],
): FieldChange[] {
  const changes: FieldChange[] = [];
  const was = variantsByName(before);
  const now = variantsByName(after);
  for (const [name, variant] of now) {
    const old = was.get(name);
    const at = `${field}.${name}`;
    if (old === undefined) {
      changes.push({ field: at, after: variant, text: `${label} ${name} added (${share(variant, after)})` });
      continue;
    }
    if (same(old, variant)) continue;
    const weightBefore = share(old, before);
    const weightAfter = share(variant, after);
    if (weightBefore !== weightAfter)
      changes.push({
        field: `${at}.weight`,
        before: old.weight,
        after: variant.weight,
        text: `${label} ${name} ${weightBefore} → ${weightAfter}`,
      });
    if (!same(old.payload, variant.payload))
      changes.push({
        field: `${at}.payload`,
        before: old.payload,
        after: variant.payload,
        text: `${label} ${name} payload ${show(old.payload?.value)} → ${show(variant.payload?.value)}`,
      });
    const { weight: _w1, payload: _p1, ...restBefore } = old;
    const { weight: _w2, payload: _p2, ...restAfter } = variant;
    if (!same(restBefore, restAfter))
      changes.push({
        field: at,
        before: old,
        after: variant,
        text: `${label} ${name} ${show(restBefore)} → ${show(restAfter)}`,
      });
  }
  for (const [name, variant] of was) {
    if (!now.has(name))
      changes.push({ field: `${field}.${name}`, before: variant, text: `${label} ${name} removed` });
  }
  return changes;
}

function variantsByName(list: VariantDefinition[]): Map<string, VariantDefinition> {
  return new Map(list.filter(isObject).map((variant) => [variant.name, variant]));
}

/** A variant's weight as a share of the list's, e.g. `50%`. */
function share(variant: VariantDefinition, list: VariantDefinition[]): string {
  const total = list.reduce((sum, v) => sum + (Number(v?.weight) || 0), 0) || 1;
  return `${Math.round(((Number(variant.weight) || 0) / total) * 1000) / 10}%`;
}

function onOff(enabled: unknown): string {
  return enabled === true ? 'enabled' : 'disabled';
}

function describeNew(feature: FeatureDefinition | undefined): string {
  const strategies = listOf(feature?.strategies).map(describeStrategy);
  return `added, ${onOff(feature?.enabled)}${strategies.length ? `: ${strategies.join('; ')}` : ''}`;
}

function describeStrategy(strategy: StrategyDefinition | undefined): string {
  if (strategy === undefined) return 'none';
  if (!isObject(strategy)) return show(strategy);
  const parameters = recordOf(strategy.parameters);
  const parts: string[] = [strategy.name];
  const list = (value: unknown) =>
    `[${String(value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
      .join(', ')}]`;
  if (parameters.userIds !== undefined) parts.push(list(parameters.userIds));
  else if (parameters.IPs !== undefined) parts.push(list(parameters.IPs));
  else if (parameters.hostNames !== undefined) parts.push(list(parameters.hostNames));
  const rollout = parameters.rollout ?? parameters.percentage;
  if (rollout !== undefined) parts.push(`${rollout}%`);
  const constraints = listOf(strategy.constraints);
  if (constraints.length) parts.push(`when ${constraints.map(describeConstraint).join(' and ')}`);
  return parts.join(' ');
}

function describeConstraint(constraint: ConstraintDefinition | undefined): string {
  if (constraint === undefined) return 'none';
  if (!isObject(constraint)) return show(constraint);
  const values = Array.isArray(constraint.values)
    ? constraint.values
    : constraint.value !== undefined
      ? [constraint.value]
      : [];
  const operator = `${constraint.inverted ? 'NOT ' : ''}${constraint.operator}`;
  return `${constraint.contextName} ${operator} [${values.join(', ')}]`;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
