// traceFlag: the structured "why" behind one evaluation, for the command line and any page that shows it.
//
// The answer (value, variant, reason) is the snapshot's own explain(). The parts are evaluated one by one with the
// engine's own compilers: each strategy's `matched` is compileStrategy's predicate, each constraint's `held` is
// compileConstraint's, the rule is the strategy compiled without its constraints. Only the rollout bucket is
// recomputed here, with the same hash the strategies use, so it can be shown next to the percentage. Tracing
// compiles the flag again: it is for people reading one answer, never for the request path.
import type {
  ConstraintDefinition,
  CustomStrategy,
  Explanation,
  FeatureDefinition,
  FlagContext,
  StrategyDefinition,
  StrategyShorthand,
} from '../types.js';
import type { CompiledFlags } from './compiled-flags.js';
import { type CompileEnvironment, compileConstraint, type Predicate } from './constraints.js';
import { readFieldText, type StaticContext, staticValueOf } from './context-value.js';
import { isRecord } from './definition-problem.js';
import { bucketOf, murmurHash32, STRATEGY_SEED } from './murmur.js';
import {
  compileStrategy,
  currentHostname,
  type SegmentEntry,
  type StrategyEnvironment,
} from './strategies/index.js';

/** One constraint: what the context held, what the definition asked, and whether it held. */
export interface ConstraintTrace {
  contextName: string;
  operator: string;
  inverted: boolean;
  caseInsensitive: boolean;
  /** the definition's values (`values`, or `[value]` for single-value operators) */
  values: string[];
  /** the context's value as the engine reads it; for date operators the current time when none is given */
  contextValue: string | undefined;
  held: boolean;
}

/** A segment a strategy uses: every constraint of it must hold. */
export interface SegmentTrace {
  id: number;
  name?: string;
  /** false when the definitions do not define the segment (the strategy never matches) */
  defined: boolean;
  constraints: ConstraintTrace[];
  held: boolean;
}

/** A percentage rollout: the context's bucket (1 to 100) against the percentage. */
export interface RolloutTrace {
  percentage: number;
  /** the context field hashed: `default` means userId, else sessionId, else random */
  stickiness: string;
  groupId: string;
  /** the context field whose value was hashed (for `default`: userId or sessionId) */
  field?: string;
  /** the value hashed; undefined when the context has none */
  stickinessValue?: string;
  /** undefined when the bucket is random (no sticky value, or `random` stickiness) */
  bucket?: number;
  random: boolean;
  held: boolean;
}

/** One strategy of the flag, traced part by part. */
export interface StrategyTrace {
  index: number;
  name: string;
  title?: string;
  /** the strategy's parameters, as text */
  parameters: Record<string, string>;
  constraints: ConstraintTrace[];
  segments: SegmentTrace[];
  /** the strategy's own rule (user list, rollout, addresses, custom strategy) with constraints left out */
  ruleHeld: boolean;
  rollout?: RolloutTrace;
  /** false for a strategy name nobody registered: it never matches */
  known: boolean;
  /** the engine's answer for the whole strategy */
  matched: boolean;
  /** how a flags file wrote the strategy (absent for one from Unleash), for explanations in the file's words */
  shorthand?: StrategyShorthand;
}

/** One dependency on a parent flag. */
export interface DependencyTrace {
  feature: string;
  /** what the child needs: the parent on, off, or on with one of these variants */
  expects: 'enabled' | 'disabled' | 'variant';
  variants: string[];
  /** false when the parent is not defined (never satisfied) */
  defined: boolean;
  parentEnabled: boolean;
  parentVariant: string;
  held: boolean;
}

/** explain()'s answer plus every strategy, constraint, segment, rollout and dependency behind it. */
export interface FlagTrace extends Explanation {
  /** whether the flag itself is switched on (before strategies and dependencies) */
  flagEnabled: boolean;
  strategies: StrategyTrace[];
  dependencies: DependencyTrace[];
}

/**
 * Options of traceFlag: give the same custom strategies and static context the snapshot was compiled with.
 * @example
 * traceFlag(flags, 'new-pricing', context, { staticContext: { appName: 'shop' } });
 */
export interface TraceOptions {
  strategies?: readonly CustomStrategy[];
  staticContext?: StaticContext;
}

const SINGLE_VALUE_OPERATOR = /^(NUM_|DATE_|SEMVER_|REGEX$)/;
const NO_WARNINGS = () => {};

