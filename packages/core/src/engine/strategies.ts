// Activation strategies compiled into predicates with unleash-client 6.12.1's semantics (lib/strategy/*.js).
// Parameters are parsed here: percentages to numbers, id lists to Sets, IP ranges to addresses, group ids to
// precomputed hash prefixes.
import { hostname } from 'node:os';
import { Address4 } from 'ip-address';
import type { CustomStrategy } from '../types.js';
import {
  ALWAYS_FALSE,
  ALWAYS_TRUE,
  allOf,
  type CompileEnvironment,
  compileConstraint,
  type Predicate,
} from './constraints.js';
import { readFieldText, staticValueOf } from './context-value.js';
import { fail, isAbsent, isRecord, kindOf, optionalArray, optionalString } from './definition-problem.js';
import {
  bucketOf,
  type HashPrefix,
  hashWithPrefix,
  murmurHash32,
  prepareHashPrefix,
  STRATEGY_SEED,
} from './murmur.js';
import { compileVariants, strategyVariantStickiness, type VariantPicker } from './variants.js';

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

/** A global segment, compiled the first time a strategy uses it. */
export interface SegmentEntry {
  readonly raw: unknown;
  compiled?: Predicate;
  problem?: { field: string; message: string };
}

/** What compiling strategies needs besides the definition. */
export interface StrategyEnvironment extends CompileEnvironment {
  readonly customStrategies: ReadonlyMap<string, CustomStrategy>;
  /** undefined when the payload's `segments` is unusable (not an array) */
  readonly segments: ReadonlyMap<unknown, SegmentEntry> | undefined;
  /** the lower-cased host name, computed on first use like unleash-client's ApplicationHostnameStrategy */
  hostname(): string;
}

const BUILT_IN = new Set([
  'default',
  'userWithId',
  'gradualRolloutUserId',
  'gradualRolloutSessionId',
  'gradualRolloutRandom',
  'flexibleRollout',
  'remoteAddress',
  'applicationHostname',
]);

/** unleash-client splits id and address lists on commas with optional blanks around them. */
const LIST_SEPARATOR = /\s*,\s*/;

const EMPTY_PARAMETERS: Record<string, unknown> = Object.freeze({});

/**
 * Unleash's host name for `applicationHostname`: `HOSTNAME`, else the OS host name, lower-cased.
 * @example
 * currentHostname(); // 'web-1'
 */
export function currentHostname(): string {
  return (process.env.HOSTNAME || hostname() || 'undefined').toLowerCase();
}

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
  let rule: Predicate;
  let known = true;
  if (custom !== undefined) {
    rule = customRule(custom, parameters ?? EMPTY_PARAMETERS, env);
  } else if (BUILT_IN.has(name)) {
    if (name !== 'default' && parameters === undefined) {
      fail(
        `${field}.parameters`,
        `missing: the ${name} strategy reads its parameters (unleash-client fails without them)`,
      );
    }
    rule = builtInRule(name, parameters ?? EMPTY_PARAMETERS, `${field}.parameters`, env);
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

function builtInRule(
  name: string,
  parameters: Record<string, unknown>,
  field: string,
  env: StrategyEnvironment,
): Predicate {
  switch (name) {
    case 'default':
      return ALWAYS_TRUE;
    case 'userWithId': {
      const userIds = parameters.userIds;
      if (!userIds) return ALWAYS_FALSE;
      if (typeof userIds !== 'string')
        fail(`${field}.userIds`, `must be a comma-separated string, got ${kindOf(userIds)}`);
      return userIdIn(new Set(userIds.split(LIST_SEPARATOR)));
    }
    case 'gradualRolloutUserId':
    case 'gradualRolloutSessionId': {
      const percentage = percentageParameter(parameters, 'percentage', field);
      if (percentage <= 0) return ALWAYS_FALSE;
      const prefix = prepareHashPrefix(
        `${groupIdText(parameters.groupId, `${field}.groupId`) || ''}:`,
        STRATEGY_SEED,
      );
      return name === 'gradualRolloutUserId'
        ? userIdBucketWithin(prefix, percentage)
        : sessionIdBucketWithin(prefix, percentage);
    }
    case 'gradualRolloutRandom': {
      const percentage = percentageParameter(parameters, 'percentage', field);
      if (percentage <= 0) return ALWAYS_FALSE;
      if (percentage >= 100) return ALWAYS_TRUE;
      return randomWithin(percentage);
    }
    case 'flexibleRollout':
      return flexibleRolloutRule(parameters, field, env);
    case 'remoteAddress':
      return remoteAddressRule(parameters, field);
    default: {
      // applicationHostname: the host name is fixed for the process, so the answer is a constant
      const hostNames = parameters.hostNames;
      if (!hostNames) return ALWAYS_FALSE;
      if (typeof hostNames !== 'string')
        fail(`${field}.hostNames`, `must be a comma-separated string, got ${kindOf(hostNames)}`);
      return hostNames.toLowerCase().split(LIST_SEPARATOR).includes(env.hostname())
        ? ALWAYS_TRUE
        : ALWAYS_FALSE;
    }
  }
}

// Small factories, one per closure shape, so that each closure's context holds only what it reads.
function userIdIn(ids: ReadonlySet<string>): Predicate {
  return (context) => {
    const userId = context.userId;
    return userId !== undefined && ids.has(userId as string);
  };
}

/** gradualRolloutUserId: `userId` must be truthy; the bucket of `groupId:userId` within the percentage. */
function userIdBucketWithin(prefix: HashPrefix, percentage: number): Predicate {
  return (context) => {
    const id = context.userId;
    return (
      !!id && bucketOf(hashWithPrefix(prefix, typeof id === 'string' ? id : String(id)), 100) <= percentage
    );
  };
}

function sessionIdBucketWithin(prefix: HashPrefix, percentage: number): Predicate {
  return (context) => {
    const id = context.sessionId;
    return (
      !!id && bucketOf(hashWithPrefix(prefix, typeof id === 'string' ? id : String(id)), 100) <= percentage
    );
  };
}

function randomWithin(percentage: number): Predicate {
  return () => randomPercent() <= percentage;
}

/** The issue counts a rollout that is not a percentage as a broken definition (unleash-client would read NaN). */
function percentageParameter(parameters: Record<string, unknown>, key: string, field: string): number {
  const raw = parameters[key];
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= 100)) {
    fail(`${field}.${key}`, `must be a percentage from 0 to 100 (as "25" or 25), got ${kindOf(raw)}`);
  }
  return value;
}

