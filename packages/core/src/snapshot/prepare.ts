// What one load of definitions prepares before the client swaps it in: the compiled flags, their snapshot, and
// the change against the flags before. Written as steps, so a large reload can be prepared in slices.
import {
  type CompiledFlags,
  type CompileOptions,
  compileFlags,
  compileFlagsInSteps,
} from '../engine/index.js';
import type { Steps } from '../engine/steps.js';
import type { ClientFeaturesPayload } from '../types.js';
import { diffDefinitionsInSteps, type FlagsChange } from './definitions-diff.js';
import { buildSnapshot, buildSnapshotInSteps, type FlagsSnapshot } from './snapshot.js';

/** What one load swaps in. */
export interface PreparedLoad {
  compiled: CompiledFlags;
  snapshot: FlagsSnapshot;
  /** undefined for the first load, which has nothing to compare with */
  change: FlagsChange | undefined;
}

const EMPTY_PAYLOAD: ClientFeaturesPayload = Object.freeze({
  version: 2,
  features: [],
}) as ClientFeaturesPayload;

/**
 * The snapshot a client starts with: no flags, not ready.
 * @example const snapshot = emptySnapshot({ onWarn }, false);
 */
export function emptySnapshot(options: CompileOptions, countsUsage: boolean): FlagsSnapshot {
  return buildSnapshot(compileFlags(EMPTY_PAYLOAD, options), false, countsUsage);
}

/**
 * Compiles definitions (flags that fail keep their evaluator from `previous`), builds their snapshot and diffs
 * them against `previous` when it was ready.
 * @example
 * const { snapshot, change } = runSteps(prepareLoad(definitions, previous, options, false));
 */
export function* prepareLoad(
  definitions: ClientFeaturesPayload,
  previous: FlagsSnapshot,
  options: CompileOptions,
  countsUsage: boolean,
): Steps<PreparedLoad> {
  const compiled = yield* compileFlagsInSteps(definitions, { ...options, previous: previous.compiled });
  const snapshot = yield* buildSnapshotInSteps(compiled, true, countsUsage);
  const change = previous.ready ? yield* diffDefinitionsInSteps(previous.compiled, compiled) : undefined;
  return { compiled, snapshot, change };
}
