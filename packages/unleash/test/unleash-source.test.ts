import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FlagwiseError, type SourceEvent } from '@flagwise/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fixture from '../../../test/fixtures/unleash/unleash-client-features.json' with { type: 'json' };
import { unleashSource } from '../src/index.js';
import {
  type LoopbackServer,
  recordingLogger,
  startLoopbackServer,
  waitFor,
} from './helpers/loopback-server.js';
import { unleashSources } from './helpers/sources.js';

const TOKEN = 'default:development.unit-test-secret';
const ETAG = '"76d8bb0e:42:v1"';

/** Answers like Unleash 7/8: 401 without the token, 304 for a matching ETag, the fixture otherwise. */
function unleashLike(payload: unknown = fixture) {
  return (request: { method: string; path: string; headers: Record<string, unknown> }) => {
    if (request.headers.authorization !== TOKEN) {
      return { status: 401, body: { message: 'This endpoint requires an API token.' } };
    }
    if (request.path.includes('/client/features')) {
      if (request.headers['if-none-match'] === ETAG) return { status: 304 };
      return { status: 200, body: payload, headers: { etag: ETAG } };
    }
    return { status: 202 };
  };
}

describe('unleashSource against a loopback Unleash', () => {
  let server: LoopbackServer;
  let backupDir: string;

  beforeEach(async () => {
    server = await startLoopbackServer(unleashLike());
    backupDir = await mkdtemp(join(tmpdir(), 'flagwise-unleash-test-'));
  });
  afterEach(async () => {
    await stopAll();
    await server.close();
    await rm(backupDir, { recursive: true, force: true });
  });

  const { source, stopAll } = unleashSources(() => ({
    url: `${server.url}/api`,
    apiToken: TOKEN,
    appName: 'unit-app',
    refreshInterval: 100,
    backupPath: backupDir,
    metrics: false,
  }));

  it('delivers the whole payload: segments, strategy variants, dependencies and impressionData', async () => {
    const flags = source();
    const events: SourceEvent[] = [];
    flags.subscribe((event) => events.push(event));
    await flags.start({ logger: recordingLogger().logger });

    expect(flags.status).toBe('ready');
    const current = flags.current();
    expect(current).toEqual({
      version: fixture.version,
      features: fixture.features,
      segments: fixture.segments,
    });
    expect(events.filter((event) => event.type === 'definitions')).toHaveLength(1);
    const beta = current?.features.find((feature) => feature.name === 'beta_banner');
    expect(beta?.dependencies).toEqual([{ feature: 'dark_mode', enabled: true, variants: ['slate'] }]);
    expect(beta?.strategies?.[0]?.segments).toEqual([2]);
    expect(current?.features.find((feature) => feature.name === 'holiday_banner')?.impressionData).toBe(true);
  });

  it('sends the token and app name, then polls with If-None-Match and gets 304', async () => {
    const flags = source();
    await flags.start({ logger: recordingLogger().logger });
    await waitFor(
      () => server.requests.some((r) => r.headers['if-none-match'] === ETAG),
      'a conditional poll',
    );

    const first = server.requests[0];
    expect(first?.path).toBe('/api/client/features');
    expect(first?.headers.authorization).toBe(TOKEN);
    expect(first?.headers['unleash-appname']).toBe('unit-app');
    expect(flags.status).toBe('ready');
  });

  it('passes projectName, namePrefix and tags as query parameters', async () => {
    const flags = source({
      projectName: 'checkout',
      namePrefix: 'new_',
      tags: [{ name: 'simple', value: 'payment' }],
    });
    await flags.start({ logger: recordingLogger().logger });
    expect(server.requests[0]?.path).toBe(
      '/api/client/features?project=checkout&namePrefix=new_&tag=simple%3Apayment',
    );
  });

  it('sends custom headers, with apiToken winning over an Authorization header in any case', async () => {
    const flags = source({ customHeaders: { 'X-Tenant': 'acme', authorization: 'stale-token' } });
    await flags.start({ logger: recordingLogger().logger });
    expect(server.requests[0]?.headers['x-tenant']).toBe('acme');
    expect(server.requests[0]?.headers.authorization).toBe(TOKEN);
  });

  it("passes unleash-client's warnings on as warn events, once per kind", async () => {
    const answer = unleashLike();
    server.respond = (request) =>
      request.path === '/api/client/register' ? { status: 500, body: 'register is down' } : answer(request);
    const flags = source({ metrics: true });
    const warnings: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'warn') warnings.push(event.message);
    });
    await flags.start({ logger: recordingLogger().logger });
    await waitFor(() => warnings.length > 0, 'the registration warning');
    expect(warnings).toEqual([
      expect.stringMatching(/^unleash\(.*\): .*\/api\/client\/register returning 500$/),
    ]);
  });

  it("reports unleash-client's shape complaints as warnings, not as a failed poll", async () => {
    server.respond = unleashLike({ version: 2, features: [{ name: 'bare', enabled: true }] });
    const flags = source();
    const events: SourceEvent[] = [];
    flags.subscribe((event) => events.push(event));
    await flags.start({ logger: recordingLogger().logger });
    expect(flags.status).toBe('ready');
    expect(flags.current()?.features).toEqual([{ name: 'bare', enabled: true }]);
    expect(events.filter((event) => event.type === 'status')).toEqual([{ type: 'status', status: 'ready' }]);
    expect(events).toContainEqual({
      type: 'warn',
      message: expect.stringMatching(/feature\.strategies should be an array/),
    });
  });

  it('warns at start about a URL without /api', async () => {
    const flags = source({ url: `${server.url}/unleash` });
    const warnings: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'warn') warnings.push(event.message);
    });
    await flags.start({ logger: recordingLogger().logger });
    expect(warnings).toEqual([
      expect.stringMatching(/usually ends in \/api .*e\.g\. http:\/\/127\.0\.0\.1:\d+\/api$/),
    ]);
  });

  // The token is opaque (Unleash 8: `…v2_<selector>_<secret>`): the server's answer names the environment.
  it.each([
    [
      'an Unleash 8 v2 token',
      'production:production.v2_zKKes6Bzl0df5mgHKUJkjg_FFFn0F_Sd2us_Cv6vddT2fdX5-EYCbhW',
    ],
    ['a token of no known shape', 'an-opaque-credential'],
  ])('warns when the server serves %s another environment than the one given', async (_, token) => {
    server.respond = (request) =>
      request.headers.authorization !== token
        ? { status: 401 }
        : request.path.includes('/client/features')
          ? { status: 200, body: { ...fixture, query: { environment: 'development' } } }
          : { status: 202 };
    const flags = source({ apiToken: token, environment: 'production' });
    const warnings: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'warn') warnings.push(event.message);
    });
    await flags.start({ logger: recordingLogger().logger });
    await waitFor(() => server.requests.length >= 3, 'more polls');
    expect(warnings).toEqual([
      expect.stringMatching(
        /environment is "production" but the server serves this API token the flags of environment "development"/,
      ),
    ]);
  });

  it('reads nothing into the token: no warning when the server serves the environment given', async () => {
    // looks like a token for development, but the server says it serves production
    server.respond = unleashLike({ ...fixture, query: { environment: 'production' } });
    const flags = source({ environment: 'production' });
    const warnings: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'warn') warnings.push(event.message);
    });
    await flags.start({ logger: recordingLogger().logger });
    expect(warnings).toEqual([]);
  });

  it('keeps the backups of two tokens apart, whatever their shape', () => {
    const v2 = (secret: string) => `default:development.v2_zKKes6Bzl0df5mgHKUJkjg_${secret}`;
    const files = [v2('first'), v2('second'), 'opaque-one', 'opaque-two'].map(
      (apiToken) => source({ apiToken }).backupFile,
    );
    expect(new Set(files).size).toBe(4);
    for (const file of files) expect(file).not.toMatch(/first|second|opaque/);
  });

  it('fails on 401 with a message naming the token, without printing to the console', async () => {
    const flags = source({ apiToken: 'default:development.wrong-secret' });
    const printed: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => printed.push(args);
    try {
      const failure = await flags
        .start({ logger: recordingLogger().logger })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FlagwiseError);
      expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
      expect((failure as Error).message).toContain('API token default:development.***');
      expect((failure as Error).message).toContain('UNLEASH_API_TOKEN');
      expect((failure as Error).message).not.toContain('wrong-secret');
      expect(flags.status).toBe('failed');
    } finally {
      console.error = original;
    }
    expect(printed).toEqual([]);
  });

  it('says "not a backend token" on 403', async () => {
    server.respond = () => ({
      status: 403,
      body: { message: 'invalid token: expected a different token type' },
    });
    const flags = source();
    const failure = await flags.start({ logger: recordingLogger().logger }).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/403 .*not a backend \(client\) token/);
  });

  it('writes the last good definitions to the backup file in unleash-client’s format', async () => {
    const flags = source();
    await flags.start({ logger: recordingLogger().logger });
    const path = flags.backupFile!;
    expect(path).toMatch(/\/unleash-backup-unit-app-[0-9a-f]{12}\.json$/);
    expect(dirname(path)).toBe(backupDir);
    await waitFor(() => server.requests.length >= 2, 'a second poll, after the backup write');
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved).toEqual({ version: 2, features: fixture.features, segments: fixture.segments });
  });

  it('starts at once from the backup when the server is down, then picks the server up', async () => {
    const flags = source();
    const backedUp = { version: 2, features: [fixture.features[0]], segments: [] };
    await writeFile(flags.backupFile!, JSON.stringify(backedUp));
    await server.close();

    const statuses: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'status') statuses.push(event.status);
    });
    await flags.start({ logger: recordingLogger().logger });
    expect(flags.status).toBe('stale');
    expect(flags.current()?.features.map((feature) => feature.name)).toEqual(['dark_mode']);

    await server.reopen();
    // unleash-client retries a refused connection after 1 s and 2 s before the next poll.
    await waitFor(() => flags.status === 'ready', 'the source to reconnect', 10_000);
    expect(flags.current()?.features).toHaveLength(fixture.features.length);
    expect(statuses).toEqual(['stale', 'ready']);
  });

  it('keeps serving and reports stale when the server fails after a good start', async () => {
    const flags = source();
    const reasons: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'status' && event.reason) reasons.push(event.reason);
    });
    await flags.start({ logger: recordingLogger().logger });
    server.respond = () => ({ status: 404, body: 'not here' });
    await waitFor(() => flags.status === 'stale', 'the source to go stale');
    expect(flags.current()?.features).toHaveLength(fixture.features.length);
    expect(reasons[0]).toMatch(/responded FILE_NOT_FOUND \(404\)\. Backing off.*; retrying$/);

    server.respond = unleashLike();
    await waitFor(() => flags.status === 'ready', 'the source to recover', 10_000);
  });

  it('rejects start within the retry budget when nothing answers and there is no backup', async () => {
    await server.close();
    const flags = source({ backupPath: false });
    const failure = await flags.start({ logger: recordingLogger().logger }).catch((error: unknown) => error);
    expect((failure as FlagwiseError).code).toBe('SOURCE_FAILED');
    expect((failure as Error).message).toMatch(/ECONNREFUSED.*keeps retrying/);
    expect(flags.status).toBe('failed');
  });

  it('warns about an unreadable backup file and loads from the server instead', async () => {
    const flags = source();
    await writeFile(flags.backupFile!, '{"version": 2, "features": ');
    const warnings: string[] = [];
    flags.subscribe((event) => {
      if (event.type === 'warn') warnings.push(event.message);
    });
    await flags.start({ logger: recordingLogger().logger });
    expect(flags.status).toBe('ready');
    expect(flags.current()?.features).toHaveLength(fixture.features.length);
    expect(warnings).toEqual([expect.stringMatching(/ignoring the backup file: .*JSON/)]);
  });

  it('does not overwrite a useful backup with an empty answer', async () => {
    const flags = source();
    const path = flags.backupFile!;
    await writeFile(
      path,
      JSON.stringify({ version: 2, features: fixture.features, segments: fixture.segments }),
    );
    server.respond = unleashLike({ version: 2, features: [] });
    await flags.start({ logger: recordingLogger().logger });
    await waitFor(() => flags.current()?.features.length === 0, 'the empty answer to be served');
    await waitFor(() => server.requests.length >= 3, 'two more polls');
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.features).toHaveLength(fixture.features.length);
  });

  it('counts evaluations into Unleash usage metrics and sends them on flush', async () => {
    const flags = source({ metrics: true, metricsInterval: 60_000, instanceId: 'unit-instance' });
    await flags.start({ logger: recordingLogger().logger });
    flags.recordEvaluation('dark_mode', true);
    flags.recordEvaluation('dark_mode', true, 'slate');
    flags.recordEvaluation('holiday_banner', false, 'disabled');
    flags.recordEvaluation('no_such_flag', false);
    await flags.flushMetrics();

    const posted = server.requests.find((r) => r.path === '/api/client/metrics');
    expect(posted?.headers.authorization).toBe(TOKEN);
    const body = JSON.parse(posted?.body ?? '{}');
    expect(body.appName).toBe('unit-app');
    expect(body.instanceId).toBe('unit-instance');
    expect(body.bucket.toggles).toEqual({
      dark_mode: { yes: 2, no: 0, variants: { slate: 1 } },
      holiday_banner: { yes: 0, no: 1, variants: { disabled: 1 } },
      no_such_flag: { yes: 0, no: 1, variants: {} },
    });
    expect(server.requests.some((r) => r.path === '/api/client/register')).toBe(true);
  });

  it('sends neither registration nor metrics with metrics: false', async () => {
    const flags = source({ metrics: false });
    await flags.start({ logger: recordingLogger().logger });
    flags.recordEvaluation('dark_mode', true);
    await flags.flushMetrics();
    await flags.stop();
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('sends the counted usage when stopped', async () => {
    const flags = source({ metrics: true });
    await flags.start({ logger: recordingLogger().logger });
    flags.recordEvaluation('dark_mode', false);
    await flags.stop();
    const posted = server.requests.find((r) => r.path === '/api/client/metrics');
    expect(JSON.parse(posted?.body ?? '{}').bucket.toggles.dark_mode).toEqual({
      yes: 0,
      no: 1,
      variants: {},
    });
  });

  it('stops polling when stopped', async () => {
    const flags = source();
    await flags.start({ logger: recordingLogger().logger });
    await flags.stop();
    const count = server.requests.length;
    // Absence cannot be polled for: give it five poll intervals. A poll already in flight may still land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.requests.length - count).toBeLessThanOrEqual(1);
  });
});

