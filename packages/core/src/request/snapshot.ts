// A snapshot is one compiled set of definitions plus what requests need to read it by property name.
// The client swaps snapshots atomically; a per-request object keeps the snapshot it was made with.
import type { CompiledFlags, FlagHandle } from '../engine/index.js';

export interface FlagsSnapshot {
  readonly compiled: CompiledFlags;
  /** false until the source delivered its first definitions */
  readonly ready: boolean;
  /** property name (camelCase, or the exact flag name) → the flag (its `name` is the flag name) */
  readonly aliases: Map<string, FlagHandle>;
  /** the camelCase property names, one per flag, for enumeration */
  readonly propertyNames: readonly string[];
  /** flags with impressionData: true */
  readonly impressionFlags: ReadonlySet<string>;
  /** flags the definitions allow a browser to see (toJSON) */
  readonly browserFlags: readonly string[];
  /** false when nothing counts or reports evaluations (no usage metrics, no impression flags): skip the hook */
  readonly observeEvaluations: boolean;
  /** camelCase clashes: two flags that map to one property name */
  readonly clashes: readonly { property: string; flags: string[] }[];
}

/**
 * `new-pricing`, `new_pricing` and `New Pricing` all read as `newPricing`.
 * @example toPropertyName('new-pricing') // 'newPricing'
 */
export function toPropertyName(flag: string): string {
  const camel = flag.replace(/[-_.\s:]+([A-Za-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return camel.replace(/[-_.\s:]+$/, '');
}

export function buildSnapshot(compiled: CompiledFlags, ready: boolean, countsUsage = false): FlagsSnapshot {
  const aliases = new Map<string, FlagHandle>();
  const owners = new Map<string, string[]>();
  const impressionFlags = new Set<string>();
  const browserFlags: string[] = [];
  const names = compiled.names();
  for (const name of names) {
    const property = toPropertyName(name);
    const list = owners.get(property);
    if (list) list.push(name);
    else owners.set(property, [name]);
    const feature = compiled.feature(name);
    if (feature?.impressionData) impressionFlags.add(name);
    if (feature?.browser) browserFlags.push(name);
  }
  const propertyNames: string[] = [];
  const clashes: { property: string; flags: string[] }[] = [];
  for (const [property, flags] of owners) {
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
  const observeEvaluations = countsUsage || impressionFlags.size > 0;
  return {
    compiled,
    ready,
    aliases,
    propertyNames,
    impressionFlags,
    browserFlags,
    observeEvaluations,
    clashes,
  };
}
