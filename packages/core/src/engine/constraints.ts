// Constraints compiled into predicates with unleash-client 6.12.1's semantics (lib/strategy/strategy.js):
// every value of the definition (numbers, dates, semver, regexes, CIDR ranges, cleaned and lowercased value
// lists) is parsed here, once; evaluation only converts the context's own value.
import { Address4, Address6 } from 'ip-address';
import { SemVer } from 'semver';
import type { FlagContext } from '../types.js';
import { rawReader, type StaticContext, stringReader } from './context-value.js';
import { fail, isAbsent, isRecord, kindOf, optionalBoolean, optionalString } from './definition-problem.js';
import { compileRe2, type RegexTest } from './regex.js';

export type Predicate = (context: FlagContext) => boolean;

/** Constant predicates, recognised by identity so that `allOf` can fold them away. */
export const ALWAYS_TRUE: Predicate = () => true;
export const ALWAYS_FALSE: Predicate = () => false;

/** What compiling needs besides the definition. */
export interface CompileEnvironment {
  readonly staticContext: StaticContext | undefined;
  /** reports a tolerated oddity once per key */
  warnOnce(key: string, message: string): void;
}

const LIST_OPERATORS = new Set([
  'IN',
  'NOT_IN',
  'STR_CONTAINS',
  'STR_STARTS_WITH',
  'STR_ENDS_WITH',
  'IN_CIDR',
]);
const VALUE_OPERATORS = new Set([
  'NUM_EQ',
  'NUM_GT',
  'NUM_GTE',
  'NUM_LT',
  'NUM_LTE',
  'DATE_AFTER',
  'DATE_BEFORE',
  'SEMVER_EQ',
  'SEMVER_GT',
  'SEMVER_LT',
  'SEMVER_GTE',
  'SEMVER_LTE',
  'REGEX',
]);

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
  const inverted = optionalBoolean(raw.inverted, `${field}.inverted`);
  const caseInsensitive = optionalBoolean(raw.caseInsensitive, `${field}.caseInsensitive`);

  if (!KNOWN_OPERATORS.has(operator)) {
    env.warnOnce(
      `operator:${operator}`,
      `unknown constraint operator "${operator}" (at ${field}): it never matches, as in unleash-client; upgrade flagwise or fix the definition`,
    );
    return ALWAYS_FALSE;
  }

  let predicate: Predicate;
  if (LIST_OPERATORS.has(operator)) {
    const values = cleanValues(raw.values, `${field}.values`, operator);
    if (operator === 'IN' || operator === 'NOT_IN') {
      predicate = inPredicate(contextName, values, env.staticContext);
      if (operator === 'NOT_IN') predicate = negate(predicate);
    } else if (operator === 'IN_CIDR') {
      predicate = cidrPredicate(contextName, values, env.staticContext);
    } else {
      predicate = stringPredicate(contextName, operator, values, caseInsensitive, env.staticContext);
    }
  } else {
    const value = raw.value;
    if (operator.startsWith('NUM_') || operator.startsWith('DATE_')) {
      if (!isAbsent(value) && typeof value !== 'string' && typeof value !== 'number') {
        fail(`${field}.value`, `must be a string, got ${kindOf(value)}`);
      }
    } else {
      optionalString(value, `${field}.value`);
    }
    if (value === undefined) {
      env.warnOnce(
        `${field}:value`,
        `${field}: ${operator} has no "value", so it never matches (as in unleash-client)`,
      );
    }
    if (operator.startsWith('NUM_')) predicate = numberPredicate(contextName, operator, value, env);
    else if (operator.startsWith('DATE_')) predicate = datePredicate(operator, value, field, env);
    else if (operator.startsWith('SEMVER_'))
      predicate = semverPredicate(contextName, operator, value, field, env);
    else predicate = regexPredicate(contextName, value, caseInsensitive, field, env);
  }
  return inverted ? negate(predicate) : predicate;
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
    case 2: {
      const [a, b] = live;
      return (context) => a(context) && b(context);
    }
    case 3: {
      const [a, b, c] = live;
      return (context) => a(context) && b(context) && c(context);
    }
    default: {
      const count = live.length;
      return (context) => {
        for (let i = 0; i < count; i++) if (!live[i](context)) return false;
        return true;
      };
    }
  }
}

