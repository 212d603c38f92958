// Flags named like Object.prototype members, over HTTP through a real Express app: a QA override for one flag
// must not switch on `constructor` or `toString`, a flag whose camelCase name is `toString` must not break
// String(req.flags), and the explain() of a Symbol answers instead of throwing.

import { createRequire } from 'node:module';
import { type ClientFeaturesPayload, createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { featureFlags, getFlags } from '@flagwise/express';
import type Express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type LiveApp, listen } from './http.js';

const express = createRequire(import.meta.url)('express5') as typeof Express;
const SECRET = 'prototype-names-test-secret-0123456789abcdef';
const MEMBERS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString'];

const definitions: ClientFeaturesPayload = {
  version: 2,
  features: [
    ...MEMBERS.map((name) => ({ name, enabled: false, strategies: [] })),
    { name: 'to-string', enabled: false, strategies: [] },
    { name: 'other-flag', enabled: false, strategies: [] },
  ],
};

let client: FlagsClient | undefined;
let live: LiveApp | undefined;
afterEach(async () => {
  await live?.close();
  await client?.close();
});

async function start(): Promise<{ live: LiveApp; cookie: string }> {
  client = createFlags({
    source: memorySource(definitions),
    overrides: { secret: SECRET, allow: () => true },
  });
  await client.ready({ timeoutMs: 2000 });
  const app = express();
  app.use(featureFlags(client));
  app.get('/flags', (req, res) => {
    const flags = getFlags(req);
    res.json({
      isEnabled: Object.fromEntries(MEMBERS.map((name) => [name, flags.isEnabled(name)])),
      variants: Object.fromEntries(MEMBERS.map((name) => [name, flags.variant(name).feature_enabled])),
      explained: Object.fromEntries(MEMBERS.map((name) => [name, flags.explain(name).enabled])),
      toStringFlag: flags.isEnabled('to-string'),
      other: flags.isEnabled('other-flag'),
      text: String(flags),
      json: JSON.stringify(flags),
      symbol: flags.explain(Symbol('x') as never).reason,
    });
  });
  live = await listen(app);
  const cookie = `flagwise_overrides=${client.signOverrides({ flags: { 'other-flag': true } })}`;
  return { live, cookie };
}

describe('flags named like Object.prototype members', () => {
  it('stay off for a request whose QA override forces another flag on', async () => {
    const { live, cookie } = await start();
    const response = await live.get('/flags', { cookie });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body);
    const off = Object.fromEntries(MEMBERS.map((name) => [name, false]));
    expect(body.other).toBe(true);
    expect(body.isEnabled).toEqual(off);
    expect(body.variants).toEqual(off);
    expect(body.explained).toEqual(off);
  });

  it('leave String(req.flags) working with a flag named to-string, which isEnabled() still reads', async () => {
    const { live } = await start();
    const body = JSON.parse((await live.get('/flags')).body);
    expect(body.text).toBe('[object RequestFlags]');
    expect(body.json).toBe('{}');
    expect(body.toStringFlag).toBe(false);
  });

  it('answer explain() of a Symbol with not-found instead of throwing', async () => {
    const { live } = await start();
    const body = JSON.parse((await live.get('/flags')).body);
    expect(body.symbol).toBe('not-found');
    expect(client!.explain(Symbol('y') as never).reason).toBe('not-found');
  });
});
