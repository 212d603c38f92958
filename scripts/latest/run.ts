// pnpm test:latest — a canary for the next release of every peer. In a scratch copy of the working tree it moves
// each peer's newest tested major to the newest published version (scripts/latest/versions.ts), installs, runs
// the suites that use the peers (scripts/latest/suites.ts), runs what failed again one peer family at a time,
// prints a table (peer, version tried, passed or what failed) and writes it to docs/latest-releases.md
// (scripts/latest/report.ts). The repository's own lockfile and manifests are not touched. Needs the npm
// registry, PostgreSQL (the integration suite) and Chromium (the browser suite), as .ci/run does.
//
//   pnpm test:latest                         # everything: 10 to 30 minutes on 2 cores, more when much fails
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
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { document, type Outcome, peerTable, suiteTable } from './report.js';
import { runSuite, suites } from './suites.js';
import { familyOf, isCurrent, type Manifest, moveToLatest, type PeerPlan, pinnedPeers } from './versions.js';

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

/** This process's environment without what `pnpm run` added for its script (npm warns about pnpm's settings). */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
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

/** The scratch copy of the working tree, and the manifests and lockfiles as they were copied. */
class Scratch {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'flagwise-latest-'));
  readonly logs = path.join(this.dir, '.latest-logs');
  readonly env = { ...childEnv(), ...HARNESS_ENV, CI: 'true', FORCE_COLOR: '0' };
  private readonly copied = new Map<string, string>();
  readonly manifests: string[];

  constructor() {
    const files = copyWorkingTree(this.dir);
    mkdirSync(this.logs);
    this.manifests = files.filter((file) => path.basename(file) === 'package.json');
    const lockfiles = files.filter((file) =>
      ['pnpm-lock.yaml', 'package-lock.json'].includes(path.basename(file)),
    );
    for (const file of [...this.manifests, ...lockfiles]) {
      this.copied.set(file, readFileSync(path.join(this.dir, file), 'utf8'));
    }
  }

  parse(): Manifest[] {
    return this.manifests.map((file) => ({ file, json: JSON.parse(this.copied.get(file)!) }));
  }

  /**
   * Puts the manifests and lockfiles back as copied, moves only the peers of `latest` to those releases, gives
   * npm-installed folders a lockfile to match, and installs. Returns the plans and whether pnpm installed.
   */
  move(latest: Record<string, string>, label: string): { plans: PeerPlan[]; installed: boolean } {
    for (const [file, text] of this.copied) writeFileSync(path.join(this.dir, file), text);
    // the root package.json is the repository's toolchain, not a peer pin
    const manifests = this.parse().filter((manifest) => manifest.file !== 'package.json');
    const plans = moveToLatest(manifests, latest);
    for (const { file, json } of manifests) {
      const text = `${JSON.stringify(json, null, 2)}\n`;
      if (JSON.stringify(JSON.parse(this.copied.get(file)!)) === JSON.stringify(json)) continue;
      writeFileSync(path.join(this.dir, file), text);
      // an npm-installed folder (the Unleash servers): its lockfile follows the manifest
      const folder = path.join(this.dir, path.dirname(file));
      if (existsSync(path.join(folder, 'package-lock.json'))) {
        execFileSync(
          'npm',
          ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
          {
            cwd: folder,
            env: this.env,
            stdio: 'ignore',
          },
        );
      }
    }
    const out = openSync(path.join(this.logs, `install-${label}.log`), 'a');
    const install = spawnSync('pnpm', ['install', '--no-frozen-lockfile'], {
      cwd: this.dir,
      env: this.env,
      stdio: ['ignore', out, out],
    });
    return { plans, installed: install.status === 0 };
  }
}

/** The commit the working tree is on, and whether it has changes (this script's own page aside). */
function commitOfWorkingTree(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const changed = git('status', '--porcelain', '--', '.', `:!${path.relative(repo, docFile)}`) !== '';
  return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes' : ''}`;
}

