// The canary's answer as Markdown: one row per peer (what the suites run now, the newest release, whether the
// published packages allow it, and what passed or failed with it), the suites, and the failures.
import { arch, platform } from 'node:os';
import type { Suite, SuiteRun } from './suites.js';
import { familyOf, isCurrent, type PeerPlan } from './versions.js';

export interface Outcome {
  plans: PeerPlan[];
  /** every suite with every new release at once */
  together: { suite: Suite; run: SuiteRun }[];
  /** by family, the suites that failed together, run again with only that family's new releases */
  alone: Map<string, { suite: Suite; run: SuiteRun }[]>;
  commit: string;
}

const code = (text: string) => `\`${text.replaceAll('`', "'")}\``;
/** A table cell: a pipe would end it. */
const cell = (text: string) => text.replaceAll('|', '\\|');
const minutes = (seconds: number) => `${Math.round(seconds / 6) / 10} min`;

function result(plan: PeerPlan, outcome: Outcome): string {
  const own = outcome.together.filter(({ suite }) => suite.exercises(plan.name));
  const names = (runs: typeof own) => runs.map(({ suite }) => suite.name).join(', ');
  if (plan.replaced.length === 0) return "not tried: only the repository's own toolchain pins it";
  if (own.length === 0) return 'not tried: no suite that uses it was run';
  const passed = own.every(({ run }) => run.status === 'passed');
  if (isCurrent(plan)) return passed ? `no newer release; passed ${names(own)}` : 'no newer release';
  if (passed) return `passed ${names(own)}`;
  const alone = outcome.alone.get(familyOf(plan.name)) ?? [];
  return own
    .map(({ suite, run }) => {
      if (run.status === 'passed') return `passed ${suite.name}`;
      const mine = alone.find((entry) => entry.suite === suite)?.run;
      if (!mine) return `${suite.name} ${run.status}`;
      if (mine.status === 'passed') return `passed ${suite.name} with this release alone`;
      const more = mine.failures.length > 1 ? ` (and ${mine.failures.length - 1} more)` : '';
      return `**${suite.name} fails**: ${code(mine.failures[0]?.slice(0, 180) ?? mine.status)}${more}`;
    })
    .join('; ');
}

export function peerTable(outcome: Outcome): string {
  return [
    '| peer | tested now (where) | tried | published packages allow it | result |',
    '| --- | --- | --- | --- | --- |',
    ...outcome.plans.map((plan) => {
      const where = plan.folders.length <= 2 ? plan.folders.join(', ') : `${plan.folders.length} folders`;
      const tested = plan.replaced.length === 0 ? '-' : `${plan.replaced.join(', ')} (${where})`;
      const allowed = plan.notAllowedBy.length === 0 ? 'yes' : `no: ${plan.notAllowedBy.join('; ')}`;
      return `| ${[plan.name, tested, plan.latest, allowed, result(plan, outcome)].map(cell).join(' | ')} |`;
    }),
  ].join('\n');
}

export function suiteTable(outcome: Outcome): string {
  return [
    '| suite | what it runs | tests | with every new release | time |',
    '| --- | --- | --- | --- | --- |',
    ...outcome.together.map(
      ({ suite, run }) =>
        `| ${suite.name} | ${cell(suite.what)} | ${run.total} | ${run.status === 'failed' ? `failed (${run.failures.length})` : run.status} | ${minutes(run.seconds)} |`,
    ),
  ].join('\n');
}

function list(failures: string[]): string[] {
  return [
    ...failures.slice(0, 12).map((failure) => `- ${code(failure)}`),
    ...(failures.length > 12 ? [`- and ${failures.length - 12} more`] : []),
  ];
}

/** `file > test` of a failure line (`file > test: message`). */
const testOf = (failure: string) => failure.split(': ')[0];

/** Failures with every new release at once that no family's new releases cause alone. */
function onlyTogether(outcome: Outcome): { suite: Suite; failures: string[] }[] {
  const alone = new Set([...outcome.alone.values()].flat().flatMap(({ run }) => run.failures.map(testOf)));
  return outcome.together
    .map(({ suite, run }) => ({
      suite,
      failures: run.failures.filter((failure) => !alone.has(testOf(failure))),
    }))
    .filter(({ failures }) => failures.length > 0);
}

/** The page docs/latest-releases.md. */
export function document(outcome: Outcome): string {
  const together = onlyTogether(outcome);
  return [
    '# The newest release of every peer',
    '',
    '`pnpm test:latest` ([scripts/latest/](../scripts/latest/run.ts)) copies the working tree to a scratch',
    "directory, moves every pin of a peer's newest tested major to the newest published version (older majors",
    "keep their rows; the root package.json is the repository's own toolchain and stays), widens a declared peer",
    'range that does not allow it, installs, and runs the suites that use the peers with every new release at',
    'once. A suite that fails is run again, its failing files only, with the new releases of one peer family',
    '(`@nestjs`, `@openfeature`, or one package) at a time, which says which release breaks what. It is not part',
    'of `.ci/run`: its answer changes whenever a peer publishes. The repository itself is not changed, except for',
    'this page.',
    '',
    `Last run: **${new Date().toISOString().slice(0, 10)}** on Node ${process.versions.node} (${platform()} ${arch()}), from ${outcome.commit}.`,
    '',
    peerTable(outcome),
    '',
    '"tested now" is what the suites pin today in the newest major they test; "published packages allow it" says',
    'whether an app can install the release next to flagwise as published (a peer range or a pinned dependency',
    'that leaves it out needs a new flagwise release first).',
    '',
    '## Suites',
    '',
    suiteTable(outcome),
    ...(outcome.alone.size === 0
      ? []
      : [
          '',
          '## What fails with one peer family at a time',
          '',
          ...[...outcome.alone].flatMap(([family, runs]) =>
            runs.flatMap(({ suite, run }) => [
              `${family}, ${suite.name}: ${run.status} (${minutes(run.seconds)})${run.failures.length ? ':' : ''}`,
              '',
              ...list(run.failures),
              ...(run.failures.length ? [''] : []),
            ]),
          ),
        ]),
    ...(together.length === 0
      ? []
      : [
          '',
          '## What fails only with every new release at once',
          '',
          ...together.flatMap(({ suite, failures }) => [`${suite.name}:`, '', ...list(failures), '']),
        ]),
    '',
  ].join('\n');
}
