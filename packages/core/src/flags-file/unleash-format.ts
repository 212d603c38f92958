// Unleash's own formats: the client-features payload (checked at the payload level only; each flag is the
// engine's to check, so one odd flag does not stop the rest) and an Unleash export, turned into the former.
import { z } from 'zod';
import { re2Problem } from '../engine/regex.js';
import type {
  ClientFeaturesPayload,
  DependencyDefinition,
  FeatureDefinition,
  SegmentDefinition,
  StrategyDefinition,
  VariantDefinition,
} from '../types.js';
import { re2Message } from './compile-when.js';
import type { IssueCollector, IssuePath } from './issues.js';

const namedObject = z.looseObject(
  { name: z.string({ error: 'must be the flag name (text)' }).min(1, { error: 'must not be empty' }) },
  { error: 'must be a flag definition object with a name' },
);

const segmentSchema = z.looseObject(
  {
    id: z.number({ error: 'must be the segment id (a number)' }),
    constraints: z.array(z.unknown(), { error: 'must be a list of constraints' }),
  },
  { error: 'must be a segment object { id, constraints }' },
);

const clientFeaturesSchema = z.looseObject(
  {
    version: z.number({ error: 'must be a number (Unleash sends 2)' }).optional(),
    features: z.array(namedObject, { error: 'must be a list of flag definitions' }),
    segments: z.array(segmentSchema, { error: 'must be a list of segments' }).optional(),
  },
  { error: 'must be an object with features: [...]' },
);

/** Is this Unleash's export (`features` + `featureStrategies`), rather than the client-features payload? */
export function isUnleashExport(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { featureStrategies?: unknown }).featureStrategies)
  );
}

/** Checks the payload level of a client-features document and returns it as definitions. */
export function readClientFeatures(
  document: unknown,
  issues: IssueCollector,
  checkPatterns = false,
): ClientFeaturesPayload | undefined {
  const payload = issues.check(clientFeaturesSchema, document, []);
  if (!payload) return undefined;
  const features = payload.features as unknown as FeatureDefinition[];
  const seen = new Map<string, number>();
  for (const [index, feature] of features.entries()) {
    const first = seen.get(feature.name);
    if (first !== undefined) {
      issues.add(['features', index, 'name'], `repeats flag "${feature.name}" (first at features[${first}])`);
    } else seen.set(feature.name, index);
  }
  const segments = payload.segments as unknown as SegmentDefinition[] | undefined;
  const segmentIds = new Set<number>();
  for (const [index, segment] of (segments ?? []).entries()) {
    if (segmentIds.has(segment.id)) issues.add(['segments', index, 'id'], `repeats segment id ${segment.id}`);
    segmentIds.add(segment.id);
  }
  for (const [index, feature] of checkPatterns ? features.entries() : []) {
    for (const [at, strategy] of (Array.isArray(feature.strategies) ? feature.strategies : []).entries()) {
      checkRegexes(strategy?.constraints, ['features', index, 'strategies', at, 'constraints'], issues);
    }
  }
  for (const [index, segment] of checkPatterns ? (segments ?? []).entries() : []) {
    checkRegexes(segment.constraints, ['segments', index, 'constraints'], issues);
  }
  if (!issues.ok) return undefined;
  return { ...(payload as unknown as ClientFeaturesPayload), version: payload.version ?? 2 };
}

interface ExportStrategy {
  id?: string;
  name?: string;
  strategyName?: string;
  featureName?: string;
  environment?: string;
  title?: string | null;
  sortOrder?: number;
  disabled?: boolean | null;
  segments?: number[];
  constraints?: StrategyDefinition['constraints'];
  parameters?: StrategyDefinition['parameters'];
  variants?: VariantDefinition[];
}

interface ExportFeatureEnvironment {
  featureName: string;
  environment?: string;
  enabled: boolean;
  variants?: VariantDefinition[];
}

const exportSchema = z.looseObject(
  {
    features: z.array(namedObject, { error: 'must be a list of features' }),
    featureStrategies: z.array(
      z.looseObject(
        { featureName: z.string({ error: 'must name its feature' }) },
        { error: 'must be a strategy object' },
      ),
    ),
    featureEnvironments: z
      .array(
        z.looseObject(
          {
            featureName: z.string({ error: 'must name its feature' }),
            enabled: z.boolean({ error: 'must be true or false' }),
          },
          { error: 'must be an object' },
        ),
      )
      .optional(),
    segments: z
      .array(z.looseObject({ id: z.number({ error: 'must be the segment id (a number)' }) }), {
        error: 'must be a list of segments',
      })
      .optional(),
    dependencies: z
      .array(z.looseObject({ feature: z.string(), dependencies: z.array(z.unknown()) }))
      .optional(),
    featureStrategySegments: z
      .array(z.looseObject({ featureStrategyId: z.string(), segmentId: z.number() }))
      .optional(),
  },
  { error: 'must be an Unleash export object' },
);

/**
 * Turns an Unleash export (features, featureStrategies, featureEnvironments, segments, dependencies; both the
 * environment export of Unleash 4.22+ and the older state export) into client-features definitions for one
 * environment. `environment` picks one when the export holds several.
 */
