// 10,000 random tampered QA override cookies sent over HTTP to a real Express app that allows overrides for
// every request: only a value signed with the app's secret may force a flag, so none of them is honoured. The
// genuine cookie, sent first, is honoured: the check can fail. Values the cookie parser reads as the genuine one
// (`<genuine>;x`, percent-encoded copies) are not tampered and are skipped.
import { createRequire } from 'node:module';
import { createFlags, createOverrideSigner, type FlagsClient, memorySource } from '@flagwise/core';
import { featureFlags, getFlags } from '@flagwise/express';
import type Express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCookie } from '../../packages/core/src/request/overrides.js';
import { type LiveApp, listen } from './http.js';

const express = createRequire(import.meta.url)('express5') as typeof Express;
const SECRET = 'override-cookie-property-secret-0123456789';
const RUNS = 10_000;
const FORCED = { flags: { 'secret-flag': true }, variants: { checkout: 'attacker' } };

let client: FlagsClient;
let live: LiveApp;
let genuine: string;

beforeAll(async () => {
  client = createFlags({
    source: memorySource({
      flags: { 'secret-flag': false, checkout: { variants: { control: 100, attacker: 0 } } },
    }),
    overrides: { secret: SECRET, allow: () => true },
  });
  await client.ready({ timeoutMs: 2000 });
  const app = express();
  app.use(featureFlags(client));
  app.get('/', (req, res) => {
    const flags = getFlags(req);
    res.json({ secret: flags.isEnabled('secret-flag'), variant: flags.variant('checkout').name });
  });
  live = await listen(app);
  genuine = client.signOverrides(FORCED);
});
afterAll(async () => {
  await live.close();
  await client.close();
});

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const printable = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
});

/** Ways an attacker can change a genuine value, or make one up. */
function tampered(value: string): fc.Arbitrary<string> {
  const [version, body, mac] = value.split('.');
  const position = fc.integer({ min: 0, max: value.length - 1 });
  const char = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%+/'.split(''),
  );
  const forgedBody = fc
    .record({
      o: fc.constant(FORCED),
      exp: fc.integer({ min: 0, max: 2 ** 40 }),
    })
    .map((payload) => base64url(JSON.stringify(payload)));
  return fc.oneof(
    // one character changed, inserted or removed
    fc.tuple(position, char).map(([at, c]) => value.slice(0, at) + c + value.slice(at + 1)),
    fc.tuple(position, char).map(([at, c]) => value.slice(0, at) + c + value.slice(at)),
    position.map((at) => value.slice(0, at) + value.slice(at + 1)),
    // a forged body under the genuine signature, or under a made-up one
    forgedBody.map((forged) => `${version}.${forged}.${mac}`),
    fc.tuple(forgedBody, printable).map(([forged, signature]) => `${version}.${forged}.${signature}`),
    // signed with another secret, or the right body with a truncated or extended signature
    fc
      .string({ minLength: 32, maxLength: 40 })
      .map((secret) => createOverrideSigner({ secret: `${secret}-not-the-app-secret` }).sign(FORCED)),
    fc.integer({ min: 1, max: mac.length }).map((cut) => `${version}.${body}.${mac.slice(0, -cut)}`),
    printable.map((extra) => `${value}${extra}`),
    // another version prefix, parts swapped, or arbitrary text
    fc.constantFrom('v0', 'v2', 'V1', '', 'v1 ').map((prefix) => `${prefix}.${body}.${mac}`),
    fc.constant(`${version}.${mac}.${body}`),
    printable,
    // expired: signed with the app's secret long ago
    fc
      .integer({ min: 8, max: 400 })
      .map((days) => createOverrideSigner({ secret: SECRET }).sign(FORCED, Date.now() - days * 86_400_000)),
  );
}

describe('tampered override cookies over HTTP', () => {
  it('honours the genuine cookie (the control)', async () => {
    const response = await live.get('/', { cookie: `flagwise_overrides=${genuine}` });
    expect(JSON.parse(response.body)).toEqual({ secret: true, variant: 'attacker' });
  });

  it(`honours none of ${RUNS.toLocaleString('en-US')} tampered cookies`, { timeout: 300_000 }, async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(tampered(genuine), async (value) => {
        // what the server reads: `genuine;x` or a percent-encoded copy is the genuine value, not a tampered one
        fc.pre(readCookie(`flagwise_overrides=${value}`, 'flagwise_overrides') !== genuine);
        sent++;
        const response = await live.get('/', { cookie: `flagwise_overrides=${value}` });
        expect(response.status).toBe(200);
        expect(JSON.parse(response.body)).toEqual({ secret: false, variant: 'control' });
      }),
      { numRuns: RUNS, seed: 19 },
    );
    expect(sent).toBeGreaterThanOrEqual(RUNS * 0.95);
  });
});
