// The generic mount, every framework row: an endpoint that echoes what it was handed, answers in each form an
// Endpoint can (text, bytes, headers and cookies, a stream, nothing, an error), and records its streams' aborts.
import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import type { Endpoint, EndpointRequest, EndpointResponse } from '@flagwise/core/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_HEADERS as H, type RunningApp } from '../contract.js';
import { rows } from '../rows.js';

const SECRET = 'endpoint-mount-secret-0123456789abcdef012345';
const PREFIX = '/_mount';

function flag(name: string, enabled: boolean) {
  return { name, enabled, strategies: [{ name: 'default', parameters: {}, constraints: [] }], variants: [] };
}

/** An endpoint for the table: each path shows one thing a mount must get right. */
function echoEndpoint() {
  const streams = { opened: 0, aborted: 0 };
  const endpoint: Endpoint = {
    name: 'echoEndpoint()',
    async handle(request: EndpointRequest): Promise<EndpointResponse | undefined> {
      const answerJson = (value: unknown): EndpointResponse => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      switch (request.path) {
        case '/':
        case '/echo':
        case '/deeper/still':
          return answerJson({
            method: request.method,
            path: request.path,
            query: Object.fromEntries(request.query),
            body: await request.readBody(),
            secure: request.secure,
            header: request.headers['x-test'],
            userId: request.flags.context.userId,
            plan: request.flags.context.properties?.plan,
            alwaysOff: request.flags.isEnabled('always-off'),
            clientNames: request.client.names(),
          });
        case '/bytes':
          return {
            status: 201,
            headers: { 'content-type': 'application/octet-stream' },
            body: new Uint8Array([1, 2, 3]),
          };
        case '/headers':
          return {
            status: 202,
            headers: {
              'content-type': 'text/plain; charset=utf-8',
              'x-endpoint': 'yes',
              'set-cookie': 'endpoint=1; Path=/',
            },
            body: 'headers',
          };
        case '/empty':
          return { status: 204 };
        case '/throws':
          throw new Error('the endpoint broke');
        case '/stream':
          return {
            status: 200,
            headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
            stream: (write: (chunk: string) => void, end: () => void) => {
              write('data: one\n\n');
              setTimeout(() => {
                write('data: two\n\n');
                end();
              }, 20);
            },
          };
        case '/open-stream':
          return {
            status: 200,
            headers: { 'content-type': 'text/event-stream' },
            stream: (write: (chunk: string) => void, _end: () => void, signal: AbortSignal) => {
              streams.opened++;
              write('data: open\n\n');
              signal.addEventListener('abort', () => streams.aborted++);
            },
          };
        default:
          return undefined;
      }
    },
  };
  return { endpoint, streams };
}

/** A stream on a connection of its own (no keep-alive pool), and its first chunk. */
async function openStream(url: string): Promise<{ response: IncomingMessage; firstChunk: string }> {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    http.get(url, { agent: false }, resolve).on('error', reject),
  );
  const [chunk] = (await once(response, 'data')) as [Buffer];
  return { response, firstChunk: chunk.toString('utf8') };
}