export function convertUnleashExport(
  document: unknown,
  issues: IssueCollector,
  warnings: string[],
  environment?: string,
  checkPatterns = false,
): ClientFeaturesPayload | undefined {
  const data = issues.check(exportSchema, document, []);
  if (!data) return undefined;
  const strategies = data.featureStrategies as unknown as ExportStrategy[];
  for (const [index, strategy] of checkPatterns ? strategies.entries() : []) {
    checkRegexes(strategy.constraints, ['featureStrategies', index, 'constraints'], issues);
  }
  for (const [index, segment] of checkPatterns ? (data.segments ?? []).entries() : []) {
    checkRegexes(segment.constraints, ['segments', index, 'constraints'], issues);
  }
  if (!issues.ok) return undefined;
  const featureEnvironments = (data.featureEnvironments ?? []) as unknown as ExportFeatureEnvironment[];

  const environments = new Set<string>();
  for (const entry of [...strategies, ...featureEnvironments])
    if (entry.environment) environments.add(entry.environment);
  let chosen = environment;
  if (chosen === undefined && environments.size > 1) {
    issues.add(
      ['featureEnvironments'],
      `hold several environments (${[...environments].join(', ')}); ` +
        `choose one with fileSource(path, { environment: '${[...environments][0]}' })`,
    );
    return undefined;
  }
  if (chosen !== undefined && environments.size > 0 && !environments.has(chosen)) {
    issues.add(
      ['featureEnvironments'],
      `have no environment "${chosen}"; the export has: ${[...environments].join(', ')}`,
    );
    return undefined;
  }
  chosen ??= [...environments][0];
  const inEnvironment = (entry: { environment?: string }) =>
    chosen === undefined || entry.environment === undefined || entry.environment === chosen;

  // The older state export links segments to strategies in a table of its own.
  const strategySegments = new Map<string, number[]>();
  for (const link of data.featureStrategySegments ?? []) {
    const list = strategySegments.get(link.featureStrategyId) ?? [];
    list.push(link.segmentId);
    strategySegments.set(link.featureStrategyId, list);
  }

  const strategiesByFeature = new Map<string, ExportStrategy[]>();
  for (const strategy of strategies) {
    // Disabled strategies are kept in Unleash but never evaluated.
    if (!inEnvironment(strategy) || strategy.disabled) continue;
    const list = strategiesByFeature.get(strategy.featureName!) ?? [];
    list.push(strategy);
    strategiesByFeature.set(strategy.featureName!, list);
  }
  const environmentByFeature = new Map<string, ExportFeatureEnvironment>();
  for (const entry of featureEnvironments)
    if (inEnvironment(entry)) environmentByFeature.set(entry.featureName, entry);
  const dependenciesByFeature = new Map<string, DependencyDefinition[]>();
  for (const entry of data.dependencies ?? []) {
    dependenciesByFeature.set(entry.feature, entry.dependencies as DependencyDefinition[]);
  }

  const features: FeatureDefinition[] = [];
  for (const raw of data.features as unknown as (FeatureDefinition & { archived?: boolean })[]) {
    if (raw.archived) continue;
    const featureEnvironment = environmentByFeature.get(raw.name);
    const ordered = [...(strategiesByFeature.get(raw.name) ?? [])].sort(
      (a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0),
    );
    const feature: FeatureDefinition = {
      name: raw.name,
      type: raw.type ?? 'release',
      enabled: featureEnvironment?.enabled ?? false,
      project: raw.project ?? 'default',
      stale: raw.stale ?? false,
      strategies: ordered.map((strategy) => exportStrategy(strategy, strategySegments)),
      variants: featureEnvironment?.variants ?? raw.variants ?? [],
      impressionData: raw.impressionData ?? false,
    };
    if (raw.description !== undefined) feature.description = raw.description;
    const dependencies = dependenciesByFeature.get(raw.name);
    if (dependencies?.length) feature.dependencies = dependencies;
    features.push(feature);
  }

  const segments: SegmentDefinition[] = [];
  for (const raw of (data.segments ?? []) as unknown as (SegmentDefinition & { name?: string })[]) {
    if (!Array.isArray(raw.constraints)) {
      // Unleash's environment export names segments without their constraints (import matches them by name).
      // Kept without a constraints list, so the engine fails closed: strategies using it never match.
      warnings.push(
        `segment ${raw.id}${raw.name ? ` "${raw.name}"` : ''} has no constraints in this export, so strategies ` +
          'that use it never match; add its constraints: [...] to the file, or use the client-features JSON ' +
          '(GET /api/client/features)',
      );
      segments.push({ id: raw.id, name: raw.name } as SegmentDefinition);
      continue;
    }
    segments.push({ id: raw.id, name: raw.name, constraints: raw.constraints });
  }
  return { version: 2, features, segments };
}

/**
 * In a file, a REGEX constraint whose pattern RE2 rejects would load and then never match (or, inverted, match
 * everyone): each one is an issue at its own line instead. Definitions passed in code keep Unleash's reading
 * (such a constraint never matches, with a warning), which the client specification tests.
 */
function checkRegexes(constraints: unknown, path: IssuePath, issues: IssueCollector): void {
  if (!Array.isArray(constraints)) return;
  for (const [index, constraint] of constraints.entries()) {
    const { operator, value } = (constraint ?? {}) as { operator?: unknown; value?: unknown };
    if (operator !== 'REGEX' || typeof value !== 'string') continue;
    const problem = re2Problem(value);
    if (problem !== undefined) issues.add([...path, index, 'value'], re2Message(problem));
  }
}

function exportStrategy(
  strategy: ExportStrategy,
  strategySegments: Map<string, number[]>,
): StrategyDefinition {
  const result: StrategyDefinition = {
    name: strategy.name ?? strategy.strategyName ?? 'default',
    constraints: strategy.constraints ?? [],
    parameters: strategy.parameters ?? {},
    variants: strategy.variants ?? [],
  };
  const segments = strategy.segments ?? (strategy.id ? strategySegments.get(strategy.id) : undefined);
  if (segments?.length) result.segments = segments;
  if (strategy.title) result.title = strategy.title;
  return result;
}