/**
 * The structured trace of one evaluation: the same answer as `flags.explain(name, context)`, with, for each
 * strategy, each constraint's context value, operator and result, the rollout bucket against its percentage,
 * segment results, and each dependency's parent answer. Never throws: a part that cannot be traced is left out.
 * @example
 * const trace = traceFlag(compileFlags(payload), 'new-pricing', { userId: 'alice' });
 * trace.strategies[0].rollout; // { bucket: 37, percentage: 20, held: false, ... }
 */
export function traceFlag(
  flags: CompiledFlags,
  name: string,
  context: FlagContext,
  options: TraceOptions = {},
): FlagTrace {
  const explanation = flags.explain(name, context);
  const feature = flags.feature(name);
  const trace: FlagTrace = {
    ...explanation,
    flagEnabled: feature?.enabled === true,
    strategies: [],
    dependencies: [],
  };
  if (feature === undefined || !isRecord(feature)) return trace;
  try {
    const env = environmentFor(flags, options);
    trace.dependencies = traceDependencies(flags, feature, context);
    const strategies = Array.isArray(feature.strategies) ? feature.strategies : [];
    trace.strategies = strategies.map((strategy, index) =>
      traceStrategy(strategy, index, name, context, env),
    );
  } catch {
    // a definition the engine rejected: explain() already says why, and there is nothing to break down
    trace.strategies = [];
  }
  return trace;
}

function environmentFor(flags: CompiledFlags, options: TraceOptions): StrategyEnvironment {
  const segments = new Map<unknown, SegmentEntry>();
  for (const segment of flags.definitions.segments ?? []) {
    if (isRecord(segment) && segment.id !== undefined) segments.set(segment.id, { raw: segment });
  }
  let hostname: string | undefined;
  return {
    staticContext: options.staticContext,
    warnOnce: NO_WARNINGS,
    predicateCache: new Map(),
    customStrategies: new Map((options.strategies ?? []).map((strategy) => [strategy.name, strategy])),
    segments,
    hostname: () => (hostname ??= currentHostname()),
  };
}

function traceStrategy(
  raw: StrategyDefinition,
  index: number,
  flagName: string,
  context: FlagContext,
  env: StrategyEnvironment,
): StrategyTrace {
  const compiled = compileStrategy(raw, index, flagName, env);
  const field = `strategies[${index}]`;
  const constraints = (raw.constraints ?? []).map((constraint, i) =>
    traceConstraint(constraint, `${field}.constraints[${i}]`, context, env),
  );
  const segments = (raw.segments ?? []).map((id) => traceSegment(id, context, env));
  const rule = compileStrategy({ ...raw, constraints: [], segments: [], variants: [] }, index, flagName, env);
  const rollout = traceRollout(raw, context, env.staticContext);
  const ruleHeld = rollout !== undefined && !rollout.random ? rollout.held : rule.matches(context);
  return {
    index,
    name: compiled.name,
    ...(typeof raw.title === 'string' && raw.title !== '' ? { title: raw.title } : {}),
    parameters: textParameters(raw.parameters),
    constraints,
    segments,
    ruleHeld,
    ...(rollout === undefined ? {} : { rollout }),
    known: compiled.known,
    matched: compiled.matches(context),
    ...(raw.shorthand === undefined ? {} : { shorthand: raw.shorthand }),
  };
}

function traceConstraint(
  raw: ConstraintDefinition,
  field: string,
  context: FlagContext,
  env: CompileEnvironment,
): ConstraintTrace {
  const predicate: Predicate = compileConstraint(raw, field, env);
  const operator = String(raw.operator);
  const values = SINGLE_VALUE_OPERATOR.test(operator)
    ? raw.value === undefined
      ? []
      : [String(raw.value)]
    : (raw.values ?? []).map(String);
  return {
    contextName: raw.contextName,
    operator,
    inverted: raw.inverted === true,
    caseInsensitive: raw.caseInsensitive === true,
    values,
    contextValue: contextValueFor(raw.contextName, operator, context, env.staticContext),
    held: predicate(context),
  };
}

/** The value a constraint reads; date operators read `currentTime` (now when absent), as unleash-client does. */
function contextValueFor(
  contextName: string,
  operator: string,
  context: FlagContext,
  staticContext: StaticContext | undefined,
): string | undefined {
  if (operator.startsWith('DATE_')) {
    const time = context.currentTime;
    if (time === undefined || time === null) return new Date().toISOString();
    return time instanceof Date ? time.toISOString() : String(time);
  }
  return readFieldText(context, contextName, staticValueOf(contextName, staticContext));
}

