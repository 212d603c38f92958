// Each form of the short format compiles to the definition Unleash itself would serve for that flag.
import { describe, expect, it } from 'vitest';
import { compileFlagsFile, parseFlagsFile } from '../../src/sources/index.js';
import type { FeatureDefinition } from '../../src/types.js';

function compileYaml(text: string) {
  return parseFlagsFile(text, 'flags.yaml');
}

function flag(text: string, name: string): FeatureDefinition {
  const feature = compileYaml(text).definitions.features.find((f) => f.name === name);
  if (!feature) throw new Error(`no flag ${name}`);
  return feature;
}

const everyone = (groupId: string) => ({
  name: 'flexibleRollout',
  constraints: [],
  parameters: { groupId, rollout: '100', stickiness: 'default' },
  variants: [],
  shorthand: { key: 'rollout' },
});

describe('short format: on, off and percentages', () => {
  it('compiles flags that are on, off, and on for a percentage', () => {
    const { definitions, format } = compileYaml(`
flags:
  dark-mode: true                          # on for everyone
  holiday-banner: false
  new-pricing:
    rollout: 10                            # percent, sticky per user
    users: [qa-1, qa-2]                    # always on for these users
    when: { plan: [pro, enterprise], environment: { not: [production] } }
  checkout-copy:
    variants: { control: 50, short: 50 }   # A/B, payloads optional
`);
    expect(format).toBe('short');
    expect(definitions.version).toBe(2);
    expect(definitions.features.map((f) => f.name)).toEqual([
      'dark-mode',
      'holiday-banner',
      'new-pricing',
      'checkout-copy',
    ]);
    const [darkMode, holidayBanner, newPricing, checkoutCopy] = definitions.features;
    expect(darkMode).toEqual({
      name: 'dark-mode',
      type: 'release',
      enabled: true,
      project: 'default',
      stale: false,
      strategies: [everyone('dark-mode')],
      variants: [],
      description: null,
      impressionData: false,
    });
    expect(holidayBanner.enabled).toBe(false);
    expect(holidayBanner.strategies).toEqual([]);
    expect(newPricing.enabled).toBe(true);
    expect(newPricing.strategies).toEqual([
      {
        name: 'userWithId',
        constraints: [],
        parameters: { userIds: 'qa-1,qa-2' },
        variants: [],
        shorthand: { key: 'users' },
      },
      {
        name: 'flexibleRollout',
        constraints: [
          {
            contextName: 'plan',
            operator: 'IN',
            values: ['pro', 'enterprise'],
            inverted: false,
            caseInsensitive: false,
          },
          {
            contextName: 'environment',
            operator: 'NOT_IN',
            values: ['production'],
            inverted: false,
            caseInsensitive: false,
          },
        ],
        parameters: { groupId: 'new-pricing', rollout: '10', stickiness: 'default' },
        variants: [],
        shorthand: { key: 'rollout' },
      },
    ]);
    expect(checkoutCopy.strategies).toEqual([everyone('checkout-copy')]);
    expect(checkoutCopy.variants).toEqual([
      { name: 'control', weight: 500, weightType: 'variable', stickiness: 'default', overrides: [] },
      { name: 'short', weight: 500, weightType: 'variable', stickiness: 'default', overrides: [] },
    ]);
  });

  it('takes a selectable stickiness and groupId, and rollout 0', () => {
    const feature = flag(
      'flags:\n  by-session:\n    rollout: 0\n    stickiness: sessionId\n    groupId: shared-group\n',
      'by-session',
    );
    expect(feature.strategies).toEqual([
      {
        name: 'flexibleRollout',
        constraints: [],
        parameters: { groupId: 'shared-group', rollout: '0', stickiness: 'sessionId' },
        variants: [],
        shorthand: { key: 'rollout' },
      },
    ]);
  });

  it('lists only the users strategy when a flag names users and nothing else', () => {
    const feature = flag('flags:\n  qa-only:\n    users: [qa-1, 42]\n', 'qa-only');
    expect(feature.strategies).toEqual([
      {
        name: 'userWithId',
        constraints: [],
        parameters: { userIds: 'qa-1,42' },
        variants: [],
        shorthand: { key: 'users' },
      },
    ]);
  });

  it('keeps the rules of a flag that is switched off', () => {
    const feature = flag('flags:\n  paused:\n    enabled: false\n    rollout: 30\n', 'paused');
    expect(feature.enabled).toBe(false);
    expect(feature.strategies?.[0].parameters).toEqual({
      groupId: 'paused',
      rollout: '30',
      stickiness: 'default',
    });
  });

  it('carries description, type, impression data, and browser visibility', () => {
    const feature = flag(
      `flags:
  new-checkout:
    description: The one-page checkout
    type: experiment
    impressionData: true
    browser: true
`,
      'new-checkout',
    );
    expect(feature).toMatchObject({
      description: 'The one-page checkout',
      type: 'experiment',
      impressionData: true,
      browser: true,
    });
    expect(flag('flags:\n  hidden: { rollout: 5 }\n', 'hidden').browser).toBeUndefined();
  });
});

