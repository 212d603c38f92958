// The test client's per-request pins through every adapter and framework major of the conformance table: a
// request's pins header sets its flags for that request only, also with 50 requests in flight at once, the
// record says what each request read, and a production client (file source) never honours the header.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFlags, type FlagsClient, fileSource } from '@flagwise/core';
import { createTestFlags, PINS_HEADER, pinHeaders, type TestFlags } from '@flagwise/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../conformance/contract.js';
import { rows } from '../conformance/rows.js';

const noHooks = { between: async () => {} };

const FLAGS_YAML = `flags:
  beta-page: false
  experiment:
    variants: { a: 50, b: 50 }
  checkout-open: false
`;

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  describe('a test client', () => {
    let flags: TestFlags;
    let app: RunningApp;
    beforeAll(async () => {
      flags = createTestFlags({
        'beta-page': false,
        'checkout-open': false,
        experiment: { variants: { a: 50, b: 50 } },
      });
      app = await row.start(flags, noHooks);
    });
    afterAll(async () => {
      await app?.close();
      await flags?.close();
    });

    it('serves a request with the pins it carries, and the next request without them', async () => {
      await request(app.url)
        .get('/guarded')
        .set(pinHeaders({ 'beta-page': true }))
        .expect(200, 'beta ok');
      await request(app.url).get('/guarded').expect(404);
      await request(app.url)
        .get('/maintenance')
        .set(pinHeaders({ 'checkout-open': true }))
        .expect(200, 'checkout ok');
      await request(app.url).get('/maintenance').expect(503);
      await request(app.url)
        .get('/variant-b')
        .set(pinHeaders({ experiment: { variant: 'b' } }))
        .expect(200, 'variant b ok');
      await request(app.url)
        .get('/variant-b')
        .set(pinHeaders({ experiment: { variant: 'a' } }))
        .expect(404);
    });

    it('pins rules for given users and variants with payloads', async () => {
      const pins = pinHeaders({
        'beta-page': { users: ['ada'] },
        experiment: { variants: { b: { weight: 100, payload: { color: 'green' } } } },
      });
      await request(app.url).get('/guarded').set(pins).set('x-user-id', 'ada').expect(200);
      await request(app.url).get('/guarded').set(pins).set('x-user-id', 'bob').expect(404);
      const { body } = await request(app.url).get('/flag/experiment').set(pins).expect(200);
      expect(body.variant).toMatchObject({
        name: 'b',
        payload: { type: 'json', value: '{"color":"green"}' },
      });
    });

    it('records which flags each request read', async () => {
      flags.clearRequests();
      await request(app.url)
        .get('/guarded')
        .set(pinHeaders({ 'beta-page': true }, { label: 'guarded' }));
      await request(app.url)
        .get('/prop/checkoutOpen')
        .set(pinHeaders({}, { label: 'property' }));
      const guarded = flags.request('guarded')!;
      expect(guarded.read).toEqual(['beta-page']);
      expect(guarded.pins).toEqual({ 'beta-page': true });
      expect(guarded.url).toBe('/guarded');
      expect(flags.request('property')!.read).toEqual(['checkout-open']);
      expect(flags.request('property')!.didRead('checkoutOpen')).toBe(true);
      expect(flags.request('property')!.didRead('beta-page')).toBe(false);
    });

    it('keeps 50 concurrent requests with different pins apart: each gets its own', async () => {
      flags.clearRequests();
      const requests = Array.from({ length: 50 }, (_, i) => ({
        label: `request-${i}`,
        on: i % 3 !== 0,
        variant: `v${i}`,
      }));
      const responses = await Promise.all(
        requests.map(({ label, on, variant }) =>
          request(app.url)
            .get('/flag/experiment')
            .set(pinHeaders(on ? { experiment: { variant } } : { experiment: false }, { label })),
        ),
      );
      responses.forEach((response, i) => {
        const { on, variant, label } = requests[i];
        expect(response.status).toBe(200);
        expect(response.body.enabled).toBe(on);
        expect(response.body.variant.name).toBe(on ? variant : 'disabled');
        expect(flags.request(label)?.read).toEqual(['experiment']);
      });
      expect(flags.requests).toHaveLength(50);
    });
  });

  describe('a production client', () => {
    let dir: string;
    let client: FlagsClient;
    let app: RunningApp;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'flagwise-pins-'));
      writeFileSync(path.join(dir, 'flags.yaml'), FLAGS_YAML);
      client = createFlags({ source: fileSource(path.join(dir, 'flags.yaml'), { watch: false }) });
      await client.ready({ timeoutMs: 5000 });
      app = await row.start(client, noHooks);
    });
    afterAll(async () => {
      await app?.close();
      await client?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('ignores the pins header', async () => {
      const pins = { 'beta-page': true, 'checkout-open': true, experiment: { variant: 'b' } };
      await request(app.url).get('/guarded').set(pinHeaders(pins)).expect(404);
      await request(app.url).get('/maintenance').set(PINS_HEADER, JSON.stringify(pins)).expect(503);
      const { body } = await request(app.url).get('/flag/beta-page').set(pinHeaders(pins)).expect(200);
      expect(body.enabled).toBe(false);
      // The same header on a test client does pin (the header reaches the app).
      const testFlags = createTestFlags({ 'beta-page': false });
      const testApp = await row.start(testFlags, noHooks);
      try {
        await request(testApp.url).get('/guarded').set(pinHeaders(pins)).expect(200);
      } finally {
        await testApp.close();
        await testFlags.close();
      }
    });
  });
});
