// What an app's log says while its Unleash source changes state, through createFlags and a loopback server:
// every line reads as a sentence ("is stale", "has failed", never "is failed"), and says "serving" once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlags, type FlagsClient } from '@flagwise/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fixture from '../../../test/fixtures/unleash/unleash-client-features.json' with { type: 'json' };
import { unleashSource } from '../src/index.js';
import {
  type LoopbackServer,
  type Responder,
  recordingLogger,
  startLoopbackServer,
  waitFor,
} from './helpers/loopback-server.js';

const TOKEN = 'default:development.status-lines';
const serves: Responder = (request) =>
  request.headers.authorization !== TOKEN
    ? { status: 401, body: { message: 'no such token' } }
    : request.path.includes('/client/features')
      ? { status: 200, body: fixture }
      : { status: 202 };

let server: LoopbackServer;
let backupDir: string;
const clients: FlagsClient[] = [];

beforeEach(async () => {
  server = await startLoopbackServer(serves);
  backupDir = await mkdtemp(join(tmpdir(), 'flagwise-status-lines-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server.close();
  await rm(backupDir, { recursive: true, force: true });
});

function app() {
  const log = recordingLogger();
  const client = createFlags({
    source: unleashSource({
      url: `${server.url}/api`,
      apiToken: TOKEN,
      appName: 'status-lines',
      refreshInterval: 100,
      backupPath: backupDir,
      metrics: false,
    }),
    logger: log.logger,
  });
  client.on('error', () => {});
  clients.push(client);
  return { client, lines: log.lines };
}

/** The warn and error lines about the source's state. */
const stateLines = (lines: Array<{ level: string; message: string }>) =>
  lines
    .filter((line) => line.level !== 'debug' && /serving|stale|failed/.test(line.message))
    .map(({ level, message }) => ({ level, message }));

describe('the status lines of an Unleash source', () => {
  it('says once that it serves the last good flags when the server fails after a good start', async () => {
    const { client, lines } = app();
    await client.ready({ timeoutMs: 5_000 });
    server.respond = () => ({ status: 503, body: 'down' });
    await waitFor(() => stateLines(lines).length > 0, 'a stale line', 10_000);
    const [line] = stateLines(lines);
    expect(line.message).toMatch(
      /^flagwise: unleash\(http:\/\/127\.0\.0\.1:\d+\/api\) is stale, serving the last good flags: .*responded 503/,
    );
    expect(line.message.match(/serving/g)).toHaveLength(1);
  });

  it('says it serves the backup once when the server is down at start', async () => {
    const first = app();
    await first.client.ready({ timeoutMs: 5_000 });
    await first.client.close();
    await server.close();
    const { client, lines } = app();
    await client.ready({ timeoutMs: 5_000 });
    const [line] = stateLines(lines);
    expect(line.message).toMatch(
      /is stale, serving the last good flags: the server has not answered yet; \d+ flags from the backup /,
    );
    expect(line.message.match(/serving/g)).toHaveLength(1);
    await server.reopen();
  });

  it('says "has failed" when the server refuses the token after a good start', async () => {
    const { client, lines } = app();
    await client.ready({ timeoutMs: 5_000 });
    server.respond = () => ({ status: 401, body: { message: 'no such token' } });
    await waitFor(
      () => stateLines(lines).some((line) => line.level === 'warn'),
      'the line about the failed source',
      10_000,
    );
    const warned = stateLines(lines).filter((line) => line.level === 'warn');
    expect(warned).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(
          /^flagwise: unleash\(.*\) has failed, serving the last good flags: .*answered 401 to the API token/,
        ),
      },
    ]);
    expect(warned[0].message.match(/serving/g)).toHaveLength(1);
    expect(lines.some((line) => / is failed/.test(line.message))).toBe(false);
  });
});
