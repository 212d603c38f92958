// Serving an endpoint on a real Node server, as every adapter does through these functions: the body a framework
// left unread or parsed, the size limit, an endpoint that throws, the answer written with the adapter's own
// cookies kept, and server-sent events that end when the page goes away or the app closes.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { waitFor } from '../../../../test/support/waiting.js';
import {
  ENDPOINT_BODY_LIMIT_BYTES,
  EndpointShutdown,
  endpointStream,
  serveEndpoint,
  writeEndpointResponse,
} from '../../src/endpoint/mount.js';
import {
  createFlags,
  type Endpoint,
  type EndpointRequest,
  type FlagsClient,
  memorySource,
} from '../../src/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A Node server that serves `endpoint` at its root, reading the body itself first when `parse` is set. */
async function serve(endpoint: Endpoint<IncomingMessage>, options: { parse?: boolean } = {}) {
  const { logger, lines } = recordingLogger();
  const client: FlagsClient<IncomingMessage> = createFlags({
    source: memorySource({ flags: { a: true } }),
    logger,
  });
  await client.ready();
  const shutdown = new EndpointShutdown();
  const server: Server = createServer(async (req, res) => {
    let parsedBody: unknown;
    if (options.parse) {
      let text = '';
      for await (const chunk of req) text += chunk;
      parsedBody = { parsed: text };
    }
    res.setHeader('set-cookie', 'adapter=kept');
    const response = await serveEndpoint(endpoint, {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      secure: false,
      request: req,
      flags: client.forContext({}),
      client,
      raw: req,
      parsedBody,
    });
    if (response === undefined) {
      res.statusCode = 404;
      res.end('the framework’s own 404');
      return;
    }
    writeEndpointResponse(res, response, shutdown);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    shutdown.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await client.close();
  });
  return { url, lines, shutdown };
}

/** An endpoint that answers what it was handed. */
const echo: Endpoint<IncomingMessage> = {
  name: 'echo()',
  handle: async (request: EndpointRequest<IncomingMessage>) =>
    request.path === '/missing'
      ? undefined
      : {
          status: 200,
          headers: { 'content-type': 'application/json', 'set-cookie': 'endpoint=added' },
          body: JSON.stringify({
            method: request.method,
            path: request.path,
            query: [...request.query],
            body: (await request.readBody()) ?? null,
          }),
        },
};

describe('serveEndpoint', () => {
  it('hands over method, path and query, reads a body the framework left unread, and keeps the adapter’s cookies', async () => {
    const { url } = await serve(echo);
    const response = await fetch(`${url}/api/state?flag=a&flag=b`, { method: 'POST', body: 'hello' });
    expect(await response.json()).toEqual({
      method: 'POST',
      path: '/api/state',
      query: [
        ['flag', 'a'],
        ['flag', 'b'],
      ],
      body: 'hello',
    });
    expect(response.headers.getSetCookie()).toEqual(['adapter=kept', 'endpoint=added']);
    const get = (await (await fetch(`${url}/x`)).json()) as { body: unknown };
    expect(get.body).toBeNull();
  });

  it('takes the framework’s parsed body when the framework read the request', async () => {
    const { url } = await serve(echo, { parse: true });
    const response = await fetch(`${url}/`, { method: 'PUT', body: 'raw text' });
    expect(((await response.json()) as { body: unknown }).body).toEqual({ parsed: 'raw text' });
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const { url } = await serve(echo);
    const declared = await fetch(`${url}/`, {
      method: 'POST',
      body: 'x'.repeat(ENDPOINT_BODY_LIMIT_BYTES + 1),
    });
    expect(declared.status).toBe(413);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${url}/`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = 'y'.repeat(64 * 1024);
      let sent = 0;
      const write = () => {
        while (sent <= ENDPOINT_BODY_LIMIT_BYTES) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', write);
        }
        req.end();
      };
      write();
    });
    expect(streamed).toBe(413);
  });

  it('leaves a request the endpoint does not serve to the framework', async () => {
    const { url } = await serve(echo);
    const response = await fetch(`${url}/missing`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('the framework’s own 404');
  });

  it('leaves a path the endpoint does not serve untouched: no body read, not even one over the limit', async () => {
    const { url } = await serve({ ...echo, serves: (path) => path.startsWith('/mine/') });
    const response = await fetch(`${url}/other`, {
      method: 'POST',
      body: 'x'.repeat(ENDPOINT_BODY_LIMIT_BYTES + 1),
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('the framework’s own 404');
    expect((await fetch(`${url}/mine/x`, { method: 'POST', body: '{}' })).status).toBe(200);
  });

  it('answers 500 for an endpoint that throws, and logs it with the endpoint’s name', async () => {
    const { url, lines } = await serve({
      name: 'broken()',
      handle: () => {
        throw new Error('boom');
      },
    });
    const response = await fetch(`${url}/here`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('internal error');
    expect(messagesAt(lines, 'error')).toEqual(['flagwise: broken() failed on GET /here']);
  });
});

describe('streamed answers', () => {
  const events: Endpoint<IncomingMessage> = {
    name: 'events()',
    handle: () => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      stream(write, _end, signal) {
        write('data: first\n\n');
        const timer = setInterval(() => write('data: tick\n\n'), 5);
        signal.addEventListener('abort', () => {
          clearInterval(timer);
          aborted.push(true);
        });
      },
    }),
  };
  const aborted: boolean[] = [];

  it('streams until the app closes the mount, then ends the response', async () => {
    aborted.length = 0;
    const { url, shutdown } = await serve(events);
    const response = await fetch(`${url}/`);
    expect(response.headers.get('connection')).toBe('close');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('data: first');
    shutdown.close();
    for (;;) if ((await reader.read()).done) break;
    expect(aborted).toEqual([true]);
  });

  it('aborts the endpoint’s stream when the page goes away', async () => {
    aborted.length = 0;
    const { url } = await serve(events);
    const controller = new AbortController();
    const response = await fetch(`${url}/`, { signal: controller.signal });
    await response.body!.getReader().read();
    controller.abort();
    await waitFor(() => aborted.length === 1, 'the stream to end', 5000);
  });

  it('ends a Readable at end(), and aborts the endpoint when the Readable is destroyed', async () => {
    const ended = endpointStream((write, end) => {
      write('one');
      end();
      write('ignored');
    });
    const chunks: string[] = [];
    for await (const chunk of ended) chunks.push(String(chunk));
    expect(chunks).toEqual(['one']);
    let signalled = false;
    const destroyed = endpointStream((_write, _end, signal) => {
      signal.addEventListener('abort', () => {
        signalled = true;
      });
    });
    destroyed.destroy();
    expect(signalled).toBe(true);
    const shutdown = new EndpointShutdown();
    let aborted = 0;
    endpointStream((_write, _end, signal) => {
      signal.addEventListener('abort', () => aborted++);
    }, shutdown);
    shutdown.close();
    expect(aborted).toBe(1);
  });
});
