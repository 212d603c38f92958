// The endpoint table's Nest rows: Nest 10, 11 and 12 on Express and on Fastify, the endpoint mounted with
// `FlagsEndpointModule.forRoot({ path, endpoint })` next to FeatureFlagsModule.
import type { FlagsClient } from '@flagwise/core';
import type { Endpoint } from '@flagwise/core/adapter';
import type { NestMajor } from '../../../nest11/src/index.js';
import { checkMajor, flagsModule, listen, nestApps, type Platform } from '../../rows/nest.js';
import type { EndpointRow, RunningApp } from '../contract.js';
import { flagAnswer } from '../contract.js';

export const rows: EndpointRow[] = nestApps.map(({ name, nest, platform }) => ({
  name,
  start: (client: FlagsClient, endpoint: Endpoint<any>, prefix: string) =>
    start(nest, platform, client, endpoint, prefix),
}));

async function start(
  nest: NestMajor,
  platform: Platform,
  client: FlagsClient,
  endpoint: Endpoint<any>,
  prefix: string,
): Promise<RunningApp> {
  checkMajor(nest);
  const { Controller, Get, Param, Module } = nest.common;
  const { FlagsEndpointModule, Flags } = nest.flagwise;
  type RequestFlags = import('@flagwise/core').RequestFlags;

  @Controller()
  class AppController {
    @Get('flag/:name')
    flag(@Param('name') name: string, @Flags() flags: RequestFlags) {
      return flagAnswer(flags, name);
    }
  }

  @Module({
    imports: [flagsModule(nest, client), FlagsEndpointModule.forRoot({ path: prefix, endpoint })],
    controllers: [AppController],
  })
  class AppModule {}

  return listen(nest, platform, AppModule);
}