describe('short format: conditions', () => {
  const constraintsOf = (when: string) =>
    flag(`flags:\n  f:\n    when: ${when}\n`, 'f').strategies?.at(-1)?.constraints ?? [];

  it('writes a value or a list as IN, with numbers and booleans as text', () => {
    expect(constraintsOf('{ plan: pro, tier: [1, 2], beta: true }')).toEqual([
      { contextName: 'plan', operator: 'IN', values: ['pro'], inverted: false, caseInsensitive: false },
      { contextName: 'tier', operator: 'IN', values: ['1', '2'], inverted: false, caseInsensitive: false },
      { contextName: 'beta', operator: 'IN', values: ['true'], inverted: false, caseInsensitive: false },
    ]);
  });

  it('maps every short operator to its Unleash operator', () => {
    const constraints = constraintsOf(`
      email: { contains: [beta], starts_with: qa-, ends_with: [.test], case_insensitive: true }
      age: { eq: 30, gt: 17, gte: 18, lt: 65, lte: 64 }
      currentTime: { after: "2026-01-01T00:00:00Z", before: "2026-12-31T23:59:59Z" }
      appVersion: { semver_eq: 2.0.0, semver_gt: 1.9.9, semver_lt: 3.0.0-beta.1 }
      country: { in: [NO, SE], not_in: [DK] }
      environment: { not: [production] }
      userId: { regex: "^qa-[0-9]+$" }`);
    const list = (contextName: string, operator: string, values: string[], caseInsensitive = false) => ({
      contextName,
      operator,
      values,
      inverted: false,
      caseInsensitive,
    });
    const single = (contextName: string, operator: string, value: string) => ({
      contextName,
      operator,
      value,
      values: [],
      inverted: false,
      caseInsensitive: false,
    });
    expect(constraints).toEqual([
      list('email', 'STR_CONTAINS', ['beta'], true),
      list('email', 'STR_STARTS_WITH', ['qa-'], true),
      list('email', 'STR_ENDS_WITH', ['.test'], true),
      single('age', 'NUM_EQ', '30'),
      single('age', 'NUM_GT', '17'),
      single('age', 'NUM_GTE', '18'),
      single('age', 'NUM_LT', '65'),
      single('age', 'NUM_LTE', '64'),
      single('currentTime', 'DATE_AFTER', '2026-01-01T00:00:00Z'),
      single('currentTime', 'DATE_BEFORE', '2026-12-31T23:59:59Z'),
      single('appVersion', 'SEMVER_EQ', '2.0.0'),
      single('appVersion', 'SEMVER_GT', '1.9.9'),
      single('appVersion', 'SEMVER_LT', '3.0.0-beta.1'),
      list('country', 'IN', ['NO', 'SE']),
      list('country', 'NOT_IN', ['DK']),
      list('environment', 'NOT_IN', ['production']),
      single('userId', 'REGEX', '^qa-[0-9]+$'),
    ]);
  });

  it('accepts Unleash operator names in either case, and inverted', () => {
    expect(constraintsOf('{ plan: { STR_CONTAINS: [pro], inverted: true }, age: { num_gt: 20 } }')).toEqual([
      {
        contextName: 'plan',
        operator: 'STR_CONTAINS',
        values: ['pro'],
        inverted: true,
        caseInsensitive: false,
      },
      {
        contextName: 'age',
        operator: 'NUM_GT',
        value: '20',
        values: [],
        inverted: false,
        caseInsensitive: false,
      },
    ]);
  });

  it('passes the raw Unleash constraint list through', () => {
    const raw = constraintsOf(
      '[{ contextName: tenant, operator: IN, values: [acme] }, { contextName: score, operator: NUM_GTE, value: 5, inverted: true }]',
    );
    expect(raw).toEqual([
      { contextName: 'tenant', operator: 'IN', values: ['acme'], inverted: false, caseInsensitive: false },
      {
        contextName: 'score',
        operator: 'NUM_GTE',
        value: '5',
        values: [],
        inverted: true,
        caseInsensitive: false,
      },
    ]);
  });
});

