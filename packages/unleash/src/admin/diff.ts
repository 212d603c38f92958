// What push would change: flag by flag and field by field, with the value before (in Unleash) and after (in the
// flags file), and three renderings: text for a terminal, JSON for tools, GitHub annotations for a pull request.
import {
  type RemoteState,
  type SyncFlag,
  type SyncSegment,
  type SyncState,
  type SyncStrategy,
  sameValue,
} from './flag-state.js';

/**
 * One field that differs; `before` is absent for something new, `after` for something removed.
 * @example
 * const change: SyncFieldChange = { field: 'strategies[0].parameters.rollout', before: '10', after: '25' };
 */
export interface SyncFieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** A flag push would create, update or (with prune) archive. */
export interface SyncFlagChange {
  flag: string;
  action: 'create' | 'update' | 'archive';
  changes: SyncFieldChange[];
}

export interface SyncSegmentChange {
  segment: string;
  action: 'create' | 'update';
  changes: SyncFieldChange[];
}

/**
 * Everything push would do, in the order it would do it.
 * @example
 * const diff = diffStates(desired, remote, { prune: true });
 * if (diff.flags.length > 0) console.log(formatDiff(diff, 'text'));
 */
export interface SyncDiff {
  project: string;
  environment: string;
  /** strategy types the file uses that Unleash lacks (Unleash 7 no longer ships `userWithId`, which `users:` is) */
  strategyTypes: { name: string; parameters: string[] }[];
  segments: SyncSegmentChange[];
  flags: SyncFlagChange[];
  /** flags in Unleash but not in the file, which push leaves alone without prune */
  notInFile: string[];
  /** what Unleash cannot store as the file says; push refuses to write while there are any */
  problems: string[];
}

const byName = (a: string, b: string) => a.localeCompare(b);

/**
 * What Unleash would store differently from the file: it keeps variants sorted by name (which changes who gets
 * which variant), one parent per flag, and no flag that is on without strategies.
 */
export function unleashProblems(desired: SyncState): string[] {
  const problems: string[] = [];
  const checkOrder = (where: string, names: string[]) => {
    const sorted = [...names].sort(byName);
    if (names.some((name, index) => name !== sorted[index])) {
      problems.push(
        `${where}: Unleash keeps variants sorted by name, which would change who gets which variant; ` +
          `list them in that order: ${sorted.join(', ')}`,
      );
    }
  };
  for (const flag of desired.flags) {
    checkOrder(
      `${flag.name} variants`,
      flag.variants.map((variant) => variant.name),
    );
    flag.strategies.forEach((strategy, index) => {
      checkOrder(
        `${flag.name} strategies[${index}] variants`,
        strategy.variants.map((variant) => variant.name),
      );
    });
    if (flag.enabled && flag.strategies.length === 0) {
      problems.push(
        `${flag.name} is on with no strategies, which Unleash does not keep (it adds a 100% rollout when a flag ` +
          'is turned on, and turns a flag off when its last strategy goes): write it as true, or give it a rule',
      );
    }
    if (flag.dependencies.length > 1) {
      problems.push(
        `${flag.name} requires ${flag.dependencies.map((dependency) => dependency.feature).join(' and ')}; ` +
          'Unleash keeps one parent per flag, so keep one',
      );
    }
  }
  return problems;
}

/** Does the diff hold anything push would write? */
export function hasChanges(diff: SyncDiff): boolean {
  return diff.flags.length > 0 || diff.segments.length > 0 || diff.strategyTypes.length > 0;
}

const FLAG_FIELDS = [
  'type',
  'description',
  'impressionData',
  'enabled',
  'tags',
  'dependencies',
  'variants',
] as const;
const STRATEGY_FIELDS = ['name', 'title', 'constraints', 'segments', 'variants'] as const;

function strategyChanges(index: number, before: SyncStrategy | undefined, after: SyncStrategy | undefined) {
  const at = `strategies[${index}]`;
  if (!before) return [{ field: at, after }];
  if (!after) return [{ field: at, before }];
  const changes: SyncFieldChange[] = [];
  for (const field of STRATEGY_FIELDS) {
    if (!sameValue(before[field], after[field])) {
      changes.push({ field: `${at}.${field}`, before: before[field], after: after[field] });
    }
  }
  const keys = new Set([...Object.keys(before.parameters), ...Object.keys(after.parameters)]);
  for (const key of [...keys].sort()) {
    if (before.parameters[key] !== after.parameters[key]) {
      changes.push({
        field: `${at}.parameters.${key}`,
        ...(key in before.parameters ? { before: before.parameters[key] } : {}),
        ...(key in after.parameters ? { after: after.parameters[key] } : {}),
      });
    }
  }
  return changes;
}

/**
 * The fields of one flag that differ between Unleash (`before`) and the file (`after`).
 * @example
 * flagChanges(remoteFlag, desiredFlag).map((change) => change.field); // ['enabled', 'strategies[0].parameters.rollout']
 */
