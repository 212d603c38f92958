// Seeded random Unleash definitions and contexts for the differential test: every built-in strategy, a custom and
// an unknown one, every operator (and an unknown one), inverted and case-insensitive constraints, global segments,
// flag and strategy variants with overrides and payloads, and dependencies. The same seed gives the same payload.
import { hostname } from 'node:os';
import type {
  ClientFeaturesPayload,
  ConstraintDefinition,
  DependencyDefinition,
  FeatureDefinition,
  FlagContext,
  SegmentDefinition,
  StrategyDefinition,
  VariantDefinition,
} from '@flagwise/core';

// what unleash-client's applicationHostname strategy compares with
const HOST = (process.env.HOSTNAME || hostname() || 'undefined').toUpperCase();

/** mulberry32: tiny, fast and good enough to drive a generator. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Picker {
  constructor(readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  one<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  some<T>(items: readonly T[], min: number, max: number): T[] {
    const count = this.int(min, max);
    return Array.from({ length: count }, () => this.one(items));
  }
}

export const CUSTOM_STRATEGY_NAME = 'planIs';
/** A custom strategy registered on both sides: on when the context's plan is the strategy's `plan` parameter. */
export const customStrategy = {
  name: CUSTOM_STRATEGY_NAME,
  isEnabled(parameters: Record<string, unknown>, context: FlagContext): boolean {
    return context.properties?.plan === parameters.plan;
  },
};

const USER_IDS = [
  '1',
  '2',
  '7',
  '13',
  '42',
  '99',
  '123',
  '1001',
  'alice',
  'bob',
  'Ærøskøbing',
  '日本語',
  '👩‍💻',
  'a,b',
];
const SESSION_IDS = ['s1', 's2', 's-42', 'sess-ü', '9f1c'];
const ADDRESSES = [
  '10.0.0.1',
  '10.1.2.3',
  '192.168.1.17',
  '192.168.1.255',
  '172.16.5.4',
  '127.0.0.1',
  '2001:db8::1',
  '2001:db8:0:0:0:0:0:1',
  '::1',
  'fe80::1',
  'not-an-ip',
  '10.0.0.1/24',
  '',
];
const PLANS = ['free', 'pro', 'Pro', 'PRO', 'enterprise', ' pro ', 'pro-trial', ''];
const COUNTRIES = ['NO', 'SE', 'se', 'DK', 'US', 'de'];
const EMAILS = ['a@example.com', 'B@EXAMPLE.COM', 'c@other.org', 'root@example.com.evil', ''];
const NUMBERS = ['0', '1', '5', '18', '42', '42.0', '-3', '3.5', '1e3', 'abc', '', ' 7 ', 'Infinity'];
const VERSIONS = [
  '1.2.3',
  '1.2.4',
  '1.10.0',
  '2.0.0',
  '2.0.0-beta.1',
  '2.0.0-beta.2',
  '2.0.0-alpha',
  '1.2.3+build.5',
  'v1.2.3',
  '1.2',
  'x',
  ' 1.2.3 ',
  '=1.2.3',
  '',
];
const DATES = [
  '2025-06-01T00:00:00.000Z',
  '2026-01-01T00:00:00.000Z',
  '2026-12-31T23:59:59.999Z',
  '2027-03-01T12:00:00Z',
  '2030-01-01',
];
const ENVIRONMENTS = ['production', 'staging', 'development', 'Production'];
const APP_NAMES = ['diff-app', 'web', 'worker'];

/** Context fields and the value pools constraints draw from. */
const FIELDS: Record<string, readonly string[]> = {
  userId: USER_IDS,
  sessionId: SESSION_IDS,
  remoteAddress: ADDRESSES,
  environment: ENVIRONMENTS,
  appName: APP_NAMES,
  plan: PLANS,
  country: COUNTRIES,
  email: EMAILS,
  age: NUMBERS,
  version: VERSIONS,
  ip: ADDRESSES,
  missing: ['x'],
};

const REGEXES = [
  '^pro',
  'pro$',
  'p.o',
  '^[a-z]+$',
  '\\d+',
  '^\\d{2,3}$',
  '(?i)PRO',
  'ent|free',
  '@example\\.com$',
  '^[^@]+@example\\.com$',
  '\\bpro\\b',
  '.*',
  '',
  '[',
  'a{2,1}',
  '(?=x)',
  '\\p{Greek}',
  'æ|ø',
  '^\\s*pro\\s*$',
  '\\w+-\\w+',
  'ß',
  'K',
];

const OPERATORS = [
  'IN',
  'NOT_IN',
  'STR_CONTAINS',
  'STR_STARTS_WITH',
  'STR_ENDS_WITH',
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
  'IN_CIDR',
  'NOT_A_REAL_OPERATOR',
] as const;

const CIDR_VALUES = [
  '10.0.0.0/8',
  '192.168.1.0/24',
  '192.168.1.17',
  '172.16.0.0/12',
  '2001:db8::/32',
  '::1',
  'fe80::/10',
  '0.0.0.0/0',
  'garbage',
  '10.0.0.0/33',
];

