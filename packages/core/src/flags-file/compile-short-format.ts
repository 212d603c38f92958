// The short format → Unleash client-features definitions. A flag compiled here must behave exactly as the
// same flag served by Unleash, so the output uses Unleash's strategy names, string parameters, groupId = flag
// name and variant weights out of 1000.
import type {
  ClientFeaturesPayload,
  DependencyDefinition,
  FeatureDefinition,
  SegmentDefinition,
  StrategyDefinition,
  StrategyShorthand,
} from '../types.js';
import { compileUnleashShapedFlag, isUnleashShapedFlag, parseTag } from './compile-unleash-flag.js';
import { compileVariantsSpec } from './compile-variants.js';
import { compileWhen } from './compile-when.js';
import { formatIssuePath, type IssueCollector, type IssuePath } from './issues.js';
import {
  DEPENDENCY_KEYS,
  dependencySchema,
  FILE_KEYS,
  FLAG_KEYS,
  fileSchema,
  flagObjectSchema,
  RULE_KEYS,
  ruleSchema,
} from './short-format-schema.js';

/** Unleash's rule for flag names (URL-friendly). */
const FLAG_NAME_PATTERN = /^[A-Za-z0-9_.~-]+$/;

export interface ShortFormatScope {
  /** segment name → id, for `segments: [name]` */
  segmentIds: ReadonlyMap<string, number>;
  /** every flag name in the same definitions, to warn about `requires:` naming a missing flag */
  flagNames?: ReadonlySet<string>;
  warnings: string[];
}

export interface ShortFormatResult {
  definitions: ClientFeaturesPayload;
  warnings: string[];
}

/** Is this object written in the short format (rather than Unleash's `{ version, features }`)? */
export function isShortFormat(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'flags' in value;
}

/**
 * Compiles a whole short-format document. Problems are recorded in `issues` (with their paths, for lines);
 * the definitions are only meaningful when `issues.ok`.
 */
export function compileShortFormat(document: unknown, issues: IssueCollector): ShortFormatResult {
  const warnings: string[] = [];
  const normalized = normalizeDocument(document);
  const file = issues.check(fileSchema, normalized, [], FILE_KEYS);
  if (!file) return { definitions: { version: 2, features: [], segments: [] }, warnings };

  const segments: SegmentDefinition[] = [];
  const segmentIds = new Map<string, number>();
  for (const [name, when] of Object.entries(file.segments ?? {})) {
    const id = segments.length + 1;
    segmentIds.set(name, id);
    segments.push({ id, name, constraints: compileWhen(when, ['segments', name], issues) });
  }

  const scope: ShortFormatScope = { segmentIds, flagNames: new Set(Object.keys(file.flags)), warnings };
  const features: FeatureDefinition[] = [];
  for (const [name, spec] of Object.entries(file.flags)) {
    const feature = compileFlag(name, spec, ['flags', name], issues, scope);
    if (feature) features.push(feature);
  }
  rejectDependencyChains(features, issues);
  return { definitions: { version: 2, features, segments }, warnings };
}

/** Unleash rejects a parent that has parents of its own, and its SDKs answer false for such a child. */
function rejectDependencyChains(features: FeatureDefinition[], issues: IssueCollector): void {
  const byName = new Map(features.map((feature) => [feature.name, feature]));
  for (const feature of features) {
    for (const dependency of feature.dependencies ?? []) {
      if (byName.get(dependency.feature)?.dependencies?.length) {
        issues.add(
          ['flags', feature.name, 'requires'],
          `names "${dependency.feature}", which requires another flag itself; Unleash allows one level of ` +
            `dependencies, so make "${feature.name}" require the same flags directly`,
        );
      }
    }
  }
}

/** `flags:` or `segments:` written with nothing under them mean "none yet". */
function normalizeDocument(document: unknown): unknown {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const record = document as Record<string, unknown>;
  if (record.flags !== null && record.segments !== null) return document;
  return { ...record, flags: record.flags ?? {}, ...(record.segments === null ? { segments: {} } : {}) };
}

/**
 * Compiles one flag: `true`, `false` or a flag object.
 * Returns undefined when it has problems (recorded in `issues`).
 */