describe('short format: segments', () => {
  it('numbers named segments and references them by id', () => {
    const { definitions } = compileYaml(`
segments:
  internal: { email: { ends_with: ["@acme.test"] } }
  beta-testers: [{ contextName: plan, operator: IN, values: [beta] }]
flags:
  new-search:
    rollout: 50
    segments: [beta-testers, internal]
  admin-tools:
    segments: internal
`);
    expect(definitions.segments).toEqual([
      {
        id: 1,
        name: 'internal',
        constraints: [
          {
            contextName: 'email',
            operator: 'STR_ENDS_WITH',
            values: ['@acme.test'],
            inverted: false,
            caseInsensitive: false,
          },
        ],
      },
      {
        id: 2,
        name: 'beta-testers',
        constraints: [
          { contextName: 'plan', operator: 'IN', values: ['beta'], inverted: false, caseInsensitive: false },
        ],
      },
    ]);
    const [newSearch, adminTools] = definitions.features;
    // Unleash sends a strategy's segment ids in ascending order.
    expect(newSearch.strategies?.[0].segments).toEqual([1, 2]);
    expect(adminTools.strategies?.[0].segments).toEqual([1]);
  });
});

describe('short format: variants', () => {
  const variantsOf = (variants: string, extra = '') =>
    flag(`flags:\n  f:\n    variants: ${variants}\n${extra}`, 'f').variants;

  it('splits a list of names evenly, the way Unleash rounds (total 1000)', () => {
    const variants = variantsOf('[red, green, blue]') ?? [];
    expect(variants.map((v) => v.weight)).toEqual([333, 334, 333]);
    expect(variants.map((v) => v.weightType)).toEqual(['variable', 'variable', 'variable']);
  });

  it('fixes explicit weights and lets the others share the rest', () => {
    const variants = variantsOf('{ big: 70, a: null, b: {}, c: { payload: hi } }') ?? [];
    expect(variants.map((v) => [v.name, v.weight, v.weightType])).toEqual([
      ['big', 700, 'fix'],
      ['a', 100, 'variable'],
      ['b', 100, 'variable'],
      ['c', 100, 'variable'],
    ]);
  });

  it('supports tenths of a percent', () => {
    expect((variantsOf('{ a: 33.3, b: 66.7 }') ?? []).map((v) => v.weight)).toEqual([333, 667]);
  });

  it('compiles payloads and per-user and per-field overrides (a split that adds up stays variable)', () => {
    const variants = variantsOf(
      `
      control: 50
      short:
        weight: 50
        payload: { headline: Buy now, size: 2 }
        users: [qa-1]
        overrides: { tenant: [acme, globex] }
      text: { weight: 0, payload: Hello }
      count: { weight: 0, payload: 3 }
      list: { weight: 0, payload: [1, 2] }
      csv: { weight: 0, payload: { type: csv, value: "a,b" } }`,
      '    stickiness: sessionId\n',
    );
    expect(variants).toEqual([
      { name: 'control', weight: 500, weightType: 'variable', stickiness: 'sessionId', overrides: [] },
      {
        name: 'short',
        weight: 500,
        weightType: 'variable',
        stickiness: 'sessionId',
        payload: { type: 'json', value: '{"headline":"Buy now","size":2}' },
        overrides: [
          { contextName: 'userId', values: ['qa-1'] },
          { contextName: 'tenant', values: ['acme', 'globex'] },
        ],
      },
      {
        name: 'text',
        weight: 0,
        weightType: 'variable',
        stickiness: 'sessionId',
        payload: { type: 'string', value: 'Hello' },
        overrides: [],
      },
      {
        name: 'count',
        weight: 0,
        weightType: 'variable',
        stickiness: 'sessionId',
        payload: { type: 'number', value: '3' },
        overrides: [],
      },
      {
        name: 'list',
        weight: 0,
        weightType: 'variable',
        stickiness: 'sessionId',
        payload: { type: 'json', value: '[1,2]' },
        overrides: [],
      },
      {
        name: 'csv',
        weight: 0,
        weightType: 'variable',
        stickiness: 'sessionId',
        payload: { type: 'csv', value: 'a,b' },
        overrides: [],
      },
    ]);
  });

  it('reads `variant: name` as one variant for everyone', () => {
    expect(flag('flags:\n  f: { variant: short }\n', 'f').variants).toEqual([
      { name: 'short', weight: 1000, weightType: 'variable', stickiness: 'default', overrides: [] },
    ]);
  });
});

