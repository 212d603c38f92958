// Constraints compiled into predicates with unleash-client 6.12.1's semantics (lib/strategy/strategy.js):
// every value of the definition (numbers, dates, semver, regexes, CIDR ranges, cleaned and lowercased value
// lists) is parsed here, once; evaluation only converts the context's own value.
import { Address4, Address6 } from 'ip-address';
import { SemVer } from 'semver';
import type { FlagContext } from '../types.js';
import { readField, readFieldText, type StaticContext, staticValueOf } from './context-value.js';
import { fail, isAbsent, isRecord, kindOf, optionalBoolean, optionalString } from './definition-problem.js';
import { LIST_OPERATORS, VALUE_OPERATORS } from './operators.js';
import { type CompiledRegex, compileRe2 } from './regex.js';

export type Predicate = (context: FlagContext) => boolean;

/** Constant predicates, recognised by identity so that `allOf` can fold them away. */
export const ALWAYS_TRUE: Predicate = () => true;
export const ALWAYS_FALSE: Predicate = () => false;

/** What compiling needs besides the definition. */
export interface CompileEnvironment {
  readonly staticContext: StaticContext | undefined;
  /** reports a tolerated oddity once per key */
  warnOnce(key: string, message: string): void;
  /** predicates of this compilation by constraint content, so identical constraints share one */
  readonly predicateCache: Map<string, Predicate>;
}

const LIST_OPERATOR_SET: ReadonlySet<string> = new Set(LIST_OPERATORS);
const VALUE_OPERATOR_SET: ReadonlySet<string> = new Set(VALUE_OPERATORS);

/**
 * Does this operator compare one `value` (numbers, dates, versions, REGEX) rather than a `values` list?
 * @example
 * isSingleValueOperator('NUM_GT'); // true
 */
export function isSingleValueOperator(operator: string): boolean {
  return VALUE_OPERATOR_SET.has(operator);
}

/** Every operator unleash-client 6.12.1 knows; any other never matches, inverted or not. */
export const KNOWN_OPERATORS: ReadonlySet<string> = new Set([...LIST_OPERATORS, ...VALUE_OPERATORS]);

/** Up to this many values, a linear scan beats a Set lookup. */
const SET_THRESHOLD = 8;

/**
 * Compiles one constraint (already inside a flag; `field` is its path for messages).
 * @example
 * const isPro = compileConstraint({ contextName: 'plan', operator: 'IN', values: ['pro'] }, 'c', env);
 */
export function compileConstraint(raw: unknown, field: string, env: CompileEnvironment): Predicate {
  if (!isRecord(raw))
    fail(field, `must be an object like { contextName, operator, values }, got ${kindOf(raw)}`);
  const contextName = raw.contextName;
  if (typeof contextName !== 'string') {
    fail(`${field}.contextName`, `must be the name of a context field, got ${kindOf(contextName)}`);
  }
  const operator = raw.operator;
  if (typeof operator !== 'string') {
    fail(`${field}.operator`, `must be an operator such as "IN" or "STR_CONTAINS", got ${kindOf(operator)}`);
  }
  const inverted = optionalBoolean(raw.inverted, field, 'inverted');
  const caseInsensitive = optionalBoolean(raw.caseInsensitive, field, 'caseInsensitive');

  if (!KNOWN_OPERATORS.has(operator)) {
    env.warnOnce(
      `operator:${operator}`,
      `unknown constraint operator "${operator}" (at ${field}): it never matches, as in unleash-client; upgrade flagwise or fix the definition`,
    );
    return ALWAYS_FALSE;
  }

  // identical constraints (common: segments and rules copied across flags) share one predicate
  let predicate: Predicate;
  if (LIST_OPERATOR_SET.has(operator)) {
    const values = cleanValues(raw.values, field, operator);
    const key = `${operator}\u0000${contextName}\u0000${inverted}${caseInsensitive}\u0000${values.join('\u0001')}`;
    const cached = env.predicateCache.get(key);
    if (cached !== undefined) return cached;
    const staticValue = staticValueOf(contextName, env.staticContext);
    if (operator === 'IN' || operator === 'NOT_IN') {
      predicate = inPredicate(contextName, staticValue, values, (operator === 'NOT_IN') !== inverted);
    } else if (operator === 'IN_CIDR') {
      predicate = cidrPredicate(contextName, staticValue, values, inverted);
    } else {
      predicate = stringPredicate(contextName, staticValue, operator, values, caseInsensitive, inverted);
    }
    env.predicateCache.set(key, predicate);
    return predicate;
  }
  const value = raw.value;
  if (operator.startsWith('NUM_') || operator.startsWith('DATE_')) {
    if (!isAbsent(value) && typeof value !== 'string' && typeof value !== 'number') {
      fail(`${field}.value`, `must be a string, got ${kindOf(value)}`);
    }
  } else {
    optionalString(value, `${field}.value`);
  }
  const key = `${operator}\u0000${contextName}\u0000${inverted}${caseInsensitive}\u0000${typeof value}:${String(value)}`;
  const cached = env.predicateCache.get(key);
  if (cached !== undefined) return cached;
  if (value === undefined) {
    env.warnOnce(
      `${field}:value`,
      `${field}: ${operator} has no "value", so it never matches (as in unleash-client)`,
    );
  }
  const staticValue = staticValueOf(contextName, env.staticContext);
  if (operator.startsWith('NUM_'))
    predicate = numberPredicate(contextName, staticValue, operator, value, inverted, env);
  else if (operator.startsWith('DATE_')) predicate = datePredicate(operator, value, inverted, field, env);
  else if (operator.startsWith('SEMVER_')) {
    predicate = semverPredicate(contextName, staticValue, operator, value, inverted, field, env);
  } else predicate = regexPredicate(contextName, staticValue, value, caseInsensitive, inverted, field, env);
  env.predicateCache.set(key, predicate);
  return predicate;
}

