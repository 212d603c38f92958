// compileFlags: Unleash client-features JSON in, one immutable snapshot of compiled flags out.
//
// Each flag is compiled once into strategy predicates (closures with every definition value pre-parsed) and
// linked into a snapshot; `decide(context)` answers with a decision code: the matching strategy's index, or why
// nothing matched. isEnabled, getVariant and explain all read that one decision, so they can never disagree, and
// explain costs nothing on the hot path. Semantics are unleash-client 6.12.1's (lib/client.js).
import { FlagDefinitionError } from '../errors.js';
import type {
  ClientFeaturesPayload,
  CustomStrategy,
  EvaluationReason,
  Explanation,
  FeatureDefinition,
  FlagContext,
  VariantResult,
} from '../types.js';
import type { CompiledFlags, CompileOptions, FlagHandle } from './compiled-flags.js';
import type { StaticContext } from './context-value.js';
import { DefinitionProblem, fail, isAbsent, isRecord, kindOf, optionalArray } from './definition-problem.js';
import { shorthandLabel } from './shorthand.js';
import { runSteps, type Steps } from './steps.js';
import {
  type CompiledStrategy,
  compileStrategy,
  currentHostname,
  type SegmentEntry,
} from './strategies/index.js';
import {
  compileVariants,
  DISABLED_VARIANT,
  DISABLED_VARIANT_OF_ENABLED_FLAG,
  flagVariantStickiness,
  type VariantPicker,
} from './variants.js';

// Decision codes: >= 0 is the index of the strategy that matched.
const ON_WITHOUT_STRATEGIES = -1;
const DISABLED = -2;
const DEPENDENCY_FAILED = -3;
const NO_STRATEGY_MATCHED = -4;
const BROKEN = -5;
/** evaluation threw (a custom strategy): the fallback answers */
const THREW = -6;

/**
 * Whether a decision (from `decide`) turns the flag on; `fallback` for a broken definition or a throw.
 * @example isOnDecision(flags.decide(handle, context))
 */
export function isOnDecision(decision: number, fallback = false): boolean {
  return decision >= ON_WITHOUT_STRATEGIES
    ? true
    : decision === BROKEN || decision === THREW
      ? fallback
      : false;
}

/**
 * The reason of a decision, as explain() names it.
 * @example reasonOfDecision(flags.decide(handle, context)) // 'strategy-matched'
 */
export function reasonOfDecision(decision: number): EvaluationReason {
  if (decision >= ON_WITHOUT_STRATEGIES) return 'strategy-matched';
  if (decision === DISABLED) return 'disabled';
  if (decision === DEPENDENCY_FAILED) return 'dependency-failed';
  if (decision === NO_STRATEGY_MATCHED) return 'no-strategy-matched';
  return 'error';
}

/** What a flag compiles to, independent of the other flags (so it can be carried into a later snapshot). */
interface FlagParts {
  readonly name: string;
  readonly definition: FeatureDefinition;
  readonly enabled: boolean;
  readonly strategies: readonly CompiledStrategy[];
  readonly variants: VariantPicker | null;
  readonly dependencies: readonly CompiledDependency[];
  /** unleash-client refuses a parent that itself has dependencies */
  readonly hasDependencies: boolean;
}

interface CompiledDependency {
  readonly feature: string;
  readonly enabled: boolean;
  readonly variants: readonly string[];
}

/**
 * A flag linked into one snapshot: `decide` is a method of one small class rather than a closure per flag, which
 * keeps 10,000 compiled flags light and quick to build.
 */
class LinkedFlag implements FlagHandle {
  private readonly enabled: boolean;
  private readonly strategies: readonly CompiledStrategy[];

  constructor(
    readonly name: string,
    /** the compiled definition; undefined when it was rejected and no previous version exists */
    readonly parts: FlagParts | undefined,
    /** why the current definition was rejected (then `parts` is the previous good version, or undefined) */
    readonly error: FlagDefinitionError | undefined,
    /** one check per dependency, or null when the flag has none */
    readonly dependencyChecks: readonly ((context: FlagContext) => boolean)[] | null,
  ) {
    this.enabled = parts?.enabled === true;
    this.strategies = parts?.strategies ?? [];
  }

