// flagwise explain, run as a child process: the text and JSON trace for the fixture flags, bad input, and the
// trace of every client-specification case with a context checked against the engine's explain().
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFlags, type FlagContext, type FlagTrace, parseFlagsFile, traceFlag } from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFiles as allSpecFiles } from '../../../test/spec/spec-files.js';
import { builtBin, fixtures } from './bin.js';

const cwd = join(fixtures, 'explain');
const bin = builtBin('explain');

const explain = (...args: string[]) => bin.run(['explain', ...args], { cwd });
const fixtureFlags = () =>
  compileFlags(parseFlagsFile(readFileSync(join(cwd, 'flags.yaml'), 'utf8'), 'flags.yaml').definitions);

describe('flagwise explain', () => {
  it('shows each constraint with the context value and the rollout bucket against the percentage', async () => {
    const { code, stdout } = await explain('new-pricing', '--user', 'alice', '--prop', 'country=NO');
    expect(code).toBe(0);
    const trace = traceFlag(fixtureFlags(), 'new-pricing', {
      userId: 'alice',
      properties: { country: 'NO' },
    });
    const { bucket } = trace.strategies[0].rollout!;
    const outcome = bucket! <= 20 ? 'on' : 'off';
    // A flag from a flags file, told in the file's words.
    const mark = outcome === 'on' ? '✓' : '✗';
    expect(stdout.split('\n')).toEqual([
      `new-pricing: ${outcome} (${trace.reason})`,
      `  ${outcome === 'on' ? 'rollout: 20 with when: matched' : 'rollout: 20 with when: did not match this request'}`,
      `  ${mark} rollout: 20 with when: ${outcome === 'on' ? 'matches ← decided' : 'does not match'}`,
      '      ✓ when: country: [NO, SE] — country is "NO"',
      `      ${mark} rollout: 20 — userId "alice" is in bucket ${bucket} of 100 (on for buckets 1–20)`,
      '',
    ]);
  });

  it('says a request without a userId gets a random bucket, not an undefined one', async () => {
    const { stdout } = await explain('new-pricing', '--prop', 'country=NO');
    // The draw decides this run's answer; the line says so either way.
    expect(stdout).toMatch(/^ {2}~ rollout: 20 with when: decides at random( ← decided)?$/m);
    expect(stdout).toContain(
      '      ~ rollout: 20 — no userId or sessionId, so a random bucket on each request\n',
    );
    expect(stdout).not.toContain('undefined');
  });

  it('shows segment results and a constraint that fails', async () => {
    const { stdout } = await explain('beta-search', '--prop', 'plan=free');
    expect(stdout).toContain('beta-search: off (no-strategy-matched)');
    expect(stdout).toContain('      ✗ segment "beta-testers"\n');
    expect(stdout).toContain('          ✗ when: plan: [pro, enterprise] — plan is "free"\n');
  });

  it('says which users a user list names, in the flags file’s words', async () => {
    const { stdout } = await explain('new-checkout', '--user', 'bob');
    expect(stdout).toContain('  ✗ users: [alice] does not list "bob"\n');
    expect(stdout).not.toContain('userWithId');
  });

  it('tells a flag from Unleash in Unleash’s words', async () => {
    const fromUnleash = (...args: string[]) => explain(...args, '--flags', 'unleash-features.json');
    expect((await fromUnleash('new-checkout', '--user', 'carol')).stdout.split('\n')).toEqual([
      'new-checkout: off (no-strategy-matched)',
      '  its one strategy did not match this context',
      '  ✗ strategy #1 userWithId: did not match',
      '      ✗ userIds [alice, bob] do not include "carol"',
      '',
    ]);
    const { stdout } = await fromUnleash('new-pricing', '--prop', 'country=NO');
    expect(stdout).toContain('  ✗ strategy #1 flexibleRollout: did not match\n');
    expect(stdout).toContain('      ✓ country IN [NO, SE]: context "NO"\n');
    expect(stdout).toContain('      ✗ rollout 20% by userId: the context has no userId\n');
  });

  it('shows dependency results', async () => {
    const { stdout } = await explain('new-checkout', '--user', 'alice');
    expect(stdout).toContain('new-checkout: on (strategy-matched)');
    expect(stdout).toContain('✓ requires "payments" on: it is on');
  });

  it('shows the variant and its payload', async () => {
    const context = { userId: 'carol' };
    const expected = fixtureFlags().explain('checkout-copy', context);
    const { stdout } = await explain('checkout-copy', '--user', 'carol');
    const payload = expected.variant.payload ? `, payload (json) ${expected.variant.payload.value}` : '';
    expect(stdout).toContain(`  variant: ${expected.variant.name}${payload}\n`);
  });

  it('prints the trace as JSON, equal to the engine trace, with the context built from the options', async () => {
    const { code, stdout } = await explain(
      'new-pricing',
      '--user',
      'u1',
      '--session',
      's1',
      '--ip',
      '10.0.0.1',
      '--app',
      'shop',
      '--env',
      'production',
      '--prop',
      'country=SE',
      '--prop',
      'plan=pro',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const context: FlagContext = {
      userId: 'u1',
      sessionId: 's1',
      remoteAddress: '10.0.0.1',
      appName: 'shop',
      environment: 'production',
      properties: { country: 'SE', plan: 'pro' },
    };
    expect(JSON.parse(stdout)).toEqual({ context, ...traceFlag(fixtureFlags(), 'new-pricing', context) });
  });

  it('--all lists every flag for one context', async () => {
    const { code, stdout } = await explain('--all', '--user', 'alice');
    expect(code).toBe(0);
    const flags = fixtureFlags();
    const expected = flags.names().map((name) => {
      const answer = flags.explain(name, { userId: 'alice' });
      const variant = answer.variant.enabled ? ` variant ${answer.variant.name}` : '';
      return `${answer.enabled ? 'on ' : 'off'} ${name}${variant} (${answer.reason})`;
    });
    expect(stdout).toBe(`${expected.join('\n')}\n`);
    const json = JSON.parse((await explain('--all', '--user', 'alice', '--format', 'json')).stdout);
    expect(json.flags.map((answer: { flag: string }) => answer.flag)).toEqual(flags.names());
  });

  it.each([
    [['new-pricng'], 'flagwise: no flag "new-pricng" in flags.yaml; did you mean "new-pricing"?'],
    [['zzz'], 'flagwise: no flag "zzz" in flags.yaml; run `flagwise explain --all` to list the flags'],
    [
      ['new-pricing', '--prop', 'country'],
      'flagwise: --prop expects key=value, got "country"; write e.g. --prop plan=pro',
    ],
    [
      ['new-pricing', '--flags', 'nope.yaml'],
      'flagwise: cannot read nope.yaml: no such file; check the path',
    ],
    [
      ['new-pricing', '--flags', '../validate/broken.yaml'],
      'flagwise: ../validate/broken.yaml:3:5: new-pricing.rolout is not a known key; did you mean "rollout"? (and 2 more); run `flagwise validate ../validate/broken.yaml` to list every problem',
    ],
    [[], 'flagwise: name a flag to explain, e.g. `flagwise explain new-pricing --user alice`, or pass --all'],
    [
      ['new-pricing', '--context', '{user'],
      /^flagwise: --context is not JSON \(.*\); write e\.g\. --context '\{"userId":"alice"\}'$/,
    ],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await explain(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    if (typeof message === 'string') expect(stderr).toBe(`${message}\n`);
    else expect(stderr.trimEnd()).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unreachable Unleash: one line naming it, exit 2', async () => {
    const { code, stderr } = await bin.run(['explain', 'new-pricing', '--timeout', '15000'], {
      cwd,
      env: { UNLEASH_URL: 'http://127.0.0.1:1/api', UNLEASH_API_TOKEN: 'default:development.x' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^flagwise: cannot load flags from unleash\(http:\/\/127\.0\.0\.1:1\/api\): .*ECONNREFUSED.*; check UNLEASH_URL and its token, or read a local file with --flags <file>\n$/,
    );
  });

  it('a misconfigured Unleash environment: the variable to fix, exit 2', async () => {
    const { code, stderr } = await bin.run(['explain', 'new-pricing'], {
      cwd,
      env: { UNLEASH_URL: 'http://127.0.0.1:1/api' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^flagwise: UNLEASH_API_TOKEN is not set: /);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Every client-specification case with a context, through the bin: `flagwise test` (one run per specification
// file, its JSON carries the trace of each case) and `flagwise explain` (the first case of each file).

const specFiles = allSpecFiles
  .map((spec) => ({
    spec,
    cases: [...(spec.tests ?? []), ...(spec.variantTests ?? [])].filter(
      (test) => test.context && Object.keys(test.context).length > 0,
    ),
  }))
  .filter(({ cases }) => cases.length > 0);

/** The flags-file reader's message when it refuses a file, or undefined when it reads it. */
function fileRefusal(file: string): string | undefined {
  try {
    parseFlagsFile(readFileSync(file, 'utf8'), file);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** What two evaluations in two processes can be expected to agree on: random buckets and the clock removed. */
function comparable(trace: FlagTrace, context: FlagContext, variantIsStable: boolean): unknown {
  const random = trace.strategies.some(
    (strategy) => strategy.rollout?.random && strategy.rollout.percentage < 100,
  );
  const datesFromClock = context.currentTime === undefined;
  return {
    ...trace,
    enabled: random ? 'random' : trace.enabled,
    reason: random ? 'random' : trace.reason,
    strategyIndex: random ? 'random' : trace.strategyIndex,
    detail: random || !variantIsStable ? 'random' : trace.detail,
    variant: random || !variantIsStable ? 'random' : trace.variant,
    strategies: trace.strategies.map((strategy) => ({
      ...strategy,
      matched: random ? 'random' : strategy.matched,
      ruleHeld: strategy.rollout?.random ? 'random' : strategy.ruleHeld,
      rollout: strategy.rollout && {
        ...strategy.rollout,
        held: strategy.rollout.random ? 'random' : strategy.rollout.held,
      },
      constraints: strategy.constraints.map((constraint) => ({
        ...constraint,
        contextValue:
          datesFromClock && constraint.operator.startsWith('DATE_') ? 'now' : constraint.contextValue,
      })),
    })),
    dependencies: trace.dependencies.map((dependency) => ({
      ...dependency,
      parentVariant: variantIsStable ? dependency.parentVariant : 'random',
    })),
  };
}

describe('the trace over the client specification (every case with a context)', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'flagwise-cli-spec-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('covers the specification', () => {
    expect(specFiles.reduce((sum, { cases }) => sum + cases.length, 0)).toBeGreaterThan(150);
  });

  it.each(specFiles.map(({ spec, cases }) => [spec.name, spec, cases] as const))(
    '%s',
    async (name, spec, allCases) => {
      const state = { version: 2, ...spec.state };
      const flagsFile = join(scratch, `${name}.json`);
      writeFileSync(flagsFile, JSON.stringify(state));
      const flags = compileFlags(state);
      // The flags-file reader refuses what the engine only tolerates (a regex RE2 cannot compile, which the
      // specification uses to check "never matches"): such a state cannot be a flags file, and the bin says why.
      const refused = fileRefusal(flagsFile);
      if (refused !== undefined) {
        const run = await bin.run(['explain', allCases[0].toggleName, '--flags', flagsFile], {
          cwd: scratch,
        });
        expect(run.code).toBe(2);
        expect(run.stderr.startsWith(`flagwise: ${refused.split('\n')[0]}`)).toBe(true);
        return;
      }
      // a case on a flag the state does not define is explain()'s `not-found`: the bin says so and exits 2
      const cases = allCases.filter((test) => flags.has(test.toggleName));
      for (const test of allCases.filter((test) => !flags.has(test.toggleName))) {
        expect(flags.explain(test.toggleName, test.context).reason).toBe('not-found');
        const missing = await bin.run(['explain', test.toggleName, '--flags', flagsFile], { cwd: scratch });
        expect(missing.code).toBe(2);
        expect(missing.stderr).toMatch(
          new RegExp(`^flagwise: no flag "${test.toggleName.replace(/\./g, '\\.')}" in `),
        );
      }
      const stable = cases.map((test) => {
        const first = flags.explain(test.toggleName, test.context).variant.name;
        return Array.from(
          { length: 8 },
          () => flags.explain(test.toggleName, test.context).variant.name,
        ).every((variant) => variant === first);
      });
      // each expectation is explain()'s own answer, so every one must pass
      const specFile = join(scratch, `${name}.test.json`);
      writeFileSync(
        specFile,
        JSON.stringify({
          flags: `${name}.json`,
          tests: cases.map((test) => ({
            flag: test.toggleName,
            context: test.context,
            expect: flags.explain(test.toggleName, test.context).enabled,
          })),
        }),
      );
      const [run, single] = await Promise.all([
        bin.run(['test', specFile, '--format', 'json'], { cwd: scratch }),
        bin.run(
          [
            'explain',
            cases[0].toggleName,
            '--flags',
            flagsFile,
            '--context',
            JSON.stringify(cases[0].context),
            '--format',
            'json',
          ],
          { cwd: scratch },
        ),
      ]);
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as { results: { passed: boolean; trace: FlagTrace }[] };
      expect(report.results).toHaveLength(cases.length);
      cases.forEach((test, i) => {
        const engine = traceFlag(flags, test.toggleName, test.context);
        const random = engine.strategies.some((s) => s.rollout?.random && s.rollout.percentage < 100);
        if (!random) expect(report.results[i].passed, test.description).toBe(true);
        expect(comparable(report.results[i].trace, test.context, stable[i]), test.description).toEqual(
          comparable(engine, test.context, stable[i]),
        );
        const explanation = flags.explain(test.toggleName, test.context);
        if (!random) {
          expect(report.results[i].trace.enabled).toBe(explanation.enabled);
          expect(report.results[i].trace.reason).toBe(explanation.reason);
        }
      });
      expect(single.code).toBe(0);
      const { context, ...trace } = JSON.parse(single.stdout) as FlagTrace & { context: FlagContext };
      expect(context).toEqual(cases[0].context);
      expect(comparable(trace, cases[0].context, stable[0])).toEqual(
        comparable(traceFlag(flags, cases[0].toggleName, cases[0].context), cases[0].context, stable[0]),
      );
    },
  );
});
