// Credentials never leave in a message: a user name and password or a query in the Unleash URL, an API token
// (Unleash 8's opaque v2 ones too) and a GitLab instance id. The functions themselves, then an app on
// createFlags against a loopback server that fails in the ways that make unleash-client name the URL: its
// `error` events, its log lines (message and the object logged with it) and its ready() rejection.
import { ConfigurationError, createFlags } from '@flagwise/core';
import { afterEach, describe, expect, it } from 'vitest';
import { UnleashAdminClient, UnleashAdminError } from '../src/admin/index.js';
import { gitlabSource, redactSecret, redactUrls, unleashSource } from '../src/index.js';
import {
  type LoopbackServer,
  recordingLogger,
  startLoopbackServer,
  waitFor,
} from './helpers/loopback-server.js';

describe('redactUrls', () => {
  it.each([
    [
      'https://alice:s3cret@unleash.example.com/api?token=abc&env=prod#frag',
      'https://***@unleash.example.com/api?token=***&env=***#***',
    ],
    ['https://a-token-as-user@unleash.example.com/api', 'https://***@unleash.example.com/api'],
    [
      'GET http://u:p@127.0.0.1:4242/api/client/features responded 503. Backing off',
      'GET http://***@127.0.0.1:4242/api/client/features responded 503. Backing off',
    ],
    ['UNLEASH_URL is "alice:s3cret@unleash.example.com/api"', 'UNLEASH_URL is "***@unleash.example.com/api"'],
    ['see https://unleash.example.com/api.', 'see https://unleash.example.com/api.'],
    ['mail alice@example.com about it', 'mail alice@example.com about it'],
  ])('%s → %s', (text, shown) => {
    expect(redactUrls(text)).toBe(shown);
  });
});

describe('redactSecret', () => {
  it.each([
    ['default:production.4f1c9a0e8b7d6c5a', 'default:production.***'],
    [
      'default:development.v2_zKKes6Bzl0df5mgHKUJkjg_FFFn0F_Sd2us_Cv6vddT2fdX5-EYCbhWJJJIBOUrvhM',
      'default:development.***',
    ],
    [
      '[]:production.v2_xTOSfR9eYi5U6HlrHBDGAw_X-DJjGJkcgvT7k6eLSU_Q0AGH5Ck-T_-bCyBsYGmahc',
      '[]:production.***',
    ],
    ['*:*.admin-secret', '*:*.***'],
    ['user:v2_zKKes6Bzl0df5mgHKUJkjg_FFFn0F_Sd2us_Cv6vddT2fdX5', 'user:***'],
    ['glffct-Zq3xYw9_Ab-CdEfGhIjK', 'glffct-***'],
    ['an-opaque-credential-of-another-shape', '***'],
  ])('%s → %s', (secret, shown) => {
    expect(redactSecret(secret)).toBe(shown);
  });
});

describe('an app whose UNLEASH_URL carries credentials', () => {
  let server: LoopbackServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Every line the app logged, with the object logged with it, and every error event. */
  async function run(url: string) {
    const shown: string[] = [];
    const at = (level: string) => (obj: unknown, msg?: string) =>
      shown.push(`${level} ${typeof obj === 'string' ? obj : `${msg} ${JSON.stringify(obj)}`}`);
    const client = createFlags({
      source: unleashSource({
        url,
        apiToken: 'default:development.v2_zKKes6Bzl0df5mgHKUJkjg_FFFn0F_Sd2us_Cv6vddT2fdX5',
        appName: 'redaction',
        backupPath: false,
        refreshInterval: 1_000,
        metricsInterval: 1_000,
      }),
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    });
    client.on('error', (error) =>
      shown.push(`event ${error.message} ${error.stack} ${JSON.stringify(error)}`),
    );
    const failure = await client.ready({ timeoutMs: 8_000 }).catch((error: Error) => error);
    if (failure) shown.push(`ready ${failure.message} ${failure.stack}`);
    return { client, shown };
  }

  it('shows the URL it failed on without the user name and password, in events, log lines and ready()', async () => {
    server = await startLoopbackServer((request) =>
      request.path.includes('/client/features')
        ? { status: 503, body: 'down for maintenance' }
        : { status: 202 },
    );
    const { client, shown } = await run(`http://alice:s3cret@127.0.0.1:${server.port}/api`);
    try {
      expect(shown.join('\n')).toMatch(
        /http:\/\/\*\*\*@127\.0\.0\.1:\d+\/api\/client\/features responded 503/,
      );
      for (const line of shown) {
        expect(line).not.toContain('s3cret');
        expect(line).not.toContain('alice');
        expect(line).not.toContain('FFFn0F');
      }
    } finally {
      await client.close();
    }
  });

  it('does the same when nothing listens at the URL and when only metrics fail', async () => {
    server = await startLoopbackServer((request) =>
      request.path.includes('/client/features')
        ? { status: 200, body: { version: 2, features: [] } }
        : { status: 500, body: 'metrics are down' },
    );
    const metricsFailing = await run(`http://alice:s3cret@127.0.0.1:${server.port}/api`);
    metricsFailing.client.isEnabled('anything');
    await waitFor(
      () => metricsFailing.shown.some((line) => /client\/(register|metrics)/.test(line)),
      'a warning about registration or metrics',
      10_000,
    );
    await metricsFailing.client.close();
    const port = server.port;
    await server.close();
    server = undefined;
    const unreachable = await run(`http://alice:s3cret@127.0.0.1:${port}/api`);
    await unreachable.client.close();

    const shown = [...metricsFailing.shown, ...unreachable.shown];
    expect(shown.join('\n')).toMatch(/ECONNREFUSED/);
    for (const line of shown) {
      expect(line).not.toContain('s3cret');
      expect(line).not.toContain('alice');
    }
  });

  it('refuses a query at construction, naming it without its values', () => {
    const construct = () =>
      unleashSource({
        url: 'https://unleash.example.com/api?token=qwerty123',
        apiToken: 'default:production.x',
        appName: 'redaction',
      });
    expect(construct).toThrow(ConfigurationError);
    expect(construct).toThrow('must not carry a query (got "https://unleash.example.com/api?token=***")');
  });

  it('names a refused GitLab instance id by its prefix only', async () => {
    server = await startLoopbackServer(() => ({ status: 401, body: { message: '401 Unauthorized' } }));
    const source = gitlabSource({
      url: `http://deploy:s3cret@127.0.0.1:${server.port}/api/v4/feature_flags/unleash/42`,
      instanceId: 'glffct-Zq3xYw9_Ab-CdEfGhIjK',
      backupPath: false,
    });
    const failure = await source.start({ logger: recordingLogger().logger }).catch((error: Error) => error);
    await source.stop();
    expect(failure?.message).toContain('instance id glffct-***:');
    expect(failure?.message).not.toMatch(/glffct-[^*]|s3cret/);
  });
});

describe('the admin client', () => {
  it('refuses a URL with credentials or a query, showing neither', () => {
    for (const url of [
      'https://alice:s3cret@unleash.example.com',
      'https://unleash.example.com/?token=qwerty123',
    ]) {
      const construct = () => new UnleashAdminClient({ url, token: '*:*.admin' });
      expect(construct).toThrow(UnleashAdminError);
      expect(construct).toThrow(
        /carries credentials or a query \(https:\/\/(\*\*\*@)?unleash\.example\.com\/(\?token=\*\*\*)?\)/,
      );
    }
  });
});