  /** The decision for this context: the matching strategy's index, or one of the negative codes. */
  decide(context: FlagContext): number {
    if (!this.enabled) return this.parts === undefined ? BROKEN : DISABLED;
    const checks = this.dependencyChecks;
    if (checks !== null) {
      for (let i = 0; i < checks.length; i++) if (!checks[i](context)) return DEPENDENCY_FAILED;
    }
    const strategies = this.strategies;
    const count = strategies.length;
    if (count === 0) return ON_WITHOUT_STRATEGIES;
    for (let i = 0; i < count; i++) if (strategies[i].matches(context)) return i;
    return NO_STRATEGY_MATCHED;
  }
}

const EMPTY_CONTEXT: FlagContext = Object.freeze({});
/** shared by every flag without strategies or dependencies */
const NONE: readonly never[] = Object.freeze([]);
const EMPTY_PAYLOAD: ClientFeaturesPayload = Object.freeze({ version: 2, features: [] });
const PAYLOAD_LABEL = '(payload)';

/**
 * Compiles Unleash client-features JSON into flags that evaluate without parsing anything. Never throws: broken
 * flags are listed in `errors` and answer with the fallback (reason `error`), or keep their previous version.
 * @example
 * const flags = compileFlags(await response.json(), { staticContext: { appName: 'shop' } });
 * flags.isEnabled('new-pricing', { userId: '42' }); // true or false
 */
export function compileFlags(payload: unknown, options: CompileOptions = {}): CompiledFlags {
  return runSteps(compileFlagsInSteps(payload, options));
}

/**
 * compileFlags() as steps, one flag each, for a caller that compiles a large set across event-loop turns
 * (`runStepsInSlices`). Run to the end, it returns what compileFlags() does.
 * @example
 * const compiled = runSteps(compileFlagsInSteps(payload, { previous }));
 */
export function* compileFlagsInSteps(payload: unknown, options: CompileOptions = {}): Steps<CompiledFlags> {
  const previous = options.previous instanceof Snapshot ? options.previous : undefined;
  const warned = new Set(previous?.warned);
  const onWarn = options.onWarn;
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    try {
      onWarn?.(message);
    } catch {
      // a throwing listener must not break compilation
    }
  };
  try {
    return yield* compileSnapshot(payload, options, previous, warned, warnOnce);
  } catch (error) {
    // only a bug can land here; still, compileFlags keeps its promise not to throw
    const problem = new FlagDefinitionError(
      PAYLOAD_LABEL,
      'features',
      `could not be compiled: ${String(error)}`,
    );
    return new Snapshot(
      previous?.definitions ?? EMPTY_PAYLOAD,
      [problem],
      previous?.flags ?? new Map(),
      warned,
      warnOnce,
    );
  }
}

