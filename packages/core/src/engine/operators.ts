// The constraint operators the engine evaluates, as unleash-client 6.12.1 knows them. ConstraintOperator (types.ts)
// is derived from these lists, so the type and the engine cannot disagree.

/** Operators that compare the context's value with a `values` list. */
export const LIST_OPERATORS = [
  'IN',
  'NOT_IN',
  'STR_CONTAINS',
  'STR_STARTS_WITH',
  'STR_ENDS_WITH',
  'IN_CIDR',
] as const;

/** Operators that compare the context's value with one `value`: numbers, dates, versions, a regular expression. */
export const VALUE_OPERATORS = [
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
] as const;

/** An operator the engine evaluates. */
export type KnownConstraintOperator = (typeof LIST_OPERATORS)[number] | (typeof VALUE_OPERATORS)[number];

/** The short names a flags file's `when:` gives the operators (`{ not: [free] }`, `{ semver_gt: 2.0.0 }`). */
export const SHORT_OPERATORS: Readonly<Record<string, KnownConstraintOperator>> = {
  in: 'IN',
  not: 'NOT_IN',
  not_in: 'NOT_IN',
  contains: 'STR_CONTAINS',
  starts_with: 'STR_STARTS_WITH',
  ends_with: 'STR_ENDS_WITH',
  eq: 'NUM_EQ',
  gt: 'NUM_GT',
  gte: 'NUM_GTE',
  lt: 'NUM_LT',
  lte: 'NUM_LTE',
  after: 'DATE_AFTER',
  before: 'DATE_BEFORE',
  semver_eq: 'SEMVER_EQ',
  semver_gt: 'SEMVER_GT',
  semver_lt: 'SEMVER_LT',
  semver_gte: 'SEMVER_GTE',
  semver_lte: 'SEMVER_LTE',
  regex: 'REGEX',
};

/**
 * How a flags file writes an Unleash operator in `when:` (the first of its short names); undefined for one it has
 * no short name for.
 * @example shortOperatorName('NOT_IN') // 'not'
 */
export function shortOperatorName(operator: string): string | undefined {
  for (const [short, unleash] of Object.entries(SHORT_OPERATORS)) if (unleash === operator) return short;
  return undefined;
}
