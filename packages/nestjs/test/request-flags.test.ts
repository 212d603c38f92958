// The request's flags outside @Flags(): `req.flags` / `request.flags` in handlers and middleware, the same
// object @Flags() and the guard use, attached as the request comes in and built at the first read (after the
// guards, with the user an auth guard set), once per request; flags someone else sets are kept.
import {
  Controller,
  Get,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFlags,
  FeatureFlagsModule,
  FeatureRequired,
  Flags,
  type FlagsClient,
  memorySource,
  type RequestFlags,
} from '../src/index.js';
import { type BootedApp, boot, HeaderUserGuard, PLATFORMS } from './boot.js';

/** Requests whose flags were built, counted by the module's context hook (it runs once per build). */
let builds = 0;

@Controller()
class RequestController {
  @Get('plain')
  plain() {
    return { ok: true };
  }

  @Get('reads')
  reads(@Req() request: { flags: RequestFlags }) {
    return { open: request.flags.open, beta: request.flags.beta };
  }

  @Get('same')
  @FeatureRequired('open')
  same(@Req() request: { flags: RequestFlags }, @Flags() flags: RequestFlags) {
    return {
      same: request.flags === flags,
      beta: [request.flags.beta, flags.beta],
      user: flags.context.userId ?? null,
    };
  }

  // Express only: the flags views get are the request's (their view for templates, over one state).
  @Get('locals')
  locals(@Req() request: { flags: RequestFlags }, @Res({ passthrough: true }) response: any) {
    const flags = request.flags;
    return { same: response.locals.flags.isEnabled === flags.isEnabled, beta: response.locals.flags.beta };
  }

  @Get('authenticated')
  @UseGuards(HeaderUserGuard)
  authenticated(@Req() request: { flags: RequestFlags; preread?: string | null }) {
    return { beta: request.flags.beta, user: request.flags.context.userId ?? null, preread: request.preread };
  }

  @Get('replaced')
  replaced(@Req() request: { flags: RequestFlags }, @Flags() flags: RequestFlags) {
    return { beta: flags.beta, viaRequest: request.flags.beta };
  }
}

describe.each(PLATFORMS)('the request flags on %s', (platform) => {
  let client: FlagsClient;
  let app: BootedApp;

  beforeAll(async () => {
    client = createFlags({
      source: memorySource({ flags: { open: true, beta: { users: ['ada'] } } }),
    });
    @Module({
      imports: [
        FeatureFlagsModule.forRoot({
          client,
          context: () => {
            builds += 1;
            return {};
          },
        }),
      ],
      controllers: [RequestController],
    })
    class AppModule implements NestModule {
      configure(consumer: MiddlewareConsumer) {
        // A middleware runs before the guards: flags it reads are built then, without the guard's user.
        consumer
          .apply((request: any, _response: unknown, next: () => void) => {
            if (request.headers['x-preread']) request.preread = request.flags.beta;
            next();
          })
          .forRoutes('authenticated');
        // Someone else's flags (another flags middleware, a test double) set on the request win.
        consumer
          .apply((request: any, _response: unknown, next: () => void) => {
            request.flags = client.forContext({ userId: 'ada' });
            next();
          })
          .forRoutes('replaced');
      }
    }
    app = await boot(AppModule, platform);
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
  });

  it('answers alike through req.flags, @Flags() and the guard, built once', async () => {
    const before = builds;
    const response = await app.get('/same');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      same: true,
      beta: [false, false],
      user: null,
    });
    expect(builds - before).toBe(1);
  });

  it('is built once per request that reads flags, and not for one that reads none', async () => {
    let before = builds;
    expect((await app.get('/reads')).status).toBe(200);
    expect((await app.get('/reads')).status).toBe(200);
    expect(builds - before).toBe(2);
    before = builds;
    expect((await app.get('/plain')).status).toBe(200);
    expect(builds - before).toBe(0);
  });

  it('is built after the guards when first read there: the user an auth guard sets is in it', async () => {
    const afterGuard = JSON.parse((await app.get('/authenticated', { 'x-user': 'ada' })).text);
    expect(afterGuard).toEqual({ beta: true, user: 'ada' });
  });

  // Nest middleware on Fastify gets the raw Node request, which has no flags: these are Express's.
  it.runIf(platform === 'express')(
    'is built at the first read: read by a middleware before the guards, it has no user, for the whole request',
    async () => {
      const readEarly = JSON.parse(
        (await app.get('/authenticated', { 'x-user': 'ada', 'x-preread': 'yes' })).text,
      );
      expect(readEarly).toEqual({ beta: false, user: null, preread: false });
    },
  );

  it.runIf(platform === 'express')('keeps flags set on the request by someone else', async () => {
    const response = JSON.parse((await app.get('/replaced')).text);
    expect(response).toEqual({ beta: true, viaRequest: true });
  });

  it.runIf(platform === 'express')('puts the same flags in res.locals for views', async () => {
    const response = JSON.parse((await app.get('/locals', { 'x-user': 'ada' })).text);
    expect(response).toEqual({ same: true, beta: false });
  });
});