function* compileSnapshot(
  payload: unknown,
  options: CompileOptions,
  previous: Snapshot | undefined,
  warned: Set<string>,
  warnOnce: (key: string, message: string) => void,
): Steps<Snapshot> {
  if (!isRecord(payload) || !Array.isArray(payload.features)) {
    const problem = new FlagDefinitionError(
      PAYLOAD_LABEL,
      'features',
      `expected Unleash client-features JSON, { "version": 2, "features": [...] }, got ${isRecord(payload) ? `features: ${kindOf(payload.features)}` : kindOf(payload)}`,
    );
    // nothing usable: keep serving the previous snapshot's flags
    return new Snapshot(
      previous?.definitions ?? EMPTY_PAYLOAD,
      [problem],
      previous?.flags ?? new Map(),
      warned,
      warnOnce,
    );
  }

  const customStrategies = new Map<string, CustomStrategy>();
  for (const strategy of options.strategies ?? []) {
    // first registration wins, as unleash-client's `strategies.find` does
    if (strategy && typeof strategy.name === 'string' && !customStrategies.has(strategy.name)) {
      customStrategies.set(strategy.name, strategy);
    }
  }

  let segments: Map<unknown, SegmentEntry> | undefined = new Map();
  if (Array.isArray(payload.segments)) {
    for (const segment of payload.segments) {
      if (isRecord(segment) && segment.id !== undefined) segments.set(segment.id, { raw: segment });
      else
        warnOnce(
          `segment-shape:${JSON.stringify(segment)}`,
          `ignoring a segment without an id: ${kindOf(segment)}`,
        );
    }
  } else if (!isAbsent(payload.segments)) {
    warnOnce('segments-shape', `the payload's "segments" must be an array, got ${kindOf(payload.segments)}`);
    segments = undefined;
  }

  let hostnameValue: string | undefined;
  const staticContext: StaticContext | undefined = options.staticContext;
  const env = {
    staticContext,
    warnOnce,
    predicateCache: new Map(),
    customStrategies,
    segments,
    hostname: () => (hostnameValue ??= currentHostname()),
  };

  const errors: FlagDefinitionError[] = [];
  const compiled = new Map<
    string,
    { parts: FlagParts | undefined; error: FlagDefinitionError | undefined }
  >();
  const features: unknown[] = payload.features;
  for (let index = 0; index < features.length; index++) {
    if (index > 0) yield;
    const feature = features[index];
    const label =
      isRecord(feature) && typeof feature.name === 'string' && feature.name !== '' ? feature.name : undefined;
    if (label === undefined) {
      const field = isRecord(feature) ? 'name' : `features[${index}]`;
      const problem = isRecord(feature)
        ? `must be a non-empty string, got ${kindOf(feature.name)}`
        : `must be a flag definition object, got ${kindOf(feature)}`;
      errors.push(new FlagDefinitionError(`features[${index}]`, field, problem));
      continue;
    }
    if (compiled.has(label)) {
      warnOnce(
        `duplicate:${label}`,
        `flag "${label}" is defined twice; the last definition wins, as in unleash-client`,
      );
    }
    try {
      compiled.set(label, {
        parts: compileFlagParts(feature as Record<string, unknown>, label, env),
        error: undefined,
      });
    } catch (error) {
      const flagError =
        error instanceof DefinitionProblem
          ? new FlagDefinitionError(label, error.field, error.message)
          : new FlagDefinitionError(label, '(flag)', `could not be compiled: ${String(error)}`);
      errors.push(flagError);
      // the last good version (from the previous snapshot, or kept by it) serves until the definition is fixed
      const kept = previous?.flags.get(label);
      compiled.set(label, { parts: kept?.parts, error: flagError });
    }
  }

  const flags = new Map<string, LinkedFlag>();
  const linked = { flags };
  // Two passes: a child's dependency check looks its parent up while linking, and Unleash sends flags sorted
  // by name, so a child often comes first. Placeholders keep the map in payload order.
  for (const [name, entry] of compiled) {
    yield;
    flags.set(
      name,
      entry.parts?.hasDependencies
        ? new LinkedFlag(name, entry.parts, entry.error, null)
        : link(name, entry.parts, entry.error, linked, warnOnce),
    );
  }
  for (const [name, entry] of compiled) {
    if (entry.parts?.hasDependencies) flags.set(name, link(name, entry.parts, entry.error, linked, warnOnce));
  }
  return new Snapshot(payload as unknown as ClientFeaturesPayload, errors, flags, warned, warnOnce);
}

function compileFlagParts(
  feature: Record<string, unknown>,
  name: string,
  env: Parameters<typeof compileStrategy>[3],
): FlagParts {
  const enabled = feature.enabled;
  if (typeof enabled !== 'boolean') fail('enabled', `must be true or false, got ${kindOf(enabled)}`);
  if (!Array.isArray(feature.strategies)) {
    fail('strategies', `must be an array (use [] for "on for everyone"), got ${kindOf(feature.strategies)}`);
  }
  const strategies =
    feature.strategies.length === 0
      ? NONE
      : feature.strategies.map((strategy: unknown, index: number) =>
          compileStrategy(strategy, index, name, env),
        );

  const variantList = optionalArray(feature.variants, 'variants') ?? [];
  const variants = compileVariants(variantList, 'variants', name, flagVariantStickiness(variantList), env);

  const dependencyList = optionalArray(feature.dependencies, 'dependencies') ?? NONE;
  const dependencies =
    dependencyList.length === 0
      ? NONE
      : dependencyList.map((dependency, index): CompiledDependency => {
          const field = `dependencies[${index}]`;
          if (!isRecord(dependency))
            fail(field, `must be { feature, enabled?, variants? }, got ${kindOf(dependency)}`);
          if (typeof dependency.feature !== 'string') {
            fail(`${field}.feature`, `must be the parent flag's name, got ${kindOf(dependency.feature)}`);
          }
          if (!isAbsent(dependency.enabled) && typeof dependency.enabled !== 'boolean') {
            fail(`${field}.enabled`, `must be true or false, got ${kindOf(dependency.enabled)}`);
          }
          const variantNames = optionalArray(dependency.variants, `${field}.variants`) ?? [];
          variantNames.forEach((variant, i) => {
            if (typeof variant !== 'string')
              fail(`${field}.variants[${i}]`, `must be a variant name, got ${kindOf(variant)}`);
          });
          return {
            feature: dependency.feature,
            enabled: dependency.enabled !== false,
            variants: variantNames as string[],
          };
        });

  return {
    name,
    definition: feature as unknown as FeatureDefinition,
    enabled,
    strategies,
    variants,
    dependencies,
    hasDependencies: dependencies.length > 0,
  };
}

