// A Nest 11 app built with OpenFeature's own Nest SDK on the flagwise provider, over HTTP: @RequireFlagsEnabled
// guards routes and @BooleanFeatureFlag injects evaluations, with the user from the request (contextFactory).
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BooleanFeatureFlag,
  type EvaluationDetails,
  OpenFeature,
  OpenFeatureModule,
  RequireFlagsEnabled,
} from '@openfeature/nestjs-sdk';
import type { Request } from 'express';
// The handlers await the injected Observable and return its value: vitest loads rxjs as ESM and Nest loads it
// as CommonJS, and an Observable of the other build fails Nest's instanceof check.
import { firstValueFrom, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlagwiseProvider } from '../src/index.js';

@Controller()
class BetaController {
  @Get('beta')
  @RequireFlagsEnabled({ flags: [{ flagKey: 'beta-page' }] })
  beta() {
    return { page: 'beta' };
  }

  @Get('checkout')
  async checkout(
    @BooleanFeatureFlag({ flagKey: 'one-page-checkout', defaultValue: false })
    flag: Observable<EvaluationDetails<boolean>>,
  ) {
    const details = await firstValueFrom(flag);
    return { onePage: details.value, reason: details.reason };
  }

  @Get('missing')
  async missing(
    @BooleanFeatureFlag({ flagKey: 'never-defined', defaultValue: true })
    flag: Observable<EvaluationDetails<boolean>>,
  ) {
    const details = await firstValueFrom(flag);
    return { value: details.value, errorCode: details.errorCode };
  }
}

describe('a Nest 11 app on @openfeature/nestjs-sdk with FlagwiseProvider', () => {
  let app: INestApplication;
  let url: string;
  let flags: FlagsClient;
  const source = memorySource({
    flags: {
      'beta-page': { users: ['beta-1'] },
      'one-page-checkout': { when: { plan: ['pro'] } },
    },
  });

  beforeAll(async () => {
    flags = createFlags({ source });
    @Module({
      imports: [
        OpenFeatureModule.forRoot({
          defaultProvider: new FlagwiseProvider(flags),
          contextFactory: (context) => {
            const request = context.switchToHttp().getRequest<Request>();
            const user = request.get('x-user');
            return { ...(user ? { targetingKey: user } : {}), plan: request.get('x-plan') ?? 'free' };
          },
        }),
      ],
      controllers: [BetaController],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await OpenFeature.close();
    await flags.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });

  it('runs on Nest 11', () => {
    const nestCore = createRequire(import.meta.url)('@nestjs/core/package.json') as { version: string };
    expect(nestCore.version.split('.')[0]).toBe('11');
  });

  it('@RequireFlagsEnabled serves the route when the flag is on for the user and 404s otherwise', async () => {
    const allowed = await get('/beta', { 'x-user': 'beta-1' });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ page: 'beta' });
    expect((await get('/beta', { 'x-user': 'someone-else' })).status).toBe(404);
    expect((await get('/beta')).status).toBe(404);
  });

  it('@BooleanFeatureFlag injects the evaluation for this request, and follows flag changes', async () => {
    expect(await (await get('/checkout', { 'x-plan': 'pro' })).json()).toEqual({
      onePage: true,
      reason: 'TARGETING_MATCH',
    });
    expect(await (await get('/checkout', { 'x-plan': 'free' })).json()).toEqual({
      onePage: false,
      reason: 'DEFAULT',
    });
    source.set('one-page-checkout', false);
    expect(await (await get('/checkout', { 'x-plan': 'pro' })).json()).toEqual({
      onePage: false,
      reason: 'DISABLED',
    });
    source.set('beta-page', true);
    expect((await get('/beta')).status).toBe(200);
  });

  it('answers an unknown flag with its default and FLAG_NOT_FOUND, never an error response', async () => {
    const response = await get('/missing');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: true, errorCode: 'FLAG_NOT_FOUND' });
  });
});