describe('unleashSource options', () => {
  it.each([
    [{ url: '', apiToken: TOKEN, appName: 'a' }, /unleashSource\(\{ url \}\) is required/],
    [{ url: 'unleash.example.com/api', apiToken: TOKEN, appName: 'a' }, /absolute http\(s\) URL/],
    [{ url: 'https://u.example/api', apiToken: '', appName: 'a' }, /apiToken.*Admin > API access/],
    [{ url: 'https://u.example/api', apiToken: TOKEN, appName: '' }, /appName.*required/],
    [
      { url: 'https://u.example/api', apiToken: TOKEN, appName: 'a', refreshInterval: 0 },
      /refreshInterval.*positive/,
    ],
    [
      { url: 'https://u.example/api', apiToken: TOKEN, appName: 'a', backupPath: '' },
      /backupPath.*directory path or false/,
    ],
  ])('rejects %j with a message that says how to fix it', (options, message) => {
    expect(() => unleashSource(options as never)).toThrow(message);
  });

  it('defaults the backup to .flagwise/ in the working directory, never the OS temp dir', () => {
    const flags = unleashSource({ url: 'https://u.example/api', apiToken: TOKEN, appName: 'review/x' });
    expect(dirname(flags.backupFile!)).toBe(join(process.cwd(), '.flagwise'));
    expect(flags.backupFile).toMatch(/\/unleash-backup-review_x-[0-9a-f]{12}\.json$/);
    expect(
      unleashSource({ url: 'https://u.example/api', apiToken: TOKEN, appName: 'a', backupPath: false })
        .backupFile,
    ).toBe(undefined);
  });

  it('accepts the features endpoint itself and names the source without credentials', () => {
    const flags = unleashSource({
      url: 'https://user:pw@u.example/api/client/features',
      apiToken: TOKEN,
      appName: 'a',
      backupPath: false,
    });
    expect(flags.name).toBe('unleash(https://u.example/api)');
  });
});
