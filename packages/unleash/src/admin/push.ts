// Applies a diff to Unleash, one flag at a time, each preceded by a read of that flag: if it is no longer what
// the diff was computed from, push stops (unless forced) and says exactly what it had written.
import { FlagwiseError } from '@flagwise/core';
import type { AdminVariant, StrategyBody, UnleashAdminClient } from './admin-client.js';
import { diffStates, flagChanges, type SyncDiff, type SyncFieldChange } from './diff.js';
import {
  comparable,
  type RemoteFlag,
  type RemoteState,
  remoteSegment,
  type SyncFlag,
  type SyncState,
  type SyncStrategy,
  type SyncVariant,
  sameValue,
} from './flag-state.js';
import { readRemoteFlag, readRemoteState, type SyncScope } from './read-remote.js';

/**
 * Raised when a flag or segment changed in Unleash after the diff was computed; nothing more is written.
 * @example
 * catch (e) { if (e instanceof ConcurrentChangeError) console.error(e.message, e.changes) }
 */
export class ConcurrentChangeError extends FlagwiseError {
  readonly flag: string;
  readonly changes: SyncFieldChange[];
  constructor(what: string, name: string, changes: SyncFieldChange[]) {
    super(
      'CONFLICT',
      `${what} "${name}" changed in Unleash since the diff was computed (${
        changes.map((change) => change.field).join(', ') || 'created or archived'
      }); push stopped without writing it: run diff again to see the new state, or push --force to overwrite`,
    );
    this.name = 'ConcurrentChangeError';
    this.flag = name;
    this.changes = changes;
  }
}

/**
 * What push did. On failure, `written` lists every flag and segment that was fully written, `failed` the one it
 * stopped at (with the steps it had done for it), `notAttempted` what was left.
 * @example
 * const report = await pushState(client, scope, desired, { apply: true });
 * console.log(formatPushReport(report));
 */
export interface PushReport {
  diff: SyncDiff;
  applied: boolean;
  written: string[];
  failed?: { name: string; error: Error; doneSteps: string[] };
  notAttempted: string[];
}

/**
 * Options of pushState().
 * @example
 * const options: PushOptions = { apply: true, prune: true };
 */
export interface PushOptions {
  /** write; without it push only computes the diff (a dry run) */
  apply?: boolean;
  /** archive managed flags that are not in the file */
  prune?: boolean;
  /** write even when a flag changed in Unleash since the diff was computed */
  force?: boolean;
  /** the state the diff is computed from; read now when absent */
  remote?: RemoteState;
  /** called after every write, with the flag or segment name and the step */
  onStep?: (name: string, step: string) => void;
}

/**
 * Unleash keeps weights it is sent only for "fix" variants and shares the rest equally among "variable" ones;
 * the first variable and the others fixed keeps every weight and the order.
 */
function variantsBody(variants: SyncVariant[], withOverrides: boolean): AdminVariant[] {
  return variants.map((variant, index) => {
    const body: AdminVariant = {
      name: variant.name,
      weight: variant.weight,
      weightType: index === 0 ? 'variable' : 'fix',
      stickiness: variant.stickiness,
    };
    if (variant.payload) body.payload = variant.payload;
    if (withOverrides) body.overrides = variant.overrides;
    return body;
  });
}

function strategyBody(strategy: SyncStrategy, segmentIds: ReadonlyMap<string, number>, sortOrder: number) {
  const body: StrategyBody = {
    name: strategy.name,
    title: strategy.title,
    parameters: strategy.parameters,
    constraints: strategy.constraints.map((constraint) => ({ ...constraint })),
    segments: strategy.segments.map((name) => {
      const id = segmentIds.get(name);
      if (id === undefined)
        throw new FlagwiseError('MISCONFIGURED', `segment "${name}" does not exist in Unleash`);
      return id;
    }),
    variants: variantsBody(strategy.variants, false),
    sortOrder,
    disabled: false,
  };
  return body;
}

function checkWeights(flag: SyncFlag): void {
  const lists = [flag.variants, ...flag.strategies.map((strategy) => strategy.variants)];
  for (const list of lists) {
    const total = list.reduce((sum, variant) => sum + variant.weight, 0);
    if (list.length > 0 && total !== 1000) {
      throw new FlagwiseError(
        'MISCONFIGURED',
        `flag "${flag.name}": variant weights add up to ${total / 10}%; Unleash needs exactly 100%`,
      );
    }
  }
}

/** Refuses, before writing anything, a file whose constraints use operators this Unleash does not know. */
async function checkOperators(client: UnleashAdminClient, desired: SyncState): Promise<void> {
  const known = await client.constraintOperators();
  if (!known) return;
  const unknown = new Map<string, Set<string>>();
  const note = (where: string, operator: string) => {
    if (known.includes(operator)) return;
    const places = unknown.get(operator) ?? new Set<string>();
    places.add(where);
    unknown.set(operator, places);
  };
  for (const segment of desired.segments) {
    for (const constraint of segment.constraints) note(`segment ${segment.name}`, constraint.operator);
  }
  for (const flag of desired.flags) {
    for (const strategy of flag.strategies) {
      for (const constraint of strategy.constraints) note(flag.name, constraint.operator);
    }
  }
  if (unknown.size === 0) return;
  const version = await client.version();
  const list = [...unknown].map(([operator, places]) => `${operator} (${[...places].join(', ')})`).join('; ');
  throw new FlagwiseError(
    'MISCONFIGURED',
    `Unleash ${version} does not know the constraint operator(s) ${list}; nothing was written. ` +
      `It knows: ${known.join(', ')}. Rewrite those conditions with these, or upgrade Unleash`,
  );
}

