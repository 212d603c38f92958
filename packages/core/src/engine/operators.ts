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