export function flagChanges(before: SyncFlag, after: SyncFlag): SyncFieldChange[] {
  const changes: SyncFieldChange[] = [];
  for (const field of FLAG_FIELDS) {
    if (!sameValue(before[field], after[field])) {
      changes.push({ field, before: before[field], after: after[field] });
    }
  }
  const count = Math.max(before.strategies.length, after.strategies.length);
  for (let index = 0; index < count; index++) {
    changes.push(...strategyChanges(index, before.strategies[index], after.strategies[index]));
  }
  return changes;
}

function creation(flag: SyncFlag): SyncFieldChange[] {
  const empty: SyncFlag = {
    name: flag.name,
    type: 'release',
    description: null,
    impressionData: false,
    enabled: false,
    strategies: [],
    variants: [],
    dependencies: [],
    tags: [],
  };
  // a new flag lists what it is created with, its type always
  const changes = flagChanges(empty, flag)
    .filter((change) => change.field !== 'type')
    .map((change) => ({ field: change.field, after: change.after }));
  return [{ field: 'type', after: flag.type }, ...changes];
}

function segmentChanges(before: SyncSegment | undefined, after: SyncSegment): SyncFieldChange[] {
  if (!before) return [{ field: 'constraints', after: after.constraints }];
  return sameValue(before.constraints, after.constraints)
    ? []
    : [{ field: 'constraints', before: before.constraints, after: after.constraints }];
}

/**
 * Compares the file's state with what Unleash has: flags to create, to update field by field and, with `prune`,
 * to archive; segments to create or update. Flags are ordered parents first, so dependencies can be written.
 * @example
 * const diff = diffStates(stateFromDefinitions(definitions), await readRemoteState(client, scope));
 */
export function diffStates(
  desired: SyncState,
  remote: RemoteState,
  options: { prune?: boolean } = {},
): SyncDiff {
  const remoteSegments = new Map(remote.segments.map((segment) => [segment.name, segment]));
  const segments: SyncSegmentChange[] = [];
  for (const segment of desired.segments) {
    const existing = remoteSegments.get(segment.name);
    const changes = segmentChanges(existing, segment);
    if (changes.length > 0) {
      segments.push({ segment: segment.name, action: existing ? 'update' : 'create', changes });
    }
  }

  const remoteFlags = new Map(remote.flags.map((flag) => [flag.name, flag]));
  const desiredNames = new Set(desired.flags.map((flag) => flag.name));
  // parents before children: a dependency can only name a flag that exists
  const ordered = [...desired.flags].sort(
    (a, b) => Number(a.dependencies.length > 0) - Number(b.dependencies.length > 0),
  );
  const flags: SyncFlagChange[] = [];
  for (const flag of ordered) {
    const existing = remoteFlags.get(flag.name);
    if (!existing) {
      flags.push({ flag: flag.name, action: 'create', changes: creation(flag) });
      continue;
    }
    const changes = flagChanges(existing, flag);
    if (changes.length > 0) flags.push({ flag: flag.name, action: 'update', changes });
  }
  const notInFile = remote.flags.map((flag) => flag.name).filter((name) => !desiredNames.has(name));
  if (options.prune) {
    // children before parents: Unleash will not archive a flag others still depend on
    const byName = new Map(remote.flags.map((flag) => [flag.name, flag]));
    const archived = [...notInFile].sort(
      (a, b) =>
        Number((byName.get(b)?.dependencies.length ?? 0) > 0) -
        Number((byName.get(a)?.dependencies.length ?? 0) > 0),
    );
    for (const name of archived) flags.push({ flag: name, action: 'archive', changes: [] });
  }
  const known = new Set(remote.strategyTypes);
  const strategyTypes = new Map<string, Set<string>>();
  for (const flag of desired.flags) {
    for (const strategy of flag.strategies) {
      if (known.has(strategy.name)) continue;
      const parameters = strategyTypes.get(strategy.name) ?? new Set<string>();
      for (const key of Object.keys(strategy.parameters)) parameters.add(key);
      strategyTypes.set(strategy.name, parameters);
    }
  }
  return {
    project: remote.project,
    environment: remote.environment,
    strategyTypes: [...strategyTypes].map(([name, parameters]) => ({
      name,
      parameters: [...parameters].sort(),
    })),
    segments,
    flags,
    notInFile: options.prune ? [] : notInFile,
    problems: unleashProblems(desired),
  };
}

/**
 * How formatDiff() renders a diff.
 * @example
 * const format: DiffFormat = 'github';
 */
export type DiffFormat = 'text' | 'json' | 'github';

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  return JSON.stringify(value);
}

function changeLine(change: SyncFieldChange): string {
  if (!('before' in change)) return `${change.field}: ${show(change.after)}`;
  if (!('after' in change)) return `${change.field}: ${show(change.before)} → (removed)`;
  return `${change.field}: ${show(change.before)} → ${show(change.after)}`;
}