function traceSegment(id: number, context: FlagContext, env: StrategyEnvironment): SegmentTrace {
  const segment = env.segments?.get(id)?.raw;
  if (!isRecord(segment)) return { id, defined: false, constraints: [], held: false };
  const list = Array.isArray(segment.constraints) ? (segment.constraints as ConstraintDefinition[]) : [];
  const constraints = list.map((constraint, i) =>
    traceConstraint(constraint, `segments[id ${id}].constraints[${i}]`, context, env),
  );
  return {
    id,
    ...(typeof segment.name === 'string' ? { name: segment.name } : {}),
    defined: true,
    constraints,
    held: constraints.every((constraint) => constraint.held),
  };
}

/** The bucket of a percentage strategy, hashed as unleash-client's normalizedStrategyValue does. */
function traceRollout(
  raw: StrategyDefinition,
  context: FlagContext,
  staticContext: StaticContext | undefined,
): RolloutTrace | undefined {
  const parameters = raw.parameters ?? {};
  let percentageParameter: unknown;
  let stickiness: string;
  switch (raw.name) {
    case 'flexibleRollout':
      percentageParameter = parameters.rollout;
      stickiness =
        typeof parameters.stickiness === 'string' && parameters.stickiness
          ? parameters.stickiness
          : 'default';
      break;
    case 'gradualRolloutUserId':
      percentageParameter = parameters.percentage;
      stickiness = 'userId';
      break;
    case 'gradualRolloutSessionId':
      percentageParameter = parameters.percentage;
      stickiness = 'sessionId';
      break;
    case 'gradualRolloutRandom':
      percentageParameter = parameters.percentage;
      stickiness = 'random';
      break;
    default:
      return undefined;
  }
  const percentage = Number(percentageParameter);
  const groupId =
    raw.name === 'flexibleRollout'
      ? String(parameters.groupId || (context.featureToggle as string) || '')
      : String(parameters.groupId || '');
  const field = stickiness === 'default' ? (text(context.userId) ? 'userId' : 'sessionId') : stickiness;
  const stickinessValue =
    stickiness === 'random'
      ? undefined
      : stickiness === 'default'
        ? text(context.userId) || text(context.sessionId)
        : readFieldText(context, stickiness, staticValueOf(stickiness, staticContext)) || undefined;
  const randomWhenMissing = stickiness === 'default' && raw.name === 'flexibleRollout';
  if (stickinessValue === undefined) {
    const random = stickiness === 'random' || randomWhenMissing;
    // without a sticky value the bucket is random (decided per evaluation), or the rollout does not apply
    return { percentage, stickiness, groupId, random, held: random && percentage >= 100 };
  }
  const bucket = bucketOf(murmurHash32(`${groupId}:${stickinessValue}`, STRATEGY_SEED), 100);
  return {
    percentage,
    stickiness,
    groupId,
    field,
    stickinessValue,
    bucket,
    random: false,
    held: percentage > 0 && bucket <= percentage,
  };
}

function textParameters(parameters: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isRecord(parameters)) return result;
  for (const [key, value] of Object.entries(parameters)) if (value !== undefined) result[key] = String(value);
  return result;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : String(value);
}

function traceDependencies(
  flags: CompiledFlags,
  feature: FeatureDefinition,
  context: FlagContext,
): DependencyTrace[] {
  const list = Array.isArray(feature.dependencies) ? feature.dependencies : [];
  return list.map((dependency) => {
    const variants = Array.isArray(dependency.variants) ? dependency.variants : [];
    const expects = dependency.enabled === false ? 'disabled' : variants.length > 0 ? 'variant' : 'enabled';
    const parent = flags.feature(dependency.feature);
    if (parent === undefined) {
      return {
        feature: dependency.feature,
        expects,
        variants,
        defined: false,
        parentEnabled: false,
        parentVariant: 'disabled',
        held: false,
      };
    }
    const answer = flags.explain(dependency.feature, context);
    // unleash-client: a parent that has dependencies of its own never satisfies
    const chained = Array.isArray(parent.dependencies) && parent.dependencies.length > 0;
    const held =
      !chained &&
      (expects === 'disabled'
        ? !answer.enabled
        : expects === 'enabled'
          ? answer.enabled
          : answer.variant.feature_enabled && variants.includes(answer.variant.name));
    return {
      feature: dependency.feature,
      expects,
      variants,
      defined: true,
      parentEnabled: answer.enabled,
      parentVariant: answer.variant.name,
      held,
    };
  });
}