class StepLog {
  readonly steps: string[] = [];
  constructor(
    private readonly name: string,
    private readonly onStep?: (name: string, step: string) => void,
  ) {}
  done(step: string): void {
    this.steps.push(step);
    this.onStep?.(this.name, step);
  }
}

/** Writes one flag from its current state to the desired one. */
async function writeFlag(
  client: UnleashAdminClient,
  scope: SyncScope,
  current: RemoteFlag,
  desired: SyncFlag,
  segmentIds: ReadonlyMap<string, number>,
  log: StepLog,
): Promise<void> {
  const { project, environment } = scope;
  const fields: Record<string, unknown> = {};
  if (current.type !== desired.type) fields.type = desired.type;
  if (current.description !== desired.description) fields.description = desired.description ?? '';
  if (current.impressionData !== desired.impressionData) fields.impressionData = desired.impressionData;
  if (Object.keys(fields).length > 0) {
    await client.patchFeature(project, desired.name, fields);
    log.done(`set ${Object.keys(fields).join(', ')}`);
  }
  // strategies by position: update in place, add the missing, delete the surplus
  const count = Math.max(current.strategies.length, desired.strategies.length);
  for (let index = 0; index < count; index++) {
    const before = current.strategies[index];
    const after = desired.strategies[index];
    if (before && after) {
      if (sameValue(before, after)) continue;
      await client.updateStrategy(
        project,
        desired.name,
        environment,
        current.strategyIds[index],
        strategyBody(after, segmentIds, index),
      );
      log.done(`update strategies[${index}]`);
    } else if (after) {
      await client.addStrategy(project, desired.name, environment, strategyBody(after, segmentIds, index));
      log.done(`add strategies[${index}]`);
    } else {
      await client.deleteStrategy(project, desired.name, environment, current.strategyIds[index]);
      log.done(`delete strategies[${index}]`);
    }
  }
  if (!sameValue(current.variants, desired.variants)) {
    await client.setFeatureVariants(project, desired.name, environment, variantsBody(desired.variants, true));
    log.done('set variants');
  }
  // after the strategies: Unleash adds a 100% rollout when a flag without strategies is turned on
  if (current.enabled !== desired.enabled) {
    await client.setEnabled(project, desired.name, environment, desired.enabled);
    log.done(desired.enabled ? 'turn on' : 'turn off');
  }
  if (!sameValue(current.dependencies, desired.dependencies)) {
    if (current.dependencies.length > 0) {
      await client.deleteDependencies(project, desired.name);
      log.done('remove dependencies');
    }
    for (const dependency of desired.dependencies) {
      await client.addDependency(project, desired.name, dependency);
      log.done(`depend on ${dependency.feature}`);
    }
  }
  const toTag = (text: string) => {
    const colon = text.indexOf(':');
    return { type: text.slice(0, colon), value: text.slice(colon + 1) };
  };
  for (const tag of current.tags.filter((tag) => !desired.tags.includes(tag))) {
    await client.removeTag(desired.name, toTag(tag));
    log.done(`untag ${tag}`);
  }
  for (const tag of desired.tags.filter((tag) => !current.tags.includes(tag))) {
    await client.addTag(desired.name, toTag(tag));
    log.done(`tag ${tag}`);
  }
}

const EMPTY_FLAG = (name: string): RemoteFlag => ({
  name,
  type: 'release',
  description: null,
  impressionData: false,
  enabled: false,
  strategies: [],
  strategyIds: [],
  disabledStrategies: 0,
  variants: [],
  dependencies: [],
  tags: [],
});

/**
 * Pushes a desired state (from a flags file) to one project and environment: a dry run that only returns the
 * diff unless `apply`; with it, segments, then flags parents first, then (with `prune`) archives. Every write is
 * preceded by a read of what it changes; a flag that changed since the diff stops the push (ConcurrentChangeError
 * in `failed`) unless `force`. Running it again after a success writes nothing.
 * @example
 * const report = await pushState(client, { project: 'default', environment: 'production' }, desired, { apply: true });
 */
