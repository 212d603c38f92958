// Faults found by attacking flagwise with Unleash, against the real unleash-server: a timeout under 1000 ms, a
// 401 at start (one error, with its message when serialized), the backup file of one environment never served
// to another, flagwise named as the SDK flavour in registration, a token made through the admin API (Unleash 8's
// opaque v2 tokens) read as nothing but a credential, and an environment export whose segments come without
// constraints (a strategy using one fails closed).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, createFlags, type FlagwiseError, fileSource } from '@flagwise/core';
import type { unleashSource } from '@flagwise/unleash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, harness, harnessSource, sendUntilCounted, uniquePrefix, waitUntil } from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('harden');
const FLAG = `${prefix}on`;
const SEGMENTED = `${prefix}segmented`;
const APP = `flagwise-harden-${Date.now().toString(36)}`;
let backupDir: string;

beforeAll(async () => {
  backupDir = await mkdtemp(join(tmpdir(), 'flagwise-harden-it-'));
  await admin.createFlag(FLAG);
  await admin.addStrategy(FLAG, { name: 'default' });
  await admin.setEnabled(FLAG, true);
});
afterAll(async () => {
  await admin.archive([FLAG, SEGMENTED]).catch(() => undefined);
  await rm(backupDir, { recursive: true, force: true });
});

function source(options: Partial<Parameters<typeof unleashSource>[0]> = {}) {
  return harnessSource(h, { appName: APP, namePrefix: prefix, backupPath: backupDir, ...options });
}

describe('unleashSource against the real Unleash', () => {
  it('rejects a timeout under 1000 ms at once, and loads with 1000 ms', async () => {
    expect(() => source({ timeout: 300 })).toThrow(ConfigurationError);
    const client = createFlags({ source: source({ timeout: 1000 }) });
    await client.ready({ timeoutMs: 10_000 });
    expect(client.isEnabled(FLAG)).toBe(true);
    await client.close();
  });

  it('reports a 401 at start as one error event whose JSON carries the message', async () => {
    const client = createFlags({
      source: source({ apiToken: 'default:development.not-a-token', backupPath: false }),
    });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const failure = await client.ready({ timeoutMs: 10_000 }).catch((error: unknown) => error);
    expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(errors[0])).message).toContain('answered 401');
    await client.close();
  });

  it('never serves the backup of one environment to a token for another', async () => {
    const first = source();
    const client = createFlags({ source: first });
    await client.ready({ timeoutMs: 10_000 });
    await waitUntil(
      async () =>
        (await import('node:fs/promises')).readFile(first.backupFile!, 'utf8').then(
          (text) => text.includes(FLAG),
          () => false,
        ),
      'the backup file',
      5_000,
    );
    await client.close();

    const other = source({ apiToken: 'default:production.not-a-token' });
    expect(other.backupFile).not.toBe(first.backupFile);
    const wrong = createFlags({ source: other });
    const failure = await wrong.ready({ timeoutMs: 10_000 }).catch((error: unknown) => error);
    expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
    expect(wrong.names()).toEqual([]);
    await wrong.close();
  });

  it('registers with flagwise as the SDK flavour, and the server takes it', async () => {
    const app = `${APP}-metrics`;
    const warnings: string[] = [];
    const client = createFlags({
      source: source({ appName: app, metrics: true, metricsInterval: 1000 }),
      logger: { debug() {}, info() {}, warn: (_o, message) => warnings.push(String(message)), error() {} },
    });
    await client.ready({ timeoutMs: 10_000 });
    const instances = async () => {
      const response = await fetch(`${h.url}/api/admin/metrics/instances/${app}/environment/development`, {
        headers: { Authorization: h.adminToken },
      });
      return ((await response.json()) as { instances: Array<{ sdkVersion: string }> }).instances;
    };
    await waitUntil(async () => (await instances()).length > 0, 'the registered instance', 30_000);
    expect((await instances())[0].sdkVersion).toMatch(/^unleash-node-sdk:/);
    expect(warnings.filter((message) => /register|metrics/.test(message))).toEqual([]);
    await client.close();
  });
});

describe('an API token created through the admin API', () => {
  it('is used as an opaque credential: v2 on Unleash 8, its own backup, the environment as the server says', async () => {
    const token = await admin.createBackendToken(`${prefix}token`);
    if (h.major === '8')
      expect(token).toMatch(/^default:development\.v2_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}$/);
    else expect(token).not.toContain('v2_');
    const app = `${APP}-token`;
    const warnings: string[] = [];
    const tokenSource = source({
      apiToken: token,
      appName: app,
      environment: 'production',
      metrics: true,
      metricsInterval: 1000,
    });
    const client = createFlags({
      source: tokenSource,
      appName: app,
      logger: { debug() {}, info() {}, warn: (_o, message) => warnings.push(String(message)), error() {} },
    });
    await client.ready({ timeoutMs: 10_000 });
    expect(client.isEnabled(FLAG)).toBe(true);
    expect(tokenSource.backupFile).not.toBe(source().backupFile);
    expect(warnings).toContainEqual(
      expect.stringContaining(
        'environment is "production" but the server serves this API token the flags of environment "development"',
      ),
    );
    await sendUntilCounted(
      async () => {
        for (let i = 0; i < 10; i++) client.isEnabled(FLAG);
        await tokenSource.flushMetrics();
      },
      async () => (await admin.usage(FLAG, app)).yes >= 10,
      'the usage to reach Unleash',
    );
    await client.close();

    const wrong = createFlags({
      source: source({ apiToken: `${token.slice(0, -4)}AAAA`, backupPath: false }),
    });
    const failure = await wrong.ready({ timeoutMs: 10_000 }).catch((error: unknown) => error);
    expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
    expect((failure as Error).message).toContain('API token default:development.***:');
    expect((failure as Error).message).not.toContain(token.slice('default:development.'.length, -4));
    await wrong.close();
  });
});

describe('an environment export from the real Unleash, whose segments come without constraints', () => {
  it('loads with the segment named and the strategy using it matching no one', async () => {
    const segment = await admin.createSegment(`${prefix}segment`, [
      { contextName: 'userId', operator: 'IN', values: ['1', '2'] },
    ]);
    await admin.createFlag(SEGMENTED);
    await admin.addStrategy(SEGMENTED, { name: 'default', segments: [segment] });
    await admin.setEnabled(SEGMENTED, true);
    const response = await fetch(`${h.url}/api/admin/features-batch/export`, {
      method: 'POST',
      headers: { Authorization: h.adminToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ features: [SEGMENTED], environment: 'development' }),
    });
    const exported = (await response.json()) as { segments: Array<{ id: number; constraints?: unknown }> };
    const exportedSegment = exported.segments.find((entry) => entry.id === segment);
    expect(exportedSegment).toBeDefined();
    expect(exportedSegment?.constraints).toBeUndefined();

    const path = join(backupDir, 'export.json');
    await writeFile(path, JSON.stringify(exported, null, 2));
    const warnings: string[] = [];
    const client = createFlags({
      source: fileSource(path, { watch: false }),
      logger: { debug() {}, info() {}, warn: (_o, message) => warnings.push(String(message)), error() {} },
    });
    await client.ready({ timeoutMs: 5_000 });
    for (const userId of ['1', '2', 'someone']) expect(client.isEnabled(SEGMENTED, { userId })).toBe(false);
    expect(warnings.some((message) => message.includes(`"${prefix}segment"`))).toBe(true);
    await client.close();
  });
});
