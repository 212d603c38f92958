// eachFlagState on the other runners it is made for, each run as a child process the way a user runs it:
// node:test through tsx, jest through @swc/jest. The fixtures fail one state on purpose, so the run shows
// that each state is a test of its own, named after the state.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function runChild(command: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

it('makes one node:test test per state, named after it', async () => {
  const { code, output } = await runChild(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', 'flag-states.node-test.ts'],
    fixtures,
  );
  expect(code).toBe(1);
  const results = [...output.matchAll(/^(ok|not ok) \d+ - (.+)$/gm)].map(
    ([, result, name]) => `${result}: ${name}`,
  );
  expect(results).toEqual([
    'ok: new-checkout: on',
    'ok: new-checkout: off',
    'ok: checkout-copy: variant short',
    'not ok: checkout-copy: variant long',
    'ok: checkout-copy: off',
  ]);
}, 60_000);

it('makes one jest test per state, named after it', async () => {
  const config = {
    rootDir: fixtures,
    testMatch: ['**/*.jest.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', {}] },
    // The sources import each other as ./file.js, written in TypeScript as ./file.ts.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    cache: false,
  };
  const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));
  const { code, output } = await runChild(
    process.execPath,
    [jest, '--config', JSON.stringify(config), '--verbose', '--ci'],
    packageDir,
  );
  expect(code, output).toBe(1);
  expect(output).toMatch(/✓ new-checkout: on/);
  expect(output).toMatch(/✓ new-checkout: off/);
  expect(output).toMatch(/✕ GET \/checkout \(checkout-copy: variant short\)/);
  expect(output).toMatch(/✓ GET \/checkout \(checkout-copy: off\)/);
  expect(output).toContain('Tests:       1 failed, 3 passed, 4 total');
  expect(output).toContain(
    'seen: ["new-checkout: on=true","new-checkout: off=false","GET /checkout (checkout-copy: variant short)=short","GET /checkout (checkout-copy: off)=none"]',
  );
}, 60_000);
