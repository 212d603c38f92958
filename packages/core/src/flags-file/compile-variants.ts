// `variants:` → Unleash variants with weights out of 1000, stored the way Unleash stores them.
import type { Payload, VariantDefinition, VariantOverride } from '../types.js';
import type { IssueCollector, IssuePath } from './issues.js';
import { VARIANT_KEYS, variantObjectSchema } from './short-format-schema.js';

/** Unleash's total variant weight: percents with one decimal. */
export const TOTAL_VARIANT_WEIGHT = 1000;

const PAYLOAD_TYPES = new Set(['string', 'json', 'csv', 'number']);

interface VariantDraft {
  name: string;
  /** in thousandths; undefined shares what the weighted ones leave */
  weight?: number;
  payload?: Payload;
  stickiness?: string;
  overrides?: VariantOverride[];
}

/**
 * Compiles `variants:` (a list of names, or a map of name → percent | variant object).
 * `allowOverrides` is false for rule (strategy) variants, which Unleash keeps without overrides.
 */
export function compileVariantsSpec(
  spec: unknown,
  stickiness: string,
  path: IssuePath,
  issues: IssueCollector,
  allowOverrides: boolean,
): VariantDefinition[] {
  const drafts = readDrafts(spec, path, issues, allowOverrides);
  if (!drafts) return [];
  if (drafts.length === 0) {
    issues.add(path, 'must name at least one variant, e.g. { control: 50, short: 50 }');
    return [];
  }
  const weights = distributeWeights(drafts, path, issues);
  if (!weights) return [];
  const allFixed = drafts.every((draft) => draft.weight !== undefined);
  return drafts.map((draft, index) => {
    const variant: VariantDefinition = {
      name: draft.name,
      weight: weights[index],
      // A split that adds up by itself is what Unleash stores as variable weights; explicit parts of a
      // mixed split are fixed and the rest share the remainder.
      weightType: draft.weight === undefined || allFixed ? 'variable' : 'fix',
      stickiness: draft.stickiness ?? stickiness,
    };
    if (draft.payload) variant.payload = draft.payload;
    if (allowOverrides) variant.overrides = draft.overrides ?? [];
    return variant;
  });
}

function readDrafts(
  spec: unknown,
  path: IssuePath,
  issues: IssueCollector,
  allowOverrides: boolean,
): VariantDraft[] | undefined {
  if (Array.isArray(spec)) {
    const drafts: VariantDraft[] = [];
    for (const [index, name] of spec.entries()) {
      if (typeof name !== 'string' || name === '')
        issues.invalid([...path, index], 'must be a variant name', name);
      else drafts.push({ name });
    }
    return drafts.length === spec.length ? checkUniqueNames(drafts, path, issues) : undefined;
  }
  if (typeof spec !== 'object' || spec === null) {
    issues.invalid(
      path,
      'must be a list of names ([control, short]) or a map ({ control: 50, short: 50 })',
      spec,
    );
    return undefined;
  }
  const drafts: VariantDraft[] = [];
  let ok = true;
  for (const [name, value] of Object.entries(spec)) {
    const variantPath = [...path, name];
    if (value === null || value === undefined) {
      drafts.push({ name });
      continue;
    }
    if (typeof value === 'number') {
      const weight = weightInThousandths(value, variantPath, issues);
      if (weight === undefined) ok = false;
      else drafts.push({ name, weight });
      continue;
    }
    const parsed = issues.checkObject(variantObjectSchema, value, variantPath, VARIANT_KEYS);
    if (!parsed) {
      ok = false;
      continue;
    }
    const draft: VariantDraft = { name };
    if (parsed.weight !== undefined) {
      draft.weight = weightInThousandths(parsed.weight, [...variantPath, 'weight'], issues);
      if (draft.weight === undefined) ok = false;
    }
    if (parsed.payload !== undefined) {
      draft.payload = compilePayload(parsed.payload, [...variantPath, 'payload'], issues);
      if (!draft.payload) ok = false;
    }
    if (parsed.stickiness !== undefined) draft.stickiness = parsed.stickiness;
    const overrides: VariantOverride[] = [];
    if (parsed.users !== undefined)
      overrides.push({ contextName: 'userId', values: toStrings(parsed.users) });
    for (const [contextName, values] of Object.entries(parsed.overrides ?? {})) {
      overrides.push({ contextName, values: toStrings(values) });
    }
    if (overrides.length > 0) {
      if (!allowOverrides) {
        issues.add(
          variantPath,
          'cannot have users/overrides inside a rule (Unleash keeps overrides on flag variants only); move variants: to the flag',
        );
        ok = false;
      }
      draft.overrides = overrides;
    }
    drafts.push(draft);
  }
  return ok ? drafts : undefined;
}

