// A snapshot is one compiled set of definitions plus what requests need to read it by property name.
// The client swaps snapshots atomically; a per-request object keeps the snapshot it was made with.
import type { CompiledFlags, FlagHandle } from '../engine/index.js';
import { runSteps, type Steps } from '../engine/steps.js';
import { nearestName } from '../nearest-name.js';
import type { FeatureDefinition, StrategyDefinition, VariantDefinition } from '../types.js';

export interface FlagsSnapshot {
  readonly compiled: CompiledFlags;
  /** false until the source delivered its first definitions */
  readonly ready: boolean;
  /** property name (camelCase, or the exact flag name) → the flag (its `name` is the flag name) */
  readonly aliases: Map<string, FlagHandle>;
  /**
   * `aliases` without the names `req.flags` answers itself (its methods, `context`, Object.prototype's
   * members): what a property read looks up first. The same Map when no flag takes such a name.
   */
  readonly properties: Map<string, FlagHandle>;
  /** the camelCase property names, one per flag, for enumeration */
  readonly propertyNames: readonly string[];
  /** flags with impressionData: true */
  readonly impressionFlags: ReadonlySet<string>;
  /** flags the definitions allow a browser to see (toJSON) */
  readonly browserFlags: readonly string[];
  /** false when nothing counts or reports evaluations (no usage metrics, no impression flags): skip the hook */
  readonly observeEvaluations: boolean;
  /** flags that have variants (on the flag or on a strategy); by handle, which a read holds already */
  readonly variantFlags: ReadonlySet<FlagHandle>;
  /**
   * flags whose on/off answer is random for a request with neither userId nor sessionId: a partial
   * flexibleRollout with Unleash's default stickiness (userId, else sessionId, else random)
   */
  readonly randomWhenAnonymous: ReadonlySet<FlagHandle>;
  /**
   * flags whose variant follows the client IP for a request with neither userId nor sessionId: variants split
   * with Unleash's default variant stickiness (userId, else sessionId, else remoteAddress, else random)
   */
  readonly variantByAddressWhenAnonymous: ReadonlySet<FlagHandle>;
  /** camelCase clashes: two flags that map to one property name */
  readonly clashes: readonly { property: string; flags: string[] }[];
}

/** Names `req.flags` answers itself; a flag with such a name is read with isEnabled(name). */
const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  'isEnabled',
  'variant',
  'explain',
  'toJSON',
  'context',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * `new-pricing`, `new_pricing` and `New Pricing` all read as `newPricing`.
 * @example toPropertyName('new-pricing') // 'newPricing'
 */
