// @FeatureRequired / @VariantRequired through real Nest apps on both platforms: how class-level and
// handler-level decorators combine, the answer when a route is off, and the order relative to an auth guard.
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { Controller, Get, Module, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FeatureFlagsModule,
  FeatureRequired,
  Flags,
  type RequestFlags,
  VariantRequired,
} from '../src/index.js';
import { AuthGuard, type BootedApp, boot, PLATFORMS } from './boot.js';

@FeatureRequired('shop')
@Controller('shop')
class ShopController {
  @Get('plain')
  plain() {
    return 'shop plain';
  }

  @Get('both')
  @FeatureRequired('shop-extra')
  both() {
    return 'shop both';
  }

  @Get('all')
  @FeatureRequired(['shop-extra', 'shop-more'])
  all() {
    return 'shop all';
  }

  @Get('open')
  @FeatureRequired([])
  open() {
    return 'shop open';
  }

  @Get('variant')
  @VariantRequired('shop-experiment', ['b'])
  variant() {
    return 'shop variant b';
  }

  @Get('maintenance')
  @FeatureRequired('shop-extra', {
    onDisabled: () => new ServiceUnavailableException('down for maintenance'),
  })
  maintenance() {
    return 'shop maintenance';
  }
}

@UseGuards(AuthGuard)
@Controller('members')
class MembersController {
  @Get('beta')
  @FeatureRequired('members-beta')
  beta(@Flags() flags: RequestFlags) {
    return `members beta for ${flags.context.userId}`;
  }
}

// Same level: decorators apply bottom-up, so the guard of the decorator written lower runs first.
@FeatureRequired('members-beta')
@UseGuards(AuthGuard)
@Controller('club')
class ClubController {
  @Get()
  club(@Flags() flags: RequestFlags) {
    return `club for ${flags.context.userId}`;
  }
}

// The pitfall the README warns about: @UseGuards written above @FeatureRequired runs after it.
@UseGuards(AuthGuard)
@FeatureRequired('members-beta')
@Controller('pitfall')
class PitfallController {
  @Get()
  pitfall() {
    return 'pitfall';
  }
}

const everythingOn = {
  shop: true,
  'shop-extra': true,
  'shop-more': true,
  'shop-experiment': { variant: 'b' },
  'members-beta': { users: ['ada'] },
};

describe.each(PLATFORMS)('@FeatureRequired on Nest 11 (%s)', (platform) => {
  const source = memorySource({ flags: everythingOn });
  let client: FlagsClient;
  let app: BootedApp;

  beforeAll(async () => {
    client = createFlags({ source });
    @Module({
      imports: [FeatureFlagsModule.forRoot({ client })],
      controllers: [ShopController, MembersController, ClubController, PitfallController],
    })
    class AppModule {}
    app = await boot(AppModule, platform);
  });
  afterAll(async () => {
    await app?.close();
    await client?.close();
  });
  beforeEach(() => source.reset());

  it('serves routes whose flags are on', async () => {
    for (const [path, text] of [
      ['/shop/plain', 'shop plain'],
      ['/shop/both', 'shop both'],
      ['/shop/all', 'shop all'],
      ['/shop/open', 'shop open'],
      ['/shop/variant', 'shop variant b'],
    ]) {
      const response = await app.get(path);
      expect(response.status, path).toBe(200);
      expect(response.text, path).toBe(text);
    }
  });

  it("answers a route that is off with exactly the unknown route's 404", async () => {
    source.set('shop', false);
    const off = await app.get('/shop/plain?x=1');
    const unknown = await app.get('/shop/nothing-here?x=1');
    expect(off.status).toBe(404);
    expect(JSON.parse(off.text)).toEqual({
      message: 'Cannot GET /shop/plain?x=1',
      error: 'Not Found',
      statusCode: 404,
    });
    expect(off.text.replace('/shop/plain', '/shop/nothing-here')).toBe(unknown.text);
    expect(off.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
  });

  it("lets the handler's decorator replace the class's", async () => {
    // The class needs `shop`; /both declares its own list, so only `shop-extra` counts there.
    source.set('shop', false);
    expect((await app.get('/shop/both')).text).toBe('shop both');
    expect((await app.get('/shop/plain')).status).toBe(404);
    source.reset();
    source.set('shop-extra', false);
    expect((await app.get('/shop/both')).status).toBe(404);
    expect((await app.get('/shop/plain')).status).toBe(200);
  });

  it('needs every flag of a list', async () => {
    source.set('shop-more', false);
    expect((await app.get('/shop/all')).status).toBe(404);
    source.reset();
    source.set('shop-extra', false);
    expect((await app.get('/shop/all')).status).toBe(404);
  });

  it('lifts the class requirement with @FeatureRequired([])', async () => {
    source.set('shop', false);
    expect((await app.get('/shop/open')).text).toBe('shop open');
  });

  it("keeps the class's @FeatureRequired on a handler that only adds @VariantRequired", async () => {
    source.set('shop', false);
    expect((await app.get('/shop/variant')).status).toBe(404);
    source.reset();
    source.set('shop-experiment', { variant: 'a' });
    expect((await app.get('/shop/variant')).status).toBe(404);
    source.set('shop-experiment', false);
    expect((await app.get('/shop/variant')).status).toBe(404);
  });

  it("uses a decorator's onDisabled", async () => {
    source.set('shop-extra', false);
    const response = await app.get('/shop/maintenance');
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text).message).toBe('down for maintenance');
  });

  it('runs after the auth guard: 401 before any flag answer, then the flag decides for that user', async () => {
    // Anonymous: the auth guard answers, whether the flag is on or off for anyone.
    expect((await app.get('/members/beta')).status).toBe(401);
    source.set('members-beta', false);
    expect((await app.get('/members/beta')).status).toBe(401);
    source.reset();
    // Authenticated: the flag is evaluated with the user the auth guard set.
    const ada = await app.get('/members/beta', { authorization: 'user ada' });
    expect(ada.status).toBe(200);
    expect(ada.text).toBe('members beta for ada');
    const bob = await app.get('/members/beta', { authorization: 'user bob' });
    expect(bob.status).toBe(404);
    expect(JSON.parse(bob.text).message).toBe('Cannot GET /members/beta');
  });

  it('on one class, runs after an auth guard written below it', async () => {
    expect((await app.get('/club')).status).toBe(401);
    expect((await app.get('/club', { authorization: 'user ada' })).text).toBe('club for ada');
    expect((await app.get('/club', { authorization: 'user bob' })).status).toBe(404);
  });

  it('runs before an auth guard written above it (the order the README warns about)', async () => {
    // The flag is decided before anyone is authenticated: anonymous gets 404, and so does ada.
    expect((await app.get('/pitfall')).status).toBe(404);
    expect((await app.get('/pitfall', { authorization: 'user ada' })).status).toBe(404);
  });
});
