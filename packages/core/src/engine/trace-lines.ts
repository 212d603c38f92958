// A FlagTrace in words, one line per part: what the dashboard's "why?" and `flagwise explain` show. A flag from a
// flags file is told in the file's words (`users: [alice, bob] does not list "carol"`, `rollout: 50`, `rule 2`,
// `when: plan: [pro]`); a flag from Unleash in Unleash's (`strategy #1 flexibleRollout`, `userIds`, `IN`).
import type { FlagContext } from '../types.js';
import { listText, ruleName, ruleText, shorthandLabel, userIdsOf, whenText } from './shorthand.js';
import type { ConstraintTrace, FlagTrace, RolloutTrace, SegmentTrace, StrategyTrace } from './trace.js';

/** One line of a trace in words. */
export interface TraceLine {
  /** 0 for the flag, a dependency or a strategy; 1 for a part of a strategy; 2 for a constraint of a segment */
  depth: number;
  /** true: it held; false: it did not; undefined: neither (decided at random on each request, or a note) */
  held?: boolean;
  text: string;
  /** set on the strategy that decided the answer */
  decided?: true;
}

/**
 * The trace as lines of words, for people: each dependency, then each strategy with its constraints, segments
 * and rule (user list, rollout bucket, other strategy) and whether each held. `context` is the one traced.
 * @example
 * for (const line of traceLines(traceFlag(flags, 'new-pricing', context), context))
 *   console.log(`${'  '.repeat(line.depth)}${line.held ? '✓' : '✗'} ${line.text}`);
 */
export function traceLines(trace: FlagTrace, context: FlagContext): TraceLine[] {
  const lines: TraceLine[] = [];
  if (
    !trace.flagEnabled &&
    trace.reason !== 'not-found' &&
    (trace.strategies.length || trace.dependencies.length)
  )
    lines.push({ depth: 0, held: false, text: 'the flag is switched off: nothing below applies' });
  for (const dependency of trace.dependencies) {
    const wanted =
      dependency.expects === 'variant'
        ? `on with variant ${dependency.variants.join(' or ')}`
        : dependency.expects === 'enabled'
          ? 'on'
          : 'off';
    const actual = dependency.defined
      ? `it is ${dependency.parentEnabled ? 'on' : 'off'}${dependency.parentVariant !== 'disabled' ? `, variant ${dependency.parentVariant}` : ''}`
      : 'it is not defined';
    lines.push({
      depth: 0,
      held: dependency.held,
      text: `requires "${dependency.feature}" ${wanted}: ${actual}`,
    });
  }
  for (const strategy of trace.strategies) {
    const written = fromFlagsFile(strategy) ? fileWords(strategy, context) : unleashWords(strategy, context);
    if (trace.strategyIndex === strategy.index) written[0].decided = true;
    lines.push(...written);
  }
  return lines;
}

function fromFlagsFile(strategy: StrategyTrace): boolean {
  const key = strategy.shorthand?.key;
  return key === 'users' || key === 'rollout' || key === 'strategy';
}

/** Held, or undefined when the rollout draws at random and everything else held. */
function outcomeOf(strategy: StrategyTrace): boolean | undefined {
  const random = strategy.rollout?.random === true && strategy.rollout.percentage < 100;
  const rest =
    strategy.known &&
    strategy.constraints.every((constraint) => constraint.held) &&
    strategy.segments.every((segment) => segment.held);
  return random && rest ? undefined : strategy.matched;
}

// ---- the flags file's words

function fileWords(strategy: StrategyTrace, context: FlagContext): TraceLine[] {
  const rule = fileRule(strategy, context);
  const parts: TraceLine[] = [
    ...strategy.constraints.map((constraint) => fileConstraint(constraint, 1)),
    ...strategy.segments.flatMap((segment) => segmentLines(segment, (c) => fileConstraint(c, 2))),
  ];
  const label = shorthandLabel(strategy) ?? strategy.name;
  const outcome = outcomeOf(strategy);
  if (parts.length === 0) {
    const name = ruleName(strategy);
    const text = rule.everyone ? label : name === undefined ? rule.text : `${name}: ${rule.text}`;
    return [{ depth: 0, held: outcome, text }];
  }
  const verdict = outcome === undefined ? 'decides at random' : outcome ? 'matches' : 'does not match';
  const lines: TraceLine[] = [{ depth: 0, held: outcome, text: `${label} ${verdict}` }, ...parts];
  if (!rule.everyone) lines.push({ depth: 1, held: rule.held, text: rule.text });
  return lines;
}

/** The strategy's own rule in the file's words: its user list, its rollout, or the strategy it names. */
function fileRule(
  strategy: StrategyTrace,
  context: FlagContext,
): { text: string; held?: boolean; everyone?: boolean } {
  const written = ruleText(strategy) ?? strategy.name;
  switch (strategy.shorthand?.key) {
    case 'users': {
      const userId = textOf(context.userId);
      if (userId === undefined) return { text: `${written}: the request has no userId`, held: false };
      return {
        text: `${written} ${strategy.ruleHeld ? 'lists' : 'does not list'} "${userId}"`,
        held: strategy.ruleHeld,
      };
    }
    case 'rollout': {
      const rollout = strategy.rollout;
      if (written === 'everyone' || rollout === undefined)
        return { text: 'everyone', held: true, everyone: true };
      return {
        text: `${written} — ${bucketText(rollout, 'request')}`,
        held: rollout.random ? undefined : rollout.held,
      };
    }
    default:
      if (!strategy.known)
        return { text: `${written} is not registered in the app, so it never matches`, held: false };
      return {
        text: `${written}${parametersText(strategy.parameters)} ${strategy.ruleHeld ? 'holds' : 'does not hold'}`,
        held: strategy.ruleHeld,
      };
  }
}

