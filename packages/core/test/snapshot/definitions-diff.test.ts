// The `changed` event: the names by kind, as before, and a field-level diff per flag.
import { describe, expect, it } from 'vitest';
import { payload } from '../../../../test/support/definitions.js';
import { type ClientFeaturesPayload, createFlags, type FlagsChange, memorySource } from '../../src/index.js';

const rollout = (percent: number) => ({
  name: 'flexibleRollout',
  parameters: { rollout: String(percent), stickiness: 'default', groupId: 'checkout' },
  constraints: [],
});

async function changeOf(before: ClientFeaturesPayload, after: ClientFeaturesPayload): Promise<FlagsChange> {
  const source = memorySource(before);
  const client = createFlags({ source, logger: false });
  await client.ready();
  const changed = new Promise<FlagsChange>((resolve) => client.once('changed', resolve));
  source.replace(after);
  const change = await changed;
  await client.close();
  return change;
}

describe('the changed event', () => {
  it('says which flags were added, removed and changed, and how each field changed', async () => {
    const change = await changeOf(
      payload([
        { name: 'checkout', enabled: true, strategies: [rollout(10)] },
        { name: 'banner', enabled: true, strategies: [{ name: 'default', parameters: {} }] },
        { name: 'old', enabled: true, strategies: [] },
      ]),
      payload([
        {
          name: 'checkout',
          enabled: true,
          strategies: [rollout(50), { name: 'userWithId', parameters: { userIds: 'alice,bob' } }],
        },
        { name: 'banner', enabled: false, strategies: [{ name: 'default', parameters: {} }] },
        { name: 'fresh', enabled: true, strategies: [] },
      ]),
    );
    expect(change.added).toEqual(['fresh']);
    expect(change.removed).toEqual(['old']);
    expect(change.changed.sort()).toEqual(['banner', 'checkout']);
    const texts = Object.fromEntries(change.flags.map((f) => [f.flag, f.changes.map((c) => c.text)]));
    expect(texts.checkout).toEqual(['rollout 10 → 50', 'strategy 2 added: userWithId [alice, bob]']);
    expect(texts.banner).toEqual(['enabled → disabled']);
    expect(change.flags.find((f) => f.flag === 'old')?.kind).toBe('removed');
    expect(change.flags.find((f) => f.flag === 'fresh')?.kind).toBe('added');
    const field = change.flags.find((f) => f.flag === 'checkout')!.changes[0];
    expect(field).toMatchObject({ field: 'strategies[0].parameters.rollout', before: '10', after: '50' });
  });

  it('reports constraints, variants and a segment a flag uses', async () => {
    const plan = (values: string[]) => ({ contextName: 'plan', operator: 'IN', values });
    const change = await changeOf(
      payload(
        [
          {
            name: 'pro',
            enabled: true,
            strategies: [{ name: 'default', parameters: {}, constraints: [plan(['pro'])], segments: [1] }],
            variants: [
              { name: 'a', weight: 500, weightType: 'variable', stickiness: 'default' },
              { name: 'b', weight: 500, weightType: 'variable', stickiness: 'default' },
            ],
          },
        ],
        [{ id: 1, name: 'beta', constraints: [plan(['x'])] }],
      ),
      payload(
        [
          {
            name: 'pro',
            enabled: true,
            strategies: [
              { name: 'default', parameters: {}, constraints: [plan(['pro', 'team'])], segments: [1] },
            ],
            variants: [
              { name: 'a', weight: 250, weightType: 'variable', stickiness: 'default' },
              { name: 'b', weight: 750, weightType: 'variable', stickiness: 'default' },
            ],
          },
        ],
        [{ id: 1, name: 'beta', constraints: [plan(['y'])] }],
      ),
    );
    expect(change.flags[0].changes.map((c) => c.text)).toEqual([
      'strategy 1 constraint plan IN [pro] → plan IN [pro, team]',
      'segment 1 "beta": plan IN [x] → plan IN [y]',
      'variant a 50% → 25%',
      'variant b 50% → 75%',
    ]);
  });
});
