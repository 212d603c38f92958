// The sources as the client uses them: createFlags() over a watched file and over memorySource.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { directoryPerTest } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { createFlags } from '../../src/client/flags-client.js';
import { FlagsFileError } from '../../src/errors.js';
import type { FlagsChange } from '../../src/snapshot/definitions-diff.js';
import { fileSource, memorySource } from '../../src/sources/index.js';

const scratch = directoryPerTest((client: { close(): Promise<void> }) => client.close());

describe('createFlags over a flags file', () => {
  it('answers from the file, follows edits, and keeps the last good flags through a bad edit', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  new-pricing:\n    rollout: 0\n    users: [qa-1]\n');
    const flags = createFlags({ source: fileSource(path) });
    scratch.open.push(flags);
    const changes: FlagsChange[] = [];
    const errors: Error[] = [];
    flags.on('changed', (change) => changes.push(change));
    flags.on('error', (error) => errors.push(error));
    await flags.ready({ timeoutMs: 5000 });
    expect(flags.isEnabled('new-pricing', { userId: 'qa-1' })).toBe(true);
    expect(flags.isEnabled('new-pricing', { userId: 'someone' })).toBe(false);

    await writeFile(path, 'flags:\n  new-pricing:\n    rollout: 100\n    users: [qa-1]\n');
    await waitFor(() => flags.isEnabled('new-pricing', { userId: 'someone' }), 'rollout raised to 100');
    expect(changes).toEqual([
      {
        added: [],
        removed: [],
        changed: ['new-pricing'],
        flags: [
          {
            flag: 'new-pricing',
            kind: 'changed',
            changes: [expect.objectContaining({ before: '0', after: '100', text: 'rollout 0 → 100' })],
          },
        ],
      },
    ]);

    await writeFile(path, 'flags:\n  new-pricing:\n    rollout: all\n');
    await waitFor(() => flags.status === 'stale', 'client stale', 2000);
    expect(errors.at(-1)).toBeInstanceOf(FlagsFileError);
    expect((errors.at(-1) as FlagsFileError).line).toBe(3);
    expect(flags.isEnabled('new-pricing', { userId: 'someone' })).toBe(true);
  });

  it('logs each load of the file once, with the count of its flags', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  a: true\n');
    const { logger, lines } = recordingLogger();
    const flags = createFlags({ source: fileSource(path, { debounceMs: 20 }), logger });
    scratch.open.push(flags);
    await flags.ready({ timeoutMs: 5000 });
    await writeFile(path, 'flags:\n  a: true\n  b: true\n');
    await waitFor(() => flags.isEnabled('b'), 'the reload', 2000);
    expect(lines.map((line) => `${line.level} ${line.message}`)).toEqual([
      `info flagwise: 1 flag loaded from file:${path}`,
      `debug flagwise: 2 flags reloaded from file:${path}`,
    ]);
  });

  it('fails ready() with the file error when the file is invalid at startup', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  a: yes please\n');
    const flags = createFlags({ source: fileSource(path) });
    scratch.open.push(flags);
    flags.on('error', () => {});
    await expect(flags.ready({ timeoutMs: 5000 })).rejects.toThrow(
      `${path}:2:3: a must be true, false or a flag object`,
    );
  });

  it('loads the file once it is valid after an invalid start, as after an invalid write, and says so once', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  a: yes please\n');
    const { logger, lines } = recordingLogger();
    const flags = createFlags({ source: fileSource(path, { debounceMs: 20 }), logger });
    scratch.open.push(flags);
    const ready = new Promise<void>((resolve) => flags.once('ready', resolve));
    const errors: Error[] = [];
    flags.on('error', (error) => errors.push(error));
    await expect(flags.ready({ timeoutMs: 5000 })).rejects.toThrow(`${path}:2:3:`);
    expect(flags.status).toBe('failed');

    // Another invalid write: reported once, still failed (there are no last good flags to be stale on).
    await writeFile(path, 'flags:\n  a: true\n  b: [\n');
    await waitFor(() => errors.length === 2, 'the second error', 2000);
    expect(flags.status).toBe('failed');
    expect(flags.isEnabled('a')).toBe(false);

    await writeFile(path, 'flags:\n  a: true\n  b: false\n');
    await ready;
    expect(flags.status).toBe('ready');
    expect(flags.isEnabled('a')).toBe(true);
    await flags.ready({ timeoutMs: 100 });
    expect(messagesAt(lines, 'error')).toHaveLength(2);
    expect(messagesAt(lines, 'warn')).toEqual([]);
    expect(messagesAt(lines, 'info')).toEqual([`flagwise: file:${path} recovered: 2 flags loaded`]);
  });

  it('loads a flags file created after a start that found none', async () => {
    const path = join(scratch.dir, 'later', 'flags.yaml');
    const flags = createFlags({ source: fileSource(path, { debounceMs: 20 }), logger: false });
    scratch.open.push(flags);
    await expect(flags.ready({ timeoutMs: 5000 })).rejects.toMatchObject({ code: 'FLAGS_FILE_NOT_FOUND' });
    await mkdir(join(scratch.dir, 'later'));
    await writeFile(path, 'flags:\n  a: true\n');
    await waitFor(() => flags.isReady, 'the flags loaded', 3000);
    expect(flags.isEnabled('a')).toBe(true);
    expect(flags.status).toBe('ready');
  });
});

describe('createFlags over memorySource', () => {
  it('sees set() on the next evaluation', async () => {
    const source = memorySource({ flags: { 'new-pricing': false } });
    const flags = createFlags({ source });
    scratch.open.push(flags);
    await flags.ready({ timeoutMs: 1000 });
    expect(flags.isEnabled('new-pricing')).toBe(false);
    source.set('new-pricing', true);
    expect(flags.isEnabled('new-pricing')).toBe(true);
    source.set('checkout-copy', { variant: 'short' });
    expect(flags.getVariant('checkout-copy', { userId: 'u1' }).name).toBe('short');
    source.reset();
    expect(flags.isEnabled('new-pricing')).toBe(false);
  });
});
