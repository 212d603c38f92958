// A fetch still in flight when the source stops: unleash-client lets it finish after the client is closed, and
// its failure must end quietly. An unhandled rejection there would end the app's process at its shutdown.
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFlags } from '@flagwise/core';
import { afterEach, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../test/support/logging.js';
import { waitFor } from '../../../test/support/waiting.js';
import { unleashSource } from '../src/index.js';

const TOKEN = 'default:development.stop-while-fetching';
const PAYLOAD = { version: 2, features: [{ name: 'checkout', enabled: true, strategies: [], variants: [] }] };

let server: Server | undefined;
const rejections: unknown[] = [];
const recordRejection = (reason: unknown) => void rejections.push(reason);

afterEach(async () => {
  process.off('unhandledRejection', recordRejection);
  rejections.length = 0;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

it('a features fetch in flight when the client closes ends quietly when it fails, logged at debug', async () => {
  // The first features request is answered; the next one is held until the client has closed.
  const held: ServerResponse[] = [];
  let featureRequests = 0;
  server = createServer((request, response) => {
    if (!request.url?.startsWith('/api/client/features')) {
      response.writeHead(202).end();
      return;
    }
    featureRequests += 1;
    if (featureRequests === 1) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PAYLOAD));
      return;
    }
    held.push(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  process.on('unhandledRejection', recordRejection);

  const { logger, lines } = recordingLogger();
  const client = createFlags({
    source: unleashSource({
      url: `http://127.0.0.1:${port}/api`,
      apiToken: TOKEN,
      appName: 'stop-while-fetching',
      refreshInterval: 50,
      backupPath: false,
      metrics: false,
    }),
    logger,
  });
  await client.ready({ timeoutMs: 10_000 });
  await waitFor(() => held.length === 1, 'the second features request, held by the server');
  await client.close();

  // A refusal unleash-client reports as an 'error' event, after it was told to stop.
  held[0].writeHead(401, { 'content-type': 'application/json' }).end('{"message":"token revoked"}');
  const ended = () => messagesAt(lines, 'debug').find((message) => message.includes('was stopped while'));
  await waitFor(() => rejections.length > 0 || ended(), 'the held fetch to end');

  expect(rejections).toEqual([]);
  expect(ended()).toMatch(/was stopped while it was fetching; that fetch ended: .*401/);
});
