// What push would change, flag by flag and field by field, and how it reads in a terminal, as JSON and on GitHub.
import { compileFlagsFile } from '@flagwise/core';
import { describe, expect, it } from 'vitest';
import {
  diffStates,
  formatDiff,
  hasChanges,
  type RemoteFlag,
  type RemoteState,
  stateFromDefinitions,
} from '../../src/admin/index.js';

function remoteOf(
  text: Parameters<typeof compileFlagsFile>[0],
  strategyTypes = ['flexibleRollout', 'default'],
) {
  const state = stateFromDefinitions(compileFlagsFile(text));
  const remote: RemoteState = {
    project: 'default',
    environment: 'production',
    flags: state.flags.map(
      (flag): RemoteFlag => ({
        ...flag,
        strategyIds: flag.strategies.map((_, index) => `id-${index}`),
        disabledStrategies: 0,
      }),
    ),
    segments: state.segments.map((segment, index) => ({ ...segment, id: index + 1 })),
    strategyTypes,
  };
  return remote;
}

const server = remoteOf({
  segments: { staff: { email: { ends_with: ['@acme.test'] } } },
  flags: {
    'dark-mode': true,
    pricing: { rollout: 10, segments: ['staff'], description: 'new prices' },
    legacy: false,
  },
});

describe('stateFromDefinitions', () => {
  it('leaves out how the flags file wrote each strategy, which is flagwise’s and never Unleash’s', () => {
    const definitions = compileFlagsFile({
      flags: { launch: { users: ['ceo'], rules: [{ rollout: 5 }, { users: ['cto'] }] }, 'dark-mode': true },
    });
    expect(definitions.features[0].strategies?.map((strategy) => strategy.shorthand)).toEqual([
      { key: 'users' },
      { key: 'rollout', rule: 1 },
      { key: 'users', rule: 2 },
    ]);
    const state = stateFromDefinitions(definitions);
    expect(JSON.stringify(state)).not.toContain('shorthand');
    expect(state.flags[0].strategies.map((strategy) => Object.keys(strategy).sort())).toEqual(
      Array(3).fill(['constraints', 'name', 'parameters', 'segments', 'title', 'variants']),
    );
  });
});

describe('diffStates', () => {
  it('finds nothing when the file says what Unleash has', () => {
    const same = stateFromDefinitions(
      compileFlagsFile({
        segments: { staff: { email: { ends_with: ['@acme.test'] } } },
        flags: {
          'dark-mode': true,
          pricing: { rollout: 10, segments: ['staff'], description: 'new prices' },
          legacy: false,
        },
      }),
    );
    const diff = diffStates(same, server);
    expect(hasChanges(diff)).toBe(false);
    expect(formatDiff(diff, 'text')).toBe(
      'No differences with Unleash (project default, environment production).\n',
    );
  });

  it('lists creations, updates field by field, and archives only with prune', () => {
    const desired = stateFromDefinitions(
      compileFlagsFile({
        segments: { staff: { email: { ends_with: ['@acme.test', '@acme.dev'] } } },
        flags: {
          'dark-mode': { enabled: false, tags: ['simple:ui'] },
          pricing: { rollout: 25, segments: ['staff'], description: 'new prices', when: { plan: ['pro'] } },
          child: { requires: 'dark-mode', users: ['qa-1'] },
        },
      }),
    );
    const diff = diffStates(desired, server);
    expect(diff.segments).toEqual([
      {
        segment: 'staff',
        action: 'update',
        changes: [
          {
            field: 'constraints',
            before: [expect.objectContaining({ values: ['@acme.test'] })],
            after: [expect.objectContaining({ values: ['@acme.test', '@acme.dev'] })],
          },
        ],
      },
    ]);
    expect(diff.flags.map((flag) => [flag.flag, flag.action])).toEqual([
      ['dark-mode', 'update'],
      ['pricing', 'update'],
      ['child', 'create'],
    ]);
    expect(diff.flags[0].changes).toEqual([
      { field: 'enabled', before: true, after: false },
      { field: 'tags', before: [], after: ['simple:ui'] },
    ]);
    expect(diff.flags[1].changes).toEqual([
      {
        field: 'strategies[0].constraints',
        before: [],
        after: [
          { contextName: 'plan', operator: 'IN', values: ['pro'], inverted: false, caseInsensitive: false },
        ],
      },
      { field: 'strategies[0].parameters.rollout', before: '10', after: '25' },
    ]);
    expect(diff.flags[2].changes.map((change) => change.field)).toEqual([
      'type',
      'enabled',
      'dependencies',
      'strategies[0]',
    ]);
    // Unleash 7 no longer ships userWithId, which users: compiles to
    expect(diff.strategyTypes).toEqual([{ name: 'userWithId', parameters: ['userIds'] }]);
    expect(diff.notInFile).toEqual(['legacy']);

    const pruned = diffStates(desired, server, { prune: true });
    expect(pruned.flags.at(-1)).toEqual({ flag: 'legacy', action: 'archive', changes: [] });
    expect(pruned.notInFile).toEqual([]);

    const text = formatDiff(diff, 'text');
    expect(text).toContain('+ strategy type userWithId (define, with parameters: userIds)');
    expect(text).toContain(
      '~ flag pricing (update)\n    strategies[0].constraints: [] → [{"contextName":"plan"',
    );
    expect(text).toContain('    strategies[0].parameters.rollout: "10" → "25"');
    expect(text).toContain('+ flag child (create)\n    type: "release"\n    enabled: true\n');
    expect(text).toContain('1 to create, 2 to update, 1 segment(s) to write, 1 strategy type(s) to define.');
    expect(text).toContain('Not in the file, left alone (--prune archives them): legacy');

    const github = formatDiff(pruned, 'github', { file: 'config/flags.yaml' });
    expect(github).toContain(
      '::warning file=config/flags.yaml,title=flag dark-mode%3A update in Unleash::enabled: true → false%0Atags: [] → ["simple:ui"]',
    );
    expect(github).toContain('title=flag legacy%3A archive in Unleash::legacy is in Unleash');
    const onLines = formatDiff(diff, 'github', {
      file: 'flags.yaml',
      lineOf: (kind, name) => (kind === 'flag' && name === 'pricing' ? 7 : undefined),
    });
    expect(onLines).toContain('::warning file=flags.yaml,line=7,title=flag pricing%3A update in Unleash::');
    expect(onLines).toContain('::warning file=flags.yaml,title=flag dark-mode%3A update in Unleash::');

    const json = JSON.parse(formatDiff(diff, 'json'));
    expect(json).toMatchObject({ project: 'default', environment: 'production', changed: true });
    expect(json.flags).toHaveLength(3);
  });

  it('names what Unleash would store differently: variants out of name order, two parents', () => {
    const desired = stateFromDefinitions(
      compileFlagsFile({
        flags: {
          parent: true,
          other: true,
          copy: { variants: { short: 50, long: 50 }, requires: ['parent', 'other'] },
        },
      }),
    );
    const diff = diffStates(desired, server);
    expect(diff.problems).toEqual([
      'copy variants: Unleash keeps variants sorted by name, which would change who gets which variant; list them in that order: long, short',
      'copy requires other and parent; Unleash keeps one parent per flag, so keep one',
    ]);
    expect(formatDiff(diff, 'github')).toContain('::error title=Unleash cannot store this::copy variants');
  });
});