function main(): number {
  const commit = commitOfWorkingTree();
  const scratch = new Scratch();
  log(`scratch copy of ${commit}: ${scratch.dir}`);
  const manifests = scratch.parse();
  const latest = Object.fromEntries(
    pinnedPeers(manifests).map((name) => [
      name,
      execFileSync('npm', ['view', name, 'version'], { encoding: 'utf8', env: scratch.env }).trim(),
    ]),
  );
  const published = new Set(
    manifests
      .filter(({ file, json }) => /^packages\/[^/]+\/package\.json$/.test(file) && !json.private)
      .flatMap(({ json }) => [
        ...Object.keys(json.peerDependencies ?? {}),
        ...Object.keys(json.dependencies ?? {}),
      ]),
  );
  const wanted = options.suites?.split(',');
  const packedTypescript = pinnedPeers(
    manifests.filter(({ file }) => file.startsWith('test/packed/')),
  ).includes('typescript');
  const selected = suites(published, packedTypescript).filter(
    (suite) => !wanted || wanted.includes(suite.name),
  );

  log('every new release at once: pnpm install');
  const { plans, installed } = scratch.move(latest, 'all');
  for (const plan of plans)
    log(`${plan.name}: ${plan.replaced.join(', ') || '(toolchain only)'} → ${plan.latest}`);
  const together = selected.map((suite) => {
    if (!installed) {
      return {
        suite,
        run: {
          status: 'not run' as const,
          seconds: 0,
          total: 0,
          failures: ['pnpm install failed'],
          failedFiles: [],
        },
      };
    }
    log(`${suite.name}: ${suite.what}`);
    const run = runSuite(suite, scratch.dir, { logs: scratch.logs, label: suite.name, env: scratch.env });
    log(
      `${suite.name}: ${run.status}, ${run.total} tests, ${run.failures.length} failures, ${run.seconds} s`,
    );
    return { suite, run };
  });

  // What failed together, again with one family's new releases at a time.
  const alone: Outcome['alone'] = new Map();
  const moved = plans.filter((plan) => plan.replaced.length > 0 && !isCurrent(plan));
  for (const family of new Set(moved.map((plan) => familyOf(plan.name)))) {
    const members = moved.filter((plan) => familyOf(plan.name) === family);
    const failed = together.filter(
      ({ suite, run }) => run.status !== 'passed' && members.some((plan) => suite.exercises(plan.name)),
    );
    if (failed.length === 0 || !installed) continue;
    log(`${family} alone: pnpm install`);
    const only = scratch.move(Object.fromEntries(members.map((plan) => [plan.name, plan.latest])), family);
    if (!only.installed) continue;
    alone.set(
      family,
      failed.map(({ suite, run }) => {
        const files = run.status === 'failed' && run.failedFiles.length > 0 ? run.failedFiles : undefined;
        const label = `${suite.name}-${family.replace('@', '')}`;
        const again = runSuite(suite, scratch.dir, { logs: scratch.logs, label, env: scratch.env, files });
        log(`${family} alone, ${suite.name}: ${again.status}, ${again.failures.length} failures`);
        return { suite, run: again };
      }),
    );
  }
  if (existsSync(path.join(scratch.dir, 'scripts/unleash/stop.sh'))) {
    // the scratch copy's PostgreSQL cluster may live outside it (in the postgres user's home)
    spawnSync(path.join(scratch.dir, 'scripts/unleash/stop.sh'), ['--purge'], {
      cwd: scratch.dir,
      env: scratch.env,
      stdio: 'ignore',
    });
  }

  const outcome: Outcome = { plans, together, alone, commit };
  writeFileSync(docFile, document(outcome));
  process.stdout.write(`\n${peerTable(outcome)}\n\n${suiteTable(outcome)}\n\n`);
  log(`written to ${path.relative(repo, docFile)}`);
  if (options.keep) log(`kept ${scratch.dir} (logs in ${scratch.logs})`);
  else rmSync(scratch.dir, { recursive: true, force: true });
  return together.every(({ run }) => run.status === 'passed') ? 0 : 1;
}

process.exitCode = main();
