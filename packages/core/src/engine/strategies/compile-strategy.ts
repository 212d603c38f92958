// One strategy of a flag compiled into a predicate with unleash-client 6.12.1's semantics: its constraints and
// segments, then its own rule (a built-in strategy, in its own file, or a custom one the app registered), and
// its variants.
import type { CustomStrategy } from '../../types.js';
import {
  ALWAYS_FALSE,
  ALWAYS_TRUE,
  allOf,
  type CompileEnvironment,
  compileConstraint,
  type Predicate,
} from '../constraints.js';
import { fail, isAbsent, isRecord, kindOf, optionalArray } from '../definition-problem.js';
import { compileVariants, strategyVariantStickiness, type VariantPicker } from '../variants.js';
import { BUILT_IN_STRATEGIES } from './built-in.js';
import type { StrategyEnvironment } from './environment.js';

/** One compiled strategy of a flag. */
export interface CompiledStrategy {
  readonly index: number;
  readonly name: string;
  /** constraints, segments and the strategy's own rule */
  readonly matches: Predicate;
  /** strategy-level variants, or null */
  readonly pickVariant: VariantPicker | null;
  /** false for a strategy name nobody registered: it never matches */
  readonly known: boolean;
}

const EMPTY_PARAMETERS: Record<string, unknown> = Object.freeze({});

/**
 * Compiles `strategies[index]` of flag `flagName`.
 * @example
 * const strategy = compileStrategy({ name: 'default' }, 0, 'my-flag', env);
 */
export function compileStrategy(
  raw: unknown,
  index: number,
  flagName: string,
  env: StrategyEnvironment,
): CompiledStrategy {
  const field = `strategies[${index}]`;
  if (!isRecord(raw))
    fail(field, `must be an object like { name, parameters, constraints }, got ${kindOf(raw)}`);
  const name = raw.name;
  if (typeof name !== 'string')
    fail(`${field}.name`, `must be a strategy name such as "default", got ${kindOf(name)}`);

  const rawParameters = raw.parameters;
  if (!isAbsent(rawParameters) && !isRecord(rawParameters)) {
    fail(`${field}.parameters`, `must be an object of parameter values, got ${kindOf(rawParameters)}`);
  }
  const parameters = rawParameters ?? undefined;

  const constraintsList = optionalArray(raw.constraints, `${field}.constraints`) ?? [];
  const predicates = constraintsList.map((constraint, i) =>
    compileConstraint(constraint, `${field}.constraints[${i}]`, env),
  );
  const segmentIds = optionalArray(raw.segments, `${field}.segments`) ?? [];
  segmentIds.forEach((id, i) => {
    predicates.push(segmentPredicate(id, `${field}.segments[${i}]`, flagName, env));
  });

  const custom = env.customStrategies.get(name);
  const builtIn = BUILT_IN_STRATEGIES.get(name);
  let rule: Predicate;
  let known = true;
  if (custom !== undefined) {
    rule = customRule(custom, parameters ?? EMPTY_PARAMETERS, env);
  } else if (builtIn !== undefined) {
    if (name !== 'default' && parameters === undefined) {
      fail(
        `${field}.parameters`,
        `missing: the ${name} strategy reads its parameters (unleash-client fails without them)`,
      );
    }
    rule = builtIn.compile(parameters ?? EMPTY_PARAMETERS, `${field}.parameters`, env);
  } else {
    known = false;
    rule = ALWAYS_FALSE;
    env.warnOnce(
      `strategy:${name}`,
      `unknown strategy "${name}" (flag "${flagName}"): it never matches; register it with { strategies: [{ name: '${name}', isEnabled }] }`,
    );
  }

  let pickVariant: VariantPicker | null = null;
  const variants = optionalArray(raw.variants, `${field}.variants`);
  if (variants !== undefined && variants.length > 0) {
    if (parameters === undefined) {
      fail(`${field}.parameters`, 'missing: a strategy with variants needs parameters (groupId, stickiness)');
    }
    const stickiness = strategyVariantStickiness(variants, parameters);
    // unleash-client hashes `${parameters.groupId}:...`, so a missing groupId hashes as "undefined"
    pickVariant = compileVariants(variants, `${field}.variants`, String(parameters.groupId), stickiness, env);
  }

  return { index, name, matches: constraintsThen(predicates, rule), pickVariant, known };
}

