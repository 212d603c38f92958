// A broken flags file is reported with its path, line and column, and says what to write instead.
import { describe, expect, it } from 'vitest';
import { FlagsFileError } from '../../src/errors.js';
import { parseFlagsFile } from '../../src/sources/index.js';

function errorOf(text: string, path = 'flags.yaml'): FlagsFileError {
  try {
    parseFlagsFile(text, path);
  } catch (error) {
    expect(error).toBeInstanceOf(FlagsFileError);
    return error as FlagsFileError;
  }
  throw new Error('expected the file to be rejected');
}

describe('flags file errors', () => {
  it('names the path, line and column of a bad value, and what it got', () => {
    const error = errorOf(`# flags for the shop
flags:
  dark-mode: true
  holiday-banner: false

  new-pricing:
    rollout: ten
    users: [qa-1, qa-2]
`);
    expect(error.code).toBe('INVALID_FLAGS_FILE');
    expect(error.path).toBe('flags.yaml');
    expect(error.line).toBe(7);
    expect(error.column).toBe(5);
    expect(error.message).toBe(
      'flags.yaml:7:5: new-pricing.rollout must be a number from 0 to 100, got "ten"',
    );
  });

  it('suggests the key a typo meant', () => {
    const error = errorOf('flags:\n  a:\n    rollout: 5\n    stickines: userId\n');
    expect(error.line).toBe(4);
    expect(error.message).toContain('a.stickines is not a known key; did you mean "stickiness"?');
  });

  it.each([
    ['depends: b', 'a.depends', 'requires'],
    ['dependsOn: b', 'a.dependsOn', 'requires'],
    ['depends_on: b', 'a.depends_on', 'requires'],
    ['prerequisites: [b]', 'a.prerequisites', 'requires'],
    ['percentage: 5', 'a.percentage', 'rollout'],
    ['constraints: { plan: [pro] }', 'a.constraints', 'when'],
    ['strategies: []', 'a.strategies', 'rules'],
  ])("suggests the key another tool's word means: %s", (line, path, key) => {
    const error = errorOf(`flags:\n  b: true\n  a:\n    ${line}\n`);
    expect(error.line).toBe(4);
    expect(error.message).toContain(`${path} is not a known key; did you mean "${key}"?`);
  });

  it('suggests only a key the place allows: a flag requires, a variant has no such key', () => {
    const error = errorOf(
      'flags:\n  b: true\n  a:\n    depends: b\n    variants:\n      x: { weight: 50, depends: b }\n      y: 50\n',
    );
    expect(error.message).toContain('a.depends is not a known key; did you mean "requires"?');
    expect(error.message).toContain(
      'a.variants.x.depends is not a known key; expected one of: weight, payload',
    );
  });

  it('lists every problem, each with its line', () => {
    const error = errorOf(`flags:
  a: 3
  b:
    variants: { x: 30, y: 30 }
  c:
    when: { appVersion: { semver_gt: 2 } }
`);
    expect(error.line).toBe(2);
    expect(error.message).toContain('flags.yaml:2:3: a must be true, false or a flag object');
    expect(error.message).toContain('flags.yaml:4:5: b.variants weights add up to 60%, not 100%');
    expect(error.message).toContain(
      'flags.yaml:6:27: c.when.appVersion.semver_gt must be a semantic version with all three parts, such as 2.0.0 (SEMVER_GT), got 2',
    );
  });

  it('reports a typo and a bad value in the same flag together', () => {
    const error = errorOf('flags:\n  a:\n    rolout: 10\n    when: { age: { gt: old } }\n');
    expect(error.line).toBe(3);
    expect(error.message).toContain('a.rolout is not a known key; did you mean "rollout"?');
    expect(error.message).toContain('flags.yaml:4:20: a.when.age.gt must be a number');
  });

  it.each([
    ['an unknown operator', 'when: { plan: { bigger: 3 } }', 'plan.bigger is not a known key'],
    [
      'a non-numeric NUM operand',
      'when: { age: { gt: old } }',
      'age.gt must be a number (NUM_GT compares numbers',
    ],
    [
      'a bad date',
      'when: { currentTime: { after: someday } }',
      'must be a date and time such as 2026-12-24T00:00:00Z',
    ],
    ['a bad regex', 'when: { userId: { regex: "(" } }', 'userId.regex is not a valid RE2 regular expression'],
    ['an empty list', 'when: { plan: [] }', 'plan must list at least one value'],
    ['an unknown segment', 'segments: [nope]', 'names segment "nope", which is not defined'],
    ['weights over 100', 'variants: { a: 80, b: 30 }', 'weights add up to 110%, more than 100%'],
    [
      'weights finer than 0.1',
      'variants: { a: 33.33, b: null }',
      'must be a percent from 0 to 100 in steps of 0.1',
    ],
    ['a decimal rollout', 'rollout: 12.5', 'must be a whole number from 0 to 100'],
    ['a self dependency', 'requires: f', 'names the flag itself'],
    [
      'variants of a parent that must be off',
      'requires: { flag: g, enabled: false, variants: [a] }',
      'variants only apply',
    ],
    [
      'rules next to a top-level rollout',
      'rollout: 5\n    rules: [{ rollout: 1 }]',
      'has both rules: and rollout',
    ],
    ['variant and variants', 'variant: a\n    variants: [a, b]', 'has both variant: and variants:'],
    [
      'overrides inside a rule',
      'rules: [{ variants: { a: { users: [x] } } }]',
      'cannot have users/overrides inside a rule',
    ],
  ])('rejects %s', (_case, body, expected) => {
    const error = errorOf(`flags:\n  f:\n    ${body}\n`);
    expect(error.message).toContain(expected);
    expect(error.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects a chain of dependencies, which Unleash does not allow', () => {
    const error = errorOf('flags:\n  a: true\n  b: { requires: a }\n  c:\n    requires: b\n');
    expect(error.line).toBe(5);
    expect(error.message).toContain('c.requires names "b", which requires another flag itself');
  });

  it('explains the usual reasons a flag reads as text', () => {
    expect(errorOf('flags:\n  a: yes\n').message).toContain(
      'write true or false (YAML 1.2 reads yes/no/on/off as text)',
    );
    expect(errorOf('flags:\n  a:\n    rollout:10\n').message).toContain('put a space after the colon');
  });

  it('rejects a flag name Unleash would not accept, pointing at the name', () => {
    const error = errorOf('flags:\n  ok: true\n  "new pricing": true\n');
    expect(error.line).toBe(3);
    expect(error.message).toContain('flag name "new pricing" is not valid');
  });

  it('reports YAML syntax errors with their line', () => {
    const duplicate = errorOf('flags:\n  a: true\n  a: false\n');
    expect(duplicate.line).toBe(3);
    expect(duplicate.message).toMatch(/^flags\.yaml:3:\d+: YAML syntax: .*unique/);
    expect(errorOf('flags:\n  a: [1, 2\n').message).toContain('YAML syntax');
  });

  it('reports JSON syntax and content errors with their line', () => {
    const syntax = errorOf('{\n  "flags": {\n    "a": true,\n  }\n}\n', 'flags.json');
    expect(syntax.message).toMatch(/^flags\.json:4:3: JSON syntax/);
    const content = errorOf('{\n  "flags": {\n    "a": { "rollout": "ten" }\n  }\n}\n', 'flags.json');
    expect(content.message).toBe('flags.json:3:12: a.rollout must be a number from 0 to 100, got "ten"');
  });

  it('explains an empty file and a file that is not a flags file', () => {
    expect(errorOf('  \n').message).toContain('the file is empty');
    expect(errorOf('name: my-app\nversion: 3\n').message).toContain(
      'the file is not a flags document: expected `flags:`',
    );
  });

  it('checks Unleash client features at the payload level only', () => {
    expect(errorOf('{ "version": 2, "features": {} }', 'features.json').message).toContain(
      'features must be a list of flag definitions',
    );
    const duplicate = errorOf(
      '{"version":2,"features":[\n{"name":"a","enabled":true},\n{"name":"a","enabled":false}]}',
      'f.json',
    );
    expect(duplicate.line).toBe(3);
    expect(duplicate.message).toContain('repeats flag "a"');
    // One odd flag is the engine's to report by name; the file still loads.
    const { definitions } = parseFlagsFile(
      JSON.stringify({
        version: 2,
        features: [
          { name: 'odd', enabled: 'maybe', strategies: 'x' },
          { name: 'ok', enabled: true, strategies: [] },
        ],
      }),
      'f.json',
    );
    expect(definitions.features.map((f) => f.name)).toEqual(['odd', 'ok']);
  });
});
