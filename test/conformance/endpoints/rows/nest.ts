// The endpoint table's Nest rows: Nest 10, 11 and 12 on Express and on Fastify, each endpoint mounted with
// `FlagsEndpointModule.forRoot({ path, endpoint })` next to FeatureFlagsModule.
import type { FlagsClient } from '@flagwise/core';
import type { Endpoint } from '@flagwise/core/adapter';
import type { NestFastifyApplication, NestMajor } from '../../../nest11/src/index.js';
import { checkMajor, flagsModule, listen, nestApps, type Platform } from '../../rows/nest.js';
import type { EndpointRow, Mount, RunningApp } from '../contract.js';
import { flagAnswer, streamDigest } from '../contract.js';

export const rows: EndpointRow[] = nestApps.map(({ name, nest, platform }) => ({
  name,
  start: (client: FlagsClient, endpoint: Endpoint<any>, prefix: string, more: Mount[] = []) =>
    start(nest, platform, client, [{ endpoint, prefix }, ...more]),
}));

async function start(
  nest: NestMajor,
  platform: Platform,
  client: FlagsClient,
  mounts: Mount[],
): Promise<RunningApp> {
  checkMajor(nest);
  const { Body, Controller, Get, HttpCode, Param, Post, Module, Req } = nest.common;
  const { FlagsEndpointModule, Flags } = nest.flagwise;
  type RequestFlags = import('@flagwise/core').RequestFlags;
  type PlatformRequest = import('node:http').IncomingMessage & { raw?: import('node:http').IncomingMessage };

  @Controller()
  class AppController {
    @Get('flag/:name')
    flag(@Param('name') name: string, @Flags() flags: RequestFlags) {
      return flagAnswer(flags, name);
    }

    @Post('app/json')
    @HttpCode(200)
    json(@Body() body: unknown) {
      return { body: body ?? null };
    }

    @Post('app/raw')
    @HttpCode(200)
    raw(@Req() request: PlatformRequest) {
      return streamDigest(platform === 'fastify' ? request.raw! : request);
    }
  }

  @Module({
    imports: [
      flagsModule(nest, client),
      ...mounts.map(({ endpoint, prefix }) => FlagsEndpointModule.forRoot({ path: prefix, endpoint })),
    ],
    controllers: [AppController],
  })
  class AppModule {}

  return listen(nest, platform, AppModule, (app) => {
    if (platform !== 'fastify') return;
    // An octet-stream body left unread for the route, which reads the stream itself.
    (app as NestFastifyApplication)
      .getHttpAdapter()
      .getInstance()
      .addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));
  });
}
