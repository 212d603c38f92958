// What only Nest has, on every Nest row (each major on Express and on Fastify), through a real app over HTTP:
// FeatureFlagsModule.forRootAsync with useFactory, useClass and useExisting (with imports and inject), its
// misconfigurations refused at startup, the client replaced in a test module, FeatureFlagsTestingModule, and the
// dashboard, OFREP and Frontend API mounted the one Nest way, `Flags…Module.forRoot(options)`.
import { type FlagsClient, fileSource, memorySource } from '@flagwise/core';
import { createTestFlags, pinHeaders } from '@flagwise/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { NestMajor } from '../nest11/src/index.js';
import { CONTEXT_HEADERS as H, type RunningApp } from './contract.js';
import { createApp, nestApps, type Platform } from './rows/nest.js';

type NestModuleClass = Parameters<NestMajor['core']['NestFactory']['create']>[0];
type NestApp = Awaited<ReturnType<typeof createApp>>;

/** What the app's config module holds (as `ConfigService` would): the flags and the header naming the user. */
interface Settings {
  flags: Record<string, unknown>;
  userHeader: string;
}

const FLAGS = { 'beta-page': { users: ['u1'] }, 'dark-mode': true };

describe.each(nestApps.map((app) => [app.name, app] as const))('%s', (_name, { nest, platform }) => {
  const { Controller, Get, Inject, Injectable, Module, Param } = nest.common;
  const { FEATURE_FLAGS_CLIENT, FeatureFlagsModule, FeatureFlagsTestingModule, FeatureRequired, Flags } =
    nest.flagwise;
  type RequestFlags = import('@flagwise/core').RequestFlags;

  const SETTINGS = Symbol('settings');
  let factoryCalls = 0;
  let lastSource: ReturnType<typeof memorySource> | undefined;

  /** The module's options from the app's settings: the flags, and a context hook reading the user's header. */
  function optionsFrom(settings: Settings) {
    factoryCalls++;
    lastSource = memorySource({ flags: settings.flags as never });
    return {
      source: lastSource,
      context: (req: { headers: Record<string, string | undefined> }) => ({
        userId: req.headers[settings.userHeader],
      }),
    };
  }

  @Module({
    providers: [{ provide: SETTINGS, useValue: { flags: FLAGS, userHeader: H.userId } satisfies Settings }],
    exports: [SETTINGS],
  })
  class ConfigModule {}

  @Injectable()
  class FlagsConfig {
    constructor(@Inject(SETTINGS) private readonly settings: Settings) {}
    createFeatureFlagsOptions() {
      return optionsFrom(this.settings);
    }
  }

  @Module({ imports: [ConfigModule], providers: [FlagsConfig], exports: [FlagsConfig] })
  class FlagsConfigModule {}

  @Controller()
  class AppController {
    @Get('flag/:name')
    flag(@Param('name') name: string, @Flags() flags: RequestFlags) {
      return { enabled: flags.isEnabled(name) };
    }

    @Get('guarded')
    @FeatureRequired('beta-page')
    guarded() {
      return 'beta ok';
    }
  }

  function appModule(flagsModule: unknown): NestModuleClass {
    @Module({ imports: [flagsModule as never], controllers: [AppController] })
    class AppModule {}
    return AppModule;
  }

  let running: (RunningApp & { app: NestApp }) | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
    factoryCalls = 0;
  });

  async function start(module: NestModuleClass) {
    running = await serve(await createApp(nest, platform, module));
    return running;
  }

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${running!.url}${path}`, { headers });
    return { status: response.status, body: await response.text() };
  }

  describe('FeatureFlagsModule.forRootAsync', () => {
    const forms = {
      'useFactory with imports and inject': () =>
        FeatureFlagsModule.forRootAsync({
          imports: [ConfigModule],
          inject: [SETTINGS],
          useFactory: async (settings: Settings) => optionsFrom(settings),
        }),
      'useClass with imports': () =>
        FeatureFlagsModule.forRootAsync({ imports: [ConfigModule], useClass: FlagsConfig }),
      'useExisting with imports': () =>
        FeatureFlagsModule.forRootAsync({ imports: [FlagsConfigModule], useExisting: FlagsConfig }),
    };

    it.each(Object.entries(forms))('takes its options from %s', async (_form, flagsModule) => {
      const { app } = await start(appModule(flagsModule()));
      expect(factoryCalls).toBe(1);
      // The flags and the context hook both come from the settings.
      expect(await get('/guarded', { [H.userId]: 'u1' })).toEqual({ status: 200, body: 'beta ok' });
      expect((await get('/guarded', { [H.userId]: 'u2' })).status).toBe(404);
      expect(await get('/flag/dark-mode')).toEqual({ status: 200, body: '{"enabled":true}' });
      // The module made the client, so it closes it with the app: a closed client no longer follows its source.
      const client = app.get<FlagsClient>(FEATURE_FLAGS_CLIENT);
      await running!.close();
      running = undefined;
      lastSource!.set('dark-mode', false);
      expect(client.isEnabled('dark-mode')).toBe(true);
    });

    it('refuses options it cannot use when it is called, saying what to write', () => {
      const refused = (options: unknown) => () => FeatureFlagsModule.forRootAsync(options as never);
      expect(refused({ imports: [ConfigModule] })).toThrow(
        /forRootAsync\(options\): takes one of useFactory, useClass and useExisting; got none\. e\.g\./,
      );
      expect(refused({ useClass: FlagsConfig, useExisting: FlagsConfig })).toThrow(
        /got useClass and useExisting/,
      );
      expect(refused({ useFactroy: () => ({}) })).toThrow(
        /unknown option "useFactroy" \(did you mean "useFactory"\?\)/,
      );
      expect(refused({ useClass: class NoMethod {} })).toThrow(
        /useClass must be a class with a createFeatureFlagsOptions\(\) method .*got class NoMethod/,
      );
      expect(refused({ useExisting: 42 })).toThrow(/useExisting must name a provider the app has/);
      expect(refused({ useClass: FlagsConfig, inject: [SETTINGS] })).toThrow(
        /inject lists useFactory's arguments; useClass's class gets what it needs through its constructor/,
      );
      expect(refused({ useFactory: { source: 'flags.yaml' } })).toThrow(/useFactory must be a function/);
    });

    it('fails the bootstrap when the factory gives no options or options it does not know', async () => {
      const bootstrap = (useFactory: () => unknown) =>
        createApp(
          nest,
          platform,
          appModule(FeatureFlagsModule.forRootAsync({ useFactory: useFactory as never })),
        );
      await expect(bootstrap(() => undefined)).rejects.toThrow(
        /forRootAsync\(\{ useFactory \}\): the factory must return the module's options, .*got undefined/,
      );
      await expect(bootstrap(() => ({ sourse: memorySource() }))).rejects.toThrow(
        /forRootAsync\(\{ useFactory \}\): unknown option "sourse" \(did you mean "source"\?\)/,
      );
      await expect(
        createApp(
          nest,
          platform,
          appModule(
            FeatureFlagsModule.forRootAsync({ imports: [FlagsConfigModule], useExisting: FlagsConfig }),
          ),
        ),
      ).resolves.toBeDefined();
    });
  });

  describe('in a test module', () => {
    it.each([
      ['forRoot', () => FeatureFlagsModule.forRoot(optionsFrom({ flags: {}, userHeader: H.userId }))],
      [
        'forRootAsync',
        () =>
          FeatureFlagsModule.forRootAsync({
            useFactory: () => ({
              ...optionsFrom({ flags: {}, userHeader: H.userId }),
              source: fileSource('/nonexistent/flags.yaml'),
            }),
          }),
      ],
    ])(
      'serves a client that replaces the %s one, with the module’s own options',
      async (_entry, flagsModule) => {
        const testFlags = createTestFlags({ 'beta-page': { users: ['u1'] } });
        const moduleRef = await nest.testing.Test.createTestingModule({
          imports: [appModule(flagsModule()) as never],
        })
          .overrideProvider(FEATURE_FLAGS_CLIENT)
          .useValue(testFlags)
          .compile();
        running = await serve(moduleRef.createNestApplication(adapterFor(nest, platform), { logger: false }));
        // The module's context hook reads the user: the test client's user list decides.
        expect(await get('/guarded', { [H.userId]: 'u1' })).toEqual({ status: 200, body: 'beta ok' });
        expect((await get('/guarded')).status).toBe(404);
        expect(testFlags.lastRequest()?.read).toEqual(['beta-page']);
        await running.close();
        running = undefined;
        // Not the module's to close.
        expect(testFlags.isReady).toBe(true);
        testFlags.set('beta-page', true);
        expect(testFlags.isEnabled('beta-page')).toBe(true);
      },
    );

    it('pins flags with FeatureFlagsTestingModule, per app and per request', async () => {
      const testFlags = createTestFlags({ 'beta-page': false });
      const moduleRef = await nest.testing.Test.createTestingModule({
        imports: [FeatureFlagsTestingModule.withFlags(testFlags)],
        controllers: [AppController],
      }).compile();
      running = await serve(moduleRef.createNestApplication(adapterFor(nest, platform), { logger: false }));
      expect((await get('/guarded')).status).toBe(404);
      expect(await get('/guarded', pinHeaders({ 'beta-page': true }))).toEqual({
        status: 200,
        body: 'beta ok',
      });
      expect((await get('/guarded')).status).toBe(404);
      testFlags.set('beta-page', true);
      expect((await get('/guarded')).status).toBe(200);
      expect(await get('/flag/dark-mode')).toEqual({ status: 200, body: '{"enabled":false}' });
    });
  });

  describe('the dashboard, OFREP and the Frontend API', () => {
    const { FlagsDashboardModule, FlagsFrontendApiModule, FlagsOfrepModule } = nest.flagwise;
    const browserFlags = { 'dark-mode': { enabled: true, browser: true }, 'beta-page': { users: ['u1'] } };

    it.each([
      ['at their default paths', {}, { dashboard: '/_flags', ofrep: '', frontendApi: '/api/frontend' }],
      [
        'at paths of the app’s choosing',
        { dashboard: 'admin/flags', ofrep: 'features', frontendApi: 'features/frontend' },
        { dashboard: '/admin/flags', ofrep: '/features', frontendApi: '/features/frontend' },
      ],
    ] as const)('mounts each with Flags…Module.forRoot(options), %s', async (_where, paths, urls) => {
      @Module({
        imports: [
          FeatureFlagsModule.forRoot(optionsFrom({ flags: browserFlags, userHeader: H.userId })),
          FlagsDashboardModule.forRoot({
            path: 'dashboard' in paths ? paths.dashboard : undefined,
            allow: () => true,
          }),
          FlagsOfrepModule.forRoot({ path: 'ofrep' in paths ? paths.ofrep : undefined }),
          FlagsFrontendApiModule.forRoot({
            path: 'frontendApi' in paths ? paths.frontendApi : undefined,
            clientKeys: ['web-key'],
          }),
        ],
        controllers: [AppController],
      })
      class EndpointsModule {}
      await start(EndpointsModule);

      const dashboard = await fetch(`${running!.url}${urls.dashboard}`);
      expect(dashboard.status).toBe(200);
      expect(dashboard.headers.get('content-type')).toMatch(/^text\/html/);

      const ofrep = await fetch(`${running!.url}${urls.ofrep}/ofrep/v1/evaluate/flags`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"context":{}}',
      });
      expect(ofrep.status).toBe(200);
      expect(((await ofrep.json()) as { flags: { key: string }[] }).flags.map((flag) => flag.key)).toEqual([
        'dark-mode',
      ]);

      const frontendApi = await fetch(`${running!.url}${urls.frontendApi}`, {
        headers: { authorization: 'web-key' },
      });
      expect(frontendApi.status).toBe(200);
      expect(
        ((await frontendApi.json()) as { toggles: { name: string }[] }).toggles.map((t) => t.name),
      ).toEqual(['dark-mode']);
      expect(
        (await fetch(`${running!.url}${urls.frontendApi}`, { headers: { authorization: 'x' } })).status,
      ).toBe(401);
      // The app's own routes are untouched.
      expect(await get('/guarded', { [H.userId]: 'u1' })).toEqual({ status: 200, body: 'beta ok' });
    });
  });
});

function adapterFor(nest: NestMajor, platform: Platform) {
  return platform === 'express'
    ? new nest.platformExpress.ExpressAdapter()
    : (new nest.platformFastify.FastifyAdapter() as never);
}

/** `app` listening on 127.0.0.1 port 0. */
async function serve(
  app:
    | NestApp
    | Awaited<ReturnType<NestMajor['testing']['TestingModule']['prototype']['createNestApplication']>>,
) {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app: app as NestApp, url, close: () => app.close() };
}
