// Unleash → flags file: the short form where a flag fits it, Unleash's own shape where it does not, and always a
// file that compiles back to exactly what Unleash has.
import { compileFlagsFile, parseFlagsFile } from '@flagwise/core';
import { describe, expect, it } from 'vitest';
import { randomPayload, seededRandom } from '../../../../test/differential/generator.js';
import {
  type SyncFlag,
  type SyncState,
  type SyncStrategy,
  stateFromDefinitions,
  stringifyFlagsFile,
  toFlagsFile,
} from '../../src/admin/index.js';

function flag(name: string, fields: Partial<SyncFlag> = {}): SyncFlag {
  return {
    name,
    type: 'release',
    description: null,
    impressionData: false,
    enabled: true,
    strategies: [],
    variants: [],
    dependencies: [],
    tags: [],
    ...fields,
  };
}

function rollout(parameters: Record<string, string>, fields: Partial<SyncStrategy> = {}): SyncStrategy {
  return {
    name: 'flexibleRollout',
    title: null,
    parameters,
    constraints: [],
    segments: [],
    variants: [],
    ...fields,
  };
}

/** Pulls a state, writes it as YAML, reads it back: the flags must come back exactly. */
function roundTrip(state: SyncState) {
  const pulled = toFlagsFile(state);
  const text = stringifyFlagsFile(pulled.file, 'flags.yaml');
  const back = stateFromDefinitions(parseFlagsFile(text, 'flags.yaml').definitions);
  expect(back.flags).toEqual(state.flags);
  return pulled;
}

describe('toFlagsFile: short forms', () => {
  it('writes true, false and a plain rollout the short way', () => {
    const state: SyncState = {
      segments: [],
      flags: [
        flag('on', { strategies: [rollout({ groupId: 'on', rollout: '100', stickiness: 'default' })] }),
        flag('off', { enabled: false }),
        flag('some', {
          type: 'experiment',
          description: 'a tenth',
          tags: ['simple:checkout'],
          strategies: [rollout({ groupId: 'pricing', rollout: '10', stickiness: 'userId' })],
        }),
      ],
    };
    const { file, unleashShaped } = roundTrip(state);
    expect(unleashShaped).toEqual([]);
    expect(file.flags).toEqual({
      on: true,
      off: false,
      some: {
        description: 'a tenth',
        type: 'experiment',
        tags: ['simple:checkout'],
        rollout: 10,
        stickiness: 'userId',
        groupId: 'pricing',
      },
    });
  });

  it('writes users, conditions, segments, rules, variants and dependencies with the short keys', () => {
    const state: SyncState = {
      segments: [
        {
          name: 'staff',
          constraints: [
            {
              contextName: 'email',
              operator: 'STR_ENDS_WITH',
              values: ['@acme.test'],
              inverted: false,
              caseInsensitive: true,
            },
          ],
        },
      ],
      flags: [
        flag('launch', {
          strategies: [
            { ...rollout({}), name: 'userWithId', parameters: { userIds: 'ceo,cto' } },
            rollout(
              { groupId: 'launch', rollout: '5', stickiness: 'default' },
              {
                constraints: [
                  {
                    contextName: 'plan',
                    operator: 'IN',
                    values: ['pro'],
                    inverted: false,
                    caseInsensitive: false,
                  },
                  {
                    contextName: 'age',
                    operator: 'NUM_GTE',
                    values: [],
                    value: '18',
                    inverted: false,
                    caseInsensitive: false,
                  },
                ],
                segments: ['staff'],
                title: 'pros',
                variants: [
                  { name: 'a', weight: 500, stickiness: 'default', overrides: [] },
                  {
                    name: 'b',
                    weight: 500,
                    stickiness: 'default',
                    overrides: [],
                    payload: { type: 'json', value: '{"x":1}' },
                  },
                ],
              },
            ),
            { ...rollout({ IPs: '10.0.0.0/8' }), name: 'remoteAddress' },
          ],
          variants: [
            {
              name: 'blue',
              weight: 600,
              stickiness: 'userId',
              overrides: [{ contextName: 'userId', values: ['qa-1'] }],
              payload: { type: 'number', value: '1.50' },
            },
            { name: 'green', weight: 400, stickiness: 'userId', overrides: [] },
          ],
          dependencies: [{ feature: 'payments', enabled: true, variants: ['on'] }],
        }),
      ],
    };
    const { file, unleashShaped } = roundTrip(state);
    expect(unleashShaped).toEqual([]);
    expect(file.segments).toEqual({
      staff: { email: { ends_with: ['@acme.test'], case_insensitive: true } },
    });
    expect(file.flags.launch).toEqual({
      requires: [{ flag: 'payments', variants: ['on'] }],
      users: ['ceo', 'cto'],
      rules: [
        {
          rollout: 5,
          when: { plan: ['pro'], age: { gte: '18' } },
          segments: ['staff'],
          variants: { a: 50, b: { weight: 50, payload: { x: 1 } } },
          title: 'pros',
        },
        { strategy: 'remoteAddress', parameters: { IPs: '10.0.0.0/8' } },
      ],
      stickiness: 'userId',
      // "1.50" is not what the number 1.5 compiles to, so it stays in Unleash's shape
      variants: {
        blue: { weight: 60, payload: { type: 'number', value: '1.50' }, users: ['qa-1'] },
        green: 40,
      },
    });
  });

  it('keeps local-only keys such as browser from the file it replaces', () => {
    const state: SyncState = {
      segments: [],
      flags: [
        flag('on', { strategies: [rollout({ groupId: 'on', rollout: '100', stickiness: 'default' })] }),
      ],
    };
    const { file } = toFlagsFile(state, { flags: { on: { browser: true } } });
    expect(file.flags.on).toEqual({ browser: true });
    expect(compileFlagsFile(file).features[0].browser).toBe(true);
  });
});