/**
 * All predicates must hold; constants are folded, short lists get a closure without a loop.
 * @example
 * allOf([isPro, isSweden])(context);
 */
export function allOf(predicates: readonly Predicate[]): Predicate {
  const live: Predicate[] = [];
  for (const predicate of predicates) {
    if (predicate === ALWAYS_FALSE) return ALWAYS_FALSE;
    if (predicate !== ALWAYS_TRUE) live.push(predicate);
  }
  switch (live.length) {
    case 0:
      return ALWAYS_TRUE;
    case 1:
      return live[0];
    case 2:
      return both(live[0], live[1]);
    case 3:
      return allThree(live[0], live[1], live[2]);
    default:
      return everyOne(live.slice());
  }
}

// One small factory per shape: a closure's context then holds only what that closure reads, which keeps
// 10,000 compiled flags small (V8 puts every variable any closure of a function reads into one shared context).
function both(a: Predicate, b: Predicate): Predicate {
  return (context) => a(context) && b(context);
}

function allThree(a: Predicate, b: Predicate, c: Predicate): Predicate {
  return (context) => a(context) && b(context) && c(context);
}

function everyOne(predicates: readonly Predicate[]): Predicate {
  return (context) => {
    for (let i = 0; i < predicates.length; i++) if (!predicates[i](context)) return false;
    return true;
  };
}

/** unleash-client's `values.filter((v) => !!v).map((v) => v.trim())`; a truthy non-string makes it throw. */
function cleanValues(raw: unknown, field: string, operator: string): string[] {
  if (!Array.isArray(raw)) {
    fail(`${field}.values`, `${operator} needs "values": an array of strings, got ${kindOf(raw)}`);
  }
  const cleaned: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const value = raw[i];
    if (!value) continue;
    if (typeof value !== 'string') fail(`${field}.values[${i}]`, `must be a string, got ${kindOf(value)}`);
    cleaned.push(value.trim());
  }
  // push grows capacity ahead; a copy is exactly as long (these arrays live as long as the flag)
  return cleaned.slice();
}

/** IN and NOT_IN; `flip` is true for NOT_IN, inverted IN, ... (the result is `isIn !== flip`). */
function inPredicate(
  field: string,
  staticValue: string | undefined,
  values: string[],
  flip: boolean,
): Predicate {
  if (values.length === 0) return flip ? ALWAYS_TRUE : ALWAYS_FALSE;
  if (values.length === 1) return inOne(field, staticValue, values[0], flip);
  if (values.length <= SET_THRESHOLD) return inFew(field, staticValue, values, flip);
  return inMany(field, staticValue, new Set(values), flip);
}

function inOne(field: string, staticValue: string | undefined, only: string, flip: boolean): Predicate {
  return (context) => {
    const value = readField(context, field, staticValue);
    return (value !== undefined && (typeof value === 'string' ? value : String(value)) === only) !== flip;
  };
}

function inFew(
  field: string,
  staticValue: string | undefined,
  values: readonly string[],
  flip: boolean,
): Predicate {
  return (context) => {
    const value = readField(context, field, staticValue);
    if (value === undefined) return flip;
    const text = typeof value === 'string' ? value : String(value);
    for (let i = 0; i < values.length; i++) if (values[i] === text) return !flip;
    return flip;
  };
}

function inMany(
  field: string,
  staticValue: string | undefined,
  set: ReadonlySet<string>,
  flip: boolean,
): Predicate {
  return (context) => {
    const value = readField(context, field, staticValue);
    return (value !== undefined && set.has(typeof value === 'string' ? value : String(value))) !== flip;
  };
}