function fileConstraint(constraint: ConstraintTrace, depth: number): TraceLine {
  const value =
    constraint.contextValue === undefined
      ? `the request has no ${constraint.contextName}`
      : `${constraint.contextName} is ${JSON.stringify(constraint.contextValue)}`;
  return {
    depth,
    held: constraint.held,
    text: `when: ${whenText(constraint, constraint.values)} — ${value}`,
  };
}

// ---- Unleash's words

function unleashWords(strategy: StrategyTrace, context: FlagContext): TraceLine[] {
  const title = strategy.title ? ` "${strategy.title}"` : '';
  const outcome = outcomeOf(strategy);
  const verdict = outcome === undefined ? 'decides at random' : outcome ? 'matched' : 'did not match';
  const lines: TraceLine[] = [
    { depth: 0, held: outcome, text: `strategy #${strategy.index + 1} ${strategy.name}${title}: ${verdict}` },
  ];
  if (!strategy.known)
    lines.push({
      depth: 1,
      held: false,
      text: 'unknown strategy: it never matches (register it in the app)',
    });
  lines.push(...strategy.constraints.map((constraint) => unleashConstraint(constraint, 1)));
  lines.push(
    ...strategy.segments.flatMap((segment) => segmentLines(segment, (c) => unleashConstraint(c, 2))),
  );
  const rule = unleashRule(strategy, context);
  if (rule !== undefined) lines.push(rule);
  return lines;
}

function unleashRule(strategy: StrategyTrace, context: FlagContext): TraceLine | undefined {
  const { rollout } = strategy;
  if (rollout !== undefined) {
    const held = rollout.random && rollout.percentage < 100 ? undefined : rollout.held;
    if (rollout.random && rollout.percentage >= 100)
      return { depth: 1, held, text: `rollout ${rollout.percentage}%: everyone` };
    const by = rollout.stickiness === 'default' ? '' : ` by ${rollout.stickiness}`;
    return { depth: 1, held, text: `rollout ${rollout.percentage}%${by}: ${bucketText(rollout, 'context')}` };
  }
  if (strategy.name === 'userWithId') {
    const ids = listText(userIdsOf(strategy));
    const userId = textOf(context.userId);
    if (userId === undefined)
      return { depth: 1, held: false, text: `userIds ${ids}: the context has no userId` };
    const verb = strategy.ruleHeld ? 'include' : 'do not include';
    return { depth: 1, held: strategy.ruleHeld, text: `userIds ${ids} ${verb} "${userId}"` };
  }
  if (strategy.name === 'default' || !strategy.known) return undefined;
  const verdict = strategy.ruleHeld ? 'held' : 'did not hold';
  return {
    depth: 1,
    held: strategy.ruleHeld,
    text: `${strategy.name}${parametersText(strategy.parameters)}: ${verdict}`,
  };
}

function unleashConstraint(constraint: ConstraintTrace, depth: number): TraceLine {
  const operator = `${constraint.inverted ? 'NOT ' : ''}${constraint.operator}${constraint.caseInsensitive ? ' (any case)' : ''}`;
  const values = constraint.values.length === 1 ? constraint.values[0] : `[${constraint.values.join(', ')}]`;
  const actual = constraint.contextValue === undefined ? 'not set' : JSON.stringify(constraint.contextValue);
  return {
    depth,
    held: constraint.held,
    text: `${constraint.contextName} ${operator} ${values}: context ${actual}`,
  };
}

// ---- shared

function segmentLines(segment: SegmentTrace, constraint: (c: ConstraintTrace) => TraceLine): TraceLine[] {
  const name = segment.name ? `"${segment.name}"` : String(segment.id);
  return [
    {
      depth: 1,
      held: segment.held,
      text: segment.defined ? `segment ${name}` : `segment ${name} is not defined, so it never matches`,
    },
    ...segment.constraints.map(constraint),
  ];
}

/** Where the request falls in a rollout: its bucket, a random one, or no value to hash. */
function bucketText(rollout: RolloutTrace, subject: 'request' | 'context'): string {
  if (rollout.bucket !== undefined) {
    const on =
      rollout.percentage <= 0 ? 'on for none' : `on for buckets 1–${Math.min(100, rollout.percentage)}`;
    return `${rollout.field ?? rollout.stickiness} ${JSON.stringify(rollout.stickinessValue)} is in bucket ${rollout.bucket} of 100 (${on})`;
  }
  if (rollout.stickiness === 'random')
    return `a random bucket on each ${subject === 'request' ? 'request' : 'evaluation'}`;
  if (rollout.random)
    return `no userId or sessionId, so a random bucket on each ${subject === 'request' ? 'request' : 'evaluation'}`;
  return `the ${subject} has no ${rollout.stickiness}`;
}

function parametersText(parameters: Record<string, string>): string {
  const entries = Object.entries(parameters);
  return entries.length === 0 ? '' : ` (${entries.map(([key, value]) => `${key}: ${value}`).join(', ')})`;
}

function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}
