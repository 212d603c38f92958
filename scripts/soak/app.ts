// The app under soak, run as a child process of scripts/soak/run.ts: Express 5 with featureFlags() over
// unleashSource, answering GET / with the soak flag's value, and OFREP (the soak flag browser-visible) whose event
// streams the soak keeps open. It reports its RSS (after a full GC) over IPC.
// Dependencies resolve through the private test package, which has Express, the adapters and the Unleash source.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fromTests = createRequire(join(repo, 'test', 'package.json'));
const load = (name: string) => import(pathToFileURL(fromTests.resolve(name)).href);

const express = fromTests('express5') as typeof import('express');
const { createFlags } = (await load('@flagwise/core')) as typeof import('@flagwise/core');
const { featureFlags, flagsOfrep, getFlags } = (await load(
  '@flagwise/express',
)) as typeof import('@flagwise/express');
const { unleashSource } = (await load('@flagwise/unleash')) as typeof import('@flagwise/unleash');

const flag = process.env.SOAK_FLAG!;
const client = createFlags({
  source: unleashSource({
    url: process.env.SOAK_UNLEASH_API_URL!,
    apiToken: process.env.SOAK_CLIENT_TOKEN!,
    appName: 'flagwise-soak',
    refreshInterval: 1000,
    metricsInterval: 5000,
    backupPath: mkdtempSync(join(tmpdir(), 'flagwise-soak-')),
  }),
  logger: {
    debug() {},
    info() {},
    warn: (_fields: unknown, message?: string) => process.send?.({ type: 'log', level: 'warn', message }),
    error: (_fields: unknown, message?: string) => process.send?.({ type: 'log', level: 'error', message }),
  },
});
await client.ready({ timeoutMs: 30_000 });

const app = express();
app.use(featureFlags(client));
app.use(flagsOfrep({ expose: [flag] }));
app.get('/', (req, res) => {
  res.json({ on: getFlags(req).isEnabled(flag) });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: 'rss', bytes: process.memoryUsage().rss, status: client.status });
  } else if (message.type === 'close') {
    server.close();
    server.closeAllConnections();
    void client.close().then(() => process.exit(0));
  }
});