function stringPredicate(
  field: string,
  staticValue: string | undefined,
  operator: string,
  values: string[],
  caseInsensitive: boolean,
  inverted: boolean,
): Predicate {
  if (values.length === 0) return inverted ? ALWAYS_TRUE : ALWAYS_FALSE;
  const needles = caseInsensitive ? values.map((value) => value.toLocaleLowerCase()) : values;
  const count = needles.length;
  const mode = operator === 'STR_STARTS_WITH' ? 0 : operator === 'STR_ENDS_WITH' ? 1 : 2;
  return (context) => {
    let text = readFieldText(context, field, staticValue);
    if (text === undefined) return inverted;
    if (caseInsensitive) text = text.toLocaleLowerCase();
    for (let i = 0; i < count; i++) {
      const needle = needles[i];
      if (mode === 0 ? text.startsWith(needle) : mode === 1 ? text.endsWith(needle) : text.includes(needle)) {
        return !inverted;
      }
    }
    return inverted;
  };
}

/** Number(String(value)) as unleash-client computes it; numbers skip the round trip (it is the identity). */
function contextNumber(context: FlagContext, field: string, staticValue: string | undefined): number {
  const value = readField(context, field, staticValue);
  return typeof value === 'number' ? value : Number(value === undefined ? undefined : String(value));
}

function numberPredicate(
  field: string,
  staticValue: string | undefined,
  operator: string,
  raw: unknown,
  inverted: boolean,
  env: CompileEnvironment,
): Predicate {
  const target = Number(raw);
  if (Number.isNaN(target)) {
    if (raw !== undefined) {
      env.warnOnce(
        `num:${String(raw)}`,
        `${operator} value ${JSON.stringify(raw)} is not a number: it never matches`,
      );
    }
    return inverted ? ALWAYS_TRUE : ALWAYS_FALSE;
  }
  // a NaN context value fails every comparison, and inverted turns that into a match, as in unleash-client
  switch (operator) {
    case 'NUM_EQ':
      return (context) => (contextNumber(context, field, staticValue) === target) !== inverted;
    case 'NUM_GT':
      return (context) => contextNumber(context, field, staticValue) > target !== inverted;
    case 'NUM_GTE':
      return (context) => contextNumber(context, field, staticValue) >= target !== inverted;
    case 'NUM_LT':
      return (context) => contextNumber(context, field, staticValue) < target !== inverted;
    default:
      return (context) => contextNumber(context, field, staticValue) <= target !== inverted;
  }
}

/** unleash-client reads `currentTime` from the context whatever the constraint's contextName says. */
function currentTimeOf(context: FlagContext): number {
  const value = context.currentTime;
  if (!value) return Date.now();
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return Date.parse(value);
  return new Date(value as number).getTime();
}

function datePredicate(
  operator: string,
  raw: unknown,
  inverted: boolean,
  field: string,
  env: CompileEnvironment,
): Predicate {
  const target = new Date(raw as string).getTime();
  if (Number.isNaN(target)) {
    if (raw !== undefined)
      env.warnOnce(`date:${field}`, `${field}: ${JSON.stringify(raw)} is not a date: it never matches`);
    return inverted ? ALWAYS_TRUE : ALWAYS_FALSE;
  }
  return operator === 'DATE_AFTER'
    ? (context) => currentTimeOf(context) > target !== inverted
    : (context) => currentTimeOf(context) < target !== inverted;
}

// Parsed context versions, bounded: versions are few in practice, and a flood of distinct ones only costs a reset.
const semverCache = new Map<string, SemVer | null>();
const SEMVER_CACHE_LIMIT = 1000;

function parseContextVersion(text: string): SemVer | null {
  // semver refuses versions over 256 characters; refusing them here keeps huge values out of the cache
  if (text.length > 256) return null;
  let parsed = semverCache.get(text);
  if (parsed !== undefined) return parsed;
  try {
    // unleash-client: semver.valid(value) && !value.startsWith('v')
    parsed = text.startsWith('v') ? null : new SemVer(text);
  } catch {
    parsed = null;
  }
  if (semverCache.size >= SEMVER_CACHE_LIMIT) semverCache.clear();
  semverCache.set(text, parsed);
  return parsed;
}

/** The context's version compared with `target` (-1, 0, 1), or NaN when it has none or it is not semver. */
function compareContextVersion(
  context: FlagContext,
  field: string,
  staticValue: string | undefined,
  target: SemVer,
): number {
  const text = readFieldText(context, field, staticValue);
  if (!text) return Number.NaN;
  const version = parseContextVersion(text);
  return version === null ? Number.NaN : version.compare(target);
}

