// The default context's remoteAddress on both platforms: the socket's address, or the forwarded client when
// the platform is told to trust the proxy (Express `trust proxy`, Fastify `trustProxy`).
import { createFlags, memorySource } from '@flagwise/core';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { describe, expect, it } from 'vitest';
import { FeatureFlagsModule, Flags, type RequestFlags } from '../src/index.js';
import { boot } from './boot.js';

@Controller('context')
class ContextController {
  @Get()
  context(@Flags() flags: RequestFlags) {
    return { remoteAddress: flags.context.remoteAddress ?? null };
  }
}

function appModule() {
  const client = createFlags({ source: memorySource({ version: 2, features: [] }) });
  @Module({ imports: [FeatureFlagsModule.forRoot({ client })], controllers: [ContextController] })
  class AppModule {}
  return AppModule;
}

const forwarded = { 'x-forwarded-for': '203.0.113.7' };

describe('the client IP in the default context', () => {
  it('Express: the socket address, or X-Forwarded-For once trust proxy is set', async () => {
    const plain = await boot(appModule(), 'express');
    const direct = JSON.parse((await plain.get('/context', forwarded)).text);
    expect(direct.remoteAddress).toMatch(/127\.0\.0\.1|::1/);
    await plain.close();

    const trusting = await boot(appModule(), 'express', (app) => {
      (app as NestExpressApplication).set('trust proxy', 'loopback');
    });
    const viaProxy = JSON.parse((await trusting.get('/context', forwarded)).text);
    expect(viaProxy.remoteAddress).toBe('203.0.113.7');
    await trusting.close();
  });

  it('Fastify: the socket address, or X-Forwarded-For with trustProxy', async () => {
    const plain = await boot(appModule(), 'fastify');
    const direct = JSON.parse((await plain.get('/context', forwarded)).text);
    expect(direct.remoteAddress).toMatch(/127\.0\.0\.1|::1/);
    await plain.close();

    const app = await NestFactory.create(appModule(), new FastifyAdapter({ trustProxy: true }) as never, {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const viaProxy = (await (await fetch(`${url}/context`, { headers: forwarded })).json()) as {
      remoteAddress: string | null;
    };
    expect(viaProxy.remoteAddress).toBe('203.0.113.7');
    await app.close();
  });
});
