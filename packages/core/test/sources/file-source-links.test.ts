// fileSource when the flags file is a symlink into another directory, and when the file's directory is deleted
// and made again: on a real file system, with the watches the source sets up (no polling of the file itself).
import { mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryPerTest, summary } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { silentLogger } from '../../src/logger.js';
import { fileSource } from '../../src/sources/index.js';
import type { FlagSource } from '../../src/types.js';

const scratch = directoryPerTest((source: FlagSource) => source.stop());

async function startSource(path: string) {
  const source = fileSource(path, { debounceMs: 20 });
  scratch.open.push(source);
  await source.start({ logger: silentLogger });
  // let the source's own re-read after startup pass, so what follows is seen through the watches only
  await new Promise((resolve) => setTimeout(resolve, 100));
  return source;
}

describe('fileSource: a symlinked flags file', () => {
  async function linkedLayout() {
    await mkdir(join(scratch.dir, 'app'));
    await mkdir(join(scratch.dir, 'config'));
    const real = join(scratch.dir, 'config', 'flags.yaml');
    await writeFile(real, 'flags:\n  a: true\n');
    const link = join(scratch.dir, 'app', 'flags.yaml');
    await symlink(real, link);
    return { real, link };
  }

  it('reloads when the real file in the other directory is edited', async () => {
    const { real, link } = await linkedLayout();
    const source = await startSource(link);
    expect(summary(source)).toEqual(['a:true']);
    await writeFile(real, 'flags:\n  a: false\n');
    await waitFor(() => summary(source).join() === 'a:false', 'the edit of the real file', 2000);
    await writeFile(real, 'flags:\n  b: true\n');
    await waitFor(() => summary(source).join() === 'b:true', 'a second edit', 2000);
  });

  it('goes stale when the real file is deleted and ready again when it is re-created', async () => {
    const { real, link } = await linkedLayout();
    const source = await startSource(link);
    await rm(real);
    await waitFor(() => source.status === 'stale', 'stale after the real file was deleted', 3000);
    expect(summary(source)).toEqual(['a:true']);
    await writeFile(real, 'flags:\n  c: true\n');
    await waitFor(() => summary(source).join() === 'c:true', 'the re-created real file', 3000);
    expect(source.status).toBe('ready');
  });

  it('follows the link when it is swapped to another file, and watches the new target', async () => {
    const { link } = await linkedLayout();
    const source = await startSource(link);
    await mkdir(join(scratch.dir, 'other'));
    const other = join(scratch.dir, 'other', 'flags.yaml');
    await writeFile(other, 'flags:\n  d: true\n');
    await unlink(link);
    await symlink(other, link);
    await waitFor(() => summary(source).join() === 'd:true', 'the new target', 2000);
    await writeFile(other, 'flags:\n  d: false\n');
    await waitFor(() => summary(source).join() === 'd:false', 'an edit of the new target', 2000);
  });
});

describe("fileSource: the file's directory deleted and made again", () => {
  it('goes stale, then reloads once the directory and the file are back, and keeps watching', async () => {
    const config = join(scratch.dir, 'config');
    await mkdir(config);
    const path = join(config, 'flags.yaml');
    await writeFile(path, 'flags:\n  a: true\n');
    const source = await startSource(path);
    await rm(config, { recursive: true });
    await waitFor(() => source.status === 'stale', 'stale after the directory was deleted', 3000);
    expect(summary(source)).toEqual(['a:true']);
    await mkdir(config);
    await writeFile(path, 'flags:\n  b: true\n');
    await waitFor(() => summary(source).join() === 'b:true', 'the file in the new directory', 3000);
    expect(source.status).toBe('ready');
    await writeFile(path, 'flags:\n  b: false\n');
    await waitFor(() => summary(source).join() === 'b:false', 'a later edit in the new directory', 2000);
  });
});
