// An Unleash export (the environment export of Unleash 4.22+, and the older state export) becomes the
// client-features definitions Unleash would serve for that environment.
import { describe, expect, it } from 'vitest';
import { compileFlags } from '../../src/engine/index.js';
import { FlagsFileError } from '../../src/errors.js';
import { parseFlagsFile } from '../../src/sources/index.js';

/** Shaped as Unleash's exportResultSchema: one environment, segments named without their constraints. */
const environmentExport = {
  features: [
    {
      name: 'new-checkout',
      description: 'One-page checkout',
      type: 'release',
      project: 'shop',
      stale: false,
      impressionData: true,
      archived: false,
    },
    { name: 'old-search', type: 'kill-switch', project: 'default', stale: true, impressionData: false },
    { name: 'beta-banner', type: 'release', project: 'default', stale: false, impressionData: false },
    {
      name: 'gone',
      type: 'release',
      project: 'default',
      stale: false,
      impressionData: false,
      archived: true,
    },
  ],
  featureStrategies: [
    {
      id: 'b2',
      name: 'flexibleRollout',
      featureName: 'new-checkout',
      title: 'Half of the pro plan',
      sortOrder: 1,
      segments: [],
      constraints: [
        { contextName: 'plan', operator: 'IN', values: ['pro'], inverted: false, caseInsensitive: false },
      ],
      parameters: { groupId: 'new-checkout', rollout: '50', stickiness: 'default' },
      variants: [],
      disabled: false,
    },
    {
      id: 'b1',
      name: 'userWithId',
      featureName: 'new-checkout',
      sortOrder: 0,
      segments: [],
      constraints: [],
      parameters: { userIds: 'qa-1,qa-2' },
      disabled: false,
    },
    {
      id: 'b3',
      name: 'default',
      featureName: 'new-checkout',
      sortOrder: 2,
      segments: [],
      constraints: [],
      parameters: {},
      disabled: true,
    },
    {
      id: 'c1',
      name: 'default',
      featureName: 'old-search',
      sortOrder: 0,
      segments: [],
      constraints: [],
      parameters: {},
    },
    {
      id: 'd1',
      name: 'flexibleRollout',
      featureName: 'beta-banner',
      sortOrder: 0,
      segments: [7],
      constraints: [],
      parameters: { groupId: 'beta-banner', rollout: '100', stickiness: 'default' },
    },
  ],
  featureEnvironments: [
    {
      enabled: true,
      featureName: 'new-checkout',
      environment: 'production',
      name: 'new-checkout',
      variants: [
        {
          name: 'blue',
          weight: 500,
          weightType: 'variable',
          stickiness: 'default',
          overrides: [{ contextName: 'userId', values: ['qa-1'] }],
        },
        { name: 'green', weight: 500, weightType: 'variable', stickiness: 'default', overrides: [] },
      ],
    },
    {
      enabled: false,
      featureName: 'old-search',
      environment: 'production',
      name: 'old-search',
      variants: [],
    },
    {
      enabled: true,
      featureName: 'beta-banner',
      environment: 'production',
      name: 'beta-banner',
      variants: [],
    },
  ],
  contextFields: [{ name: 'plan', stickiness: false, sortOrder: 10, legalValues: [] }],
  featureTags: [],
  segments: [{ id: 7, name: 'beta-users' }],
  tagTypes: [{ name: 'simple', description: 'Used to simplify filtering of features', icon: '#' }],
  dependencies: [{ feature: 'beta-banner', dependencies: [{ feature: 'new-checkout', enabled: true }] }],
};