describe("toFlagsFile: Unleash's own shape", () => {
  it('writes a flag whose constraint the short format rejects under unleash:', () => {
    const state: SyncState = {
      segments: [],
      flags: [
        flag('odd', {
          strategies: [
            rollout(
              { groupId: 'odd', rollout: '30', stickiness: 'default' },
              {
                constraints: [
                  {
                    contextName: 'plan',
                    operator: 'IN',
                    values: [],
                    inverted: false,
                    caseInsensitive: false,
                  },
                  {
                    contextName: 'version',
                    operator: 'SEMVER_GT',
                    values: [],
                    value: 'v1',
                    inverted: false,
                    caseInsensitive: false,
                  },
                ],
              },
            ),
          ],
        }),
        flag('on-without-strategies'),
      ],
    };
    const { file, unleashShaped } = roundTrip(state);
    expect(unleashShaped).toEqual(['odd', 'on-without-strategies']);
    expect(file.flags['on-without-strategies']).toEqual({
      unleash: {
        enabled: true,
        type: 'release',
        description: null,
        impressionData: false,
        strategies: [],
        variants: [],
      },
    });
  });

  it('reproduces every flag of random Unleash payloads exactly', () => {
    let flags = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const payload = randomPayload(seededRandom(seed), 8);
      // segments are covered above; names are what Unleash accepts (it refuses others at creation)
      payload.segments = [];
      for (const [index, feature] of payload.features.entries()) {
        feature.name = `flag-${index}`;
        for (const strategy of feature.strategies ?? []) delete strategy.segments;
        for (const dependency of feature.dependencies ?? []) {
          dependency.feature = dependency.feature.replace(/[^\w.~-]/g, '');
        }
      }
      // one level of dependencies, as Unleash allows
      const children = new Set(payload.features.filter((f) => f.dependencies?.length).map((f) => f.name));
      for (const feature of payload.features) {
        feature.dependencies = feature.dependencies?.filter(
          (dependency) => !children.has(dependency.feature),
        );
      }
      const state = stateFromDefinitions(payload);
      roundTrip(state);
      flags += state.flags.length;
    }
    expect(flags).toBe(480);
  });
});
