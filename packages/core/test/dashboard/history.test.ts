// What the dashboard remembers of a client: recent changes with field-level diffs (newest first, bounded), and
// the source's status with its last error while it is not ready.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { historyOf, RECENT_CHANGES } from '../../src/dashboard/history.js';
import { createFlags, type FlagsClient, fileSource, memorySource } from '../../src/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function started(client: FlagsClient): Promise<FlagsClient> {
  cleanups.push(() => client.close());
  await client.ready();
  return client;
}

describe('historyOf', () => {
  it('is one history per client, whichever dashboard asks', async () => {
    const a = await started(createFlags({ source: memorySource({ flags: { x: true } }), logger: false }));
    const b = await started(createFlags({ source: memorySource({ flags: { x: true } }), logger: false }));
    expect(historyOf(a)).toBe(historyOf(a));
    expect(historyOf(a)).not.toBe(historyOf(b));
  });

  it('records each change with its field-level diff, newest first, and moves the version on', async () => {
    const source = memorySource({ flags: { checkout: { rollout: 10 } } });
    const client = await started(createFlags({ source, logger: false }));
    const history = historyOf(client);
    const before = history.version;
    let heard = 0;
    const stop = history.listen(() => heard++);
    source.set('checkout', { rollout: 50 });
    source.set('beta', true);
    expect(history.changes.map((change) => [change.flag, change.kind])).toEqual([
      ['beta', 'added'],
      ['checkout', 'changed'],
    ]);
    expect(history.changes[1].changes.map((change) => change.text)).toEqual(['rollout 10 → 50']);
    expect(Date.parse(history.changes[0].at)).not.toBeNaN();
    expect(history.version).toBe(before + 2);
    expect(heard).toBe(2);
    stop();
    source.set('beta', false);
    expect(heard).toBe(2);
  });

  it(`keeps the last ${RECENT_CHANGES} changes`, async () => {
    const source = memorySource({ flags: {} });
    const client = await started(createFlags({ source, logger: false }));
    const history = historyOf(client);
    for (let i = 0; i < RECENT_CHANGES + 5; i++) source.set(`flag-${i}`, true);
    expect(history.changes).toHaveLength(RECENT_CHANGES);
    expect(history.changes[0].flag).toBe(`flag-${RECENT_CHANGES + 4}`);
  });

  it('shows the last error while the source is stale, and forgets it once the source recovers', async () => {
    const { dir, remove } = await temporaryDirectory();
    cleanups.push(remove);
    const path = join(dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  a: true\n');
    const client = await started(
      createFlags({ source: fileSource(path, { debounceMs: 20 }), logger: false }),
    );
    const history = historyOf(client);
    expect(history.source()).toMatchObject({ name: `file:${path}`, status: 'ready' });
    expect(history.source().lastError).toBeUndefined();
    await writeFile(path, 'flags:\n  a: [\n');
    const stale = await waitFor(
      () => {
        const state = history.source();
        return state.status === 'stale' && state.lastError !== undefined ? state : undefined;
      },
      'the stale status with its error',
      5000,
    );
    expect(stale.lastError).toContain('flags.yaml:');
    await writeFile(path, 'flags:\n  a: false\n');
    await waitFor(() => history.source().status === 'ready', 'the recovery', 5000);
    expect(history.source().lastError).toBeUndefined();
  });
});
