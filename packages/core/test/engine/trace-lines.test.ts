// The trace in words: a flag from a flags file in the file's words, the same flag from Unleash in Unleash's.
import { describe, expect, it } from 'vitest';
import { compileFlags } from '../../src/engine/index.js';
import { traceFlag } from '../../src/engine/trace.js';
import { type TraceLine, traceLines } from '../../src/engine/trace-lines.js';
import { compileFlagsFile, type FlagContext, type FlagsFileSpec } from '../../src/index.js';

const FILE: FlagsFileSpec = {
  segments: { staff: { email: { ends_with: ['@acme.test'] } } },
  flags: {
    payments: true,
    beta: { users: ['alice', 'bob'] },
    pricing: { rollout: 30, stickiness: 'userId', when: { plan: ['pro', 'team'] } },
    staff: { segments: ['staff'] },
    launch: {
      requires: 'payments',
      rules: [
        { title: 'Norway', when: { country: ['NO'] } },
        { users: ['cto'], when: { version: { semver_gt: '2.0.0' } } },
        { strategy: 'remoteAddress', parameters: { IPs: '10.0.0.1' } },
      ],
    },
    paused: { enabled: false, rollout: 10 },
  },
};
const fromFile = compileFlags(compileFlagsFile(FILE));

/** The same flags as Unleash serves them: what the file compiles to, without the file's note of its words. */
const fromUnleash = compileFlags({
  ...compileFlagsFile(FILE),
  features: compileFlagsFile(FILE).features.map((feature) => ({
    ...feature,
    strategies: feature.strategies?.map(({ shorthand: _shorthand, ...strategy }) => strategy),
  })),
});

const lines = (flags: typeof fromFile, name: string, context: FlagContext) =>
  traceLines(traceFlag(flags, name, context), context);
const shown = (all: TraceLine[]) =>
  all.map(
    (line) =>
      `${'  '.repeat(line.depth)}${line.held === undefined ? '~' : line.held ? '✓' : '✗'} ${line.text}`,
  );

describe('traceLines: a flag from a flags file, in the file’s words', () => {
  it('says whom users: lists', () => {
    expect(shown(lines(fromFile, 'beta', { userId: 'carol' }))).toEqual([
      '✗ users: [alice, bob] does not list "carol"',
    ]);
    expect(lines(fromFile, 'beta', { userId: 'alice' })).toEqual([
      { depth: 0, held: true, text: 'users: [alice, bob] lists "alice"', decided: true },
    ]);
    expect(shown(lines(fromFile, 'beta', {}))).toEqual(['✗ users: [alice, bob]: the request has no userId']);
  });

  it('says where the rollout puts the request, and never "bucket undefined"', () => {
    const alice = shown(lines(fromFile, 'pricing', { userId: 'alice', properties: { plan: 'pro' } }));
    expect(alice[0]).toMatch(/^[✓✗] rollout: 30 \(stickiness: userId\) with when: (matches|does not match)$/);
    expect(alice[1]).toBe('  ✓ when: plan: [pro, team] — plan is "pro"');
    expect(alice[2]).toMatch(
      /^ {2}[✓✗] rollout: 30 \(stickiness: userId\) — userId "alice" is in bucket \d+ of 100 \(on for buckets 1–30\)$/,
    );
    expect(shown(lines(fromFile, 'pricing', { properties: { plan: 'free' } }))).toEqual([
      '✗ rollout: 30 (stickiness: userId) with when: does not match',
      '  ✗ when: plan: [pro, team] — plan is "free"',
      '  ✗ rollout: 30 (stickiness: userId) — the request has no userId',
    ]);
    expect(shown(lines(fromFile, 'paused', {}))).toEqual([
      '✗ the flag is switched off: nothing below applies',
      '~ rollout: 10 — no userId or sessionId, so a random bucket on each request',
    ]);
    expect(shown(lines(fromFile, 'payments', {}))).toEqual(['✓ on for everyone']);
  });

  it('names rules by their place, segments by name, and a strategy: rule by its name', () => {
    expect(
      shown(lines(fromFile, 'launch', { userId: 'cto', properties: { country: 'SE', version: '1.0.0' } })),
    ).toEqual([
      '✓ requires "payments" on: it is on',
      '✗ rule 1 "Norway" (when:) does not match',
      '  ✗ when: country: [NO] — country is "SE"',
      '✗ rule 2 (users: [cto] with when:) does not match',
      '  ✗ when: version: { semver_gt: 2.0.0 } — version is "1.0.0"',
      '  ✓ users: [cto] lists "cto"',
      '✗ rule 3: strategy: remoteAddress (IPs: 10.0.0.1) does not hold',
    ]);
    expect(shown(lines(fromFile, 'staff', { properties: { email: 'ada@acme.test' } }))).toEqual([
      '✓ segments: matches',
      '  ✓ segment "staff"',
      '    ✓ when: email: { ends_with: [@acme.test] } — email is "ada@acme.test"',
    ]);
  });

  it('gives explain() the file’s words too', () => {
    expect(fromFile.explain('beta', { userId: 'alice' }).detail).toBe('users: [alice, bob] matched');
    expect(fromFile.explain('beta', { userId: 'carol' }).detail).toBe(
      'users: [alice, bob] did not match this request',
    );
    expect(fromFile.explain('payments', {}).detail).toBe('on for everyone');
    expect(fromFile.explain('launch', { userId: 'carol', properties: { country: 'SE' } }).detail).toBe(
      'none of rule 1 "Norway" (when:); rule 2 (users: [cto] with when:); rule 3 (strategy: remoteAddress) matched this request',
    );
  });
});

describe('traceLines: the same flags from Unleash, in Unleash’s words', () => {
  it('names strategies, user ids, operators and rollouts as Unleash does', () => {
    expect(shown(lines(fromUnleash, 'beta', { userId: 'carol' }))).toEqual([
      '✗ strategy #1 userWithId: did not match',
      '  ✗ userIds [alice, bob] do not include "carol"',
    ]);
    expect(shown(lines(fromUnleash, 'pricing', { properties: { plan: 'pro' } }))).toEqual([
      '✗ strategy #1 flexibleRollout: did not match',
      '  ✓ plan IN [pro, team]: context "pro"',
      '  ✗ rollout 30% by userId: the context has no userId',
    ]);
    expect(shown(lines(fromUnleash, 'paused', {}))[1]).toBe(
      '~ strategy #1 flexibleRollout: decides at random',
    );
    expect(fromUnleash.explain('beta', { userId: 'carol' }).detail).toBe(
      'its one strategy did not match this context',
    );
  });
});
