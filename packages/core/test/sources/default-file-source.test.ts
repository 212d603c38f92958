// createFlags() without a source looks for flags.yaml, flags.yml or flags.json in the working directory.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryPerTest, summary } from '../../../../test/support/sources.js';
import { FlagsFileError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { defaultFileSource } from '../../src/sources/index.js';

const scratch = directoryPerTest();

describe('defaultFileSource', () => {
  it('takes flags.yaml before flags.yml and flags.json', async () => {
    await writeFile(join(scratch.dir, 'flags.json'), '{ "flags": { "from-json": true } }');
    await writeFile(join(scratch.dir, 'flags.yml'), 'flags:\n  from-yml: true\n');
    await writeFile(join(scratch.dir, 'flags.yaml'), 'flags:\n  from-yaml: true\n');
    const source = defaultFileSource(scratch.dir, { watch: false });
    expect(source.name).toBe(`file:${join(scratch.dir, 'flags.yaml')}`);
    await source.start({ logger: silentLogger });
    expect(summary(source)).toEqual(['from-yaml:true']);
    await source.stop();
  });

  it('falls back to flags.yml, then flags.json', async () => {
    await writeFile(join(scratch.dir, 'flags.json'), '{ "flags": { "from-json": true } }');
    expect(defaultFileSource(scratch.dir).name).toBe(`file:${join(scratch.dir, 'flags.json')}`);
    await writeFile(join(scratch.dir, 'flags.yml'), 'flags:\n  from-yml: true\n');
    expect(defaultFileSource(scratch.dir).name).toBe(`file:${join(scratch.dir, 'flags.yml')}`);
  });

  it('says that none exists, where it looked, and how to fix it', () => {
    let failure: unknown;
    try {
      defaultFileSource(scratch.dir);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(FlagsFileError);
    const error = failure as FlagsFileError;
    expect(error.code).toBe('FLAGS_FILE_NOT_FOUND');
    expect(error.path).toBe(scratch.dir);
    for (const name of ['flags.yaml', 'flags.yml', 'flags.json'])
      expect(error.message).toContain(join(scratch.dir, name));
    expect(error.message).toContain('Create flags.yaml');
    expect(error.message).toContain('dark-mode: true');
    expect(error.message).toContain('source:');
  });
});
