// zod schemas for the shape of the short format. The finer checks (operators, weights, segment names) live in
// the compilers next to the code that needs them, so each message can say exactly what to write instead.
import { z } from 'zod';

const PERCENT = 'must be a number from 0 to 100';

export const percentSchema = z
  .number({ error: PERCENT })
  .min(0, { error: PERCENT })
  .max(100, { error: PERCENT })
  .int({ error: 'must be a whole number from 0 to 100 (Unleash rolls out in whole percents)' });

export const booleanSchema = z.boolean({ error: 'must be true or false' });
export const textSchema = z.string({ error: 'must be text' });
export const nameSchema = z.string({ error: 'must be a name (text)' }).min(1, { error: 'must not be empty' });

export const conditionValueSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be text, a number or true/false',
});

/** `qa-1` or `[qa-1, qa-2]` */
export const valueListSchema = z.union(
  [conditionValueSchema, z.array(conditionValueSchema, { error: 'must be a list of values' })],
  { error: 'must be a value or a list of values, e.g. [qa-1, qa-2]' },
);

export const nameListSchema = z.union([nameSchema, z.array(nameSchema)], {
  error: 'must be a name or a list of names, e.g. [beta-testers]',
});

/** `expires: 2027-03-31`: a calendar date (YAML reads it as text), when the flag is due to be removed */
export const expiresSchema = z
  .string({ error: 'must be a date such as 2027-03-31' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date such as 2027-03-31', abort: true })
  .refine((text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString().startsWith(text), {
    error: 'must be a real calendar date such as 2027-03-31',
  });

export const FLAG_KEYS = [
  'enabled',
  'description',
  'type',
  'rollout',
  'stickiness',
  'groupId',
  'when',
  'segments',
  'users',
  'rules',
  'variants',
  'variant',
  'requires',
  'impressionData',
  'browser',
  'expires',
  'owner',
  'tags',
] as const;

export const flagObjectSchema = z.strictObject(
  {
    enabled: booleanSchema.optional(),
    description: textSchema.optional(),
    type: nameSchema.optional(),
    rollout: percentSchema.optional(),
    stickiness: nameSchema.optional(),
    groupId: nameSchema.optional(),
    when: z.unknown().optional(),
    segments: nameListSchema.optional(),
    users: valueListSchema.optional(),
    rules: z
      .array(z.unknown(), { error: 'must be a list of rules, e.g. [{ rollout: 10, when: { … } }]' })
      .optional(),
    variants: z.unknown().optional(),
    variant: nameSchema.optional(),
    requires: z.unknown().optional(),
    impressionData: booleanSchema.optional(),
    browser: booleanSchema.optional(),
    expires: expiresSchema.optional(),
    owner: nameSchema.optional(),
    tags: z
      .array(
        z
          .string({ error: 'must be a tag written type:value, e.g. simple:checkout' })
          .regex(/^[^:\s]+:.+$/, { error: 'must be a tag written type:value, e.g. simple:checkout' }),
        { error: 'must be a list of tags, e.g. [simple:checkout]' },
      )
      .optional(),
  },
  { error: 'must be true, false or a flag object such as { rollout: 10 }' },
);

export const RULE_KEYS = [
  'rollout',
  'stickiness',
  'groupId',
  'when',
  'segments',
  'users',
  'variants',
  'strategy',
  'parameters',
  'title',
] as const;

export const ruleSchema = z.strictObject(
  {
    rollout: percentSchema.optional(),
    stickiness: nameSchema.optional(),
    groupId: nameSchema.optional(),
    when: z.unknown().optional(),
    segments: nameListSchema.optional(),
    users: valueListSchema.optional(),
    variants: z.unknown().optional(),
    strategy: nameSchema.optional(),
    parameters: z
      .record(z.string(), conditionValueSchema, {
        error: 'must map parameter names to text or numbers, e.g. { IPs: "10.0.0.1" }',
      })
      .optional(),
    title: textSchema.optional(),
  },
  { error: 'must be a rule object such as { rollout: 10, when: { plan: [pro] } }' },
);

export const VARIANT_KEYS = ['weight', 'payload', 'stickiness', 'users', 'overrides'] as const;

export const variantObjectSchema = z.strictObject(
  {
    weight: z.number({ error: PERCENT }).min(0, { error: PERCENT }).max(100, { error: PERCENT }).optional(),
    payload: z.unknown().optional(),
    stickiness: nameSchema.optional(),
    users: valueListSchema.optional(),
    overrides: z
      .record(z.string(), valueListSchema, {
        error: 'must map context fields to values, e.g. { tenant: [acme] }',
      })
      .optional(),
  },
  { error: 'must be a weight (percent) or a variant object such as { weight: 50, payload: … }' },
);

export const DEPENDENCY_KEYS = ['flag', 'enabled', 'variants'] as const;

export const dependencySchema = z.union(
  [
    nameSchema,
    z.strictObject({
      flag: nameSchema,
      enabled: booleanSchema.optional(),
      variants: nameListSchema.optional(),
    }),
  ],
  { error: 'must be a flag name or { flag: name, enabled?: false, variants?: [...] }' },
);

export const CONSTRAINT_KEYS = [
  'contextName',
  'operator',
  'values',
  'value',
  'inverted',
  'caseInsensitive',
] as const;

export const rawConstraintSchema = z.strictObject(
  {
    contextName: nameSchema,
    operator: nameSchema,
    values: z.array(conditionValueSchema, { error: 'must be a list of values' }).optional(),
    value: conditionValueSchema.optional(),
    inverted: booleanSchema.optional(),
    caseInsensitive: booleanSchema.optional(),
  },
  { error: 'must be an Unleash constraint such as { contextName: plan, operator: IN, values: [pro] }' },
);

export const FILE_KEYS = ['flags', 'segments', '$schema'] as const;

export const fileSchema = z.strictObject(
  {
    flags: z.record(z.string(), z.unknown(), {
      error: 'must map flag names to their settings, e.g. flags: { dark-mode: true }',
    }),
    segments: z
      .record(z.string(), z.unknown(), {
        error: 'must map segment names to conditions, e.g. { beta: { plan: [pro] } }',
      })
      .optional(),
    $schema: z.string().optional(),
  },
  { error: 'must be an object with a `flags:` map' },
);
