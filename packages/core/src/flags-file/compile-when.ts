// `when:` → Unleash constraints. The readable map names a context field and a condition; the raw list is
// Unleash's constraint list as is. Values are pre-checked here so a typo is reported with its line.

import semver from 'semver';
import { SHORT_OPERATORS } from '../engine/operators.js';
import { re2Problem } from '../engine/regex.js';
import type { ConstraintDefinition, ConstraintOperator } from '../types.js';
import type { IssueCollector, IssuePath } from './issues.js';
import { CONSTRAINT_KEYS, rawConstraintSchema } from './short-format-schema.js';

type OperatorKind = 'list' | 'number' | 'date' | 'semver' | 'regex';

const UNLEASH_OPERATORS: Record<string, OperatorKind> = {
  IN: 'list',
  NOT_IN: 'list',
  STR_CONTAINS: 'list',
  STR_STARTS_WITH: 'list',
  STR_ENDS_WITH: 'list',
  NUM_EQ: 'number',
  NUM_GT: 'number',
  NUM_GTE: 'number',
  NUM_LT: 'number',
  NUM_LTE: 'number',
  DATE_AFTER: 'date',
  DATE_BEFORE: 'date',
  SEMVER_EQ: 'semver',
  SEMVER_GT: 'semver',
  SEMVER_LT: 'semver',
  SEMVER_GTE: 'semver',
  SEMVER_LTE: 'semver',
  REGEX: 'regex',
};

const CASE_INSENSITIVE_KEYS = new Set(['case_insensitive', 'caseInsensitive']);
const CONDITION_MODIFIERS = ['case_insensitive', 'inverted'];
const SHORT_OPERATOR_NAMES = [...Object.keys(SHORT_OPERATORS), ...CONDITION_MODIFIERS];

function isModifier(key: string): boolean {
  return key === 'inverted' || CASE_INSENSITIVE_KEYS.has(key);
}

/** `semver_gt` → SEMVER_GT; `STR_CONTAINS` and `str_contains` → STR_CONTAINS; unknown → undefined. */
function operatorFor(key: string): ConstraintOperator | undefined {
  // own keys only: `constructor` or `toString` must not find Object.prototype's members
  const short = Object.hasOwn(SHORT_OPERATORS, key) ? SHORT_OPERATORS[key] : undefined;
  if (short) return short;
  const upper = key.toUpperCase();
  return Object.hasOwn(UNLEASH_OPERATORS, upper) ? upper : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Compiles `when:` (a readable map or a raw constraint list) into constraints.
 * Problems go to `issues` with their path; the result then holds what could be compiled.
 */
export function compileWhen(when: unknown, path: IssuePath, issues: IssueCollector): ConstraintDefinition[] {
  if (when === undefined || when === null) return [];
  if (Array.isArray(when)) return compileRawConstraints(when, path, issues);
  if (!isPlainObject(when)) {
    issues.invalid(
      path,
      'must map context fields to conditions, e.g. { plan: [pro], environment: { not: [production] } }',
      when,
    );
    return [];
  }
  const constraints: ConstraintDefinition[] = [];
  for (const [field, condition] of Object.entries(when)) {
    constraints.push(...compileCondition(field, condition, [...path, field], issues));
  }
  return constraints;
}

function compileCondition(
  contextName: string,
  condition: unknown,
  path: IssuePath,
  issues: IssueCollector,
): ConstraintDefinition[] {
  if (condition === null || condition === undefined) {
    issues.add(
      path,
      `needs a condition: a value (${contextName}: pro), a list ([pro, team]) or operators ({ not: [free] })`,
    );
    return [];
  }
  if (!isPlainObject(condition)) {
    const values = listValues(condition, path, issues);
    return values ? [listConstraint(contextName, 'IN', values, false, false)] : [];
  }

  let inverted = false;
  let caseInsensitive = false;
  const operators: [string, unknown][] = [];
  for (const [key, value] of Object.entries(condition)) {
    if (isModifier(key)) {
      if (typeof value !== 'boolean') issues.invalid([...path, key], 'must be true or false', value);
      else if (key === 'inverted') inverted = value;
      else caseInsensitive = value;
    } else if (operatorFor(key)) {
      operators.push([key, value]);
    } else {
      issues.addUnknownKey(path, key, SHORT_OPERATOR_NAMES);
    }
  }
  if (
    operators.length === 0 &&
    !Object.keys(condition).some((key) => !operatorFor(key) && !isModifier(key))
  ) {
    issues.add(path, `names no operator; write e.g. { in: [a, b] }, { not: [a] } or { semver_gt: 2.0.0 }`);
    return [];
  }
  const constraints: ConstraintDefinition[] = [];
  for (const [key, value] of operators) {
    const operator = operatorFor(key)!;
    const constraint = operatorConstraint(contextName, operator, value, [...path, key], issues);
    if (!constraint) continue;
    if (inverted) constraint.inverted = true;
    if (caseInsensitive) constraint.caseInsensitive = true;
    constraints.push(constraint);
  }
  return constraints;
}

function operatorConstraint(
  contextName: string,
  operator: ConstraintOperator,
  value: unknown,
  path: IssuePath,
  issues: IssueCollector,
): ConstraintDefinition | undefined {
  const kind = UNLEASH_OPERATORS[operator];
  if (kind === 'list') {
    const values = listValues(value, path, issues);
    return values ? listConstraint(contextName, operator, values, false, false) : undefined;
  }
  const single = singleValue(kind, operator, value, path, issues);
  return single === undefined ? undefined : singleConstraint(contextName, operator, single, false, false);
}

/** Checks a single-value operand; returns it as the string Unleash stores, or undefined after an issue. */
function singleValue(
  kind: OperatorKind,
  operator: string,
  value: unknown,
  path: IssuePath,
  issues: IssueCollector,
): string | undefined {
  switch (kind) {
    case 'number': {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (typeof value === 'string' && value.trim() === '') {
        issues.invalid(path, `must be a number (${operator} compares numbers)`, value);
        return undefined;
      }
      if (!Number.isFinite(number)) {
        issues.invalid(
          path,
          `must be a number (${operator} compares numbers; for text use a list: [a, b])`,
          value,
        );
        return undefined;
      }
      return String(value);
    }
    case 'date': {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        issues.invalid(path, `must be a date and time such as 2026-12-24T00:00:00Z (${operator})`, value);
        return undefined;
      }
      return value;
    }
    case 'semver': {
      if (typeof value !== 'string' || semver.valid(value) === null) {
        issues.invalid(
          path,
          `must be a semantic version with all three parts, such as 2.0.0 (${operator})`,
          value,
        );
        return undefined;
      }
      return value;
    }
    case 'regex': {
      if (typeof value !== 'string' || value === '') {
        issues.invalid(path, 'must be a regular expression as text, e.g. "^beta-"', value);
        return undefined;
      }
      const problem = re2Problem(value);
      if (problem !== undefined) {
        issues.add(path, re2Message(problem));
        return undefined;
      }
      return value;
    }
    default:
      return undefined;
  }
}