function constraint(pick: Picker): ConstraintDefinition {
  const operator = pick.one(OPERATORS);
  const base = { operator, inverted: pick.chance(0.2), caseInsensitive: pick.chance(0.3) };
  switch (operator) {
    case 'NUM_EQ':
    case 'NUM_GT':
    case 'NUM_GTE':
    case 'NUM_LT':
    case 'NUM_LTE':
      return {
        ...base,
        contextName: pick.one(['age', 'userId', 'plan', 'missing']),
        value: pick.one(NUMBERS),
      };
    case 'DATE_AFTER':
    case 'DATE_BEFORE':
      return { ...base, contextName: 'currentTime', value: pick.one([...DATES, 'not a date']) };
    case 'SEMVER_EQ':
    case 'SEMVER_GT':
    case 'SEMVER_LT':
    case 'SEMVER_GTE':
    case 'SEMVER_LTE':
      return { ...base, contextName: pick.one(['version', 'version', 'userId']), value: pick.one(VERSIONS) };
    case 'REGEX':
      return {
        ...base,
        contextName: pick.one(['plan', 'email', 'userId', 'country', 'missing']),
        value: pick.one(REGEXES),
      };
    case 'IN_CIDR':
      return {
        ...base,
        contextName: pick.one(['remoteAddress', 'ip']),
        values: pick.some(CIDR_VALUES, 0, 3),
      };
    default: {
      const contextName = pick.one(Object.keys(FIELDS));
      const pool = FIELDS[contextName];
      const values = pick.some(pool, 0, 4);
      if (pick.chance(0.1)) values.push(` ${pick.one(pool)} `);
      return { ...base, contextName, values };
    }
  }
}

function payloadOf(pick: Picker): { type: string; value: string } | undefined {
  switch (pick.int(0, 4)) {
    case 0:
      return undefined;
    case 1:
      return { type: 'string', value: pick.one(['hello', '', 'ünïcode']) };
    case 2:
      return { type: 'json', value: JSON.stringify({ color: pick.one(['red', 'blue']), n: pick.int(0, 9) }) };
    case 3:
      return { type: 'number', value: String(pick.int(-5, 500) / 10) };
    default:
      return { type: 'csv', value: 'a,b,c' };
  }
}

const STICKINESS = ['default', 'default', 'userId', 'sessionId', 'plan', 'country', 'environment', undefined];

function variants(pick: Picker, count: number): VariantDefinition[] {
  const stickiness = pick.one(STICKINESS);
  const fixed = pick.chance(0.3);
  return Array.from({ length: count }, (_, i): VariantDefinition => {
    const variant: VariantDefinition = {
      name: `v${i}-${pick.one(['a', 'b', 'c'])}`,
      weight: pick.chance(0.05)
        ? pick.one([2.5, -10, 0.1])
        : pick.one([0, 1, 33, 50, 100, 250, 333, 500, 1000]),
      weightType: fixed && i === 0 ? 'fix' : 'variable',
    };
    if (stickiness !== undefined) variant.stickiness = stickiness;
    const payload = payloadOf(pick);
    if (payload) variant.payload = payload;
    else if (pick.chance(0.1)) variant.payload = null as never;
    if (pick.chance(0.15)) {
      const field = pick.one(['userId', 'plan', 'country', 'environment']);
      variant.overrides = [{ contextName: field, values: pick.some(FIELDS[field], 1, 3) }];
    }
    return variant;
  });
}

function strategy(pick: Picker, featureName: string, segmentIds: number[]): StrategyDefinition {
  const groupId = pick.chance(0.85) ? featureName : pick.one(['shared-group', '']);
  // Unleash sends percentages as strings; numbers are tolerated too
  const percent = () => {
    const value = pick.one([0, 1, 10, 25, 50, 75, 99, 100]);
    return pick.chance(0.1) ? (value as unknown as string) : String(value);
  };
  let definition: StrategyDefinition;
  switch (pick.int(0, 10)) {
    case 0:
      definition = { name: 'default', parameters: {} };
      break;
    case 1:
      definition = {
        name: 'userWithId',
        parameters: {
          userIds:
            pick.some(USER_IDS, 0, 4).join(pick.one([',', ', ', ' , '])) + pick.one(['', '', ',', ' ']),
        },
      };
      break;
    case 2:
      definition = { name: 'gradualRolloutUserId', parameters: { percentage: percent(), groupId } };
      break;
    case 3:
      definition = { name: 'gradualRolloutSessionId', parameters: { percentage: percent(), groupId } };
      break;
    case 4:
      definition = { name: 'gradualRolloutRandom', parameters: { percentage: pick.one(['0', '100', '50']) } };
      break;
    case 5:
    case 6:
    case 7: {
      const parameters: Record<string, string> = {
        rollout: percent(),
        stickiness: pick.one(['default', 'default', 'userId', 'sessionId', 'plan', 'country', 'random']),
      };
      if (groupId !== '') parameters.groupId = groupId;
      definition = { name: 'flexibleRollout', parameters };
      break;
    }
    case 8:
      definition = {
        name: 'remoteAddress',
        parameters: {
          IPs: pick
            .some(['10.0.0.0/8', '192.168.1.17', '2001:db8::1', '::1', '172.16.0.0/12', 'junk'], 1, 3)
            .join(', '),
        },
      };
      break;
    case 9:
      definition = pick.chance(0.5)
        ? {
            name: 'applicationHostname',
            parameters: { hostNames: pick.one([`other-host, ${HOST}`, 'other-host']) },
          }
        : { name: CUSTOM_STRATEGY_NAME, parameters: { plan: pick.one(PLANS) } };
      break;
    default:
      definition = { name: pick.one(['unknownStrategy', 'anotherUnknown']), parameters: {} };
  }
  definition.constraints = Array.from({ length: pick.int(0, 3) }, () => constraint(pick));
  if (segmentIds.length > 0 && pick.chance(0.3)) definition.segments = pick.some([...segmentIds, 404], 1, 2);
  if (pick.chance(0.25)) {
    definition.variants = variants(pick, pick.int(1, 4));
    // strategy variants hash with the groupId parameter, which may be absent
    definition.parameters = { ...definition.parameters };
  }
  return definition;
}

