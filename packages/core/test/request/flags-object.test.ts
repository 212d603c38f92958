// The request flags object: one engine decision per flag (value, variant and explain() from it), the record of
// what a request read (`readsOf`, for telemetry) and the evaluation callback with its reason, which costs nothing
// unless the snapshot observes evaluations.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFlags, memorySource } from '../../src/index.js';
import { readsOf, VIEWED } from '../../src/request/flags-object.js';

async function clientWith(flags: Record<string, unknown>) {
  const client = createFlags({ source: memorySource({ flags } as never), logger: false });
  await client.ready();
  return client;
}

describe('request flags', () => {
  it('explain() after a read gives the read value with the reason of the same evaluation', async () => {
    const client = await clientWith({ 'new-pricing': { rollout: 20 } });
    const seen = new Set<boolean>();
    for (let i = 0; i < 200; i++) {
      const flags = client.forContext({});
      const value = flags.newPricing;
      const explained = flags.explain('new-pricing');
      expect(explained.enabled).toBe(value);
      expect(explained.reason).toBe(value ? 'strategy-matched' : 'no-strategy-matched');
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([false, true]);
    await client.close();
  });

  it('explain() says an anonymous rollout answered at random whether it let the request in or not', async () => {
    const client = await clientWith({ 'new-pricing': { rollout: 50 } });
    const seen = new Set<boolean>();
    for (let i = 0; i < 100; i++) {
      const explained = client.forContext({}).explain('new-pricing');
      seen.add(explained.enabled);
      expect(explained.detail).toMatch(
        /; the rollout answered at random: the request has no userId or sessionId/,
      );
    }
    expect([...seen].sort()).toEqual([false, true]);
    // Identified, and for a flag no rollout decides, nothing is said of chance.
    expect(client.forContext({ userId: 'ada' }).explain('new-pricing').detail).not.toMatch(
      /random|stable id/,
    );
    await client.close();
  });

  it('lists what a request read, each with its value, variant (when asked) and reason', async () => {
    const client = await clientWith({
      on: true,
      off: false,
      copy: { variants: { short: 100 } },
    });
    const flags = client.forContext({ userId: 'ada' }, { overrides: { flags: { off: true } } });
    void flags.on;
    void flags.variant('copy');
    void flags.isEnabled('off');
    void flags.isEnabled('missing');
    expect(readsOf(flags)).toEqual([
      { flag: 'on', enabled: true, variant: undefined, reason: 'strategy-matched' },
      {
        flag: 'copy',
        enabled: true,
        variant: expect.objectContaining({ name: 'short' }),
        reason: 'strategy-matched',
      },
      { flag: 'off', enabled: true, variant: undefined, reason: 'override' },
    ]);
    expect(readsOf({})).toEqual([]);
    await client.close();
  });

  it('reports each evaluation with its reason to the host when the snapshot observes evaluations', async () => {
    const client = await clientWith({ watched: { enabled: true, impressionData: true } as never });
    const events: unknown[] = [];
    client.on('impression', (event) => events.push(event));
    const flags = client.forContext({ userId: 'ada' });
    expect(flags.watched).toBe(true);
    expect(flags.watched).toBe(true);
    expect(events).toHaveLength(1);
    await client.close();
  });

  it('keeps value and variant of a flag forced by a variant override in agreement, whatever is read first', async () => {
    const client = await clientWith({ copy: { enabled: false, variants: { short: 50, long: 50 } } as never });
    const variantFirst = client.forContext({}, { overrides: { variants: { copy: 'long' } } });
    expect(variantFirst.variant('copy').name).toBe('long');
    expect(variantFirst.copy).toBe(true);
    const valueFirst = client.forContext({}, { overrides: { variants: { copy: 'long' } } });
    expect(valueFirst.copy).toBe(true);
    expect(valueFirst.explain('copy')).toMatchObject({
      enabled: true,
      reason: 'override',
      variant: { name: 'long' },
    });
    await client.close();
  });

  it('shows in console.log how many flags it holds, counted, and what the request read, viewed or not', async () => {
    const one = await clientWith({ 'new-pricing': true });
    const flags = one.forContext({});
    expect(inspect(flags)).toBe('RequestFlags { 1 flag }');
    void flags.newPricing;
    expect(inspect(flags)).toBe('RequestFlags { 1 flag; read: new-pricing: true }');
    // The flags behind the view, as adapters attach them to the request.
    const attached = (flags as unknown as { [VIEWED]: object })[VIEWED];
    expect(inspect(attached)).toBe('RequestFlags { 1 flag; read: new-pricing: true }');
    await one.close();
    const two = await clientWith({ a: true, b: false });
    expect(inspect(two.forContext({}))).toBe('RequestFlags { 2 flags }');
    await two.close();
  });
});
