// Resilience at start: an app whose Unleash is down but which has the backup file its last run wrote for the
// same server serves those flags at once (status stale), over HTTP through @flagwise/express.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlags } from '@flagwise/core';
import { featureFlags, requireFeature } from '@flagwise/express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../support/http.js';
import {
  AdminApi,
  express5,
  harness,
  harnessSource,
  startUnleash,
  stopUnleash,
  uniquePrefix,
  waitUntil,
} from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('backup');
const APP = `flagwise-backup-${Date.now().toString(36)}`;
const ON = `${prefix}on`;
const OFF = `${prefix}off`;

describe('starting with Unleash unreachable and a backup file present', () => {
  let backupDir: string;

  beforeAll(async () => {
    backupDir = await mkdtemp(join(tmpdir(), 'flagwise-backup-it-'));
    await admin.createRolledOutFlag(ON);
    await admin.createFlag(OFF);
    await admin.addStrategy(OFF, { name: 'default' });

    // A first run against the real server writes the backup.
    const source = harnessSource(h, { appName: APP, namePrefix: prefix, backupPath: backupDir });
    const first = createFlags({ source, appName: APP });
    await first.ready({ timeoutMs: 10_000 });
    await waitUntil(() => first.names().length === 2, 'the first run to see both flags', 10_000);
    await waitUntil(
      async () => {
        const saved = await readFile(source.backupFile!, 'utf8').catch(() => '');
        return saved.includes(ON) && saved.includes(OFF);
      },
      'the backup file to hold both flags',
      5_000,
    );
    await first.close();
  });

  afterAll(async () => {
    await admin.archive([ON, OFF]);
    await rm(backupDir, { recursive: true, force: true });
  });

  it('serves the backed-up flags at once', async () => {
    // The backup is kept per server, environment and project: the same server, now down.
    stopUnleash(h);
    const source = harnessSource(h, { appName: APP, namePrefix: prefix, backupPath: backupDir });
    const started = performance.now();
    const client = createFlags({ source, appName: APP });
    const app = express5();
    app.use(featureFlags(client));
    app.get('/on', requireFeature(ON), (_req, res) => {
      res.send('on');
    });
    app.get('/off', requireFeature(OFF), (_req, res) => {
      res.send('off');
    });
    const { url: base, close } = await listen(app);
    try {
      // "At once": well before unleash-client's first attempt could even give up (it retries for 3 s).
      await client.ready({ timeoutMs: 1_000 });
      const readyAfter = performance.now() - started;
      expect(source.status).toBe('stale');
      expect((await fetch(`${base}/on`)).status).toBe(200);
      expect((await fetch(`${base}/off`)).status).toBe(404);
      console.info(
        `[integration] ready from the backup file in ${Math.round(readyAfter)} ms with Unleash unreachable`,
      );
    } finally {
      await close();
      await client.close();
      startUnleash(h);
    }
  });
});
