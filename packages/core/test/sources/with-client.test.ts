// The sources as the client uses them: createFlags() over a watched file and over memorySource.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { createFlags } from '../../src/client/flags-client.js';
import { FlagsFileError } from '../../src/errors.js';
import type { FlagsChange } from '../../src/snapshot/definitions-diff.js';
import { fileSource, memorySource } from '../../src/sources/index.js';

let dir: string;
let removeDir: () => Promise<void>;
const clients: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDirectory());
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await removeDir();
});

describe('createFlags over a flags file', () => {
  it('answers from the file, follows edits, and keeps the last good flags through a bad edit', async () => {
    const path = join(dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  new-pricing:\n    rollout: 0\n    users: [qa-1]\n');
    const flags = createFlags({ source: fileSource(path) });
    clients.push(flags);
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

  it('fails ready() with the file error when the file is invalid at startup', async () => {
    const path = join(dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  a: yes please\n');
    const flags = createFlags({ source: fileSource(path) });
    clients.push(flags);
    flags.on('error', () => {});
    await expect(flags.ready({ timeoutMs: 5000 })).rejects.toThrow(
      `${path}:2:3: a must be true, false or a flag object`,
    );
  });
});

describe('createFlags over memorySource', () => {
  it('sees set() on the next evaluation', async () => {
    const source = memorySource({ flags: { 'new-pricing': false } });
    const flags = createFlags({ source });
    clients.push(flags);
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