/** Links a flag into its snapshot: dependencies are resolved against the other flags now, not per evaluation. */
function link(
  name: string,
  parts: FlagParts | undefined,
  error: FlagDefinitionError | undefined,
  snapshot: { flags: Map<string, LinkedFlag> },
  warnOnce: (key: string, message: string) => void,
): LinkedFlag {
  if (parts === undefined || !parts.enabled || !parts.hasDependencies)
    return new LinkedFlag(name, parts, error, null);
  const checks = parts.dependencies.map((dependency) =>
    dependencyCheck(dependency, parts.name, snapshot, warnOnce),
  );
  return new LinkedFlag(name, parts, error, checks);
}

function dependencyCheck(
  dependency: CompiledDependency,
  childName: string,
  snapshot: { flags: Map<string, LinkedFlag> },
  warnOnce: (key: string, message: string) => void,
): (context: FlagContext) => boolean {
  const parent = snapshot.flags.get(dependency.feature);
  if (parent === undefined) {
    warnOnce(
      `dependency:${childName}:${dependency.feature}`,
      `Missing dependency "${dependency.feature}" for toggle "${childName}": it is never satisfied`,
    );
    return () => false;
  }
  // unleash-client: a parent with dependencies of its own never satisfies (checked on its raw definition)
  const parentDefinition = parent.parts?.definition as unknown;
  if (
    isRecord(parentDefinition) &&
    Array.isArray(parentDefinition.dependencies) &&
    parentDefinition.dependencies.length > 0
  ) {
    return () => false;
  }
  if (!dependency.enabled) return (context) => !isOn(parent.decide(context));
  if (dependency.variants.length === 0) return (context) => isOn(parent.decide(context));
  const accepted = dependency.variants;
  return (context) => {
    const variant = variantFor(parent, context, parent.decide(context), undefined);
    return variant.feature_enabled && accepted.includes(variant.name);
  };
}

function isOn(decision: number): boolean {
  return decision >= ON_WITHOUT_STRATEGIES;
}

/** unleash-client's resolveVariant, given the decision already taken for this context. */
function variantFor(
  flag: LinkedFlag,
  context: FlagContext,
  decision: number,
  fallback: VariantResult | undefined,
): VariantResult {
  if (decision >= ON_WITHOUT_STRATEGIES) {
    const parts = flag.parts!;
    if (decision >= 0) {
      const picker = parts.strategies[decision].pickVariant;
      if (picker !== null) {
        const picked = picker.pick(context);
        if (picked !== null) return picked;
      }
    }
    const variants = parts.variants;
    if (variants !== null) {
      const picked = variants.pick(context);
      if (picked !== null) return picked;
    }
    return fallback === undefined ? DISABLED_VARIANT_OF_ENABLED_FLAG : withFeatureEnabled(fallback, true);
  }
  return fallback === undefined ? DISABLED_VARIANT : withFeatureEnabled(fallback, false);
}

/** The caller's fallback variant with Unleash's feature flags set (kept apart so variantFor stays small). */
function withFeatureEnabled(fallback: VariantResult, featureEnabled: boolean): VariantResult {
  return { ...fallback, feature_enabled: featureEnabled, featureEnabled };
}

function asContext(context: unknown): FlagContext {
  return typeof context === 'object' && context !== null ? (context as FlagContext) : EMPTY_CONTEXT;
}

class Snapshot implements CompiledFlags {
  readonly definitions: ClientFeaturesPayload;
  readonly errors: readonly FlagDefinitionError[];
  /** @internal */
  readonly flags: Map<string, LinkedFlag>;
  /** @internal warning keys already reported, carried into the next snapshot through `previous` */
  readonly warned: Set<string>;
  private readonly warnOnce: (key: string, message: string) => void;

  constructor(
    definitions: ClientFeaturesPayload,
    errors: readonly FlagDefinitionError[],
    flags: Map<string, LinkedFlag>,
    warned: Set<string>,
    warnOnce: (key: string, message: string) => void,
  ) {
    this.definitions = definitions;
    this.errors = Object.freeze([...errors]);
    this.flags = flags;
    this.warned = warned;
    this.warnOnce = warnOnce;
  }

  has(name: string): boolean {
    return this.flags.has(name);
  }

  names(): string[] {
    return [...this.flags.keys()];
  }

