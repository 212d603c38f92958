// flagwise test, run as a child process over the specs in test/fixtures/specs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtBin, fixtures } from './bin.js';

const cwd = join(fixtures, 'specs');
const bin = builtBin('test');

const test = (...args: string[]) => bin.run(['test', ...args], { cwd });

describe('flagwise test', () => {
  it('runs flags.test.yaml against flags.yaml by default: on/off, variants and a percentage, exit 0', async () => {
    const { code, stdout, stderr } = await test();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '✓ pro users see the beta search: on for {"properties":{"plan":"pro"}}',
      '✓ beta-search #2: off for {"properties":{"plan":"free"}}',
      '✓ new-checkout #3: on for {"userId":"alice"}',
      '✓ checkout-copy #4: variant short for {"userId":"alice"}',
    ]);
    expect(lines[4]).toMatch(
      /^✓ about a fifth of Norwegian users get the new pricing: \d+\.\d% of 2000 users on for \{"properties":\{"country":"NO"\}\}, expected 20 ± 3$/,
    );
    expect(lines[5]).toBe('5 passed, 0 failed');
  });

  it('prints the explain trace under a failing expectation, and exits 1', async () => {
    const { code, stdout } = await test('failing.test.yaml');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '✗ free users see the beta search: expected on for {"properties":{"plan":"free"}}, got off (failing.test.yaml)\n' +
        '    beta-search: off (no-strategy-matched)\n',
    );
    expect(stdout).toContain('✗ when: plan: [pro, enterprise] — plan is "free"');
    expect(stdout).toContain(
      '✗ new-pricing #2: 0.0% of 1000 users on for {"properties":{"country":"DK"}}, expected 20 ± 2',
    );
    expect(stdout).toContain('✓ payments #3: on for {}');
    expect(stdout.trim().split('\n').at(-1)).toBe('1 passed, 2 failed');
  });

  it('runs several specs and prints JSON with --format json', async () => {
    const { code, stdout } = await test('flags.test.yaml', 'failing.test.yaml', '--format', 'json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ passed: 6, failed: 2 });
    expect(report.results[5]).toMatchObject({
      spec: 'failing.test.yaml',
      name: 'free users see the beta search',
      passed: false,
      expected: true,
      actual: false,
      trace: { flag: 'beta-search', reason: 'no-strategy-matched' },
    });
  });

  it.each([
    [
      ['bad.test.yaml'],
      'flagwise: bad.test.yaml:5:5: tests[1] has an unknown key "expected"; did you mean "expect"?',
    ],
    [
      ['typo.test.yaml'],
      'flagwise: typo.test.yaml: tests[0] names "beta-serch", which is not defined; did you mean "beta-search"?',
    ],
    [['missing.test.yaml'], 'flagwise: cannot read missing.test.yaml: no such file; check the path'],
    [['flags.test.yaml', '--format', 'github'], 'flagwise: --format must be one of text, json, got "github"'],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await test(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${message}\n`);
  });

  it('rejects an expected variant the flag does not have', async () => {
    const { code, stderr } = await bin.run(['test', 'variant.test.yaml'], {
      cwd: join(fixtures, 'specs', 'variant'),
    });
    expect(code).toBe(2);
    expect(stderr).toBe(
      'flagwise: variant.test.yaml: tests[0] expects variant "long" of "checkout-copy", which has only control, short\n',
    );
  });

  it('says what to pass when there is no spec', async () => {
    const { code, stderr } = await bin.run(['test'], { cwd: fixtures });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^flagwise: no spec file given and none of flags\.test\.yaml, flags\.test\.yml in .*: pass one/,
    );
  });
});