export function toPropertyName(flag: string): string {
  const camel = flag.replace(/[-_.\s:]+([A-Za-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return camel.replace(/[-_.\s:]+$/, '');
}

/**
 * For messages about a flag name the definitions lack: ` (did you mean "new-pricing"?)`, or the defined names
 * when none is close.
 * @example flagNameSuggestion(snapshot, 'new-pricng') // ' (did you mean "new-pricing"?)'
 */
export function flagNameSuggestion(snapshot: FlagsSnapshot, name: string): string {
  const nearest = nearestName(name, snapshot.aliases.keys());
  // The flag's own name, also when the nearest key is its camelCase property.
  if (nearest !== undefined) return ` (did you mean "${snapshot.aliases.get(nearest)?.name ?? nearest}"?)`;
  const names = snapshot.compiled.names();
  const listed = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ') || 'none';
  return ` (defined: ${listed})`;
}

/**
 * The snapshot of compiled flags, built at once.
 * @example const snapshot = buildSnapshot(compileFlags(payload), true);
 */
export function buildSnapshot(compiled: CompiledFlags, ready: boolean, countsUsage = false): FlagsSnapshot {
  return runSteps(buildSnapshotInSteps(compiled, ready, countsUsage));
}

/**
 * buildSnapshot() as steps, one flag each, for a large set built across event-loop turns.
 * @example
 * const snapshot = runSteps(buildSnapshotInSteps(compiled, true));
 */
export function* buildSnapshotInSteps(
  compiled: CompiledFlags,
  ready: boolean,
  countsUsage = false,
): Steps<FlagsSnapshot> {
  const aliases = new Map<string, FlagHandle>();
  const owners = new Map<string, string[]>();
  const impressionFlags = new Set<string>();
  const browserFlags: string[] = [];
  const variantFlags = new Set<FlagHandle>();
  const randomWhenAnonymous = new Set<FlagHandle>();
  const variantByAddressWhenAnonymous = new Set<FlagHandle>();
  const names = compiled.names();
  for (const name of names) {
    yield;
    const property = toPropertyName(name);
    const list = owners.get(property);
    if (list) list.push(name);
    else owners.set(property, [name]);
    const feature = compiled.feature(name);
    if (feature?.impressionData) impressionFlags.add(name);
    if (feature?.browser) browserFlags.push(name);
    if (feature !== undefined) {
      const handle = compiled.handle(name)!;
      if (featureHasVariants(feature)) variantFlags.add(handle);
      if (isRandomWhenAnonymous(feature)) randomWhenAnonymous.add(handle);
      if (hasVariantsByAddress(feature)) variantByAddressWhenAnonymous.add(handle);
    }
  }
  const propertyNames: string[] = [];
  const clashes: { property: string; flags: string[] }[] = [];
  for (const [property, flags] of owners) {
    yield;
    propertyNames.push(property);
    if (flags.length === 1) {
      aliases.set(property, compiled.handle(flags[0])!);
      continue;
    }
    // A clash: the flag whose name already is the property name wins; otherwise the first in sort order.
    const sorted = [...flags].sort();
    aliases.set(property, compiled.handle(sorted.includes(property) ? property : sorted[0])!);
    clashes.push({ property, flags: sorted });
  }
  // Exact names resolve to themselves, after the camelCase aliases so an exact name always wins.
  for (const name of names) aliases.set(name, compiled.handle(name)!);
  const reserved = [...owners.keys(), ...names].filter((key) => RESERVED_PROPERTIES.has(key));
  let properties = aliases;
  if (reserved.length > 0) {
    properties = new Map(aliases);
    for (const key of reserved) properties.delete(key);
  }
  const observeEvaluations = countsUsage || impressionFlags.size > 0;
  return {
    compiled,
    ready,
    aliases,
    properties,
    propertyNames,
    impressionFlags,
    browserFlags,
    observeEvaluations,
    variantFlags,
    randomWhenAnonymous,
    variantByAddressWhenAnonymous,
    clashes,
  };
}

/**
 * The names of a flag's variants, on the flag and on its strategies, each once, in the order they are defined.
 * @example featureVariantNames(client.feature('checkout-copy')!) // ['short', 'long']
 */
export function featureVariantNames(feature: FeatureDefinition | undefined): string[] {
  const names = new Set<string>();
  if (feature === undefined) return [];
  const lists = [feature.variants, ...strategiesOf(feature).map((strategy) => strategy.variants)];
  for (const list of lists)
    if (Array.isArray(list))
      for (const variant of list) if (typeof variant?.name === 'string') names.add(variant.name);
  return [...names];
}

/** True when the flag has variants, on the flag or on one of its strategies. */
export function featureHasVariants(feature: FeatureDefinition): boolean {
  if (Array.isArray(feature.variants) && feature.variants.length > 0) return true;
  return strategiesOf(feature).some(
    (strategy) => Array.isArray(strategy.variants) && strategy.variants.length > 0,
  );
}

const isDefaultStickiness = (stickiness: unknown) =>
  stickiness === undefined || stickiness === '' || stickiness === 'default';

function isRandomWhenAnonymous(feature: FeatureDefinition): boolean {
  if (!feature.enabled) return false;
  return strategiesOf(feature).some((strategy) => {
    if (strategy.disabled) return false;
    if (strategy.name !== 'flexibleRollout') return false;
    const rollout = Number(strategy.parameters?.rollout);
    return rollout > 0 && rollout < 100 && isDefaultStickiness(strategy.parameters?.stickiness);
  });
}

function hasVariantsByAddress(feature: FeatureDefinition): boolean {
  if (!feature.enabled) return false;
  if (splitByDefaultStickiness(feature.variants)) return true;
  return strategiesOf(feature).some(
    (strategy) => !strategy.disabled && splitByDefaultStickiness(strategy.variants),
  );
}

// Definitions reach here as the source sent them (the engine reports broken ones): read them defensively.
function strategiesOf(feature: FeatureDefinition): StrategyDefinition[] {
  const strategies: unknown = feature.strategies;
  return Array.isArray(strategies) ? strategies.filter((s) => s !== null && typeof s === 'object') : [];
}

function splitByDefaultStickiness(variants: VariantDefinition[] | null | undefined): boolean {
  if (!Array.isArray(variants)) return false;
  const weighted = variants.filter((variant) => variant && variant.weight > 0);
  return weighted.length > 1 && weighted.some((variant) => isDefaultStickiness(variant.stickiness));
}