  feature(name: string): FeatureDefinition | undefined {
    const flag = this.flags.get(name);
    if (flag === undefined) return undefined;
    return flag.error === undefined ? flag.parts?.definition : this.rawDefinition(name);
  }

  handle(name: string): FlagHandle | undefined {
    return this.flags.get(name);
  }

  isEnabled(name: string, context: FlagContext, fallback = false): boolean {
    const flag = this.flags.get(name);
    return flag === undefined ? fallback : this.isEnabledHandle(flag, context, fallback);
  }

  isEnabledHandle(handle: FlagHandle, context: FlagContext, fallback = false): boolean {
    const flag = handle as LinkedFlag;
    try {
      const decision = flag.decide(typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT);
      return decision >= ON_WITHOUT_STRATEGIES ? true : decision === BROKEN ? fallback : false;
    } catch (error) {
      this.reportThrow(flag.name, error);
      return fallback;
    }
  }

  getVariant(name: string, context: FlagContext, fallback?: VariantResult): VariantResult {
    const flag = this.flags.get(name);
    if (flag === undefined) {
      return fallback === undefined
        ? DISABLED_VARIANT
        : { ...fallback, feature_enabled: false, featureEnabled: false };
    }
    return this.getVariantHandle(flag, context, fallback);
  }

  getVariantHandle(handle: FlagHandle, context: FlagContext, fallback?: VariantResult): VariantResult {
    const flag = handle as LinkedFlag;
    try {
      const ctx = asContext(context);
      return variantFor(flag, ctx, flag.decide(ctx), fallback);
    } catch (error) {
      this.reportThrow(flag.name, error);
      return fallback === undefined
        ? DISABLED_VARIANT
        : { ...fallback, feature_enabled: false, featureEnabled: false };
    }
  }

  explain(name: string, context: FlagContext): Explanation {
    const flag = this.flags.get(name);
    if (flag === undefined) {
      // String(): a Symbol from untyped code cannot be interpolated, and explain must not throw
      const shown = String(name);
      return {
        flag: shown,
        enabled: false,
        variant: DISABLED_VARIANT,
        reason: 'not-found',
        detail: `no flag named "${shown}" in the definitions`,
      };
    }
    const ctx = asContext(context);
    const decision = this.decide(flag, ctx);
    return this.explainDecision(flag, ctx, decision, this.variantOfDecision(flag, ctx, decision));
  }

  decide(handle: FlagHandle, context: FlagContext): number {
    const flag = handle as LinkedFlag;
    try {
      return flag.decide(typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT);
    } catch (error) {
      this.reportThrow(flag.name, error);
      return THREW;
    }
  }

  variantOfDecision(
    handle: FlagHandle,
    context: FlagContext,
    decision: number,
    fallback?: VariantResult,
  ): VariantResult {
    const flag = handle as LinkedFlag;
    if (decision < ON_WITHOUT_STRATEGIES) {
      return fallback === undefined ? DISABLED_VARIANT : withFeatureEnabled(fallback, false);
    }
    try {
      return variantFor(flag, asContext(context), decision, fallback);
    } catch (error) {
      this.reportThrow(flag.name, error);
      return fallback === undefined ? DISABLED_VARIANT_OF_ENABLED_FLAG : withFeatureEnabled(fallback, false);
    }
  }