function readJson(response: Response): Promise<any> {
  return response.json();
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  let client: FlagsClient;
  let app: RunningApp;
  const { endpoint, streams } = echoEndpoint();

  beforeAll(async () => {
    client = createFlags({
      source: memorySource({ version: 2, features: [flag('always-on', true), flag('always-off', false)] }),
      overrides: { secret: SECRET, allow: (req: any) => req.headers?.[H.qa] === 'yes' },
    });
    await client.ready({ timeoutMs: 5000 });
    app = await row.startWithEndpoint(client, endpoint, PREFIX);
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, init);
  const json = async (path: string): Promise<Record<string, any>> =>
    (await call(path)).json() as Promise<Record<string, any>>;

  it('hands over method, the path below the prefix, query, headers and the request flags', async () => {
    const res = await call(`${PREFIX}/echo?a=1&b=two`, {
      headers: { 'x-test': 'hello', [H.userId]: 'alice', [H.plan]: 'pro' },
    });
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({
      method: 'GET',
      path: '/echo',
      query: { a: '1', b: 'two' },
      secure: false,
      header: 'hello',
      userId: 'alice',
      plan: 'pro',
      alwaysOff: false,
      clientNames: ['always-on', 'always-off'],
    });
    expect((await json(`${PREFIX}/deeper/still`)).path).toBe('/deeper/still');
  });

  it('serves the mount point itself as "/"', async () => {
    expect((await json(PREFIX)).path).toBe('/');
    expect((await json(`${PREFIX}?x=1`)).query).toEqual({ x: '1' });
  });

  it('hands over a POST body: JSON (parsed or as text) and plain text', async () => {
    const json = await call(`${PREFIX}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flag: 'always-on', value: true }),
    });
    const { body, method } = await readJson(json);
    expect(method).toBe('POST');
    expect(typeof body === 'string' ? JSON.parse(body) : body).toEqual({ flag: 'always-on', value: true });
    const text = await call(`${PREFIX}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'plain words',
    });
    expect((await readJson(text)).body).toBe('plain words');
  });

  it('gives the request its QA overrides, and sends the override cookie next to the endpoint’s own', async () => {
    const res = await call(`${PREFIX}/headers?flagwise=always-off:on`, { headers: { [H.qa]: 'yes' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-endpoint')).toBe('yes');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const cookies = res.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('endpoint=1'))).toBe(true);
    expect(cookies.some((c) => c.startsWith('flagwise_overrides='))).toBe(true);
    expect(await res.text()).toBe('headers');
    const echoed = await call(`${PREFIX}/echo?flagwise=always-off:on`, { headers: { [H.qa]: 'yes' } });
    expect((await readJson(echoed)).alwaysOff).toBe(true);
  });

  it('sends bytes and empty answers with their status', async () => {
    const bytes = await call(`${PREFIX}/bytes`);
    expect(bytes.status).toBe(201);
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([1, 2, 3]);
    const empty = await call(`${PREFIX}/empty`);
    expect(empty.status).toBe(204);
  });

  it('leaves what the endpoint does not answer to the framework: its own 404', async () => {
    const unknownRoute = await call('/no-such-route');
    const notServed = await call(`${PREFIX}/not-served`);
    expect(notServed.status).toBe(404);
    expect(notServed.status).toBe(unknownRoute.status);
    // The app's own routes, outside the prefix, are untouched.
    expect(await (await call('/flag/always-on')).json()).toMatchObject({
      enabled: true,
      reason: 'strategy-matched',
    });
    // A path that only starts like the prefix is not the endpoint's.
    expect((await call(`${PREFIX}x/echo`)).status).toBe(404);
  });

  it('answers 500 when the endpoint throws, and keeps serving', async () => {
    expect((await call(`${PREFIX}/throws`)).status).toBe(500);
    expect((await call(`${PREFIX}/echo`)).status).toBe(200);
  });

  it('streams server-sent events as they are written', async () => {
    const res = await call(`${PREFIX}/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await res.text()).toBe('data: one\n\ndata: two\n\n');
  });

  it('aborts a stream when its client goes away', async () => {
    const before = streams.aborted;
    const { response, firstChunk } = await openStream(`${app.url}${PREFIX}/open-stream`);
    expect(firstChunk).toBe('data: open\n\n');
    response.destroy();
    await until(() => streams.aborted > before);
  });

  it('ends open streams when the app closes', async () => {
    const { response } = await openStream(`${app.url}${PREFIX}/open-stream`);
    const aborted = streams.aborted;
    // The client reads on, as EventSource does, until the stream ends or its connection goes (the Express and
    // Koa rows' close() drops every connection, as those frameworks have no close hook for the mount).
    const gone = new Promise((resolve) => response.once('close', resolve));
    response.on('error', () => {});
    response.resume();
    await app.close();
    await gone;
    expect(streams.aborted).toBe(aborted + 1);
    app = await row.startWithEndpoint(client, endpoint, PREFIX);
  });
});