function negate(predicate: Predicate): Predicate {
  if (predicate === ALWAYS_TRUE) return ALWAYS_FALSE;
  if (predicate === ALWAYS_FALSE) return ALWAYS_TRUE;
  return (context) => !predicate(context);
}

/** unleash-client's `values.filter((v) => !!v).map((v) => v.trim())`; a truthy non-string makes it throw. */
function cleanValues(raw: unknown, field: string, operator: string): string[] {
  if (!Array.isArray(raw)) {
    fail(field, `${operator} needs "values": an array of strings, got ${kindOf(raw)}`);
  }
  const cleaned: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const value = raw[i];
    if (!value) continue;
    if (typeof value !== 'string') fail(`${field}[${i}]`, `must be a string, got ${kindOf(value)}`);
    cleaned.push(value.trim());
  }
  return cleaned;
}

function inPredicate(
  contextName: string,
  values: string[],
  staticContext: StaticContext | undefined,
): Predicate {
  const read = rawReader(contextName, staticContext);
  if (values.length === 0) return ALWAYS_FALSE;
  if (values.length === 1) {
    const only = values[0];
    return (context) => {
      const value = read(context);
      return value !== undefined && (typeof value === 'string' ? value : String(value)) === only;
    };
  }
  if (values.length <= SET_THRESHOLD) {
    return (context) => {
      const value = read(context);
      if (value === undefined) return false;
      const text = typeof value === 'string' ? value : String(value);
      for (let i = 0; i < values.length; i++) if (values[i] === text) return true;
      return false;
    };
  }
  const set = new Set(values);
  return (context) => {
    const value = read(context);
    return value !== undefined && set.has(typeof value === 'string' ? value : String(value));
  };
}

function stringPredicate(
  contextName: string,
  operator: string,
  values: string[],
  caseInsensitive: boolean,
  staticContext: StaticContext | undefined,
): Predicate {
  if (values.length === 0) return ALWAYS_FALSE;
  const read = stringReader(contextName, staticContext);
  const needles = caseInsensitive ? values.map((value) => value.toLocaleLowerCase()) : values;
  const count = needles.length;
  const test =
    operator === 'STR_STARTS_WITH'
      ? (text: string, needle: string) => text.startsWith(needle)
      : operator === 'STR_ENDS_WITH'
        ? (text: string, needle: string) => text.endsWith(needle)
        : (text: string, needle: string) => text.includes(needle);
  return (context) => {
    let text = read(context);
    if (text === undefined) return false;
    if (caseInsensitive) text = text.toLocaleLowerCase();
    for (let i = 0; i < count; i++) if (test(text, needles[i])) return true;
    return false;
  };
}