const ACTION_MARK = { create: '+', update: '~', archive: '-' } as const;

function textDiff(diff: SyncDiff): string {
  const where = `project ${diff.project}, environment ${diff.environment}`;
  const problems = diff.problems.map((problem) => `! ${problem}`);
  if (!hasChanges(diff)) {
    const lines = [`No differences with Unleash (${where}).`, ...problems];
    if (diff.notInFile.length > 0) {
      lines.push(`Not in the file, left alone (--prune archives them): ${diff.notInFile.join(', ')}`);
    }
    return `${lines.join('\n')}\n`;
  }
  const lines = [`Changes for Unleash (${where}), as "Unleash now → flags file":`, ...problems];
  for (const type of diff.strategyTypes) {
    lines.push(
      `+ strategy type ${type.name} (define, with parameters: ${type.parameters.join(', ') || 'none'})`,
    );
  }
  for (const segment of diff.segments) {
    lines.push(`${segment.action === 'create' ? '+' : '~'} segment ${segment.segment} (${segment.action})`);
    for (const change of segment.changes) lines.push(`    ${changeLine(change)}`);
  }
  for (const flag of diff.flags) {
    lines.push(`${ACTION_MARK[flag.action]} flag ${flag.flag} (${flag.action})`);
    for (const change of flag.changes) lines.push(`    ${changeLine(change)}`);
  }
  const counts = (['create', 'update', 'archive'] as const)
    .map((action) => [action, diff.flags.filter((flag) => flag.action === action).length] as const)
    .filter(([, count]) => count > 0)
    .map(([action, count]) => `${count} to ${action}`);
  if (diff.segments.length > 0) counts.push(`${diff.segments.length} segment(s) to write`);
  if (diff.strategyTypes.length > 0) counts.push(`${diff.strategyTypes.length} strategy type(s) to define`);
  lines.push(`${counts.join(', ')}.`);
  if (diff.notInFile.length > 0) {
    lines.push(`Not in the file, left alone (--prune archives them): ${diff.notInFile.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** GitHub's workflow-command escaping for a message (`%`, CR, LF) and for properties (also `:` and `,`). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Options of formatDiff().
 * @example
 * const options: FormatDiffOptions = { file: 'flags.yaml', lineOf: (kind, name) => (name === 'beta' ? 4 : undefined) };
 */
export interface FormatDiffOptions {
  /** the flags file, named in GitHub annotations */
  file?: string;
  /** the line a flag or segment is written on in that file, so an annotation lands next to it */
  lineOf?: (kind: 'flag' | 'segment', name: string) => number | undefined;
}

function githubDiff(diff: SyncDiff, options: FormatDiffOptions): string {
  const file = options.file;
  const at = (kind: 'flag' | 'segment', name: string) => {
    if (!file) return '';
    const line = options.lineOf?.(kind, name);
    return `file=${escapeProperty(file)},${line === undefined ? '' : `line=${line},`}`;
  };
  const location = file ? `file=${escapeProperty(file)},` : '';
  const lines: string[] = [];
  for (const problem of diff.problems) {
    lines.push(
      `::error ${location}title=${escapeProperty('Unleash cannot store this')}::${escapeData(problem)}`,
    );
  }
  for (const type of diff.strategyTypes) {
    lines.push(
      `::warning ${location}title=${escapeProperty(`strategy type ${type.name}: define in Unleash`)}::${escapeData(`parameters: ${type.parameters.join(', ')}`)}`,
    );
  }
  for (const segment of diff.segments) {
    const body = segment.changes.map(changeLine).join('\n');
    lines.push(
      `::warning ${at('segment', segment.segment)}title=${escapeProperty(`segment ${segment.segment}: ${segment.action} in Unleash`)}::${escapeData(body)}`,
    );
  }
  for (const flag of diff.flags) {
    const body =
      flag.action === 'archive'
        ? `${flag.flag} is in Unleash (${diff.project}/${diff.environment}) but not in the file; push --prune archives it`
        : flag.changes.map(changeLine).join('\n');
    lines.push(
      `::warning ${at('flag', flag.flag)}title=${escapeProperty(`flag ${flag.flag}: ${flag.action} in Unleash`)}::${escapeData(body)}`,
    );
  }
  lines.push(textDiff(diff).trimEnd());
  return `${lines.join('\n')}\n`;
}

/**
 * Renders a diff: `text` (readable, one field a line), `json` (the SyncDiff), or `github` (one warning annotation
 * per flag, on its line when `lineOf` says where it is, for a pull request's checks, then the text).
 * @example
 * process.stdout.write(formatDiff(diff, 'github', { file: 'flags.yaml' }));
 */
export function formatDiff(diff: SyncDiff, format: DiffFormat, options: FormatDiffOptions = {}): string {
  if (format === 'json') return `${JSON.stringify({ ...diff, changed: hasChanges(diff) }, null, 2)}\n`;
  if (format === 'github') return githubDiff(diff, options);
  return textDiff(diff);
}