/** The sentence for a pattern RE2 rejects, shared by every format a flags file may use. */
export function re2Message(problem: string): string {
  return (
    `is not a valid RE2 regular expression (${problem}); flags evaluate regexes with RE2, as Unleash does, ` +
    'which has no lookarounds or backreferences'
  );
}

function listValues(value: unknown, path: IssuePath, issues: IssueCollector): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) {
    issues.add(path, 'must list at least one value (an empty list never matches)');
    return undefined;
  }
  const values: string[] = [];
  for (const [index, item] of list.entries()) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      values.push(String(item));
    else
      issues.invalid(
        Array.isArray(value) ? [...path, index] : path,
        'must be text, a number or true/false',
        item,
      );
  }
  return values.length === list.length ? values : undefined;
}

function listConstraint(
  contextName: string,
  operator: ConstraintOperator,
  values: string[],
  inverted: boolean,
  caseInsensitive: boolean,
): ConstraintDefinition {
  return { contextName, operator, values, inverted, caseInsensitive };
}

function singleConstraint(
  contextName: string,
  operator: ConstraintOperator,
  value: string,
  inverted: boolean,
  caseInsensitive: boolean,
): ConstraintDefinition {
  // Unleash stores single-value operators with an empty `values` list next to `value`.
  return { contextName, operator, value, values: [], inverted, caseInsensitive };
}

function compileRawConstraints(
  list: unknown[],
  path: IssuePath,
  issues: IssueCollector,
): ConstraintDefinition[] {
  const constraints: ConstraintDefinition[] = [];
  for (const [index, item] of list.entries()) {
    const itemPath = [...path, index];
    const raw = issues.check(rawConstraintSchema, item, itemPath, CONSTRAINT_KEYS);
    if (!raw) continue;
    const operator = raw.operator.toUpperCase();
    const kind = UNLEASH_OPERATORS[operator];
    if (!kind) {
      issues.invalid(
        [...itemPath, 'operator'],
        `must be an Unleash operator: ${Object.keys(UNLEASH_OPERATORS).join(', ')}`,
        raw.operator,
      );
      continue;
    }
    const inverted = raw.inverted ?? false;
    const caseInsensitive = raw.caseInsensitive ?? false;
    if (kind === 'list') {
      if (!raw.values?.length) {
        issues.add(itemPath, `needs values: [...] for ${operator}`);
        continue;
      }
      constraints.push(
        listConstraint(raw.contextName, operator, raw.values.map(String), inverted, caseInsensitive),
      );
    } else {
      if (raw.value === undefined) {
        issues.add(itemPath, `needs value: ... for ${operator}`);
        continue;
      }
      const value = singleValue(kind, operator, raw.value, [...itemPath, 'value'], issues);
      if (value !== undefined) {
        constraints.push(singleConstraint(raw.contextName, operator, value, inverted, caseInsensitive));
      }
    }
  }
  return constraints;
}
