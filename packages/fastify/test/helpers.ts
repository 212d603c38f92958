// Shared by the plugin's tests: both Fastify majors side by side, and a listening app on 127.0.0.1.
import { createRequire } from 'node:module';
import type { ClientFeaturesPayload, FlagSource, SourceListener, SourceStatus } from '@flagwise/core';
import type fastify5 from 'fastify';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** Fastify 4 and 5 (npm aliases) with the @fastify/view major that goes with each; typed as Fastify 5. */
export const MAJORS = [
  { name: 'fastify 4', fastify: require('fastify4') as typeof fastify5, view: require('fastify-view9') },
  { name: 'fastify 5', fastify: require('fastify') as typeof fastify5, view: require('@fastify/view') },
] as const;

/** Listens on 127.0.0.1, port 0, and returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/**
 * A source that loads only when the test says so (`open()`), or fails (`fail()`): stands in for a slow or
 * unreachable flag service.
 */
export function gatedSource(definitions: ClientFeaturesPayload) {
  const listeners = new Set<SourceListener>();
  let status: SourceStatus = 'starting';
  let loaded: ClientFeaturesPayload | undefined;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let stopped = 0;
  const source: FlagSource & { open(): void; fail(error: Error): void; readonly stopCount: number } = {
    name: 'gated',
    get status() {
      return status;
    },
    start: () =>
      new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      }),
    async stop() {
      stopped++;
      settle?.reject(new Error('stopped'));
    },
    current: () => loaded,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    open() {
      loaded = definitions;
      status = 'ready';
      for (const listener of listeners) listener({ type: 'definitions', definitions });
      settle?.resolve();
    },
    fail(error) {
      status = 'failed';
      settle?.reject(error);
    },
    get stopCount() {
      return stopped;
    },
  };
  return source;
}

/** Fastify's own logger (pino) writing into an array: `Fastify({ logger: log.options })`, then `log.lines`. */
export function capturedLog() {
  const lines: { level: number; msg: string }[] = [];
  const stream = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk));
    },
  };
  return { lines, options: { level: 'info', stream } };
}
