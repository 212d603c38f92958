// pnpm test:latest — a canary for the next release of every peer. In a scratch copy of the working tree it moves
// each peer's newest tested major to the newest published version (scripts/latest/versions.ts), installs, runs
// the suites that use the peers (scripts/latest/suites.ts), prints a table (peer, version tried, passed or what
// failed) and writes it to docs/latest-releases.md. The repository's own lockfile and manifests are not touched.
// Needs the npm registry, PostgreSQL (the integration suite) and Chromium (the browser suite), as .ci/run does.
//
//   pnpm test:latest                         # everything, about a quarter of an hour on 2 cores
//   pnpm test:latest --suites conformance    # some suites only (comma-separated names)
//   pnpm test:latest --keep                  # keep the scratch copy and its logs
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { namesPeer, type Suite, suites } from './suites.js';
import { type Manifest, moveToLatest, type PeerPlan, pinnedPeers } from './versions.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const docFile = path.join(repo, 'docs', 'latest-releases.md');
// Ports of the scratch copy's Unleash harness, away from the defaults a developer's own harness uses.
const HARNESS_ENV = { UNLEASH_HARNESS_PORT: '44442', UNLEASH_HARNESS_PG_PORT: '54529' };

const { values: options } = parseArgs({
  options: { suites: { type: 'string' }, keep: { type: 'boolean', default: false } },
});

function log(line: string): void {
  process.stdout.write(`[test:latest] ${line}\n`);
}

/** Copies the working tree (tracked files and untracked ones git does not ignore) into `into`. */
function copyWorkingTree(into: string): string[] {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && existsSync(path.join(repo, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    copyFileSync(path.join(repo, file), path.join(into, file));
    chmodSync(path.join(into, file), statSync(path.join(repo, file)).mode);
  }
  return files;
}

/** This process's environment without what `pnpm run` added for its script (npm warns about pnpm's settings). */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

function npmLatest(name: string): string {
  return execFileSync('npm', ['view', name, 'version'], { encoding: 'utf8', env: childEnv() }).trim();
}

interface SuiteResult {
  suite: Suite;
  status: 'passed' | 'failed' | 'not run';
  seconds: number;
  total: number;
  failed: number;
  /** failing tests as `file > full name: first line of the message`, or why the suite did not run */
  failures: string[];
}

interface JsonReport {
  numTotalTests: number;
  numFailedTests: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

function firstLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n')[0].slice(0, 200);
}

function runSuite(suite: Suite, scratch: string, logs: string, env: NodeJS.ProcessEnv): SuiteResult {
  const started = Date.now();
  const logFile = path.join(logs, `${suite.name}.log`);
  const out = openSync(logFile, 'a');
  const pnpm = (args: string[]) =>
    spawnSync('pnpm', args, { cwd: scratch, env, stdio: ['ignore', out, out], timeout: 45 * 60_000 }).status;
  const result = (status: SuiteResult['status'], rest: Partial<SuiteResult> = {}): SuiteResult => ({
    suite,
    status,
    seconds: Math.round((Date.now() - started) / 1000),
    total: 0,
    failed: 0,
    failures: [],
    ...rest,
  });

  if (suite.before && pnpm(suite.before) !== 0) {
    return result('not run', { failures: [`\`pnpm ${suite.before.join(' ')}\` failed (see ${logFile})`] });
  }
  const reportFile = path.join(logs, `${suite.name}.json`);
  const code = pnpm([
    ...suite.run,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
  ]);
  if (!existsSync(reportFile)) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' / ');
    return result(code === 0 ? 'passed' : 'failed', { failures: [`no test report; the log ends: ${tail}`] });
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
  const failures = report.testResults.flatMap((file) => {
    const where = path.relative(scratch, file.name);
    const tests = file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    // a file that failed outside its tests (an import, a hook)
    return tests.length === 0 && file.status === 'failed' ? [`${where}: ${firstLine(file.message)}`] : tests;
  });
  return result(code === 0 && failures.length === 0 ? 'passed' : 'failed', {
    total: report.numTotalTests,
    failed: report.numFailedTests,
    failures,
  });
}

function peerResult(plan: PeerPlan, results: SuiteResult[]): string {
  const own = results.filter((result) => result.suite.exercises(plan.name));
  if (own.length === 0) return 'not run: no suite that uses it was selected';
  if (plan.replaced.length === 1 && plan.replaced[0] === plan.latest) {
    const passed = own.every((result) => result.status === 'passed');
    return `no newer release${passed ? `; passed ${own.map((result) => result.suite.name).join(', ')}` : ''}`;
  }
  const parts = own.map((result) => {
    if (result.status === 'passed') return `passed ${result.suite.name}`;
    if (result.status === 'not run') return `${result.suite.name} not run: ${result.failures[0]}`;
    const mine = result.failures.filter((failure) => namesPeer(plan.name, failure.split(': ')[0]));
    if (mine.length === 0)
      return `${result.suite.name}: ${result.failed || 'some'} failed, none of them naming it`;
    const first = mine[0].length > 160 ? `${mine[0].slice(0, 157)}...` : mine[0];
    return `**${result.suite.name} failed** (${mine.length}): \`${first.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
  });
  return parts.join('; ');
}

function table(plans: PeerPlan[], results: SuiteResult[]): string {
  const rows = plans.map((plan) => {
    const range = plan.outsideRanges.length > 0 ? `outside ${plan.outsideRanges.join(', ')}` : 'inside';
    return `| ${plan.name} | ${plan.replaced.join(', ')} | ${plan.latest} | ${range} | ${peerResult(plan, results)} |`;
  });
  return [
    '| peer | tested now (newest major) | tried | declared range | result |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function suiteTable(results: SuiteResult[]): string {
  return [
    '| suite | what it runs | tests | result | time |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.suite.name} | ${r.suite.what} | ${r.total} | ${r.status === 'failed' ? `failed (${r.failed || 'setup'})` : r.status} | ${Math.round(r.seconds / 6) / 10} min |`,
    ),
  ].join('\n');
}