describe('Unleash environment export', () => {
  const parsed = parseFlagsFile(JSON.stringify(environmentExport, null, 2), 'export.json');

  it('is recognised as an export', () => {
    expect(parsed.format).toBe('unleash-export');
  });

  it('orders strategies by sortOrder, drops disabled strategies and archived flags, takes environment settings', () => {
    const [newCheckout, oldSearch, betaBanner, ...rest] = parsed.definitions.features;
    expect(rest).toEqual([]);
    expect(newCheckout).toEqual({
      name: 'new-checkout',
      type: 'release',
      enabled: true,
      project: 'shop',
      stale: false,
      strategies: [
        { name: 'userWithId', constraints: [], parameters: { userIds: 'qa-1,qa-2' }, variants: [] },
        {
          name: 'flexibleRollout',
          constraints: [
            { contextName: 'plan', operator: 'IN', values: ['pro'], inverted: false, caseInsensitive: false },
          ],
          parameters: { groupId: 'new-checkout', rollout: '50', stickiness: 'default' },
          variants: [],
          title: 'Half of the pro plan',
        },
      ],
      variants: environmentExport.featureEnvironments[0].variants,
      description: 'One-page checkout',
      impressionData: true,
    });
    expect(oldSearch).toMatchObject({ name: 'old-search', enabled: false, stale: true });
    expect(betaBanner.strategies?.[0].segments).toEqual([7]);
    expect(betaBanner.dependencies).toEqual([{ feature: 'new-checkout', enabled: true }]);
  });

  it('warns that the export carries segment names without their constraints', () => {
    expect(parsed.definitions.segments).toEqual([{ id: 7, name: 'beta-users' }]);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain('segment 7 "beta-users" has no constraints in this export');
  });

  it('evaluates through the engine', () => {
    const engine = compileFlags(parsed.definitions);
    expect(engine.isEnabled('new-checkout', { userId: 'qa-2' })).toBe(true);
    expect(engine.getVariant('new-checkout', { userId: 'qa-1' }).name).toBe('blue');
    expect(engine.isEnabled('new-checkout', { userId: 'someone', properties: { plan: 'free' } })).toBe(false);
    expect(engine.isEnabled('old-search', {})).toBe(false);
  });
});

/** The older state export: several environments, `strategyName`, and segments linked through their own table. */
const stateExport = {
  version: 1,
  features: [
    { name: 'search-v2', description: '', type: 'release', project: 'default', stale: false, variants: [] },
  ],
  strategies: [{ name: 'default', description: 'On for everyone', parameters: [] }],
  featureStrategies: [
    {
      id: 's-dev',
      featureName: 'search-v2',
      projectId: 'default',
      environment: 'development',
      strategyName: 'default',
      parameters: {},
      constraints: [],
      sortOrder: 0,
    },
    {
      id: 's-prod',
      featureName: 'search-v2',
      projectId: 'default',
      environment: 'production',
      strategyName: 'flexibleRollout',
      parameters: { groupId: 'search-v2', rollout: '10', stickiness: 'userId' },
      constraints: [],
      sortOrder: 0,
    },
  ],
  environments: [{ name: 'development' }, { name: 'production' }],
  featureEnvironments: [
    { enabled: true, featureName: 'search-v2', environment: 'development' },
    { enabled: true, featureName: 'search-v2', environment: 'production' },
  ],
  segments: [
    {
      id: 3,
      name: 'staff',
      constraints: [{ contextName: 'email', operator: 'STR_ENDS_WITH', values: ['@acme.test'] }],
    },
  ],
  featureStrategySegments: [{ featureStrategyId: 's-prod', segmentId: 3 }],
};

describe('Unleash state export', () => {
  it('asks which environment to serve when it holds several', () => {
    let failure: unknown;
    try {
      parseFlagsFile(JSON.stringify(stateExport), 'state.json');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(FlagsFileError);
    expect((failure as Error).message).toContain('several environments (development, production)');
    expect((failure as Error).message).toContain("fileSource(path, { environment: 'development' })");
  });

  it('serves the chosen environment, with strategy names and segment links resolved', () => {
    const { definitions, warnings } = parseFlagsFile(JSON.stringify(stateExport), 'state.json', {
      environment: 'production',
    });
    expect(warnings).toEqual([]);
    expect(definitions.features[0].strategies).toEqual([
      {
        name: 'flexibleRollout',
        constraints: [],
        parameters: { groupId: 'search-v2', rollout: '10', stickiness: 'userId' },
        variants: [],
        segments: [3],
      },
    ]);
    expect(definitions.segments).toEqual([stateExport.segments[0]]);
    const development = parseFlagsFile(JSON.stringify(stateExport), 'state.json', {
      environment: 'development',
    });
    expect(development.definitions.features[0].strategies?.map((s) => s.name)).toEqual(['default']);
  });

  it('names the environments it has when asked for one it does not', () => {
    expect(() =>
      parseFlagsFile(JSON.stringify(stateExport), 'state.json', { environment: 'staging' }),
    ).toThrow(/no environment "staging"; the export has: development, production/);
  });
});