export async function pushState(
  client: UnleashAdminClient,
  scope: SyncScope,
  desired: SyncState,
  options: PushOptions = {},
): Promise<PushReport> {
  const remote = options.remote ?? (await readRemoteState(client, scope));
  const diff = diffStates(desired, remote, { prune: options.prune });
  const report: PushReport = { diff, applied: false, written: [], notAttempted: [] };
  if (!options.apply) return report;
  if (diff.problems.length > 0) {
    throw new FlagwiseError(
      'MISCONFIGURED',
      `nothing was written, because Unleash cannot store the file as it is: ${diff.problems.join('; ')}`,
    );
  }
  report.applied = true;
  for (const flag of desired.flags) checkWeights(flag);
  await checkOperators(client, desired);

  const queue = [
    ...diff.strategyTypes.map((type) => `strategy type ${type.name}`),
    ...diff.segments.map((segment) => `segment ${segment.segment}`),
    ...diff.flags.map((flag) => flag.flag),
  ];
  const segmentIds = new Map(remote.segments.map((segment) => [segment.name, segment.id]));
  const desiredSegments = new Map(desired.segments.map((segment) => [segment.name, segment]));
  const desiredFlags = new Map(desired.flags.map((flag) => [flag.name, flag]));
  const remoteFlags = new Map(remote.flags.map((flag) => [flag.name, flag]));
  let name = '';
  let log = new StepLog('', options.onStep);
  try {
    for (const type of diff.strategyTypes) {
      name = `strategy type ${type.name}`;
      log = new StepLog(name, options.onStep);
      if (!(await client.strategyTypes()).includes(type.name)) {
        await client.createStrategyType(type.name, type.parameters);
        log.done('define');
      }
      report.written.push(name);
    }
    for (const change of diff.segments) {
      name = `segment ${change.segment}`;
      log = new StepLog(name, options.onStep);
      const target = desiredSegments.get(change.segment)!;
      const before = remote.segments.find((segment) => segment.name === change.segment);
      // read before write
      const now = (await client.segments())
        .map(remoteSegment)
        .find((segment) => segment.name === change.segment);
      if (!options.force && !sameValue(now?.constraints, before?.constraints)) {
        throw new ConcurrentChangeError('segment', change.segment, [
          { field: 'constraints', before: before?.constraints, after: now?.constraints },
        ]);
      }
      const body = {
        name: target.name,
        constraints: target.constraints.map((constraint) => ({ ...constraint })),
      };
      if (now) {
        await client.updateSegment(now.id, body);
        segmentIds.set(target.name, now.id);
        log.done('update');
      } else {
        segmentIds.set(target.name, await client.createSegment(body));
        log.done('create');
      }
      report.written.push(name);
    }

    const neededTagTypes = new Set(
      diff.flags.flatMap((change) =>
        (desiredFlags.get(change.flag)?.tags ?? []).map((tag) => tag.slice(0, tag.indexOf(':'))),
      ),
    );
    if (neededTagTypes.size > 0) {
      const known = new Set(await client.tagTypes());
      for (const type of neededTagTypes) if (!known.has(type)) await client.createTagType(type);
    }

    const segmentNames = new Map([...segmentIds].map(([segment, id]) => [id, segment]));
    for (const change of diff.flags) {
      name = change.flag;
      log = new StepLog(name, options.onStep);
      const before = remoteFlags.get(change.flag);
      // read before write
      const now = await readRemoteFlag(client, scope, change.flag, segmentNames);
      if (!options.force) {
        if (!before || !now) {
          if (before || now) throw new ConcurrentChangeError('flag', change.flag, []);
        } else if (!sameValue(comparable(before), comparable(now))) {
          throw new ConcurrentChangeError('flag', change.flag, flagChanges(before, now));
        }
      }
      if (change.action === 'archive') {
        await client.archive(scope.project, [change.flag]);
        log.done('archive');
      } else {
        const target = desiredFlags.get(change.flag)!;
        let current = now;
        if (!current) {
          if (!(await client.nameIsFree(change.flag))) {
            throw new FlagwiseError(
              'CONFLICT',
              `flag "${change.flag}" cannot be created: an archived flag (or one in another project) has that name; ` +
                'revive it from the archive in Unleash, or delete it there for good, then push again',
            );
          }
          await client.createFeature(scope.project, {
            name: target.name,
            type: target.type,
            description: target.description,
            impressionData: target.impressionData,
          });
          log.done('create');
          current =
            (await readRemoteFlag(client, scope, change.flag, segmentNames)) ?? EMPTY_FLAG(change.flag);
        }
        await writeFlag(client, scope, current, target, segmentIds, log);
      }
      report.written.push(change.flag);
    }
  } catch (error) {
    report.failed = { name, error: error as Error, doneSteps: log.steps };
    const at = queue.indexOf(name);
    report.notAttempted = at === -1 ? [] : queue.slice(at + 1);
  }
  return report;
}

/**
 * A report as text: what was written, and on failure where push stopped and what it had done there.
 * @example
 * process.stdout.write(formatPushReport(report));
 */
export function formatPushReport(report: PushReport): string {
  if (!report.applied) return '';
  const lines: string[] = [];
  if (report.written.length > 0) lines.push(`Written: ${report.written.join(', ')}`);
  else if (!report.failed) lines.push('Nothing to write: Unleash already matches the file.');
  if (report.failed) {
    const { name, error, doneSteps } = report.failed;
    lines.push(`Stopped at ${name}: ${error.message}`);
    if (doneSteps.length > 0) lines.push(`  done for ${name} before it stopped: ${doneSteps.join('; ')}`);
    if (report.notAttempted.length > 0) lines.push(`Not attempted: ${report.notAttempted.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
