import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { featureFlags as expressFlags, requireFeature as expressGuard } from '@flagwise/express';
import { featureFlags as koaFlags, requireFeature as koaGuard } from '@flagwise/koa';
import Router from '@koa/router';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../support/http.js';
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
    app = await listen(server);
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
    app = await listen(server);
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
