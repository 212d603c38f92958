// A strategy in the words a flags file wrote it with (its `shorthand`, left by the file's compiler): `users: [alice,
// bob]`, `rollout: 50`, `rule 2 "Norway"`. Explanations say these where a flag came from a flags file, and
// Unleash's own words (`userWithId`, `flexibleRollout`) where it came from Unleash.
import type { ConstraintDefinition, StrategyDefinition } from '../types.js';
import { shortOperatorName } from './operators.js';

/** What the words of a strategy are made of: its definition, or its trace. */
export type WrittenStrategy = Pick<StrategyDefinition, 'name' | 'parameters' | 'title' | 'shorthand'> & {
  constraints?: readonly unknown[];
  segments?: readonly unknown[];
};

const SHOWN_VALUES = 5;

/**
 * A list as the flags file writes one, the first few values only: `[alice, bob]`, `[a, b, c, d, e, … 12 in all]`.
 * @example listText(['alice', 'bob']) // '[alice, bob]'
 */
export function listText(values: readonly string[]): string {
  if (values.length <= SHOWN_VALUES) return `[${values.join(', ')}]`;
  return `[${values.slice(0, SHOWN_VALUES).join(', ')}, … ${values.length} in all]`;
}

/** The user ids of a `userWithId` strategy (its `userIds` parameter, comma-separated). */
export function userIdsOf(strategy: Pick<WrittenStrategy, 'parameters'>): string[] {
  const ids = strategy.parameters?.userIds;
  return typeof ids === 'string' || typeof ids === 'number'
    ? String(ids)
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '')
    : [];
}

/** `rule 2 "Norway"` for a rule of `rules:`, undefined for what is written on the flag itself. */
export function ruleName(strategy: Pick<WrittenStrategy, 'shorthand' | 'title'>): string | undefined {
  const rule = strategy.shorthand?.rule;
  if (rule === undefined) return undefined;
  return `rule ${rule}${typeof strategy.title === 'string' && strategy.title ? ` "${strategy.title}"` : ''}`;
}

/**
 * What a strategy from a flags file does, in the file's words, without its `when:` and `segments:`: `users: [alice,
 * bob]`, `rollout: 50 (stickiness: userId)`, `everyone` (a rollout of 100), `strategy: remoteAddress`. Undefined for
 * a strategy that did not come from the short format.
 * @example ruleText({ name: 'userWithId', parameters: { userIds: 'alice,bob' }, shorthand: { key: 'users' } }) // 'users: [alice, bob]'
 */
export function ruleText(strategy: WrittenStrategy): string | undefined {
  switch (strategy.shorthand?.key) {
    case 'users':
      return `users: ${listText(userIdsOf(strategy))}`;
    case 'rollout': {
      const parameters = strategy.parameters ?? {};
      const percentage = Number(parameters.rollout ?? 100);
      if (percentage >= 100) return 'everyone';
      const stickiness = parameters.stickiness;
      const sticky =
        typeof stickiness === 'string' && stickiness !== 'default' ? ` (stickiness: ${stickiness})` : '';
      return `rollout: ${percentage}${sticky}`;
    }
    case 'strategy':
      return `strategy: ${strategy.name}`;
    default:
      return undefined;
  }
}

/**
 * A strategy from a flags file as the file wrote it, for one line: `users: [alice, bob]`, `rollout: 10 with when:`,
 * `rule 2 "Norway" (rollout: 5)`, `on for everyone`. Undefined for a strategy that did not come from the short
 * format.
 * @example shorthandLabel(compiled.feature('new-pricing')!.strategies![0]) // 'rollout: 10 with when:'
 */
export function shorthandLabel(strategy: WrittenStrategy | undefined): string | undefined {
  if (strategy === undefined) return undefined;
  const rule = ruleText(strategy);
  if (rule === undefined) return undefined;
  const limits = [
    (strategy.constraints?.length ?? 0) > 0 ? 'when:' : '',
    (strategy.segments?.length ?? 0) > 0 ? 'segments:' : '',
  ].filter(Boolean);
  const what =
    rule === 'everyone'
      ? limits.length > 0
        ? limits.join(' and ')
        : 'on for everyone'
      : limits.length > 0
        ? `${rule} with ${limits.join(' and ')}`
        : rule;
  const name = ruleName(strategy);
  return name === undefined ? what : `${name} (${what})`;
}

/**
 * A constraint as `when:` writes it: `plan: [pro, team]`, `plan: { not: [free] }`, `version: { semver_gt: 2.0.0,
 * inverted: true }`.
 * @example whenText({ contextName: 'plan', operator: 'IN', values: ['pro'] }) // 'plan: [pro]'
 */
export function whenText(
  constraint: Pick<ConstraintDefinition, 'contextName' | 'operator' | 'inverted' | 'caseInsensitive'>,
  values: readonly string[],
): string {
  const operator = String(constraint.operator);
  const modifiers = [
    constraint.inverted === true ? 'inverted: true' : '',
    constraint.caseInsensitive === true ? 'case_insensitive: true' : '',
  ].filter(Boolean);
  const single = /^(NUM_|DATE_|SEMVER_|REGEX$)/.test(operator);
  const operand = single ? (values[0] ?? '') : listText(values);
  if (operator === 'IN' && modifiers.length === 0) return `${constraint.contextName}: ${operand}`;
  const condition = [`${shortOperatorName(operator) ?? operator}: ${operand}`, ...modifiers];
  return `${constraint.contextName}: { ${condition.join(', ')} }`;
}