function segmentPredicate(id: unknown, field: string, flagName: string, env: StrategyEnvironment): Predicate {
  if (typeof id !== 'number') fail(field, `must be a segment id (a number), got ${kindOf(id)}`);
  if (env.segments === undefined)
    fail(field, 'refers to a segment, but the payload\'s "segments" is not an array');
  const segment = env.segments.get(id);
  if (segment === undefined) {
    env.warnOnce(
      `segment:${id}`,
      `flag "${flagName}" uses segment ${id}, which the payload does not define: that strategy never matches`,
    );
    return ALWAYS_FALSE;
  }
  if (segment.compiled === undefined && segment.problem === undefined) {
    try {
      const raw = segment.raw as Record<string, unknown>;
      const path = `segments[id ${String(id)}]`;
      const list = optionalArray(raw.constraints, `${path}.constraints`);
      if (list === undefined) {
        // A segment known by name only (Unleash's environment export leaves its constraints out, and the
        // export reader says so by name): matching everyone would open the flag to all, so it fails closed.
        segment.compiled = ALWAYS_FALSE;
        return ALWAYS_FALSE;
      }
      segment.compiled = allOf(
        list.map((constraint, i) => compileConstraint(constraint, `${path}.constraints[${i}]`, env)),
      );
    } catch (error) {
      const problem = error as { field?: string; message: string };
      segment.problem = { field: problem.field ?? '', message: problem.message };
    }
  }
  if (segment.problem !== undefined) {
    fail(field, `segment ${id} is broken: ${segment.problem.field}: ${segment.problem.message}`);
  }
  return segment.compiled!;
}

function customRule(
  strategy: CustomStrategy,
  parameters: Record<string, unknown>,
  env: CompileEnvironment,
): Predicate {
  const staticContext = env.staticContext;
  const hasStatic =
    staticContext !== undefined &&
    (staticContext.appName !== undefined || staticContext.environment !== undefined);
  // a custom strategy sees unleash-client's merged context; built only when there is a static part to merge
  if (!hasStatic) return (context) => !!strategy.isEnabled(parameters, context);
  return (context) => !!strategy.isEnabled(parameters, { ...staticContext, ...context });
}

/**
 * A strategy's constraints (and segments), then its own rule, as one closure; constants are folded.
 * @example
 * constraintsThen([isPro], rollout)(context);
 */
function constraintsThen(predicates: readonly Predicate[], rule: Predicate): Predicate {
  if (rule === ALWAYS_FALSE) return ALWAYS_FALSE;
  if (rule === ALWAYS_TRUE) return allOf(predicates);
  const live: Predicate[] = [];
  for (const predicate of predicates) {
    if (predicate === ALWAYS_FALSE) return ALWAYS_FALSE;
    if (predicate !== ALWAYS_TRUE) live.push(predicate);
  }
  switch (live.length) {
    case 0:
      return rule;
    case 1:
      return oneThen(live[0], rule);
    case 2:
      return twoThen(live[0], live[1], rule);
    default:
      return allThen(allOf(live), rule);
  }
}

function oneThen(first: Predicate, rule: Predicate): Predicate {
  return (context) => first(context) && rule(context);
}

function twoThen(first: Predicate, second: Predicate, rule: Predicate): Predicate {
  return (context) => first(context) && second(context) && rule(context);
}

function allThen(constraints: Predicate, rule: Predicate): Predicate {
  return (context) => constraints(context) && rule(context);
}
