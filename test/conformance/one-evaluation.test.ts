// One request, one evaluation per flag, through every row's real app over HTTP: whatever order a handler reads a
// flag in (property, isEnabled, variant, explain), value, variant and reason agree within the request, on
// anonymous requests (where a rollout answers at random) and identified ones (auth after the adapter).
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from './contract.js';
import { CONTEXT_HEADERS as H } from './contract.js';
import { chancyDefinitions, expectOneEvaluation, READ_STEPS, type StepResult } from './read-in-order.js';
import { rows } from './rows.js';

const RUNS = 25;

const FLAGS = ['rollout-20', 'rollout-variants', 'split'] as const;

const orders = fc.array(fc.constantFrom(...READ_STEPS), { minLength: 2, maxLength: 6 });

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  let client: FlagsClient;
  let app: RunningApp;
  beforeAll(async () => {
    client = createFlags({ source: memorySource(chancyDefinitions()), logger: false });
    await client.ready({ timeoutMs: 5000 });
    app = await row.startEntry(client, {}, { between: async () => {} });
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
  });

  it('answers value, variant and reason from one evaluation, whatever the order of the reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FLAGS),
        orders,
        fc.option(fc.constantFrom('alice', 'bob', 'carol', 'dave'), { nil: undefined }),
        async (flag, order, user) => {
          const call = request(app.url).get(`/reads/${flag}?order=${order.join(',')}`);
          const res = await (user === undefined ? call : call.set(H.authUser, user));
          expect(res.status).toBe(200);
          expect(res.body).toHaveLength(order.length);
          expectOneEvaluation(res.body as StepResult[]);
        },
      ),
      { numRuns: RUNS, seed: 27 },
    );
  });
});
