// A real HTTP server on 127.0.0.1 that plays an Unleash-compatible API for unit tests: it records every
// request and lets a test decide each answer. The SDK under test talks to it over real sockets.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Responder = (request: RecordedRequest) => Reply;

export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  respond: Responder;
  close(): Promise<void>;
  /** listens again on the same port after close(), as a restarted server would */
  reopen(): Promise<void>;
}

export async function startLoopbackServer(respond: Responder, port = 0): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  let server: Server;
  const state = {
    respond,
    requests,
    url: '',
    port: 0,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async reopen() {
      server = await listen(state.port);
    },
  };
  const listen = (onPort: number) =>
    new Promise<Server>((resolve, reject) => {
      const created = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => {
          body += chunk;
        });
        req.on('end', () => {
          const recorded = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
          requests.push(recorded);
          const reply = state.respond(recorded);
          const headers: Record<string, string> = { ...reply.headers };
          let payload = '';
          if (reply.body !== undefined) {
            payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
            headers['content-type'] ??= 'application/json';
          }
          res.writeHead(reply.status, headers);
          res.end(payload);
        });
      });
      created.once('error', reject);
      created.listen(onPort, '127.0.0.1', () => resolve(created));
    });
  server = await listen(port);
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state as LoopbackServer;
}

/** Polls `check` until it returns true or the deadline passes; resolves how long it took, in ms. */
export async function waitFor(check: () => boolean, what: string, deadlineMs = 5_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > deadlineMs)
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

export { recordingLogger } from '../../../../test/support/logging.js';