describe('short format: rules, dependencies', () => {
  it('compiles rules to strategies in order, after the users strategy', () => {
    const feature = flag(
      `flags:
  launch:
    users: [ceo]
    rules:
      - { when: { country: [NO] }, rollout: 100, title: Norway }
      - { rollout: 5, stickiness: userId, variants: { a: 50, b: 50 } }
      - { strategy: remoteAddress, parameters: { IPs: 10.0.0.1 }, when: { environment: [staging] } }
      - { users: [cto, 7] }
`,
      'launch',
    );
    // Each keeps how the file wrote it (rules numbered from 1), for explanations in the file's words.
    expect(feature.strategies).toEqual([
      {
        name: 'userWithId',
        constraints: [],
        parameters: { userIds: 'ceo' },
        variants: [],
        shorthand: { key: 'users' },
      },
      {
        name: 'flexibleRollout',
        constraints: [
          { contextName: 'country', operator: 'IN', values: ['NO'], inverted: false, caseInsensitive: false },
        ],
        parameters: { groupId: 'launch', rollout: '100', stickiness: 'default' },
        variants: [],
        title: 'Norway',
        shorthand: { key: 'rollout', rule: 1 },
      },
      {
        name: 'flexibleRollout',
        constraints: [],
        parameters: { groupId: 'launch', rollout: '5', stickiness: 'userId' },
        variants: [
          { name: 'a', weight: 500, weightType: 'variable', stickiness: 'userId' },
          { name: 'b', weight: 500, weightType: 'variable', stickiness: 'userId' },
        ],
        shorthand: { key: 'rollout', rule: 2 },
      },
      {
        name: 'remoteAddress',
        constraints: [
          {
            contextName: 'environment',
            operator: 'IN',
            values: ['staging'],
            inverted: false,
            caseInsensitive: false,
          },
        ],
        parameters: { IPs: '10.0.0.1' },
        variants: [],
        shorthand: { key: 'strategy', rule: 3 },
      },
      {
        name: 'userWithId',
        constraints: [],
        parameters: { userIds: 'cto,7' },
        variants: [],
        shorthand: { key: 'users', rule: 4 },
      },
    ]);
  });

  it('compiles requires in all three forms', () => {
    const { definitions, warnings } = compileYaml(`
flags:
  payments: true
  theme: { variants: [blue, green] }
  legacy: false
  one: { requires: payments }
  two: { requires: { flag: theme, variants: blue } }
  three: { requires: [payments, { flag: legacy, enabled: false }, { flag: theme, variants: [blue, green] }] }
`);
    const byName = new Map(definitions.features.map((f) => [f.name, f]));
    expect(byName.get('one')?.dependencies).toEqual([{ feature: 'payments', enabled: true, variants: [] }]);
    expect(byName.get('two')?.dependencies).toEqual([
      { feature: 'theme', enabled: true, variants: ['blue'] },
    ]);
    expect(byName.get('three')?.dependencies).toEqual([
      { feature: 'payments', enabled: true, variants: [] },
      { feature: 'legacy', enabled: false },
      { feature: 'theme', enabled: true, variants: ['blue', 'green'] },
    ]);
    expect(byName.get('payments')?.dependencies).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('warns when a flag requires one the file does not define, and still loads it', () => {
    const { definitions, warnings } = compileYaml('flags:\n  child: { requires: missing-parent }\n');
    expect(definitions.features[0].dependencies).toEqual([
      { feature: 'missing-parent', enabled: true, variants: [] },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('missing-parent');
  });
});

describe('short format as an object and as JSON', () => {
  it('compiles the same definitions from YAML, JSON text and an object', () => {
    const spec = {
      flags: { 'new-pricing': { rollout: 10, users: ['qa-1'], when: { plan: ['pro'] } }, 'dark-mode': true },
    };
    const fromObject = compileFlagsFile(spec);
    const fromJson = parseFlagsFile(JSON.stringify(spec), 'flags.json').definitions;
    const fromYaml = compileYaml(
      'flags:\n  new-pricing: { rollout: 10, users: [qa-1], when: { plan: [pro] } }\n  dark-mode: true\n',
    ).definitions;
    expect(fromJson).toEqual(fromObject);
    expect(fromYaml).toEqual(fromObject);
  });

  it('shares settings through YAML anchors and merge keys', () => {
    const { definitions } = compileYaml(`
flags:
  pricing-a: &pro-only
    rollout: 20
    when: { plan: [pro] }
  pricing-b:
    <<: *pro-only
    rollout: 40
`);
    const [a, b] = definitions.features;
    expect(b.strategies?.[0].constraints).toEqual(a.strategies?.[0].constraints);
    expect(b.strategies?.[0].parameters?.rollout).toBe('40');
  });

  it('reads files that start with a byte order mark', () => {
    const withBom = '\ufeff{ "flags": { "a": true } }';
    expect(parseFlagsFile(withBom, 'flags.json').definitions.features[0].name).toBe('a');
    expect(parseFlagsFile('\ufeffflags:\n  a: true\n', 'flags.yaml').definitions.features[0].name).toBe('a');
  });

  it('reads `flags:` with nothing under it as no flags', () => {
    expect(compileYaml('flags:\n').definitions.features).toEqual([]);
  });
});

describe('short format: variant stickiness and tags', () => {
  it('lets one variant name its own stickiness', () => {
    const feature = flag(
      `
flags:
  copy:
    stickiness: userId
    variants: { a: 50, b: { weight: 50, stickiness: tenant } }
`,
      'copy',
    );
    expect(feature.variants?.map((v) => [v.name, v.stickiness])).toEqual([
      ['a', 'userId'],
      ['b', 'tenant'],
    ]);
  });

  it('carries tags as Unleash writes them, and rejects a tag without a type', () => {
    const feature = flag('flags:\n  copy: { tags: ["simple:checkout", "team:a:b"] }\n', 'copy');
    expect(feature.tags).toEqual([
      { type: 'simple', value: 'checkout' },
      { type: 'team', value: 'a:b' },
    ]);
    expect(() => compileYaml('flags:\n  copy: { tags: [checkout] }\n')).toThrow(/type:value/);
  });
});

describe('short format: a flag in Unleash’s own shape', () => {
  it('takes strategies as Unleash sends them, with segments by name', () => {
    const { definitions } = compileYaml(`
segments:
  staff: { email: { ends_with: ["@acme.test"] } }
flags:
  odd:
    tags: [simple:legacy]
    unleash:
      enabled: false
      type: operational
      strategies:
        - name: flexibleRollout
          parameters: { rollout: "30", stickiness: default, groupId: odd }
          constraints: [{ contextName: plan, operator: IN, values: [] }]
          segments: [staff]
`);
    const odd = definitions.features[0];
    expect(odd).toMatchObject({ name: 'odd', enabled: false, type: 'operational' });
    expect(odd.strategies?.[0]).toEqual({
      name: 'flexibleRollout',
      parameters: { rollout: '30', stickiness: 'default', groupId: 'odd' },
      constraints: [{ contextName: 'plan', operator: 'IN', values: [] }],
      segments: [1],
    });
    expect(odd.tags).toEqual([{ type: 'simple', value: 'legacy' }]);
  });

  it('says which key does not belong next to unleash:', () => {
    expect(() => compileYaml('flags:\n  odd: { rollout: 5, unleash: {} }\n')).toThrow(/rollout/);
    expect(() =>
      compileYaml('flags:\n  odd: { unleash: { strategies: [{ name: x, segments: [nope] }] } }\n'),
    ).toThrow(/segment "nope"/);
  });
});
