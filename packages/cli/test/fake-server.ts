// A real HTTP server on loopback that stands in for Unleash (or for anything UNLEASH_URL may point at): it answers
// each request as the test says, hostile bodies included, or never, and records what it was asked.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one request: JSON (or raw text) with a status; never; or headers and then nothing. */
export type FakeAnswer = { status?: number; json?: unknown; text?: string } | 'never' | 'stall';

export interface FakeServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `GET /api/admin/ui-config`, … in the order they arrived */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Starts the fake on a free loopback port. `answer` gets the method and the decoded path (no query); an
 * undefined answer is a 404.
 * @example
 * const server = await fakeServer((method, path) => (path === '/api/admin/ui-config' ? { json: { version: '7.5.1' } } : undefined));
 */
export async function fakeServer(
  answer: (method: string, path: string) => FakeAnswer | undefined,
): Promise<FakeServer> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://fake').pathname);
    requests.push(`${request.method} ${path}`);
    // the request body is read and dropped, so a POST is answered like a GET
    request.resume();
    request.on('end', () => {
      const reply = answer(request.method ?? 'GET', path) ?? { status: 404, json: { message: 'not found' } };
      if (reply === 'never') return;
      if (reply === 'stall') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"version":');
        return;
      }
      const body = reply.text ?? JSON.stringify(reply.json ?? {});
      response.writeHead(reply.status ?? 200, {
        'content-type': reply.text === undefined ? 'application/json' : 'text/plain',
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
