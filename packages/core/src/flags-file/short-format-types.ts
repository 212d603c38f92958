// The hand-written flags format (flags.yaml / flags.json, or an object passed to inlineSource).
// docs/flags-file.md describes it for users; compile-short-format.ts turns it into Unleash definitions.
import type { ConstraintDefinition } from '../types.js';

/**
 * A value in a condition list; numbers and booleans are compared as their text, as Unleash does.
 * @example
 * const plans: ConditionValue[] = ['pro', 'enterprise'];
 */
export type ConditionValue = string | number | boolean;

/**
 * One field's condition in `when:`. A value or a list means "one of these" (IN); an object names operators:
 * `{ not: [production] }`, `{ semver_gt: 2.0.0 }`, `{ gte: 18, lt: 65 }`, `{ contains: beta, case_insensitive: true }`.
 * @example
 * const appVersion: ConditionSpec = { semver_gte: '2.4.0' };
 */
export type ConditionSpec = ConditionValue | ConditionValue[] | ConditionOperators;

/**
 * Operators by their short names; the Unleash names (`STR_CONTAINS`, `num_gt`, …) are accepted too.
 * @example
 * const email: ConditionOperators = { ends_with: ['@acme.test'], case_insensitive: true };
 */
export interface ConditionOperators {
  in?: ConditionValue | ConditionValue[];
  not?: ConditionValue | ConditionValue[];
  not_in?: ConditionValue | ConditionValue[];
  contains?: string | string[];
  starts_with?: string | string[];
  ends_with?: string | string[];
  eq?: number | string;
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  after?: string | Date;
  before?: string | Date;
  semver_eq?: string;
  semver_gt?: string;
  semver_lt?: string;
  semver_gte?: string;
  semver_lte?: string;
  regex?: string;
  case_insensitive?: boolean;
  inverted?: boolean;
  [unleashOperator: string]: unknown;
}

/**
 * Conditions, all of which must hold: a readable map by context field, or Unleash's constraint list as is.
 * @example
 * const when: WhenSpec = { plan: ['pro'], environment: { not: ['production'] } };
 */
export type WhenSpec = Record<string, ConditionSpec> | ConstraintDefinition[];

/**
 * A variant payload: a string, a number, JSON (object or array), or Unleash's `{ type, value }` as is.
 * @example
 * const payload: PayloadSpec = { headline: 'Buy now' };
 */
export type PayloadSpec =
  | string
  | number
  | Record<string, unknown>
  | unknown[]
  | { type: 'string' | 'json' | 'csv' | 'number'; value: string };

/**
 * One variant written as an object.
 * @example
 * const short: VariantSpec = { weight: 50, payload: 'Buy now', users: ['qa-1'] };
 */
export interface VariantSpec {
  /** percent of traffic (0–100, steps of 0.1); variants without a weight share what is left */
  weight?: number;
  payload?: PayloadSpec;
  /** what picks this variant for a user; default the flag's (or rule's) stickiness */
  stickiness?: string;
  /** users who always get this variant (a `userId` override) */
  users?: ConditionValue[] | ConditionValue;
  /** any context field → values that always get this variant, e.g. `{ tenant: [acme] }` */
  overrides?: Record<string, ConditionValue[] | ConditionValue>;
}

/**
 * `[a, b]` (equal split), or `{ a: 50, b: { weight: 50, payload: … } }`; weights are percents.
 * @example
 * const variants: VariantsSpec = { control: 50, short: { weight: 50, payload: { steps: 1 } } };
 */
export type VariantsSpec = string[] | Record<string, number | null | VariantSpec>;

/**
 * `requires: parent`, `{ flag: parent, enabled: false }`, `{ flag: parent, variants: [blue] }`, or a list.
 * @example
 * const requires: RequiresSpec = ['payments', { flag: 'legacy-search', enabled: false }];
 */
export type RequiresSpec = string | DependencySpec | (string | DependencySpec)[];

/**
 * One dependency on another flag.
 * @example
 * const dependency: DependencySpec = { flag: 'theme', variants: ['dark'] };
 */
export interface DependencySpec {
  flag: string;
  /** the parent must be on (default) or off */
  enabled?: boolean;
  /** the parent must have one of these variants */
  variants?: string[] | string;
}

/**
 * One activation rule (an Unleash strategy). Rules are alternatives: the flag is on when any matches.
 * @example
 * const rule: RuleSpec = { rollout: 5, stickiness: 'userId', when: { country: ['NO'] } };
 */
export interface RuleSpec {
  /** percent of users, 0–100; default 100 */
  rollout?: number;
  /** `default` (userId, then sessionId, then random), `userId`, `sessionId`, `random` or any context field */
  stickiness?: string;
  /** hash group; default the flag name, so rollouts of one flag agree across rules */
  groupId?: string;
  when?: WhenSpec;
  segments?: string[] | string;
  /** on for these user ids (Unleash's `userWithId` strategy) */
  users?: ConditionValue[] | ConditionValue;
  /** variants of this rule only (Unleash strategy variants; no per-user overrides here) */
  variants?: VariantsSpec;
  /** any other Unleash or custom strategy by name, e.g. `remoteAddress` */
  strategy?: string;
  parameters?: Record<string, string | number | boolean>;
  title?: string;
}

/**
 * A flag written as an object. Every key is optional: `{}` is on for everyone.
 * @example
 * const newPricing: FlagSpec = { rollout: 10, users: ['qa-1'], when: { plan: ['pro'] }, browser: true };
 */
export interface FlagSpec {
  /** false keeps the rules but turns the flag off (Unleash's environment toggle); default true */
  enabled?: boolean;
  description?: string;
  /** Unleash flag type: release (default), experiment, operational, kill-switch, permission */
  type?: string;
  rollout?: number;
  stickiness?: string;
  groupId?: string;
  when?: WhenSpec;
  segments?: string[] | string;
  /** always on for these user ids, whatever the other rules say */
  users?: ConditionValue[] | ConditionValue;
  /** several alternative rules instead of the single rollout/when/segments at the top */
  rules?: RuleSpec[];
  variants?: VariantsSpec;
  /** on for everyone with this one variant; the shorthand for `variants: { name: 100 }` */
  variant?: string;
  requires?: RequiresSpec;
  /** emit Unleash impression events for this flag */
  impressionData?: boolean;
  /** may `toJSON()` send this flag to the browser? default false */
  browser?: boolean;
  /** when the flag is due to be removed, `YYYY-MM-DD`; `flagwise refs` lists flags past it */
  expires?: string;
  /** who to ask about the flag (a person or a team) */
  owner?: string;
  /** Unleash tags, written `type:value`, e.g. `[simple:checkout]`; not used in evaluation */
  tags?: string[];
}

/**
 * The whole file: `flags` by name, and optional named `segments` that flags reference by name.
 * @example
 * const file: FlagsFileSpec = { segments: { staff: { email: { ends_with: ['@acme.test'] } } }, flags: { admin: { segments: ['staff'] } } };
 */
export interface FlagsFileSpec {
  flags: Record<string, boolean | FlagSpec>;
  segments?: Record<string, WhenSpec>;
  /** ignored; lets editors find a JSON schema */
  $schema?: string;
}