/**
 * A random payload of `count` flags (later flags may depend on earlier ones).
 * @example
 * const payload = randomPayload(seededRandom(42), 10);
 */
export function randomPayload(random: () => number, count: number): ClientFeaturesPayload {
  const pick = new Picker(random);
  const segments: SegmentDefinition[] = Array.from({ length: pick.int(0, 3) }, (_, i) => ({
    id: i + 1,
    name: `segment-${i + 1}`,
    constraints: Array.from({ length: pick.int(0, 2) }, () => constraint(pick)),
  }));
  const segmentIds = segments.map((segment) => segment.id);
  const names = Array.from({ length: count }, (_, i) => (pick.chance(0.1) ? `flag-${i}-ünï` : `flag-${i}`));
  const features: FeatureDefinition[] = [];
  for (let i = 0; i < count; i++) {
    const name = names[i];
    const feature: FeatureDefinition = {
      name,
      enabled: pick.chance(0.9),
      strategies: Array.from({ length: pick.int(0, 3) }, () => strategy(pick, name, segmentIds)),
      variants: pick.chance(0.4) ? variants(pick, pick.int(1, 4)) : [],
      impressionData: false,
    };
    // parents come before or after their children: Unleash sorts by name, so children often come first
    if (pick.chance(0.25)) {
      const dependencies: DependencyDefinition[] = Array.from({ length: pick.int(1, 2) }, () => {
        const parent = pick.chance(0.9) ? names[pick.int(0, count - 1)] : 'no-such-parent';
        const dependency: DependencyDefinition = { feature: parent };
        const kind = pick.int(0, 3);
        if (kind === 1) dependency.enabled = false;
        if (kind === 2) dependency.variants = pick.some(['v0-a', 'v0-b', 'v1-a', 'v1-c', 'disabled'], 1, 2);
        if (kind === 3) dependency.enabled = true;
        return dependency;
      });
      feature.dependencies = dependencies;
    }
    features.push(feature);
  }
  return { version: 2, features, segments };
}

/**
 * A random context over the same fields the constraints read.
 * @example
 * const context = randomContext(seededRandom(7));
 */
export function randomContext(random: () => number): FlagContext {
  const pick = new Picker(random);
  const context: FlagContext = {};
  if (pick.chance(0.9)) context.userId = pick.one(USER_IDS);
  // values that are not strings are stringified by unleash-client in some places and not in others
  if (pick.chance(0.05)) context.userId = pick.one<unknown>([42, 0, true, '']) as string;
  if (pick.chance(0.5)) context.sessionId = pick.one(SESSION_IDS);
  if (pick.chance(0.4)) context.remoteAddress = pick.one(ADDRESSES);
  if (pick.chance(0.2)) context.environment = pick.one(ENVIRONMENTS);
  // an own `undefined` hides the static value in unleash-client's `{ ...staticContext, ...context }`
  if (pick.chance(0.05)) context.environment = undefined;
  if (pick.chance(0.1)) context.appName = pick.one(APP_NAMES);
  context.currentTime = pick.one([
    '2025-01-01T00:00:00.000Z',
    '2026-06-15T12:00:00.000Z',
    '2028-01-01T00:00:00.000Z',
  ]);
  const properties: Record<string, string | number> = {};
  for (const field of ['plan', 'country', 'email', 'age', 'version', 'ip']) {
    if (pick.chance(0.6)) properties[field] = pick.one(FIELDS[field]);
  }
  if (pick.chance(0.1)) properties.age = pick.int(0, 80);
  if (pick.chance(0.05)) properties.environment = pick.one(ENVIRONMENTS);
  if (pick.chance(0.05)) properties.userId = pick.one(USER_IDS);
  // top-level custom fields are read before properties
  if (pick.chance(0.1)) context.plan = pick.one(PLANS);
  if (pick.chance(0.05)) properties.plan = pick.one<unknown>([true, 3, null]) as string;
  if (pick.chance(0.05)) return context;
  context.properties = properties;
  return context;
}
