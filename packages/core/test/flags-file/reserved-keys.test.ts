import { describe, expect, it } from 'vitest';
import { directoryPerTest, fileStartFlagsError } from '../../../../test/support/sources.js';

const scratch = directoryPerTest();

const startError = (name: string, text: string) => fileStartFlagsError(scratch.dir, name, text);

describe('reserved and repeated keys in a flags file', () => {
  it('rejects __proto__ as a flag name in YAML with its line and column', async () => {
    const error = await startError('flags.yaml', 'flags:\n  dark-mode: true\n  __proto__: true\n');
    expect([error.line, error.column]).toEqual([3, 3]);
    expect(error.message).toContain('"__proto__" cannot be a name');
  });

  it('rejects __proto__ as a flag name in JSON with its line and column', async () => {
    const error = await startError('flags.json', '{\n  "flags": {\n    "__proto__": true\n  }\n}\n');
    expect([error.line, error.column]).toEqual([3, 5]);
  });

  it('rejects a key written twice in JSON with the line of the second', async () => {
    const error = await startError(
      'flags.json',
      '{\n  "flags": {\n    "dark-mode": true,\n    "dark-mode": false\n  }\n}\n',
    );
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/flags\.json:4:5: JSON: .*unique/);
  });

  it('treats an operator named constructor as an unknown key', async () => {
    const error = await startError(
      'flags.yaml',
      'flags:\n  beta:\n    when:\n      plan:\n        constructor: [pro]\n',
    );
    expect(error.line).toBe(5);
    expect(error.message).toContain('constructor is not a known key');
  });
});
