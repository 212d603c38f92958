// The pages' event streams (OFREP's eventStreams and the Frontend API's /events): a refetchEvaluation only when
// what a page can see may have changed, a catch-up for a page that missed one, and the stream URL in the bulk
// answer below the mount point.
import { describe, expect, it } from 'vitest';
import { endpointCaller, jsonOf, type TestRequest } from '../../../../test/support/endpoints.js';
import { waitFor } from '../../../../test/support/waiting.js';
import {
  createFlags,
  type EndpointResponse,
  frontendApiEndpoint,
  type MemorySource,
  memorySource,
  ofrepEndpoint,
} from '../../src/index.js';

const FLAGS = {
  banner: { browser: true, users: ['u1'] },
  child: { browser: true, requires: 'parent' },
  parent: { enabled: true },
  'server-only': { users: ['u1'] },
};

async function setup() {
  const source: MemorySource = memorySource({ flags: FLAGS });
  const client = createFlags<TestRequest>({ source, logger: false });
  await client.ready();
  return { source, client };
}

function run(response: EndpointResponse | undefined) {
  expect(response?.status).toBe(200);
  expect(response?.headers?.['content-type']).toBe('text/event-stream; charset=utf-8');
  const chunks: string[] = [];
  const controller = new AbortController();
  response?.stream?.(
    (chunk) => chunks.push(chunk),
    () => controller.abort(),
    controller.signal,
  );
  return { chunks, close: () => controller.abort() };
}

const refetches = (chunks: string[]) =>
  chunks
    .flatMap((chunk) => [...chunk.matchAll(/id: (\S+)\ndata: (.*)\n/g)])
    .map((match) => ({ id: match[1], data: JSON.parse(match[2]) }));

describe('OFREP event streams', () => {
  it('names the stream below the mount point in the bulk answer, with the state of that answer', async () => {
    const { client } = await setup();
    const call = endpointCaller(client, ofrepEndpoint<TestRequest>());
    const bulk = jsonOf(
      await call(
        { user: { id: 'u1' } },
        { method: 'POST', path: '/ofrep/v1/evaluate/flags', body: '{}', mountPath: '/features' },
      ),
    );
    expect(bulk.eventStreams).toEqual([
      {
        type: 'sse',
        endpoint: { requestUri: expect.stringMatching(/^\/features\/ofrep\/v1\/events\?since=[\w-]+$/) },
        inactivityDelaySec: 120,
      },
    ]);
    const off = endpointCaller(client, ofrepEndpoint<TestRequest>({ eventStreams: false }));
    const plain = jsonOf(await off({}, { method: 'POST', path: '/ofrep/v1/evaluate/flags', body: '{}' }));
    expect(plain.eventStreams).toBeUndefined();
    expect(await off({}, { path: '/ofrep/v1/events' })).toBeUndefined();
    await client.close();
  });

  it('sends refetchEvaluation for a change a page can see (a parent flag too), and nothing for a hidden flag', async () => {
    const { source, client } = await setup();
    const call = endpointCaller(client, ofrepEndpoint<TestRequest>());
    const stream = run(await call({}, { path: '/ofrep/v1/events' }));
    const opening = /^retry: \d+\nid: (\S+)\n\n$/.exec(stream.chunks[0]);
    expect(opening, stream.chunks[0]).not.toBeNull();

    const changes: string[] = [];
    client.on('changed', (change) => changes.push(...change.changed, ...change.added));
    source.set('server-only', { users: ['u2'] });
    source.set('another-hidden', true);
    await waitFor(() => changes.length === 2, 'the hidden changes');
    expect(refetches(stream.chunks)).toEqual([]);

    source.set('banner', { browser: true, users: ['u1', 'u2'] });
    await waitFor(() => refetches(stream.chunks).length === 1, 'a refetch for the visible flag');
    const [first] = refetches(stream.chunks);
    expect(first.data).toEqual({ type: 'refetchEvaluation', etag: first.id });
    expect(first.id).not.toBe(opening?.[1]);

    source.set('parent', { enabled: false });
    await waitFor(
      () => refetches(stream.chunks).length === 2,
      'a refetch for the flag a browser flag requires',
    );
    stream.close();
    source.set('banner', true);
    await waitFor(() => changes.length === 5, 'the change after the page left');
    expect(refetches(stream.chunks)).toHaveLength(2);
    await client.close();
  });

  it('catches up a page whose state is behind (since= or Last-Event-ID), and not one that is current', async () => {
    const { source, client } = await setup();
    const call = endpointCaller(client, ofrepEndpoint<TestRequest>());
    const bulk = jsonOf(await call({}, { method: 'POST', path: '/ofrep/v1/evaluate/flags', body: '{}' }));
    const query = bulk.eventStreams[0].endpoint.requestUri.split('?')[1];
    const current = run(await call({}, { path: '/ofrep/v1/events', query }));
    expect(refetches(current.chunks)).toEqual([]);
    source.set('banner', false);
    await waitFor(() => refetches(current.chunks).length === 1, 'the refetch');
    current.close();

    // A page that fetched before the change connects with the state of its answer: it refetches at once.
    const late = run(await call({}, { path: '/ofrep/v1/events', query }));
    expect(refetches(late.chunks)).toHaveLength(1);
    // A reconnect says where it was with Last-Event-ID, which wins over the URL's since.
    const newest = refetches(current.chunks)[0].id;
    const reconnect = run(
      await call({}, { path: '/ofrep/v1/events', query, headers: { 'last-event-id': newest } }),
    );
    expect(refetches(reconnect.chunks)).toEqual([]);
    expect(reconnect.chunks[0]).toContain(`id: ${newest}`);
    await client.close();
  });

  it('keeps the ETag of an unchanged answer: a change elsewhere still gets 304', async () => {
    const { source, client } = await setup();
    const call = endpointCaller(client, ofrepEndpoint<TestRequest>());
    const post = (headers: Record<string, string> = {}) =>
      call({ user: { id: 'u1' } }, { method: 'POST', path: '/ofrep/v1/evaluate/flags', body: '{}', headers });
    const etag = String((await post())?.headers?.etag);
    source.set('parent', { enabled: true, description: 'touched' } as never);
    source.set('banner', { browser: true, users: ['u1', 'u3'] });
    await waitFor(() => client.feature('banner')?.strategies?.length, 'the change');
    expect((await post({ 'if-none-match': etag }))?.status).toBe(304);
    await client.close();
  });
});

describe('Frontend API event stream', () => {
  it('answers GET /events without a client key, with CORS, and refetches only for exposed flags', async () => {
    const { source, client } = await setup();
    const call = endpointCaller(
      client,
      frontendApiEndpoint<TestRequest>({ clientKeys: ['web'], expose: ['parent'], cors: { origin: '*' } }),
    );
    const response = await call({}, { path: '/events', headers: { origin: 'https://shop.example' } });
    expect(response?.headers?.['access-control-allow-origin']).toBe('*');
    const stream = run(response);
    source.set('server-only', false);
    source.set('parent', { enabled: false });
    await waitFor(() => refetches(stream.chunks).length === 1, 'a refetch for the exposed flag');
    expect(await call({}, { path: '/events', method: 'POST' })).toBeUndefined();
    stream.close();
    await client.close();
  });
});