function numberPredicate(
  contextName: string,
  operator: string,
  raw: unknown,
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
    return ALWAYS_FALSE;
  }
  const read = rawReader(contextName, env.staticContext);
  const toNumber = (context: FlagContext): number => {
    const value = read(context);
    // Number(String(n)) === n for every number, so numbers skip the round trip
    return typeof value === 'number' ? value : Number(value === undefined ? undefined : String(value));
  };
  switch (operator) {
    case 'NUM_EQ':
      return (context) => toNumber(context) === target;
    case 'NUM_GT':
      return (context) => toNumber(context) > target;
    case 'NUM_GTE':
      return (context) => toNumber(context) >= target;
    case 'NUM_LT':
      return (context) => toNumber(context) < target;
    default:
      return (context) => toNumber(context) <= target;
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

function datePredicate(operator: string, raw: unknown, field: string, env: CompileEnvironment): Predicate {
  const target = new Date(raw as string).getTime();
  if (Number.isNaN(target)) {
    if (raw !== undefined)
      env.warnOnce(`date:${field}`, `${field}: ${JSON.stringify(raw)} is not a date: it never matches`);
    return ALWAYS_FALSE;
  }
  return operator === 'DATE_AFTER'
    ? (context) => currentTimeOf(context) > target
    : (context) => currentTimeOf(context) < target;
}

// Parsed context versions, bounded: versions are few in practice, and a flood of distinct ones only costs a reset.
const semverCache = new Map<string, SemVer | null>();
const SEMVER_CACHE_LIMIT = 1000;

function parseContextVersion(text: string): SemVer | null {
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

function semverPredicate(
  contextName: string,
  operator: string,
  raw: unknown,
  field: string,
  env: CompileEnvironment,
): Predicate {
  let target: SemVer;
  try {
    target = new SemVer(raw as string);
  } catch {
    if (raw !== undefined)
      env.warnOnce(
        `semver:${field}`,
        `${field}: ${JSON.stringify(raw)} is not a semantic version: it never matches`,
      );
    return ALWAYS_FALSE;
  }
  const read = stringReader(contextName, env.staticContext);
  const compare = (context: FlagContext): number => {
    const text = read(context);
    if (!text) return Number.NaN;
    const version = parseContextVersion(text);
    return version === null ? Number.NaN : version.compare(target);
  };
  switch (operator) {
    case 'SEMVER_EQ':
      return (context) => compare(context) === 0;
    case 'SEMVER_GT':
      return (context) => compare(context) > 0;
    case 'SEMVER_LT':
      return (context) => compare(context) < 0;
    case 'SEMVER_GTE':
      return (context) => compare(context) >= 0;
    default:
      return (context) => compare(context) <= 0;
  }
}

function regexPredicate(
  contextName: string,
  raw: unknown,
  caseInsensitive: boolean,
  field: string,
  env: CompileEnvironment,
): Predicate {
  let test: RegexTest;
  try {
    // RE2 syntax and semantics, as unleash-client (re2js), compiled once here
    test = compileRe2(raw as string, caseInsensitive);
  } catch (error) {
    if (raw !== undefined) {
      env.warnOnce(
        `regex:${field}`,
        `${field}: ${JSON.stringify(raw)} is not a valid RE2 regular expression (${(error as Error).message}): it never matches`,
      );
    }
    return ALWAYS_FALSE;
  }
  const read = rawReader(contextName, env.staticContext);
  return (context) => {
    const value = read(context);
    // unleash-client only matches string values (after String()), which every defined value is
    if (value === undefined) return false;
    return test(typeof value === 'string' ? value : String(value));
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

function parseAddress(text: string): ParsedAddress {
  let parsed = addressCache.get(text);
  if (parsed !== undefined) return parsed;
  let v4: Address4 | null = null;
  let v6: Address6 | null = null;
  if (Address4.isValid(text)) v4 = new Address4(text);
  else if (Address6.isValid(text)) v6 = new Address6(text);
  parsed = { v4, v6, form: v4 ? v4.correctForm() : v6 ? v6.correctForm() : '' };
  if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
  addressCache.set(text, parsed);
  return parsed;
}

function cidrPredicate(
  contextName: string,
  values: string[],
  staticContext: StaticContext | undefined,
): Predicate {
  const ranges: ParsedRange[] = values.map((range) => {
    const v4 = Address4.isValid(range) ? new Address4(range) : null;
    const v6 = Address6.isValid(range) ? new Address6(range) : null;
    return { v4, v4Form: v4 ? v4.correctForm() : '', v6, v6Form: v6 ? v6.correctForm() : '' };
  });
  const v4Ranges = ranges.filter((range) => range.v4 !== null);
  const v6Ranges = ranges.filter((range) => range.v6 !== null);
  if (v4Ranges.length === 0 && v6Ranges.length === 0) return ALWAYS_FALSE;
  const read = rawReader(contextName, staticContext);
  return (context) => {
    const value = read(context);
    if (value === undefined) return false;
    const address = parseAddress(typeof value === 'string' ? value : String(value));
    if (address.v4 !== null) {
      for (const range of v4Ranges) {
        if (address.form === range.v4Form || address.v4.isInSubnet(range.v4!)) return true;
      }
      return false;
    }
    if (address.v6 !== null) {
      for (const range of v6Ranges) {
        if (address.form === range.v6Form || address.v6.isInSubnet(range.v6!)) return true;
      }
    }
    return false;
  };
}
