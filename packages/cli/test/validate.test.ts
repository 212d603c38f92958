// flagwise validate, run as a child process over the fixtures in test/fixtures/validate.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtBin, fixtures } from './bin.js';

const cwd = join(fixtures, 'validate');
const bin = builtBin('validate');

const validate = (...args: string[]) => bin.run(['validate', ...args], { cwd });

describe('flagwise validate', () => {
  it('passes a clean file with exit 0, and finds flags.yaml by itself', async () => {
    const named = await validate('flags.yaml');
    expect(named).toMatchObject({ code: 0, stderr: '' });
    expect(named.stdout).toBe('✓ flags.yaml: 2 flags, no problems\n');
    expect((await validate()).stdout).toBe(named.stdout);
  });

  it('lists every problem of a file with file:line:col and the suggestion, exit 1', async () => {
    const { code, stdout } = await validate('broken.yaml');
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      'broken.yaml:3:5: error: new-pricing.rolout is not a known key; did you mean "rollout"?',
      'broken.yaml:5:5: error: checkout.rollout must be a number from 0 to 100, got "ten"',
      'broken.yaml:7:5: error: banner.expires must be a date such as 2027-03-31, got "soon"',
      '✗ broken.yaml: 0 flags, 3 errors, 0 warnings',
      '',
    ]);
  });

  it("suggests the key another tool's word means: depends is requires", async () => {
    const { code, stdout } = await validate('foreign-keys.yaml');
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      'foreign-keys.yaml:5:5: error: checkout.depends is not a known key; did you mean "requires"?',
      'foreign-keys.yaml:7:5: error: search.percentage is not a known key; did you mean "rollout"?',
      'foreign-keys.yaml:9:9: error: search.rules[0].constraints is not a known key; did you mean "when"?',
      'foreign-keys.yaml:12:9: error: upsell.requires[0].flag must be a name (text), got nothing',
      'foreign-keys.yaml:12:9: error: upsell.requires[0].feature is not a known key; did you mean "flag"?',
      '✗ foreign-keys.yaml: 0 flags, 5 errors, 0 warnings',
      '',
    ]);
  });

  it('reports a dependency on a missing flag with the nearest name', async () => {
    const { code, stdout } = await validate('dependency.yaml');
    expect(code).toBe(1);
    expect(stdout).toContain(
      'dependency.yaml:3:3: error: flag "new-checkout" depends on "paymets", which is not defined, so it is never on; did you mean "payments"?',
    );
  });

  it('finds a key written twice in JSON, which JSON.parse would keep silently', async () => {
    const { code, stdout } = await validate('duplicate.json');
    expect(code).toBe(1);
    expect(stdout).toContain(
      'duplicate.json:5:5: error: JSON: Map keys must be unique; this key is written twice\n',
    );
  });

  it("checks regexes with the engine's RE2 rules, at the flag", async () => {
    const { code, stdout } = await validate('regex.json');
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^regex\.json:15:74: error: features\[1\]\.strategies\[0\]\.constraints\[0\]\.value is not a valid RE2 regular expression .*lookarounds/m,
    );
    expect(stdout).not.toContain('ok-flag');
    expect(stdout).toContain('1 error, 0 warnings');
  });

  it('warns about a segment an export leaves without constraints; warnings fail only with --strict', async () => {
    const plain = await validate('export.json');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(
      /^export\.json:17:16: warning: segment 7 "beta-testers" has no constraints in this export/m,
    );
    expect((await validate('export.json', '--strict')).code).toBe(1);
    const unknownStrategy = await validate('warnings.json');
    expect(unknownStrategy.code).toBe(0);
    expect(unknownStrategy.stdout).toContain('warnings.json:4:5: warning: unknown strategy "byTenant"');
  });

  it('checks several files in one run, exit 1 when any has an error', async () => {
    const { code, stdout } = await validate('flags.yaml', 'dependency.yaml');
    expect(code).toBe(1);
    expect(stdout).toContain('✓ flags.yaml: 2 flags, no problems');
    expect(stdout).toContain('✗ dependency.yaml: 2 flags, 1 error, 0 warnings');
  });

  it('prints JSON with --format json', async () => {
    const { code, stdout } = await validate('broken.yaml', 'export.json', '--format', 'json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.files).toEqual([
      { file: 'broken.yaml', flags: 0 },
      { file: 'export.json', flags: 1 },
    ]);
    expect(report).toMatchObject({ errors: 3, warnings: 1 });
    expect(report.problems[0]).toEqual({
      severity: 'error',
      file: 'broken.yaml',
      line: 3,
      column: 5,
      message: 'new-pricing.rolout is not a known key; did you mean "rollout"?',
    });
  });

  it('prints GitHub workflow annotations with --format github', async () => {
    const { code, stdout } = await validate('broken.yaml', 'export.json', '--format', 'github');
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      '::error file=broken.yaml,line=3,col=5::new-pricing.rolout is not a known key; did you mean "rollout"?',
    );
    expect(lines[3]).toMatch(/^::warning file=export\.json,line=17,col=16::segment 7/);
  });

  it.each([
    [['missing.yaml'], 'flagwise: cannot read missing.yaml: no such file; check the path'],
    [['.'], 'flagwise: cannot read .: it is a directory; name a file in it'],
    [['flags.yaml', '--format', 'xml'], 'flagwise: --format must be one of text, json, github, got "xml"'],
    [['flags.yaml', '--colour'], "flagwise: unknown option '--colour'; see flagwise --help"],
  ])('bad input %j: one line, exit 2, no stack trace', async (args, message) => {
    const { code, stdout, stderr } = await validate(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${message}\n`);
  });

  it('says where it looked when there is no flags file', async () => {
    const { code, stderr } = await bin.run(['validate'], { cwd: join(fixtures, 'typo', 'src') });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^flagwise: no flags file in .*typo\/src \(looked for flags\.yaml, flags\.yml, flags\.json\): pass one with --flags <file>/,
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints the stack trace of an error only with --debug', async () => {
    const { code, stderr } = await validate('missing.yaml', '--debug');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('flagwise: cannot read missing.yaml: no such file; check the path');
    expect(stderr).toMatch(/\n\s+at /);
  });
});
