// Keys JavaScript objects treat specially, in real files read by fileSource: `__proto__` and a JSON key written
// twice are errors with their line and column instead of silently lost flags; an operator named like an
// Object.prototype member is an unknown key, not an inherited function.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlagsFileError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { fileSource } from '../../src/sources/index.js';
import { temporaryDirectory } from '../sources/helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await temporaryDirectory());
});
afterEach(() => remove());

async function startError(name: string, text: string): Promise<FlagsFileError> {
  const path = join(dir, name);
  await writeFile(path, text);
  const source = fileSource(path, { watch: false });
  const failure = await source.start({ logger: silentLogger }).then(
    () => undefined,
    (error: unknown) => error,
  );
  await source.stop();
  expect(failure).toBeInstanceOf(FlagsFileError);
  return failure as FlagsFileError;
}

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