function semverPredicate(
  field: string,
  staticValue: string | undefined,
  operator: string,
  raw: unknown,
  inverted: boolean,
  path: string,
  env: CompileEnvironment,
): Predicate {
  let target: SemVer;
  try {
    target = new SemVer(raw as string);
  } catch {
    if (raw !== undefined) {
      env.warnOnce(
        `semver:${path}`,
        `${path}: ${JSON.stringify(raw)} is not a semantic version: it never matches`,
      );
    }
    return inverted ? ALWAYS_TRUE : ALWAYS_FALSE;
  }
  switch (operator) {
    case 'SEMVER_EQ':
      return (context) => (compareContextVersion(context, field, staticValue, target) === 0) !== inverted;
    case 'SEMVER_GT':
      return (context) => compareContextVersion(context, field, staticValue, target) > 0 !== inverted;
    case 'SEMVER_LT':
      return (context) => compareContextVersion(context, field, staticValue, target) < 0 !== inverted;
    case 'SEMVER_GTE':
      return (context) => compareContextVersion(context, field, staticValue, target) >= 0 !== inverted;
    default:
      return (context) => compareContextVersion(context, field, staticValue, target) <= 0 !== inverted;
  }
}

function regexPredicate(
  field: string,
  staticValue: string | undefined,
  raw: unknown,
  caseInsensitive: boolean,
  inverted: boolean,
  path: string,
  env: CompileEnvironment,
): Predicate {
  let regex: CompiledRegex;
  try {
    // RE2 syntax and semantics, as unleash-client (re2js), compiled once here
    regex = compileRe2(raw as string, caseInsensitive);
  } catch (error) {
    if (raw !== undefined) {
      env.warnOnce(
        `regex:${path}`,
        `${path}: ${JSON.stringify(raw)} is not a valid RE2 regular expression (${(error as Error).message}): it never matches`,
      );
    }
    return inverted ? ALWAYS_TRUE : ALWAYS_FALSE;
  }
  return (context) => {
    const text = readFieldText(context, field, staticValue);
    // unleash-client only matches defined (stringified) values
    return (text !== undefined && regex.test(text)) !== inverted;
  };
}

interface ParsedRange {
  readonly v4: Address4 | null;
  readonly v4Form: string;
  readonly v6: Address6 | null;
  readonly v6Form: string;
}

interface ParsedAddress {
  readonly v4: Address4 | null;
  readonly v6: Address6 | null;
  readonly form: string;
}

const addressCache = new Map<string, ParsedAddress>();
const ADDRESS_CACHE_LIMIT = 1000;
const MAX_CACHED_ADDRESS = 64;

function parseAddress(text: string): ParsedAddress {
  let parsed = addressCache.get(text);
  if (parsed !== undefined) return parsed;
  let v4: Address4 | null = null;
  let v6: Address6 | null = null;
  if (Address4.isValid(text)) v4 = new Address4(text);
  else if (Address6.isValid(text)) v6 = new Address6(text);
  parsed = { v4, v6, form: v4 ? v4.correctForm() : v6 ? v6.correctForm() : '' };
  // addresses are short; a long value (an IPv6 zone can be any length) is parsed again rather than kept
  if (text.length <= MAX_CACHED_ADDRESS) {
    if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
    addressCache.set(text, parsed);
  }
  return parsed;
}

function inRanges(address: ParsedAddress, v4Ranges: ParsedRange[], v6Ranges: ParsedRange[]): boolean {
  if (address.v4 !== null) {
    for (const range of v4Ranges)
      if (address.form === range.v4Form || address.v4.isInSubnet(range.v4!)) return true;
    return false;
  }
  if (address.v6 !== null) {
    for (const range of v6Ranges)
      if (address.form === range.v6Form || address.v6.isInSubnet(range.v6!)) return true;
  }
  return false;
}

function cidrPredicate(
  field: string,
  staticValue: string | undefined,
  values: string[],
  inverted: boolean,
): Predicate {
  const ranges: ParsedRange[] = values.map((range) => {
    const v4 = Address4.isValid(range) ? new Address4(range) : null;
    const v6 = Address6.isValid(range) ? new Address6(range) : null;
    return { v4, v4Form: v4 ? v4.correctForm() : '', v6, v6Form: v6 ? v6.correctForm() : '' };
  });
  const v4Ranges = ranges.filter((range) => range.v4 !== null);
  const v6Ranges = ranges.filter((range) => range.v6 !== null);
  if (v4Ranges.length === 0 && v6Ranges.length === 0) return inverted ? ALWAYS_TRUE : ALWAYS_FALSE;
  return (context) => {
    const text = readFieldText(context, field, staticValue);
    return (text !== undefined && inRanges(parseAddress(text), v4Ranges, v6Ranges)) !== inverted;
  };
}
