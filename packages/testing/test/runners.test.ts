// Each runner entry point on the runners it is made for, run as a child process the way an app runs its tests.
// The apps live in ./runners/, one per runner and major, each with its own install of that runner:
// - vitest 3, 4 and 5: a fresh app directory gets the README's vitest.config.mts, tsconfig.json and tests, as
//   pasted, next to the node_modules of runners/vitest-<major> (Express, Fastify, Koa and Nest, with
//   @flagwise/testing/vitest in the Fastify and Koa tests);
// - jest 30 (runners/jest-30) and node:test (runners/node-test): an app's tests through @flagwise/testing/jest and
//   /node-test, where one state fails on purpose to show that each state is a test of its own.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readmeApp } from '../../../test/readme-snippets.js';

const run = promisify(execFile);
const runners = fileURLToPath(new URL('./runners/', import.meta.url));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const [nodeMajor, nodeMinor] = process.versions.node.split('.').map(Number);

/** The environment of a child runner: this one's, without what this vitest run set for its own workers. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS$)/.test(name)),
  );
  return { ...env, CI: 'true', FORCE_COLOR: '0' };
}

async function runChild(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, env: childEnv() });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

function versionIn(app: string, runner: string): string {
  return JSON.parse(readFileSync(path.join(app, 'node_modules', runner, 'package.json'), 'utf8')).version;
}

/** `status: file > test` for each test of a jest-shaped JSON report (vitest's json reporter and jest's --json). */
function outcomes(reportFile: string): string[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    testResults: { name: string; assertionResults: { title: string; status: string }[] }[];
  };
  return report.testResults
    .flatMap((file) =>
      file.assertionResults.map((test) => `${test.status}: ${path.basename(file.name)} > ${test.title}`),
    )
    .sort();
}

describe.each([
  [3, true],
  [4, true],
  // vitest 5's engines: ^22.12.0 || ^24.0.0 || >=26.0.0
  [5, nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 12)],
])('vitest %i', (major, nodeSupported) => {
  it.runIf(nodeSupported)(
    "runs the README's tests with its vitest config in a fresh app",
    async () => {
      const project = path.join(runners, `vitest-${major}`);
      const app = mkdtempSync(path.join(tmpdir(), `flagwise-vitest-${major}-`));
      try {
        symlinkSync(path.join(project, 'node_modules'), path.join(app, 'node_modules'), 'dir');
        copyFileSync(path.join(project, 'package.json'), path.join(app, 'package.json'));
        const { files, tests } = readmeApp(readme);
        for (const [name, code] of Object.entries(files)) writeFileSync(path.join(app, name), code);
        for (const [i, code] of tests.entries())
          writeFileSync(path.join(app, `snippet-${i + 1}.test.ts`), code);

        const { code, output } = await runChild(
          ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', '--outputFile=report.json'],
          app,
        );
        expect(versionIn(app, 'vitest').split('.')[0]).toBe(String(major));
        expect(outcomes(path.join(app, 'report.json')), output).toEqual([
          'passed: snippet-1.test.ts > serves the checkout only when new-checkout is on',
          'passed: snippet-2.test.ts > new-checkout: off',
          'passed: snippet-2.test.ts > new-checkout: on',
          'passed: snippet-3.test.ts > GET / (checkout-copy: off)',
          'passed: snippet-3.test.ts > GET / (checkout-copy: variant long)',
          'passed: snippet-3.test.ts > GET / (checkout-copy: variant short)',
          'passed: snippet-4.test.ts > guards the checkout with new-checkout',
        ]);
        expect(code, output).toBe(0);
      } finally {
        rmSync(app, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

/** The jest and node:test apps' tests, one per state: the long variant's fails on purpose, the others pass. */
const CHECKOUT_STATES = [
  'failed: GET /cart (checkout-copy: variant long)',
  'passed: GET /cart (checkout-copy: off)',
  'passed: GET /cart (checkout-copy: variant short)',
  'passed: new-checkout: off',
  'passed: new-checkout: on',
];

it('makes one jest 30 test per state, named after it', async () => {
  const app = path.join(runners, 'jest-30');
  const report = path.join(mkdtempSync(path.join(tmpdir(), 'flagwise-jest-')), 'report.json');
  try {
    const { code, output } = await runChild(
      ['node_modules/jest/bin/jest.js', '--ci', '--json', `--outputFile=${report}`],
      app,
    );
    expect(versionIn(app, 'jest').split('.')[0]).toBe('30');
    expect(
      outcomes(report).map((line) => line.replace('checkout.test.ts > ', '')),
      output,
    ).toEqual(CHECKOUT_STATES);
    expect(output).toContain('the long variant fails on purpose');
    expect(code).toBe(1);
  } finally {
    rmSync(path.dirname(report), { recursive: true, force: true });
  }
}, 120_000);

it(`makes one node:test test per state, named after it (Node ${process.versions.node})`, async () => {
  const { code, output } = await runChild(
    ['--import', 'tsx', '--test', '--test-reporter=tap', 'checkout.test.ts'],
    path.join(runners, 'node-test'),
  );
  const results = [...output.matchAll(/^(ok|not ok) \d+ - (.+)$/gm)].map(
    ([, result, name]) => `${result === 'ok' ? 'passed' : 'failed'}: ${name}`,
  );
  expect(results.sort(), output).toEqual(CHECKOUT_STATES);
  expect(output).toContain('the long variant fails on purpose');
  expect(code).toBe(1);
}, 120_000);