export function compileFlag(
  name: string,
  spec: unknown,
  path: IssuePath,
  issues: IssueCollector,
  scope: ShortFormatScope,
): FeatureDefinition | undefined {
  const before = issues.issues.length;
  if (!FLAG_NAME_PATTERN.test(name)) {
    issues.issues.push({
      path: path.slice(0, -1),
      key: name,
      message: `flag name "${name}" is not valid: use letters, digits and - _ . ~ (Unleash's rule for names)`,
    });
  }
  if (spec === true || spec === false) {
    return issues.issues.length > before ? undefined : booleanFlag(name, spec);
  }
  if (typeof spec === 'string') {
    const hint = stringFlagHint(spec);
    if (hint) {
      issues.invalid(path, `must be true, false or a flag object; ${hint}`, spec);
      return undefined;
    }
  }
  if (isUnleashShapedFlag(spec)) {
    const feature = compileUnleashShapedFlag(name, spec, path, issues, scope.segmentIds);
    return issues.issues.length > before ? undefined : feature;
  }
  const flag = issues.checkObject(flagObjectSchema, spec, path, FLAG_KEYS);
  if (!flag) return undefined;

  const stickiness = flag.stickiness ?? 'default';
  const strategies: StrategyDefinition[] = [];
  if (flag.users !== undefined)
    strategies.push({ ...usersStrategy(flag.users), shorthand: { key: 'users' } });

  const hasTopLevelRule =
    flag.rollout !== undefined ||
    flag.when !== undefined ||
    flag.segments !== undefined ||
    flag.groupId !== undefined;
  if (flag.rules !== undefined) {
    if (hasTopLevelRule) {
      issues.add(
        path,
        'has both rules: and rollout/when/segments/groupId at the top; move those into one of the rules',
      );
    }
    if (flag.rules.length === 0) {
      issues.add(
        [...path, 'rules'],
        'must list at least one rule; remove rules: to turn the flag on for everyone',
      );
    }
    for (const [index, rule] of flag.rules.entries()) {
      const strategy = compileRule(name, rule, index + 1, [...path, 'rules', index], issues, scope);
      if (strategy) strategies.push(strategy);
    }
  } else if (hasTopLevelRule || flag.users === undefined) {
    // No rollout/when means "everyone", unless the flag only lists users.
    strategies.push(
      rolloutStrategy({
        rollout: flag.rollout ?? 100,
        stickiness,
        groupId: flag.groupId ?? name,
        constraints: compileWhen(flag.when, [...path, 'when'], issues),
        segments: segmentRefs(flag.segments, [...path, 'segments'], issues, scope),
        shorthand: { key: 'rollout' },
      }),
    );
  }

  if (flag.variant !== undefined && flag.variants !== undefined) {
    issues.add(
      path,
      'has both variant: and variants:; keep one (variant: x is short for variants: { x: 100 })',
    );
  }
  const variantsSpec = flag.variant !== undefined ? { [flag.variant]: 100 } : flag.variants;
  const variants =
    variantsSpec === undefined
      ? []
      : compileVariantsSpec(
          variantsSpec,
          stickiness,
          [...path, flag.variant !== undefined ? 'variant' : 'variants'],
          issues,
          true,
        );
  const dependencies = compileRequires(name, flag.requires, [...path, 'requires'], issues, scope);

  if (issues.issues.length > before) return undefined;
  // Unleash's key order and defaults, so a compiled flag reads like the one the server sends.
  const feature: FeatureDefinition = {
    name,
    type: flag.type ?? 'release',
    enabled: flag.enabled ?? true,
    project: 'default',
    stale: false,
    strategies,
    variants,
    description: flag.description ?? null,
    impressionData: flag.impressionData ?? false,
  };
  if (dependencies.length > 0) feature.dependencies = dependencies;
  if (flag.browser) feature.browser = true;
  if (flag.tags?.length) feature.tags = flag.tags.map(parseTag);
  return feature;
}

/** The usual reasons a flag reads as text in YAML, with what to write instead. */
function stringFlagHint(text: string): string | undefined {
  if (/^(yes|no|on|off|y|n)$/i.test(text.trim())) {
    return 'write true or false (YAML 1.2 reads yes/no/on/off as text)';
  }
  if (/^[\w-]+:\S/.test(text)) return 'put a space after the colon, e.g. `rollout: 10`';
  return undefined;
}

function booleanFlag(name: string, enabled: boolean): FeatureDefinition {
  return {
    name,
    type: 'release',
    enabled,
    project: 'default',
    stale: false,
    // On for everyone is what Unleash creates by default: a 100% flexible rollout.
    strategies: enabled
      ? [
          rolloutStrategy({
            rollout: 100,
            stickiness: 'default',
            groupId: name,
            shorthand: { key: 'rollout' },
          }),
        ]
      : [],
    variants: [],
    description: null,
    impressionData: false,
  };
}

function rolloutStrategy(options: {
  rollout: number;
  stickiness: string;
  groupId: string;
  constraints?: StrategyDefinition['constraints'];
  segments?: number[];
  variants?: StrategyDefinition['variants'];
  title?: string;
  shorthand: StrategyShorthand;
}): StrategyDefinition {
  const strategy: StrategyDefinition = {
    name: 'flexibleRollout',
    constraints: options.constraints ?? [],
    parameters: {
      groupId: options.groupId,
      rollout: String(options.rollout),
      stickiness: options.stickiness,
    },
    variants: options.variants ?? [],
  };
  if (options.segments?.length) strategy.segments = options.segments;
  if (options.title !== undefined) strategy.title = options.title;
  strategy.shorthand = options.shorthand;
  return strategy;
}

function usersStrategy(users: string | number | boolean | (string | number | boolean)[]): StrategyDefinition {
  const ids = (Array.isArray(users) ? users : [users]).map(String);
  return { name: 'userWithId', constraints: [], parameters: { userIds: ids.join(',') }, variants: [] };
}

