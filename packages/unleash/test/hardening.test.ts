// Faults found by attacking unleashSource, each against a real HTTP server on 127.0.0.1 that answers as the
// test says: a `fetch-mode: streaming` header from a server that does not stream, a timeout under 1000 ms, a
// 401 at start, stale temporary backup files, a backup written for another environment, and the SDK flavour
// in registration and metrics (with a server that refuses an `environment` field).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, createFlags, type FlagsClient, type FlagwiseError } from '@flagwise/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { gitlabSource } from '../src/index.js';
import {
  type LoopbackServer,
  type RecordedRequest,
  recordingLogger,
  startLoopbackServer,
  waitFor,
} from './helpers/loopback-server.js';
import { unleashSources } from './helpers/sources.js';

const TOKEN = 'default:development.hardening-secret';
const payload = (enabled: boolean) => ({
  version: 2,
  features: [{ name: 'checkout', enabled, strategies: [], variants: [] }],
});

let server: LoopbackServer;
let backupDir: string;
const clients: FlagsClient[] = [];
let enabled = true;

beforeEach(async () => {
  enabled = true;
  server = await startLoopbackServer((request) => answer(request));
  backupDir = await mkdtemp(join(tmpdir(), 'flagwise-hardening-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await stopAll();
  await server.close();
  await rm(backupDir, { recursive: true, force: true });
});

/** Unleash-like, but every features answer asks the SDK to switch to streaming, which this server lacks. */
function answer(request: RecordedRequest) {
  if (request.headers.authorization !== TOKEN) return { status: 401, body: { message: 'no such token' } };
  if (request.path.startsWith('/api/client/features')) {
    return { status: 200, body: payload(enabled), headers: { 'fetch-mode': 'streaming' } };
  }
  if (request.path.startsWith('/api/client/streaming')) return { status: 404, body: 'no streaming here' };
  // a newer server: registration and metrics with an `environment` field are refused
  if (request.body.includes('"environment"'))
    return { status: 400, body: { message: 'environment is gone' } };
  return { status: 202 };
}

const { source, stopAll } = unleashSources(() => ({
  url: `${server.url}/api`,
  apiToken: TOKEN,
  appName: 'hardening-app',
  refreshInterval: 100,
  backupPath: backupDir,
  metrics: false,
}));

describe('a fetch-mode: streaming header from a server that does not stream', () => {
  it('keeps polling the features endpoint at the refresh interval and sees every change', async () => {
    const flags = source();
    await flags.start({ logger: recordingLogger().logger });
    expect(flags.current()?.features[0].enabled).toBe(true);
    enabled = false;
    await waitFor(() => flags.current()?.features[0].enabled === false, 'the change to arrive by polling');
    const before = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const during = server.requests.slice(before);
    // 100 ms polls: about 10 a second, never the hundreds a flapping fetcher sends
    expect(during.length).toBeLessThan(25);
    expect(during.every((request) => request.path.startsWith('/api/client/features'))).toBe(true);
    expect(server.requests.some((request) => request.path.includes('/client/streaming'))).toBe(false);
    expect(flags.status).toBe('ready');
  });
});

describe('timeout', () => {
  it('rejects a timeout under 1000 ms at construction, saying why', () => {
    for (const create of [
      () => source({ timeout: 500 }),
      () =>
        gitlabSource({
          url: `${server.url}/api/v4/feature_flags/unleash/42`,
          instanceId: 'x',
          timeout: 999,
        }),
    ]) {
      expect(create).toThrow(ConfigurationError);
      expect(create).toThrow(/timeout.*at least 1000 ms/);
    }
  });

  it('loads with a timeout of exactly 1000 ms', async () => {
    const flags = source({ timeout: 1000 });
    await flags.start({ logger: recordingLogger().logger });
    expect(flags.status).toBe('ready');
  });
});

describe('a 401 at start', () => {
  it('produces one error event on the client, whose JSON carries the message', async () => {
    const client = createFlags({ source: source({ apiToken: 'default:development.wrong' }) });
    clients.push(client);
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const failure = await client.ready({ timeoutMs: 5000 }).catch((error: unknown) => error);
    expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors).toHaveLength(1);
    const serialized = JSON.parse(JSON.stringify({ err: errors[0] }));
    expect(serialized.err.code).toBe('UNAUTHORIZED');
    expect(serialized.err.message).toContain('answered 401');
  });

  it('serializes a SOURCE_FAILED error with its message', async () => {
    await server.close();
    const flags = source({ backupPath: false });
    const failure = (await flags
      .start({ logger: recordingLogger().logger })
      .catch((e: unknown) => e)) as Error;
    const serialized = JSON.parse(JSON.stringify(failure));
    expect(serialized).toMatchObject({ code: 'SOURCE_FAILED', name: 'FlagwiseError' });
    expect(serialized.message).toMatch(/could not load flags: .*ECONNREFUSED/);
    await server.reopen();
  });
});

describe('the backup file', () => {
  it('is keyed by URL, environment and project: a token for another environment finds no backup', async () => {
    const first = source();
    await first.start({ logger: recordingLogger().logger });
    await waitFor(() => server.requests.length >= 2, 'the backup write');
    await first.stop();
    const other = source({ apiToken: 'default:production.wrong' });
    expect(other.backupFile).not.toBe(first.backupFile);
    const failure = await other.start({ logger: recordingLogger().logger }).catch((e: unknown) => e);
    expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
    expect(other.current()).toBeUndefined();
    // the same scope does find it
    await server.close();
    const again = source();
    await again.start({ logger: recordingLogger().logger });
    expect(again.status).toBe('stale');
    expect(again.current()?.features.map((feature) => feature.name)).toEqual(['checkout']);
    await server.reopen();
  });

  it('removes temporary files a dead process left next to it, and keeps a live one', async () => {
    const flags = source();
    const path = flags.backupFile!;
    const dead = `${path}.999999999.tmp`;
    const live = `${path}.${process.ppid}.tmp`;
    await writeFile(dead, '{"half": ');
    await writeFile(live, '{"being written');
    await flags.start({ logger: recordingLogger().logger });
    const names = await readdir(backupDir);
    expect(names).not.toContain(dead.slice(backupDir.length + 1));
    expect(names).toContain(live.slice(backupDir.length + 1));
  });
});

describe('the SDK flavour', () => {
  it('names flagwise and its version in registration and metrics, which a server without environment accepts', async () => {
    const client = createFlags({ source: source({ metrics: true, metricsInterval: 200 }) });
    clients.push(client);
    await client.ready({ timeoutMs: 5000 });
    client.isEnabled('checkout');
    await waitFor(
      () => server.requests.some((request) => request.path === '/api/client/metrics'),
      'a metrics post',
    );
    const register = server.requests.find((request) => request.path === '/api/client/register');
    const metrics = server.requests.find((request) => request.path === '/api/client/metrics');
    for (const request of [register, metrics]) {
      const body = JSON.parse(request!.body);
      expect(body.sdkFlavor).toBe('flagwise');
      expect(body.sdkFlavorVersion).toBe(packageJson.version);
      expect(body).not.toHaveProperty('environment');
    }
  });
});
