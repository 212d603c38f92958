// Flags in Nest e2e tests: FeatureFlagsTestingModule (on @flagwise/testing's test client) for a test module built
// from feature modules, per-request pins on it, and overriding FEATURE_FLAGS_CLIENT for a whole AppModule that
// imports FeatureFlagsModule.forRoot().

import { createTestFlags, pinHeaders, TestFlags } from '@flagwise/testing';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFlags,
  FEATURE_FLAGS_CLIENT,
  FeatureFlagsModule,
  FeatureFlagsTestingModule,
  FeatureRequired,
  Flags,
  fileSource,
  memorySource,
  type RequestFlags,
} from '../src/index.js';
import { PLATFORMS } from './boot.js';

@Controller('checkout')
class CheckoutController {
  @Get()
  @FeatureRequired('new-pricing')
  show(@Flags() flags: RequestFlags) {
    return { copy: flags.variant('checkout-copy').name, dark: flags.darkMode };
  }
}

@Module({ controllers: [CheckoutController] })
class CheckoutModule {}

async function start(app: INestApplication) {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url + path, { headers });
    return { status: response.status, body: await response.text() };
  };
}

describe('FeatureFlagsTestingModule', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('pins flags for a test module, and lets the test change them', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        FeatureFlagsTestingModule.withFlags({ 'new-pricing': true, 'checkout-copy': { variant: 'short' } }),
        CheckoutModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    const get = await start(app);

    expect(await get('/checkout')).toEqual({ status: 200, body: '{"copy":"short","dark":false}' });
    app.get(TestFlags).set('new-pricing', false);
    expect((await get('/checkout')).status).toBe(404);
  });

  it.each(PLATFORMS)(
    'takes a test client, serves per-request pins and records what each request read (%s)',
    async (platform) => {
      const flags = createTestFlags({ 'new-pricing': false });
      const moduleRef = await Test.createTestingModule({
        imports: [FeatureFlagsTestingModule.withFlags(flags), CheckoutModule],
      }).compile();
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      app = moduleRef.createNestApplication(adapter as never, { logger: false });
      const get = await start(app);
      expect(app.get(TestFlags)).toBe(flags);

      expect((await get('/checkout')).status).toBe(404);
      expect(flags.lastRequest()?.read).toEqual(['new-pricing']);
      const pinned = pinHeaders(
        { 'new-pricing': true, 'checkout-copy': { variant: 'long' } },
        { label: 'on' },
      );
      expect(await get('/checkout', pinned)).toEqual({ status: 200, body: '{"copy":"long","dark":false}' });
      expect(flags.request('on')?.read).toEqual(['new-pricing', 'checkout-copy', 'darkMode']);
      expect(flags.request('on')?.didRead('dark-mode')).toBe(true);
      expect((await get('/checkout')).status).toBe(404);
    },
  );

  it("pins flags for a whole AppModule by overriding its client (the app's flags file is never read)", async () => {
    @Module({
      imports: [
        FeatureFlagsModule.forRoot({ source: fileSource('/nonexistent/flags.yaml') }),
        CheckoutModule,
      ],
    })
    class AppModule {}
    const pinned = createFlags({
      source: memorySource({
        flags: { 'new-pricing': true, 'dark-mode': true, 'checkout-copy': { variant: 'long' } },
      }),
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(FEATURE_FLAGS_CLIENT)
      .useValue(pinned)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    const get = await start(app);
    expect(await get('/checkout')).toEqual({ status: 200, body: '{"copy":"long","dark":true}' });
  });
});
