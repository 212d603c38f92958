// Compile-time checks of untrusted definition JSON. A check that fails throws DefinitionProblem (internal, never
// escapes compileFlags), which compileFlags turns into one FlagDefinitionError naming the flag and the field.
//
// What is rejected: what unleash-client itself throws or reports an error on (`values` that is not an array for
// IN, a non-boolean `enabled`, `strategies` that is not an array, ...), what flagwise refuses besides (a missing
// name, a rollout that is not a percentage from 0 to 100), and JSON of the wrong kind (an object where a string belongs).
// What is not: values of the right kind that unleash-client tolerates (an unknown operator, an invalid regex,
// semver or date, an unknown segment id, an unknown strategy). Those evaluate exactly as unleash-client evaluates
// them, and are reported through `onWarn`.

/** A problem in one field of a definition; `field` is a path such as `strategies[0].constraints[1].values`. */
export class DefinitionProblem extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(problem);
    this.field = field;
    this.name = 'DefinitionProblem';
  }
}

/**
 * Throws a DefinitionProblem.
 * @example
 * if (typeof name !== 'string') fail('name', 'must be a string');
 */
export function fail(field: string, problem: string): never {
  throw new DefinitionProblem(field, problem);
}

/** `typeof`, with arrays and null told apart, for messages. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Is this a plain JSON object (not null, not an array)?
 * @example
 * isRecord({}) // true
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent means `undefined` or `null`: Unleash's JSON uses both for optional fields. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/**
 * Checks an optional string field.
 * @example
 * optionalString(variant.stickiness, 'variants[0].stickiness');
 */
export function optionalString(value: unknown, field: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') fail(field, `must be a string, got ${kindOf(value)}`);
  return value;
}

/**
 * Checks an optional boolean field `parent.key` (truthiness is what Unleash reads, but a non-boolean means a broken
 * producer). The path is only built when the check fails.
 * @example
 * optionalBoolean(constraint.inverted, 'constraints[0]', 'inverted');
 */
export function optionalBoolean(value: unknown, parent: string, key: string): boolean {
  if (isAbsent(value)) return false;
  if (typeof value !== 'boolean') fail(`${parent}.${key}`, `must be true or false, got ${kindOf(value)}`);
  return value;
}

/**
 * Checks an optional array field.
 * @example
 * optionalArray(strategy.constraints, 'strategies[0].constraints');
 */
export function optionalArray(value: unknown, field: string): readonly unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) fail(field, `must be an array, got ${kindOf(value)}`);
  return value;
}
