// The contract every row of the conformance table implements: one file per adapter in ./rows/, each exporting
// `rows: AdapterRow[]`, all of them gathered in ./rows.ts.
//
// A row starts a real app of its framework, listening on 127.0.0.1 port 0, wired with its adapter the way a
// user would wire it, and serving the routes below. The tables drive every row through the same scenarios over
// HTTP: the adapter's own (conformance.test.ts and its neighbours, with `start` and `startEntry`) and the
// endpoints' (the dashboard, the Frontend API, OFREP and the generic mount, with `startWithEndpoint`).
import { createHash } from 'node:crypto';
import type { FlagsClient, RequestFlags } from '@flagwise/core';
import type { Endpoint } from '@flagwise/core/adapter';

export interface RunningApp {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  close(): Promise<void>;
}

export interface AdapterRow {
  /** e.g. 'express 4', 'fastify 5', 'nest 11 (fastify)' */
  name: string;
  /**
   * Start the app with the adapter given `client` (not options), so the table controls the flags.
   *
   * Context: the adapter's own context hook option must add, from request headers,
   *   userId ← `x-user-id`, properties.plan ← `x-plan`
   * (the adapter's defaults — user, session, ip — stay in place underneath).
   *
   * Overrides: the client is created by the table with `overrides: { secret, allow }`, where
   * `allow(request)` reads `request.headers['x-qa'] === 'yes'` (Express req, Fastify request, Koa ctx and the
   * Nest platform request all have `.headers`). The adapter reads the signed cookie and the `flagwise` query
   * parameter through the core (`requestFlags(client, ...)`) and sends any Set-Cookie it returns.
   *
   * Routes (all GET):
   *   /flag/:name         → 200 JSON { enabled: flags.isEnabled(name), variant: flags.variant(name) }
   *                          where `flags` is the request's lazy flags (req.flags / request.flags /
   *                          ctx.state.flags / @Flags())
   *   /prop/:property     → 200 JSON { value: flags[property] }   (camelCase property access)
   *   /twice/:name        → 200 JSON { first, second } : flags.isEnabled(name) read, then the table's
   *                          `between` hook awaited (query ?wait=1 → the route awaits `hooks.between()`),
   *                          then read again
   *   /guarded            → guarded by the framework's idiomatic guard for flag `beta-page`; 200 text
   *                          `beta ok` when on; the framework's own normal 404 when off
   *   /maintenance        → guarded for flag `checkout-open` with onDisabled answering 503 with text
   *                          `down for maintenance`; 200 text `checkout ok` when on
   *   /variant-b          → guarded by the variant guard: flag `experiment` in variants ['b']; 200 text
   *                          `variant b ok`; otherwise the framework's normal 404
   *   /page               → renders a real template (the framework's common engine) whose source is
   *                          `pricing:{new|old}` from `flags.newPricing`, then ` copy:` + the variant name
   *                          of `checkout-copy`, then ` json:` + JSON.stringify(flags) — e.g. EJS:
   *                          `pricing:<%= flags.newPricing ? 'new' : 'old' %> copy:<%= flags.variant('checkout-copy').name %> json:<%- JSON.stringify(flags) %>`
   */
  start(client: FlagsClient, hooks: AppHooks): Promise<RunningApp>;
  /**
   * Start the same app (the same routes, plus those below) with the adapter's entry point given exactly
   * `first` and `second`, as a user writes them: `featureFlags(first, second)` with its `ready()` awaited before
   * listening, `app.register(featureFlags, first)` (Fastify takes one object: with a `second`,
   * `{ client: first, ...second }`), `FeatureFlagsModule.forRoot(first, second)`. Rejects when the adapter
   * refuses to start: unknown options, or flags that cannot load because of a misconfiguration.
   *
   * Extra routes (GET):
   *   /explain/:name      → 200 JSON { explained: flags.explain(name).enabled, enabled: flags.isEnabled(name),
   *                          reason, detail } (reason and detail of that explain())
   *   /typo               → guarded like /guarded, for the misspelled flag `beta-pgae`
   *   /reads/:name        → 200 JSON `readInOrder(flags, name, query.order)` (read-in-order.ts)
   *   /late/:name         → 200 text: the response's headers are sent first (a first chunk `late:`), then the
   *                          flag is read for the first time and its value ends the body (`late:true`)
   *
   * Auth after the adapter: every app has, right after the adapter's entry point (as apps add passport), an auth
   * step that, when the request has `x-auth-user`, sets the framework's user to `{ id }` after an await
   * (`req.user`, Koa `ctx.state.user`, Fastify `request.user`, a Nest middleware setting `req.user`).
   */
  startEntry(first: unknown, second: unknown, hooks: AppHooks): Promise<RunningApp>;
  /**
   * Start the app with the adapter given `client`, the context hook of `start` (userId ← `x-user-id`,
   * properties.plan ← `x-plan`), `endpoint` mounted at `prefix` ('' for the root, or e.g. '/_flags') with the
   * adapter's generic mount, then each of `more` at its own prefix, and after them, routes of the app itself, as
   * an app writes them:
   *   GET  /flag/:name → 200 JSON `flagAnswer(flags, name)` (below), so an endpoint's table can check what the
   *                      app's next request sees;
   *   POST /app/json   → the JSON body parsed the framework's usual way (Express: `express.json()` on the route;
   *                      Koa: `@koa/bodyparser` on the route; Fastify and Nest: their own parsing) →
   *                      200 JSON { body };
   *   POST /app/raw    → the request stream read by the route itself (an octet-stream body of any size) →
   *                      200 JSON `streamDigest()`.
   */
  startWithEndpoint(
    client: FlagsClient,
    endpoint: Endpoint<any>,
    prefix: string,
    more?: Mount[],
  ): Promise<RunningApp>;
}

/** One more endpoint for a row's app under `startWithEndpoint`, mounted after the first, in the order given. */
export interface Mount {
  endpoint: Endpoint<any>;
  /** where it is mounted: '' for the app's root, or a path such as '/api/frontend' */
  prefix: string;
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

/** The JSON the rows' /flag/:name route answers under `startWithEndpoint`. */
export function flagAnswer(flags: RequestFlags, name: string) {
  return { enabled: flags.isEnabled(name), variant: flags.variant(name), reason: flags.explain(name).reason };
}

export interface AppHooks {
  /** awaited by /twice/:name?wait=1 between its two reads */
  between(): Promise<void>;
}

export const CONTEXT_HEADERS = {
  userId: 'x-user-id',
  plan: 'x-plan',
  qa: 'x-qa',
  authUser: 'x-auth-user',
} as const;

/**
 * The context hook every row gives its adapter (Koa's leaves absent headers out, see rows/koa.ts): userId ←
 * `x-user-id`, properties.plan ← `x-plan`, the first value of a repeated header.
 */
export function contextFromHeaders(request: { headers: Record<string, string | string[] | undefined> }) {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    userId: first(request.headers[CONTEXT_HEADERS.userId]),
    properties: { plan: first(request.headers[CONTEXT_HEADERS.plan]) },
  };
}