function document(plans: PeerPlan[], results: SuiteResult[], commit: string): string {
  const failing = results.filter((result) => result.failures.length > 0);
  return [
    '# The newest release of every peer',
    '',
    '`pnpm test:latest` ([scripts/latest/](../scripts/latest/run.ts)) copies the working tree to a scratch',
    "directory, moves every pin of a peer's newest tested major to the newest published version (older majors",
    'keep their rows), widens a declared peer range that does not allow it, installs, and runs the suites that use',
    'the peers. It is not part of `.ci/run`: its answer changes whenever a peer publishes. The repository itself is',
    'not changed, except for this page.',
    '',
    `Last run: **${new Date().toISOString().slice(0, 10)}** on Node ${process.versions.node} (${platform()} ${arch()}), from ${commit}.`,
    '',
    table(plans, results),
    '',
    '"tested now" is what the suites pin today; "declared range" says whether the published packages already',
    'allow the newest version (outside: users cannot install it without `--force` until the range is widened).',
    'Several peers move at once, so a failing test is listed under each new release whose name, row or file it',
    'names; "none of them naming it" means the suite failed in tests about something else.',
    '',
    '## Suites',
    '',
    suiteTable(results),
    ...(failing.length === 0
      ? []
      : [
          '',
          '## What failed',
          '',
          ...failing.flatMap((result) => [
            `${result.suite.name} (${result.failures.length}):`,
            '',
            ...result.failures.slice(0, 20).map((failure) => `- \`${failure.replaceAll('`', "'")}\``),
            ...(result.failures.length > 20 ? [`- and ${result.failures.length - 20} more`] : []),
            '',
          ]),
        ]),
    '',
  ].join('\n');
}

function main(): number {
  const scratch = mkdtempSync(path.join(tmpdir(), 'flagwise-latest-'));
  const logs = path.join(scratch, '.latest-logs');
  mkdirSync(logs);
  log(`scratch copy: ${scratch}`);
  const files = copyWorkingTree(scratch);
  const manifests: Manifest[] = files
    .filter((file) => path.basename(file) === 'package.json')
    .map((file) => ({ file, json: JSON.parse(readFileSync(path.join(scratch, file), 'utf8')) }));

  const latest = Object.fromEntries(pinnedPeers(manifests).map((name) => [name, npmLatest(name)]));
  const before = new Map(manifests.map((m) => [m.file, JSON.stringify(m.json)]));
  const plans = moveToLatest(manifests, latest);
  for (const plan of plans) log(`${plan.name}: ${plan.replaced.join(', ')} → ${plan.latest}`);
  for (const manifest of manifests.filter((m) => JSON.stringify(m.json) !== before.get(m.file))) {
    writeFileSync(path.join(scratch, manifest.file), `${JSON.stringify(manifest.json, null, 2)}\n`);
    // an npm-installed folder (the Unleash servers): its lockfile follows the manifest
    const dir = path.join(scratch, path.dirname(manifest.file));
    if (existsSync(path.join(dir, 'package-lock.json'))) {
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: dir,
        env: childEnv(),
        stdio: 'ignore',
      });
    }
  }

  const env = { ...childEnv(), ...HARNESS_ENV, CI: 'true', FORCE_COLOR: '0' };
  log('pnpm install (the scratch lockfile follows the new pins)');
  const install = spawnSync('pnpm', ['install', '--no-frozen-lockfile'], {
    cwd: scratch,
    env,
    stdio: [
      'ignore',
      openSync(path.join(logs, 'install.log'), 'a'),
      openSync(path.join(logs, 'install.log'), 'a'),
    ],
  });
  const published = new Set(
    manifests
      .filter((m) => m.file.startsWith('packages/') && m.file.split('/').length === 3)
      .flatMap((m) => [
        ...Object.keys(m.json.peerDependencies ?? {}),
        ...Object.keys(m.json.dependencies ?? {}),
      ]),
  );
  const wanted = options.suites?.split(',');
  const selected = suites(published).filter((suite) => !wanted || wanted.includes(suite.name));
  const results: SuiteResult[] = [];
  for (const suite of selected) {
    if (install.status !== 0) {
      results.push({
        suite,
        status: 'not run',
        seconds: 0,
        total: 0,
        failed: 0,
        failures: ['pnpm install failed'],
      });
      continue;
    }
    log(`${suite.name}: ${suite.what}`);
    const result = runSuite(suite, scratch, logs, env);
    results.push(result);
    log(
      `${suite.name}: ${result.status}, ${result.total} tests, ${result.failed} failed, ${result.seconds} s`,
    );
  }
  if (existsSync(path.join(scratch, 'scripts/unleash/stop.sh'))) {
    // the scratch copy's PostgreSQL cluster may live outside it (in the postgres user's home)
    spawnSync(path.join(scratch, 'scripts/unleash/stop.sh'), ['--purge'], {
      cwd: scratch,
      env,
      stdio: 'ignore',
    });
  }

  const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const commit = `commit ${head}${dirty ? ' with uncommitted changes' : ''}`;
  writeFileSync(docFile, document(plans, results, commit));
  process.stdout.write(`\n${table(plans, results)}\n\n${suiteTable(results)}\n\n`);
  log(`written to ${path.relative(repo, docFile)}`);
  if (options.keep) log(`kept ${scratch} (logs in ${logs})`);
  else rmSync(scratch, { recursive: true, force: true });
  return results.every((result) => result.status === 'passed') ? 0 : 1;
}

process.exitCode = main();
