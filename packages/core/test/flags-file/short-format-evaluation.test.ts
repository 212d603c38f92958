// The short forms, evaluated through the real engine: what a user of flags.yaml sees at run time.
import { describe, expect, it } from 'vitest';
import { compileFlags } from '../../src/engine/index.js';
import { parseFlagsFile } from '../../src/sources/index.js';

const engineFor = (yaml: string, environment = 'development') =>
  compileFlags(parseFlagsFile(yaml, 'flags.yaml').definitions, {
    staticContext: { appName: 'shop', environment },
  });

const users = Array.from({ length: 2000 }, (_, index) => `user-${index}`);

describe('short format, evaluated', () => {
  it('rolls out to about the given percent of users, the same answer each time for a user', () => {
    const engine = engineFor('flags:\n  new-pricing: { rollout: 10 }\n');
    const enabled = users.filter((userId) => engine.isEnabled('new-pricing', { userId }));
    expect(enabled.length / users.length).toBeGreaterThan(0.07);
    expect(enabled.length / users.length).toBeLessThan(0.13);
    for (const userId of users.slice(0, 200)) {
      expect(engine.isEnabled('new-pricing', { userId })).toBe(enabled.includes(userId));
    }
  });

  it('makes a rollout sticky on the chosen field', () => {
    const engine = engineFor('flags:\n  per-session: { rollout: 50, stickiness: sessionId }\n');
    // One session, many users: the same answer, because only the session counts.
    const answers = new Set(
      users.slice(0, 50).map((userId) => engine.isEnabled('per-session', { userId, sessionId: 's-1' })),
    );
    expect(answers.size).toBe(1);
  });

  it('turns a flag on for listed users whatever the other rules say', () => {
    const engine = engineFor(`
flags:
  new-pricing:
    rollout: 0
    users: [qa-1, qa-2]
    when: { plan: [pro] }
`);
    expect(engine.isEnabled('new-pricing', { userId: 'qa-2' })).toBe(true);
    expect(engine.isEnabled('new-pricing', { userId: 'someone', properties: { plan: 'pro' } })).toBe(false);
  });

  it('applies readable conditions, including the static environment and versions', () => {
    const yaml = `
flags:
  new-pricing:
    when: { plan: [pro, enterprise], environment: { not: [production] }, appVersion: { semver_gt: 2.0.0 } }
`;
    const development = engineFor(yaml);
    const pro = { userId: 'u', properties: { plan: 'pro', appVersion: '2.1.0' } };
    expect(development.isEnabled('new-pricing', pro)).toBe(true);
    expect(
      development.isEnabled('new-pricing', { ...pro, properties: { plan: 'free', appVersion: '2.1.0' } }),
    ).toBe(false);
    expect(
      development.isEnabled('new-pricing', { ...pro, properties: { plan: 'pro', appVersion: '1.9.0' } }),
    ).toBe(false);
    expect(engineFor(yaml, 'production').isEnabled('new-pricing', pro)).toBe(false);
  });

  it('splits variants by weight and honours per-user overrides and payloads', () => {
    const engine = engineFor(`
flags:
  checkout-copy:
    variants:
      control: 50
      short: { weight: 50, payload: { headline: Buy }, users: [qa-1] }
`);
    expect(engine.getVariant('checkout-copy', { userId: 'qa-1' })).toMatchObject({
      name: 'short',
      enabled: true,
      payload: { type: 'json', value: '{"headline":"Buy"}' },
    });
    const shortCount = users.filter(
      (userId) => engine.getVariant('checkout-copy', { userId }).name === 'short',
    ).length;
    expect(shortCount / users.length).toBeGreaterThan(0.45);
    expect(shortCount / users.length).toBeLessThan(0.55);
  });

  it('checks dependencies and segments', () => {
    const engine = engineFor(`
segments:
  staff: { email: { ends_with: ["@acme.test"], case_insensitive: true } }
flags:
  payments: { segments: [staff] }
  new-checkout: { requires: payments }
  paused: { enabled: false }
`);
    const staff = { userId: 'kari', properties: { email: 'Kari@ACME.test' } };
    const guest = { userId: 'ola', properties: { email: 'ola@example.test' } };
    expect(engine.isEnabled('new-checkout', staff)).toBe(true);
    expect(engine.isEnabled('new-checkout', guest)).toBe(false);
    expect(engine.explain('new-checkout', guest).reason).toBe('dependency-failed');
    expect(engine.isEnabled('paused', staff)).toBe(false);
  });
});