function checkUniqueNames(
  drafts: VariantDraft[],
  path: IssuePath,
  issues: IssueCollector,
): VariantDraft[] | undefined {
  const seen = new Set<string>();
  for (const draft of drafts) {
    if (seen.has(draft.name)) {
      issues.add(path, `names variant "${draft.name}" twice`);
      return undefined;
    }
    seen.add(draft.name);
  }
  return drafts;
}

function weightInThousandths(percent: number, path: IssuePath, issues: IssueCollector): number | undefined {
  const thousandths = Math.round(percent * 10);
  if (!(percent >= 0 && percent <= 100) || Math.abs(thousandths - percent * 10) > 1e-6) {
    issues.invalid(path, 'must be a percent from 0 to 100 in steps of 0.1', percent);
    return undefined;
  }
  return thousandths;
}

/** Fixed weights as given; variable ones share the rest, rounding as they go so the total is exactly 1000. */
function distributeWeights(
  drafts: VariantDraft[],
  path: IssuePath,
  issues: IssueCollector,
): number[] | undefined {
  let remaining = TOTAL_VARIANT_WEIGHT;
  let variableCount = 0;
  for (const draft of drafts) {
    if (draft.weight === undefined) variableCount++;
    else remaining -= draft.weight;
  }
  if (remaining < 0) {
    issues.add(path, `weights add up to ${(TOTAL_VARIANT_WEIGHT - remaining) / 10}%, more than 100%`);
    return undefined;
  }
  if (variableCount === 0 && remaining !== 0) {
    issues.add(
      path,
      `weights add up to ${(TOTAL_VARIANT_WEIGHT - remaining) / 10}%, not 100%; ` +
        'fix the numbers or leave one variant without a weight to take the rest',
    );
    return undefined;
  }
  return drafts.map((draft) => {
    if (draft.weight !== undefined) return draft.weight;
    const share = Math.max(Math.round(remaining / variableCount), 0);
    remaining -= share;
    variableCount--;
    return share;
  });
}

/** A string, number, JSON value, or Unleash's `{ type, value }` → Unleash payload. */
export function compilePayload(value: unknown, path: IssuePath, issues: IssueCollector): Payload | undefined {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'number') return { type: 'number', value: String(value) };
  if (Array.isArray(value)) return { type: 'json', value: JSON.stringify(value) };
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const isUnleashPayload =
      keys.length === 2 &&
      typeof record.type === 'string' &&
      PAYLOAD_TYPES.has(record.type) &&
      typeof record.value === 'string';
    if (isUnleashPayload) {
      if (record.type === 'json' && !isJson(record.value as string)) {
        issues.invalid([...path, 'value'], 'must be valid JSON text for a json payload', record.value);
        return undefined;
      }
      return { type: record.type as string, value: record.value as string };
    }
    return { type: 'json', value: JSON.stringify(value) };
  }
  issues.invalid(path, 'must be text, a number, or JSON (an object or a list)', value);
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function toStrings(values: string | number | boolean | (string | number | boolean)[]): string[] {
  return (Array.isArray(values) ? values : [values]).map(String);
}
