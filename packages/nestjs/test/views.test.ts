// MVC: @Render views get `flags` (Express `res.locals.flags`, Fastify `reply.locals.flags`) with a real EJS
// engine, built from the request's user; a QA override read only by the view still sets its cookie.
import { fileURLToPath } from 'node:url';
import fastifyView from '@fastify/view';
import { Controller, Get, Module, Render, UseGuards } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import ejs from 'ejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlags, FeatureFlagsModule, type FlagsClient, memorySource } from '../src/index.js';
import { type BootedApp, boot, HeaderUserGuard, PLATFORMS } from './boot.js';

const views = fileURLToPath(new URL('./views', import.meta.url));
const SECRET = 'views-test-secret-0123456789abcdef0123456789';

@Controller()
class PricingController {
  @Get('pricing')
  @UseGuards(HeaderUserGuard)
  @Render('pricing.ejs')
  pricing() {
    return { title: 'Pricing' };
  }
}

describe.each(PLATFORMS)('@Render views on %s', (platform) => {
  let client: FlagsClient;
  let app: BootedApp;

  beforeAll(async () => {
    client = createFlags({
      source: memorySource({
        flags: { 'new-pricing': { users: ['ada'] }, 'checkout-copy': { variant: 'short' } },
      }),
      overrides: { secret: SECRET, allow: (req: any) => req.headers['x-qa'] === 'yes' },
    });
    @Module({ imports: [FeatureFlagsModule.forRoot({ client })], controllers: [PricingController] })
    class AppModule {}
    app = await boot(AppModule, platform, async (nestApp) => {
      if (platform === 'express') {
        const express = nestApp as NestExpressApplication;
        express.engine('ejs', ejs.renderFile);
        express.setBaseViewsDir(views);
      } else {
        await (nestApp as NestFastifyApplication).register(fastifyView as never, {
          engine: { ejs },
          root: views,
        });
      }
    });
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
  });

  it('renders flags for the user a guard authenticated', async () => {
    const ada = await app.get('/pricing', { 'x-user': 'ada' });
    expect(ada.status).toBe(200);
    expect(ada.text.trim()).toBe('pricing:new copy:short user:ada title:Pricing');
    const bob = await app.get('/pricing', { 'x-user': 'bob' });
    expect(bob.text.trim()).toBe('pricing:old copy:short user:bob title:Pricing');
  });

  it('sends the override cookie when only the view reads the flags', async () => {
    const response = await app.get('/pricing?flagwise=new-pricing:on', { 'x-user': 'bob', 'x-qa': 'yes' });
    expect(response.text.trim()).toBe('pricing:new copy:short user:bob title:Pricing');
    expect(response.headers.get('set-cookie')).toMatch(/^flagwise_overrides=v1\./);
  });
});
