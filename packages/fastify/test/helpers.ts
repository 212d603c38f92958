// Shared by the plugin's tests: both Fastify majors side by side, and a listening app on 127.0.0.1.
import { createRequire } from 'node:module';
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
