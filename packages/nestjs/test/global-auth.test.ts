// An app-wide auth guard (APP_GUARD, the usual Nest setup) always runs before @FeatureRequired, and the
// module-level `context` hook and `onDisabled` apply to every route.
import { Controller, Get, Module, ServiceUnavailableException } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureFlagsModule, FeatureRequired, Flags, memorySource, type RequestFlags } from '../src/index.js';
import { AuthGuard, type BootedApp, boot, PLATFORMS } from './boot.js';

@FeatureRequired('reports')
@Controller('reports')
class ReportsController {
  @Get()
  list(@Flags() flags: RequestFlags) {
    return { userId: flags.context.userId, plan: flags.context.properties?.plan, pro: flags.proReports };
  }
}

describe.each(PLATFORMS)('module options with a global auth guard (%s)', (platform) => {
  let app: BootedApp;
  const source = memorySource({
    flags: { reports: { users: ['ada', 'ada-pro'] }, 'pro-reports': { when: { plan: 'pro' } } },
  });

  beforeAll(async () => {
    @Module({
      imports: [
        FeatureFlagsModule.forRootAsync({
          useFactory: async () => ({
            source,
            context: (req: any) => ({ properties: { plan: req.user?.plan } }),
            onDisabled: () => new ServiceUnavailableException('reports are resting'),
          }),
        }),
      ],
      controllers: [ReportsController],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    })
    class AppModule {}
    app = await boot(AppModule, platform);
  });
  afterAll(() => app?.close());

  it('answers 401 before the flag is looked at', async () => {
    expect((await app.get('/reports')).status).toBe(401);
  });

  it('evaluates with the user the auth guard set and the context hook on top', async () => {
    const basic = await app.get('/reports', { authorization: 'user ada' });
    expect(JSON.parse(basic.text)).toEqual({ userId: 'ada', plan: 'basic', pro: false });
    const pro = await app.get('/reports', { authorization: 'user ada-pro' });
    expect(JSON.parse(pro.text)).toEqual({ userId: 'ada-pro', plan: 'pro', pro: true });
  });

  it("answers with the module's onDisabled", async () => {
    const response = await app.get('/reports', { authorization: 'user bob' });
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text).message).toBe('reports are resting');
  });
});