  explainDecision(
    handle: FlagHandle,
    context: FlagContext,
    decision: number,
    variant: VariantResult,
  ): Explanation {
    const flag = handle as LinkedFlag;
    const name = flag.name;
    if (flag.parts === undefined || decision === BROKEN) {
      return {
        flag: name,
        enabled: false,
        variant: DISABLED_VARIANT,
        reason: 'error',
        detail: `the definition was rejected, so the fallback is used: ${flag.error?.message}`,
      };
    }
    if (decision === THREW) {
      return {
        flag: name,
        enabled: false,
        variant: DISABLED_VARIANT,
        reason: 'error',
        detail: 'evaluation threw, so the fallback is used (see the warning logged for it)',
      };
    }
    const ctx = asContext(context);
    const stale = flag.error === undefined ? '' : ` (serving the last good version: ${flag.error.message})`;
    const parts = flag.parts;
    const enabled = isOn(decision);
    if (decision >= 0) {
      const strategy = parts.strategies[decision];
      const variantNote = variant.enabled ? `, variant "${variant.name}"` : '';
      return {
        flag: name,
        enabled,
        variant,
        reason: 'strategy-matched',
        strategyIndex: decision,
        strategyName: strategy.name,
        detail: `${matchedText(parts.definition, decision)}${variantNote}${stale}`,
      };
    }
    switch (decision) {
      case ON_WITHOUT_STRATEGIES:
        return {
          flag: name,
          enabled,
          variant,
          reason: 'strategy-matched',
          detail: `the flag is enabled and has no strategies, so it is on for everyone${stale}`,
        };
      case DISABLED:
        return { flag: name, enabled, variant, reason: 'disabled', detail: `the flag is disabled${stale}` };
      case DEPENDENCY_FAILED: {
        const checks = flag.dependencyChecks ?? [];
        let failed: CompiledDependency | undefined;
        try {
          failed = parts.dependencies.find((_, i) => !checks[i]?.(ctx));
        } catch {
          failed = undefined;
        }
        return {
          flag: name,
          enabled,
          variant,
          reason: 'dependency-failed',
          detail: failed
            ? `${describeDependency(failed)} is not satisfied${stale}`
            : `a dependency is not satisfied${stale}`,
        };
      }
      default: {
        const unknown = parts.strategies
          .filter((strategy) => !strategy.known)
          .map((strategy) => strategy.name);
        const unknownNote =
          unknown.length > 0 ? `; unknown strategies never match: ${unknown.join(', ')}` : '';
        return {
          flag: name,
          enabled,
          variant,
          reason: 'no-strategy-matched',
          detail: `${noneMatchedText(parts.definition)}${unknownNote}${stale}`,
        };
      }
    }
  }

  private rawDefinition(name: string): FeatureDefinition | undefined {
    const features = this.definitions.features;
    if (!Array.isArray(features)) return undefined;
    for (let i = features.length - 1; i >= 0; i--) {
      const feature = features[i] as unknown;
      if (isRecord(feature) && feature.name === name) return feature as unknown as FeatureDefinition;
    }
    return undefined;
  }

  private reportThrow(name: string, error: unknown): void {
    this.warnOnce(
      `throw:${name}`,
      `flag "${name}": evaluation threw (${error instanceof Error ? error.message : String(error)}); answering with the fallback. Is a custom strategy failing?`,
    );
  }
}

/**
 * `none of its 2 strategies matched this context`, or in a flags file's words: `users: [alice] did not match this
 * request`, `none of users: [alice]; rollout: 10 with when: matched this request`.
 */
function noneMatchedText(definition: FeatureDefinition): string {
  const strategies = definition.strategies ?? [];
  const written = strategies.map((strategy) => shorthandLabel(strategy));
  if (written.every((label) => label !== undefined)) {
    return written.length === 1
      ? `${written[0]} did not match this request`
      : `none of ${written.join('; ')} matched this request`;
  }
  return strategies.length === 1
    ? 'its one strategy did not match this context'
    : `none of its ${strategies.length} strategies matched this context`;
}

/** `strategy #2 (flexibleRollout, rollout 50%) matched`, or in a flags file's words: `rollout: 50 matched`. */
function matchedText(definition: FeatureDefinition, index: number): string {
  const described = describeStrategy(definition, index);
  return described === 'on for everyone' ? described : `${described} matched`;
}

/** `strategy #2 (flexibleRollout, rollout 50%)`, or in a flags file's words: `rollout: 50`, `rule 2 (users: [a])`. */
function describeStrategy(definition: FeatureDefinition, index: number): string {
  const strategy = definition.strategies?.[index];
  if (!strategy) return `strategy #${index + 1} (unknown)`;
  const written = shorthandLabel(strategy);
  if (written !== undefined) return written;
  const parameters = strategy.parameters ?? {};
  const constraints = strategy.constraints?.length ?? 0;
  const segments = strategy.segments?.length ?? 0;
  const extras = [
    parameters.rollout !== undefined ? `rollout ${parameters.rollout}%` : '',
    parameters.percentage !== undefined ? `${parameters.percentage}%` : '',
    constraints ? `${constraints} constraint${constraints > 1 ? 's' : ''}` : '',
    segments ? `${segments} segment${segments > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  return `strategy #${index + 1} (${extras.length ? `${strategy.name}, ${extras.join(', ')}` : strategy.name})`;
}

function describeDependency(dependency: CompiledDependency): string {
  if (!dependency.enabled) return `the dependency on "${dependency.feature}" being disabled`;
  if (dependency.variants.length > 0) {
    return `the dependency on "${dependency.feature}" having variant ${dependency.variants.map((v) => `"${v}"`).join(' or ')}`;
  }
  return `the dependency on "${dependency.feature}" being enabled`;
}