/** groupId is read through a template string by unleash-client: strings and numbers only make sense. */
function groupIdText(raw: unknown, field: string): string | undefined {
  if (!raw) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') fail(field, `must be a string, got ${kindOf(raw)}`);
  return String(raw);
}

/** A uniformly random bucket 1..100, where unleash-client hashes a random number. */
function randomPercent(): number {
  return Math.floor(Math.random() * 100) + 1;
}

function flexibleRolloutRule(
  parameters: Record<string, unknown>,
  field: string,
  env: StrategyEnvironment,
): Predicate {
  const percentage = percentageParameter(parameters, 'rollout', field);
  const stickiness = optionalString(parameters.stickiness, `${field}.stickiness`) || 'default';
  if (percentage <= 0) return ALWAYS_FALSE;
  const groupId = groupIdText(parameters.groupId, `${field}.groupId`);
  const staticValue = staticValueOf(stickiness, env.staticContext);

  if (percentage >= 100) {
    // every bucket (1..100) is within the rollout: only a missing stickiness value can turn it off
    if (stickiness === 'default' || stickiness === 'random') return ALWAYS_TRUE;
    return fieldPresent(stickiness, staticValue);
  }
  if (stickiness === 'random') return randomWithin(percentage);
  // unleash-client: `parameters.groupId || context.featureToggle || ''` (nothing sets featureToggle itself)
  if (groupId === undefined) return featureToggleGroupBucketWithin(stickiness, staticValue, percentage);
  const prefix = prepareHashPrefix(`${groupId}:`, STRATEGY_SEED);
  if (stickiness === 'default') return defaultStickinessBucketWithin(prefix, percentage);
  return fieldBucketWithin(stickiness, staticValue, prefix, percentage);
}

function fieldPresent(field: string, staticValue: string | undefined): Predicate {
  return (context) => !!readFieldText(context, field, staticValue);
}

/** flexibleRollout's `default` stickiness: userId, else sessionId, else a random bucket. */
function defaultStickinessBucketWithin(prefix: HashPrefix, percentage: number): Predicate {
  return (context) => {
    const id = context.userId || context.sessionId;
    if (!id) return randomPercent() <= percentage;
    return bucketOf(hashWithPrefix(prefix, typeof id === 'string' ? id : String(id)), 100) <= percentage;
  };
}

function fieldBucketWithin(
  field: string,
  staticValue: string | undefined,
  prefix: HashPrefix,
  percentage: number,
): Predicate {
  return (context) => {
    const id = readFieldText(context, field, staticValue);
    return !!id && bucketOf(hashWithPrefix(prefix, id), 100) <= percentage;
  };
}

/** Without a groupId the group is the context's `featureToggle`, known only at evaluation time. */
function featureToggleGroupBucketWithin(
  stickiness: string,
  staticValue: string | undefined,
  percentage: number,
): Predicate {
  return (context) => {
    const id =
      stickiness === 'default'
        ? context.userId || context.sessionId
        : readFieldText(context, stickiness, staticValue);
    if (!id) return stickiness === 'default' ? randomPercent() <= percentage : false;
    const key = `${(context.featureToggle as string) || ''}:${typeof id === 'string' ? id : String(id)}`;
    return bucketOf(murmurHash32(key, STRATEGY_SEED), 100) <= percentage;
  };
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

function remoteAddressRule(parameters: Record<string, unknown>, field: string): Predicate {
  const ips = parameters.IPs;
  if (!ips) return ALWAYS_FALSE;
  if (typeof ips !== 'string')
    fail(`${field}.IPs`, `must be a comma-separated string of IPs and CIDR ranges, got ${kindOf(ips)}`);
  const ranges = ips.split(LIST_SEPARATOR);
  const exact = new Set(ranges);
  // unleash-client only checks IPv4 subnets; any other entry matches by exact text
  const subnets = ranges.filter((range) => Address4.isValid(range)).map((range) => new Address4(range));
  return (context) => {
    const remoteAddress = context.remoteAddress;
    if (exact.has(remoteAddress as string)) return true;
    if (subnets.length === 0 || typeof remoteAddress !== 'string') return false;
    const address = parseAddress4(remoteAddress);
    if (address === null) return false;
    for (const subnet of subnets) if (address.isInSubnet(subnet)) return true;
    return false;
  };
}

// Parsed context addresses for remoteAddress, bounded so that a flood of distinct ones only costs a reset.
const address4Cache = new Map<string, Address4 | null>();
const ADDRESS_CACHE_LIMIT = 1000;

function parseAddress4(text: string): Address4 | null {
  let parsed = address4Cache.get(text);
  if (parsed !== undefined) return parsed;
  parsed = Address4.isValid(text) ? new Address4(text) : null;
  // an IPv4 address with a /suffix is at most 18 characters: longer values are not kept
  if (text.length <= 18) {
    if (address4Cache.size >= ADDRESS_CACHE_LIMIT) address4Cache.clear();
    address4Cache.set(text, parsed);
  }
  return parsed;
}