function compileRule(
  flagName: string,
  spec: unknown,
  ruleNumber: number,
  path: IssuePath,
  issues: IssueCollector,
  scope: ShortFormatScope,
): StrategyDefinition | undefined {
  const rule = issues.checkObject(ruleSchema, spec, path, RULE_KEYS);
  if (!rule) return undefined;
  const constraints = compileWhen(rule.when, [...path, 'when'], issues);
  const segments = segmentRefs(rule.segments, [...path, 'segments'], issues, scope);
  const stickiness = rule.stickiness ?? 'default';
  const variants =
    rule.variants === undefined
      ? []
      : compileVariantsSpec(rule.variants, stickiness, [...path, 'variants'], issues, false);

  const rolloutKeys = (['rollout', 'stickiness', 'groupId'] as const).filter(
    (key) => rule[key] !== undefined,
  );
  if (rule.strategy !== undefined || rule.users !== undefined) {
    if (rule.strategy !== undefined && rule.users !== undefined) {
      issues.add(path, 'has both strategy: and users:; a rule is one strategy, so split it into two rules');
      return undefined;
    }
    if (rolloutKeys.length > 0) {
      issues.add(
        path,
        `has rollout settings (${rolloutKeys.join(', ')}) next to ${rule.strategy !== undefined ? 'strategy:' : 'users:'}; ` +
          'a rule is one strategy, so split it into two rules',
      );
      return undefined;
    }
    const base =
      rule.strategy !== undefined
        ? { name: rule.strategy, parameters: stringParameters(rule.parameters ?? {}) }
        : usersStrategy(rule.users!);
    const strategy: StrategyDefinition = {
      name: base.name,
      constraints,
      parameters: base.parameters,
      variants,
    };
    if (segments.length) strategy.segments = segments;
    if (rule.title !== undefined) strategy.title = rule.title;
    strategy.shorthand = { key: rule.strategy !== undefined ? 'strategy' : 'users', rule: ruleNumber };
    return strategy;
  }
  if (rule.parameters !== undefined) {
    issues.add(
      [...path, 'parameters'],
      'only goes with strategy: <name>; a rollout rule takes rollout/stickiness/groupId',
    );
    return undefined;
  }
  return rolloutStrategy({
    rollout: rule.rollout ?? 100,
    stickiness,
    groupId: rule.groupId ?? flagName,
    constraints,
    segments,
    variants,
    title: rule.title,
    shorthand: { key: 'rollout', rule: ruleNumber },
  });
}

/** Unleash sends every strategy parameter as a string. */
function stringParameters(parameters: Record<string, string | number | boolean>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) result[key] = String(value);
  return result;
}

function segmentRefs(
  names: string | string[] | undefined,
  path: IssuePath,
  issues: IssueCollector,
  scope: ShortFormatScope,
): number[] {
  if (names === undefined) return [];
  const list = Array.isArray(names) ? names : [names];
  const ids: number[] = [];
  for (const [index, name] of list.entries()) {
    const id = scope.segmentIds.get(name);
    if (id !== undefined) {
      ids.push(id);
      continue;
    }
    const known = [...scope.segmentIds.keys()];
    issues.add(
      Array.isArray(names) ? [...path, index] : path,
      `names segment "${name}", which is not defined; ` +
        (known.length
          ? `defined segments: ${known.join(', ')}`
          : 'define it under segments: at the top of the file'),
    );
  }
  // Unleash sends a strategy's segment ids sorted ascending.
  return [...new Set(ids)].sort((a, b) => a - b);
}

function compileRequires(
  flagName: string,
  spec: unknown,
  path: IssuePath,
  issues: IssueCollector,
  scope: ShortFormatScope,
): DependencyDefinition[] {
  if (spec === undefined) return [];
  const list = Array.isArray(spec) ? spec : [spec];
  const dependencies: DependencyDefinition[] = [];
  for (const [index, item] of list.entries()) {
    const itemPath = Array.isArray(spec) ? [...path, index] : path;
    const parsed = issues.check(dependencySchema, item, itemPath, DEPENDENCY_KEYS);
    if (parsed === undefined) continue;
    const feature = typeof parsed === 'string' ? parsed : parsed.flag;
    const enabled = typeof parsed === 'string' ? true : (parsed.enabled ?? true);
    const variants =
      typeof parsed === 'string' || parsed.variants === undefined ? [] : [parsed.variants].flat();
    if (!enabled && variants.length > 0) {
      issues.add(
        itemPath,
        'has variants with enabled: false; variants only apply when the parent must be on',
      );
      continue;
    }
    // As Unleash stores it: `variants` only (and always) when the parent must be on.
    const dependency: DependencyDefinition = enabled ? { feature, enabled, variants } : { feature, enabled };
    if (dependency.feature === flagName) {
      issues.add(itemPath, 'names the flag itself; a flag cannot depend on itself');
      continue;
    }
    if (scope.flagNames && !scope.flagNames.has(dependency.feature)) {
      scope.warnings.push(
        `${formatIssuePath(itemPath)}: flag "${dependency.feature}" is not defined, so "${flagName}" stays off until it is`,
      );
    }
    dependencies.push(dependency);
  }
  return dependencies;
}
