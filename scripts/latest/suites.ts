// The suites the canary runs in its scratch copy, each through the repository's own vitest config and path
// filters (taken from its package.json script where it has one, so rows, files and checks added to a suite run
// without a change here), and which peers each one exercises.
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Suite {
  name: string;
  /** what it runs, in the words of the table */
  what: string;
  /** the package.json script that runs it (`vitest run [-c config] [filters]`), or its config and filters */
  script?: string;
  filters?: string[];
  /** `pnpm` arguments run first (the build the suite needs) */
  before?: string[];
  /** does the suite exercise this peer? */
  exercises(peer: string): boolean;
}

const frameworks = /^(express|fastify|koa|@koa\/router|@nestjs\/.*)$/;

/**
 * The suites in the order they run. `published`: the peers the published packages declare or depend on (the
 * packed suite installs them); `packedTypescript`: whether the packed suite pins the TypeScript it compiles with
 * (else it uses the repository's toolchain, which the canary does not move).
 */
export function suites(published: Set<string>, packedTypescript: boolean): Suite[] {
  return [
    {
      name: 'conformance',
      what: 'the conformance table: every scenario on every framework row (`pnpm test:conformance`)',
      script: 'test:conformance',
      exercises: (peer) =>
        frameworks.test(peer) ||
        ['@openfeature/server-sdk', '@openfeature/ofrep-provider', 'unleash-proxy-client'].includes(peer),
    },
    {
      name: 'packages',
      what: "each package's own tests, the test runners' apps among them (`vitest run packages/`)",
      filters: ['packages/'],
      exercises: (peer) =>
        frameworks.test(peer) ||
        /^@openfeature\/(server-sdk|core|nestjs-sdk)$/.test(peer) ||
        ['unleash-client', 'typescript', 'vitest'].includes(peer),
    },
    {
      name: 'packed',
      what: 'the packed tarballs installed with npm, imported from ESM and CJS and type-checked (`pnpm test:packed`)',
      script: 'test:packed',
      before: ['run', 'build'],
      exercises: (peer) => (peer === 'typescript' ? packedTypescript : published.has(peer)),
    },
    {
      name: 'integration',
      what: 'against real Unleash servers on PostgreSQL (`pnpm test:integration`)',
      script: 'test:integration',
      exercises: (peer) => peer === 'unleash-server' || peer === 'unleash-client',
    },
    {
      name: 'browser',
      what: 'OpenFeature web SDKs and the examples in Chromium (`pnpm test:browser`)',
      script: 'test:browser',
      exercises: (peer) => /^@openfeature\/(web-sdk|ofrep-web-provider|core)$/.test(peer),
    },
  ];
}

/** A suite's vitest arguments: `-c config` and its path filters, from its script when it has one. */
function vitestArgs(suite: Suite, scratch: string): string[] {
  if (!suite.script) return suite.filters ?? [];
  const scripts = JSON.parse(readFileSync(path.join(scratch, 'package.json'), 'utf8')).scripts ?? {};
  const words = String(scripts[suite.script] ?? '').split(/\s+/);
  if (words[0] !== 'vitest' || words[1] !== 'run') {
    throw new Error(
      `scripts["${suite.script}"] should read "vitest run [-c config] [filters]": ${words.join(' ')}`,
    );
  }
  return words.slice(2);
}

export interface SuiteRun {
  status: 'passed' | 'failed' | 'not run';
  seconds: number;
  total: number;
  /** failing tests as `file > full name: first line of the message`, or why the suite did not run */
  failures: string[];
  /** the test files that failed, relative to the scratch copy */
  failedFiles: string[];
}

interface JsonReport {
  numTotalTests: number;
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

/**
 * Runs `suite` in `scratch` (only `files` of it when given), its output in `<logs>/<label>.log`.
 * @example
 * const run = runSuite(suite, scratch, { logs, label: 'conformance', env });
 */
export function runSuite(
  suite: Suite,
  scratch: string,
  { logs, label, env, files }: { logs: string; label: string; env: NodeJS.ProcessEnv; files?: string[] },
): SuiteRun {
  const started = Date.now();
  const logFile = path.join(logs, `${label}.log`);
  const out = openSync(logFile, 'a');
  const pnpm = (args: string[]) =>
    spawnSync('pnpm', args, { cwd: scratch, env, stdio: ['ignore', out, out], timeout: 45 * 60_000 }).status;
  const done = (status: SuiteRun['status'], rest: Partial<SuiteRun> = {}): SuiteRun => ({
    status,
    seconds: Math.round((Date.now() - started) / 1000),
    total: 0,
    failures: [],
    failedFiles: [],
    ...rest,
  });

  if (suite.before && pnpm(suite.before) !== 0) {
    return done('not run', { failures: [`\`pnpm ${suite.before.join(' ')}\` failed`] });
  }
  const args = vitestArgs(suite, scratch);
  const config = args.includes('-c') ? args.slice(args.indexOf('-c'), args.indexOf('-c') + 2) : [];
  const reportFile = path.join(logs, `${label}.json`);
  const code = pnpm([
    'exec',
    'vitest',
    'run',
    ...(files ? [...config, ...files] : args),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
  ]);
  if (!existsSync(reportFile)) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-2).join(' / ');
    return done(code === 0 ? 'passed' : 'failed', { failures: [`no test report; the log ends: ${tail}`] });
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
  const failedFiles: string[] = [];
  const failures = report.testResults.flatMap((file) => {
    const where = path.relative(scratch, file.name);
    if (file.status === 'failed') failedFiles.push(where);
    const tests = file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (tests.length > 0 || file.status !== 'failed') return tests;
    const skipped = file.assertionResults.filter((test) => test.status === 'skipped').length;
    return [`${where}: ${firstLine(file.message) || `a hook failed, ${skipped} tests did not run`}`];
  });
  return done(code === 0 && failures.length === 0 ? 'passed' : 'failed', {
    total: report.numTotalTests,
    failures,
    failedFiles,
  });
}
