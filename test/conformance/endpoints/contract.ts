// The contract every row of the endpoint table implements: a real app of its framework, on 127.0.0.1 port 0,
// wired as a user would wire it, that mounts any flagwise Endpoint (the dashboard, the Frontend API, OFREP) at a
// prefix with the adapter's generic mount. The endpoint tables (endpoint-mount.test.ts here, and each endpoint's
// own) run their scenarios against every row.
import type { FlagsClient } from '@flagwise/core';
import type { Endpoint } from '@flagwise/core/adapter';
import type { RunningApp } from '../contract.js';

export type { RunningApp } from '../contract.js';
export { CONTEXT_HEADERS } from '../contract.js';

export interface EndpointRow {
  /** e.g. 'express 4', 'fastify 5', 'nest 11 (fastify)' */
  name: string;
  /**
   * Start the app with the adapter given `client`, the context hook of ../contract.ts (userId ← `x-user-id`,
   * properties.plan ← `x-plan`), `endpoint` mounted at `prefix` (e.g. '/_flags'), and one route of the app
   * itself:
   *   GET /flag/:name → 200 JSON { enabled, variant, reason } from the request's flags (`reason` from explain()),
   * so a table can check what the app's next request sees.
   */
  start(client: FlagsClient, endpoint: Endpoint<any>, prefix: string): Promise<RunningApp>;
}

/** The JSON the rows' /flag/:name route answers. */
export function flagAnswer(flags: import('@flagwise/core').RequestFlags, name: string) {
  return { enabled: flags.isEnabled(name), variant: flags.variant(name), reason: flags.explain(name).reason };
}
