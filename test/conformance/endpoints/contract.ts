// The contract every row of the endpoint table implements: a real app of its framework, on 127.0.0.1 port 0,
// wired as a user would wire it, that mounts any flagwise Endpoint (the dashboard, the Frontend API, OFREP) at a
// prefix with the adapter's generic mount. The endpoint tables (endpoint-mount.test.ts here, and each endpoint's
// own) run their scenarios against every row.
import { createHash } from 'node:crypto';
import type { FlagsClient } from '@flagwise/core';
import type { Endpoint } from '@flagwise/core/adapter';
import type { RunningApp } from '../contract.js';

export type { RunningApp } from '../contract.js';
export { CONTEXT_HEADERS } from '../contract.js';

/** One more endpoint for a row's app, mounted after the first, in the order given. */
export interface Mount {
  endpoint: Endpoint<any>;
  /** where it is mounted: '' for the app's root, or a path such as '/api/frontend' */
  prefix: string;
}

export interface EndpointRow {
  /** e.g. 'express 4', 'fastify 5', 'nest 11 (fastify)' */
  name: string;
  /**
   * Start the app with the adapter given `client`, the context hook of ../contract.ts (userId ← `x-user-id`,
   * properties.plan ← `x-plan`), `endpoint` mounted at `prefix` ('' for the root, or e.g. '/_flags'), then each
   * of `more` at its own prefix, and after them, routes of the app itself, as an app writes them:
   *   GET  /flag/:name → 200 JSON { enabled, variant, reason } from the request's flags (`reason` from
   *                      explain()), so a table can check what the app's next request sees;
   *   POST /app/json   → the JSON body parsed the framework's usual way (Express: `express.json()` on the route;
   *                      Koa: `@koa/bodyparser` on the route; Fastify and Nest: their own parsing) →
   *                      200 JSON { body };
   *   POST /app/raw    → the request stream read by the route itself (an octet-stream body of any size) →
   *                      200 JSON `streamDigest()`.
   */
  start(client: FlagsClient, endpoint: Endpoint<any>, prefix: string, more?: Mount[]): Promise<RunningApp>;
}

/** What the rows' POST /app/raw answers: the size and SHA-256 of the bytes the route read from the stream. */
export async function streamDigest(
  stream: AsyncIterable<unknown>,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    hash.update(buffer);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The JSON the rows' /flag/:name route answers. */
export function flagAnswer(flags: import('@flagwise/core').RequestFlags, name: string) {
  return { enabled: flags.isEnabled(name), variant: flags.variant(name), reason: flags.explain(name).reason };
}
