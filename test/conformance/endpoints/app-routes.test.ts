// Endpoints touch nothing of a request that is not addressed to them, on every framework row: OFREP at the app's
// root and below a path, the Frontend API and the dashboard below theirs, and all three in one app with OFREP
// first at the root, each followed by the app's own routes: a JSON route parsed the framework's usual way, a route
// that reads the request stream itself, and a 2 MB upload to it. Every body reaches its route intact, and a
// malformed body sent to an endpoint is still refused.
import { createHash, randomBytes } from 'node:crypto';
import {
  createDashboard,
  createFlags,
  type FlagsClient,
  frontendApiEndpoint,
  inlineSource,
  ofrepEndpoint,
} from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterRow, Mount, RunningApp } from '../contract.js';
import { rows } from '../rows.js';

const UPLOAD = randomBytes(2 * 1024 * 1024);
const UPLOAD_SHA256 = createHash('sha256').update(UPLOAD).digest('hex');

const ofrepAtRoot: Mount = { endpoint: ofrepEndpoint(), prefix: '' };
const frontendApi: Mount = { endpoint: frontendApiEndpoint(), prefix: '/api/frontend' };
const dashboard: Mount = { endpoint: createDashboard({ allow: () => true }), prefix: '/_flags' };

/** Each way the table mounts endpoints, and a request each mounted endpoint answers. */
const MOUNTINGS: { title: string; mounts: Mount[]; served: { path: string; init: RequestInit }[] }[] = [
  { title: 'OFREP at the root', mounts: [ofrepAtRoot], served: [ofrepCall('')] },
  {
    title: 'OFREP below /features',
    mounts: [{ endpoint: ofrepEndpoint(), prefix: '/features' }],
    served: [ofrepCall('/features')],
  },
  { title: 'the Frontend API below /api/frontend', mounts: [frontendApi], served: [frontendApiCall()] },
  { title: 'the dashboard below /_flags', mounts: [dashboard], served: [dashboardCall()] },
  {
    title: 'OFREP at the root, then the Frontend API and the dashboard',
    mounts: [ofrepAtRoot, frontendApi, dashboard],
    served: [ofrepCall(''), frontendApiCall(), dashboardCall()],
  },
];

function ofrepCall(prefix: string) {
  return {
    path: `${prefix}/ofrep/v1/evaluate/flags`,
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"context":{}}' },
  };
}

function frontendApiCall() {
  return {
    path: '/api/frontend',
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"context":{}}' },
  };
}

function dashboardCall() {
  return { path: '/_flags/api/state', init: {} };
}

async function start(row: AdapterRow, client: FlagsClient, mounts: Mount[]): Promise<RunningApp> {
  const [first, ...more] = mounts;
  return row.startWithEndpoint(client, first.endpoint, first.prefix, more);
}

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  let client: FlagsClient;
  beforeAll(async () => {
    client = createFlags({
      source: inlineSource({ flags: { 'dark-mode': { browser: true } } }),
      logger: false,
    });
    await client.ready();
  });
  afterAll(() => client?.close());

  describe.each(MOUNTINGS)('$title', ({ mounts, served }) => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await start(row, client, mounts);
    });
    afterAll(() => app?.close());

    const post = (path: string, contentType: string, body: string | Blob) =>
      fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

    it('leaves the app’s JSON route its parsed body', async () => {
      const res = await post('/app/json', 'application/json', JSON.stringify({ order: 42, items: ['a'] }));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ body: { order: 42, items: ['a'] } });
    });

    it('leaves a route that reads the request stream itself the whole stream', async () => {
      const res = await post('/app/raw', 'application/octet-stream', 'a small body');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        bytes: 12,
        sha256: createHash('sha256').update('a small body').digest('hex'),
      });
    });

    it('leaves a 2 MB upload to the app’s route, over the endpoints’ own body limit', async () => {
      const res = await post('/app/raw', 'application/octet-stream', new Blob([UPLOAD]));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ bytes: UPLOAD.length, sha256: UPLOAD_SHA256 });
    });

    it('still answers its own requests', async () => {
      for (const { path, init } of served) {
        const res = await fetch(`${app.url}${path}`, init);
        expect(res.status, path).toBe(200);
        await res.arrayBuffer();
      }
    });

    it('refuses a malformed body sent to an endpoint that reads one', async () => {
      for (const { path } of served.filter((call) => call.init.method === 'POST')) {
        for (const type of ['application/json', 'text/plain']) {
          const res = await post(path, type, '{"context":');
          expect(res.status, `${path} as ${type}`).toBe(400);
          await res.arrayBuffer();
        }
      }
    });
  });
});
