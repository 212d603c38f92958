// Fastify's encapsulation, as Fastify users expect it of a plugin built with fastify-plugin: registered at the
// root it reaches every route (child plugins included); registered inside a child context it reaches only that
// context and its descendants, and the rest of the app has no request.flags.
import { memorySource } from '@flagwise/core';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { featureFlags } from '../src/index.js';
import { listen, MAJORS } from './helpers.js';

const flagsOf = (app: FastifyInstance, path: string) =>
  app.get(path, async (req) => ({ hasFlags: req.flags != null, beta: req.flags?.beta ?? null }));

describe.each(MAJORS)('$name', ({ fastify: Fastify }) => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app?.close();
  });

  it('registered at the root, applies to every route, in child plugins too', async () => {
    app = Fastify();
    await app.register(featureFlags, { source: memorySource({ flags: { beta: true } }) });
    flagsOf(app, '/root');
    await app.register(
      async (child) => {
        flagsOf(child, '/child');
        child.get('/guarded', { config: { feature: 'beta' } }, async () => 'child guarded ok');
      },
      { prefix: '/api' },
    );
    const url = await listen(app);
    expect((await request(url).get('/root')).body).toEqual({ hasFlags: true, beta: true });
    expect((await request(url).get('/api/child')).body).toEqual({ hasFlags: true, beta: true });
    expect((await request(url).get('/api/guarded')).text).toBe('child guarded ok');
    expect(app.featureFlags.isEnabled('beta')).toBe(true);
  });

  it('registered inside a child context, applies there only', async () => {
    app = Fastify();
    let childClientIsOurs = false;
    flagsOf(app, '/root');
    await app.register(
      async (child) => {
        await child.register(featureFlags, { source: memorySource({ flags: { beta: false } }) });
        childClientIsOurs = typeof child.featureFlags?.isEnabled === 'function';
        flagsOf(child, '/inside');
        child.get('/guarded', { config: { feature: 'beta' } }, async () => 'guarded');
        await child.register(async (grandchild) => flagsOf(grandchild, '/deeper'));
      },
      { prefix: '/beta' },
    );
    await app.register(async (sibling) => flagsOf(sibling, '/sibling'));
    const url = await listen(app);

    expect((await request(url).get('/beta/inside')).body).toEqual({ hasFlags: true, beta: false });
    expect((await request(url).get('/beta/deeper')).body).toEqual({ hasFlags: true, beta: false });
    expect((await request(url).get('/beta/guarded')).status).toBe(404);
    expect((await request(url).get('/root')).body).toEqual({ hasFlags: false, beta: null });
    expect((await request(url).get('/sibling')).body).toEqual({ hasFlags: false, beta: null });
    expect(childClientIsOurs).toBe(true);
    expect(app.featureFlags).toBeUndefined();
  });

  it('lets two sibling contexts use different clients', async () => {
    app = Fastify();
    for (const [prefix, beta] of [
      ['/a', true],
      ['/b', false],
    ] as const) {
      await app.register(
        async (child) => {
          await child.register(featureFlags, { source: memorySource({ flags: { beta } }) });
          flagsOf(child, '/flags');
        },
        { prefix },
      );
    }
    const url = await listen(app);
    expect((await request(url).get('/a/flags')).body.beta).toBe(true);
    expect((await request(url).get('/b/flags')).body.beta).toBe(false);
  });
});
