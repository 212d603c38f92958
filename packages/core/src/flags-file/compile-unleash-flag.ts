// A flag written in Unleash's own shape inside a short-format file: `my-flag: { unleash: { strategies: [...] } }`.
// It holds what the short keys cannot say (constraints Unleash accepts but the short format rejects, such as an
// empty IN list), so a file pulled from Unleash evaluates exactly as Unleash serves it. Strategies name their
// segments by name, like the rest of the file; everything else is taken as Unleash sends it and checked by the
// engine, as a client-features document is.
import { z } from 'zod';
import type {
  DependencyDefinition,
  FeatureDefinition,
  FeatureTag,
  StrategyDefinition,
  VariantDefinition,
} from '../types.js';
import type { IssueCollector, IssuePath } from './issues.js';
import { booleanSchema, nameListSchema, nameSchema } from './short-format-schema.js';

const UNLEASH_FLAG_KEYS = ['unleash', 'browser', 'tags'] as const;

const unleashFlagSchema = z.strictObject(
  {
    unleash: z.strictObject(
      {
        enabled: booleanSchema.optional(),
        type: nameSchema.optional(),
        description: z.string({ error: 'must be text' }).nullable().optional(),
        impressionData: booleanSchema.optional(),
        strategies: z
          .array(
            z.looseObject(
              { name: nameSchema, segments: nameListSchema.optional() },
              { error: 'must be an Unleash strategy such as { name: flexibleRollout, parameters: {…} }' },
            ),
            { error: 'must be a list of Unleash strategies' },
          )
          .optional(),
        variants: z
          .array(z.looseObject({ name: nameSchema }), { error: 'must be a list of variants' })
          .optional(),
        dependencies: z
          .array(z.looseObject({ feature: nameSchema }), { error: 'must be a list of { feature: name }' })
          .optional(),
      },
      { error: 'must be the flag in Unleash’s shape: { enabled, strategies: [...], variants: [...] }' },
    ),
    browser: booleanSchema.optional(),
    tags: z
      .array(z.string().regex(/^[^:\s]+:.+$/), { error: 'must be a list of tags, e.g. [simple:checkout]' })
      .optional(),
  },
  { error: 'must be { unleash: { … } } with optional browser and tags' },
);

/** Is this flag written as `{ unleash: {...} }`? */
export function isUnleashShapedFlag(spec: unknown): boolean {
  return typeof spec === 'object' && spec !== null && !Array.isArray(spec) && 'unleash' in spec;
}

/** Compiles `{ unleash: {...} }`; undefined when it has problems (recorded in `issues`). */
export function compileUnleashShapedFlag(
  name: string,
  spec: unknown,
  path: IssuePath,
  issues: IssueCollector,
  segmentIds: ReadonlyMap<string, number>,
): FeatureDefinition | undefined {
  const before = issues.issues.length;
  const flag = issues.checkObject(unleashFlagSchema, spec, path, UNLEASH_FLAG_KEYS);
  if (!flag) return undefined;
  const definition = flag.unleash;
  const strategies = (definition.strategies ?? []).map((raw, index) => {
    const { segments, ...rest } = raw;
    const strategy = { ...rest } as unknown as StrategyDefinition;
    if (segments !== undefined) {
      const names = Array.isArray(segments) ? segments : [segments];
      const ids: number[] = [];
      for (const segment of names) {
        const id = segmentIds.get(segment);
        if (id === undefined) {
          issues.add(
            [...path, 'unleash', 'strategies', index, 'segments'],
            `names segment "${segment}", which is not defined under segments: at the top of the file`,
          );
        } else ids.push(id);
      }
      if (ids.length > 0) strategy.segments = [...new Set(ids)].sort((a, b) => a - b);
    }
    return strategy;
  });
  if (issues.issues.length > before) return undefined;
  const feature: FeatureDefinition = {
    name,
    type: definition.type ?? 'release',
    enabled: definition.enabled ?? true,
    project: 'default',
    stale: false,
    strategies,
    variants: (definition.variants ?? []) as unknown as VariantDefinition[],
    description: definition.description ?? null,
    impressionData: definition.impressionData ?? false,
  };
  if (definition.dependencies?.length) {
    feature.dependencies = definition.dependencies as unknown as DependencyDefinition[];
  }
  if (flag.browser) feature.browser = true;
  if (flag.tags?.length) feature.tags = flag.tags.map(parseTag);
  return feature;
}

/** `simple:checkout` → Unleash's `{ type: 'simple', value: 'checkout' }` (the value may hold colons). */
export function parseTag(tag: string): FeatureTag {
  const colon = tag.indexOf(':');
  return { type: tag.slice(0, colon), value: tag.slice(colon + 1) };
}
