// OPTIONS on a guarded path, as the Express and Koa READMEs describe it. Express's router and @koa/router's
// allowedMethods() answer OPTIONS themselves, before any route handler (a guard on the route included) runs, and
// neither offers a public hook to ask a route's guard first. The READMEs' ways to make a guarded path look absent
// to OPTIONS too hold on every major: the guard as router middleware on Express, no allowedMethods() on Koa.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { featureFlags as expressFlags, requireFeature as expressGuard } from '@flagwise/express';
import { featureFlags as koaFlags, requireFeature as koaGuard } from '@flagwise/koa';
import Router from '@koa/router';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { majors as expressMajors } from './rows/express.js';

const source = memorySource({ flags: { 'beta-page': true } });
let client: FlagsClient;
beforeAll(async () => {
  client = createFlags({ source, logger: false });
  await client.ready({ timeoutMs: 5000 });
});
afterAll(() => client.close());
beforeEach(() => source.replace({ flags: { 'beta-page': true } }));
const switchOff = () => source.replace({ flags: { 'beta-page': false } });

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  if (!server.listening) await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(Object.entries(expressMajors))('%s', (_name, express: () => Express) => {
  let app: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const server = express();
    server.use(expressFlags(client));
    // As the README says: the guard as router middleware runs for every method, OPTIONS included.
    const beta = (express as unknown as { Router(): import('express').Router }).Router();
    beta.use(expressGuard('beta-page'));
    beta.get('/', (_req, res) => {
      res.send('beta ok');
    });
    server.use('/beta', beta);
    app = await listen(server.listen(0, '127.0.0.1'));
  });
  afterAll(() => app?.close());

  it('answers OPTIONS on a path guarded as router middleware only while the flag is on', async () => {
    const on = await request(app.url).options('/beta');
    expect(on.status).toBe(200);
    expect(on.headers.allow).toMatch(/GET/);
    switchOff();
    const off = await request(app.url).options('/beta');
    expect(off.status).toBe(404);
    expect(off.headers.allow).toBeUndefined();
    expect((await request(app.url).get('/beta')).status).toBe(404);
  });
});

describe.each(['koa2', 'koa3'])('%s', (major) => {
  let app: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const Koa = (await import(major)).default as typeof import('koa');
    const server = new Koa();
    server.use(koaFlags(client));
    const router = new Router();
    router.get('/beta', koaGuard('beta-page'), (ctx) => {
      ctx.body = 'beta ok';
    });
    // As the README says: no allowedMethods(), so nothing answers OPTIONS on the guard's behalf.
    server.use(router.routes());
    app = await listen(server.listen(0, '127.0.0.1'));
  });
  afterAll(() => app?.close());

  it('leaves OPTIONS on a guarded path absent without allowedMethods(), the flag on or off', async () => {
    expect((await request(app.url).get('/beta')).text).toBe('beta ok');
    expect((await request(app.url).options('/beta')).status).toBe(404);
    switchOff();
    expect((await request(app.url).get('/beta')).status).toBe(404);
    expect((await request(app.url).options('/beta')).status).toBe(404);
  });
});
