// The conformance table's Nest rows: Nest 10, 11 and 12, each on the Express and the Fastify platform, wired the
// way a user would. Each major comes from its own workspace package (test/nest10, 11, 12) holding its own
// Nest and a copy of @flagwise/nestjs that pnpm injected there, so each row runs the adapter against the Nest
// it claims; the row refuses to start when that is not so.
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FlagsClient, RequestFlags } from '@flagwise/core';
import type { Endpoint } from '@flagwise/core/adapter';
import { nest as nest10 } from '../../nest10/src/index.js';
import type {
  ArgumentsHost,
  NestExpressApplication,
  NestFastifyApplication,
  NestMajor,
} from '../../nest11/src/index.js';
import { nest as nest11 } from '../../nest11/src/index.js';
import { nest as nest12 } from '../../nest12/src/index.js';
import type { AdapterRow, AppHooks, Mount, RunningApp } from '../contract.js';
import { contextFromHeaders, flagAnswer, CONTEXT_HEADERS as H, streamDigest } from '../contract.js';
import { readForTelemetry } from '../read-for-telemetry.js';
import { readInOrder } from '../read-in-order.js';

export type Platform = 'express' | 'fastify';
type NestModuleClass = Parameters<NestMajor['core']['NestFactory']['create']>[0];
const views = fileURLToPath(new URL('../../templates/views', import.meta.url));
export const majors: NestMajor[] = [nest10 as unknown as NestMajor, nest11, nest12 as unknown as NestMajor];

/** Every Nest major on each platform, named as the rows of every table are: 'nest 12 (fastify)'. */
export const nestApps: { name: string; nest: NestMajor; platform: Platform }[] = majors.flatMap((nest) =>
  (['express', 'fastify'] as const).map((platform) => ({
    name: `nest ${nest.major} (${platform})`,
    nest,
    platform,
  })),
);

export const rows: AdapterRow[] = nestApps.map(({ name, nest, platform }) => ({
  name,
  start: (client: FlagsClient, hooks: AppHooks) =>
    start(nest, platform, client, { context: contextFromHeaders }, hooks),
  startEntry: (first: unknown, second: unknown, hooks: AppHooks) =>
    start(nest, platform, first, second, hooks),
  startWithEndpoint: (client: FlagsClient, endpoint: Endpoint<any>, prefix: string, more: Mount[] = []) =>
    startWithEndpoint(nest, platform, client, [{ endpoint, prefix }, ...more]),
}));

/** Each endpoint mounted with `FlagsEndpointModule.forRoot({ path, endpoint })` next to FeatureFlagsModule. */
async function startWithEndpoint(
  nest: NestMajor,
  platform: Platform,
  client: FlagsClient,
  mounts: Mount[],
): Promise<RunningApp> {
  checkMajor(nest);
  const { Body, Controller, Get, HttpCode, Param, Post, Module, Req } = nest.common;
  const { FlagsEndpointModule, Flags } = nest.flagwise;
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

/** Throws unless this row's Nest, and the Nest its adapter copy resolves, are the major it claims. */
export function checkMajor(nest: NestMajor): void {
  const majorOf = (version: string) => Number(version.split('.')[0]);
  if (majorOf(nest.coreVersion) !== nest.major || majorOf(nest.adapterCoreVersion) !== nest.major) {
    throw new Error(
      `nest ${nest.major} row: the app resolves @nestjs/core ${nest.coreVersion} and the adapter copy ` +
        `${nest.adapterCoreVersion}; both should be ${nest.major}.x`,
    );
  }
  const stale = nest.adapter.staleFiles();
  if (stale.length > 0) {
    throw new Error(
      `nest ${nest.major} row: the injected copy of @flagwise/nestjs (${nest.adapter.copy}) differs from ` +
        `packages/nestjs in ${stale.join(', ')}: run \`pnpm install\` to refresh it`,
    );
  }
}

async function start(
  nest: NestMajor,
  platform: Platform,
  first: unknown,
  second: unknown,
  hooks: AppHooks,
): Promise<RunningApp> {
  checkMajor(nest);
  const { common, core, flagwise } = nest;
  const {
    Controller,
    Get,
    Param,
    Query,
    Render,
    Catch,
    UseFilters,
    Inject,
    Module,
    ServiceUnavailableException,
    Injectable,
    UseGuards,
    StreamableFile,
  } = common;
  const { FeatureFlagsModule, FeatureRequired, VariantRequired, Flags } = flagwise;
  type RequestFlags = import('@flagwise/core').RequestFlags;

  // Nest answers an HttpException with JSON; the table wants the maintenance text as the body, which in Nest is
  // an exception filter's job.
  @Catch(ServiceUnavailableException)
  class PlainTextFilter {
    constructor(
      @Inject(core.HttpAdapterHost) private readonly adapterHost: InstanceType<typeof core.HttpAdapterHost>,
    ) {}
    catch(exception: InstanceType<typeof ServiceUnavailableException>, host: ArgumentsHost) {
      this.adapterHost.httpAdapter.reply(
        host.switchToHttp().getResponse(),
        exception.message,
        exception.getStatus(),
      );
    }
  }

  // Auth that runs after the module's middleware, as passport's AuthGuard does: sets request.user after an await.
  @Injectable()
  class HeaderAuthGuard {
    async canActivate(context: { getArgByIndex(index: number): unknown }) {
      const request = context.getArgByIndex(0) as {
        headers: Record<string, string | undefined>;
        user?: unknown;
      };
      const user = request.headers[H.authUser];
      if (user !== undefined) {
        await new Promise((resolve) => setImmediate(resolve));
        request.user = { id: user };
      }
      return true;
    }
  }

  @Controller()
  @UseGuards(HeaderAuthGuard)
  class ConformanceController {
    @Get('flag/:name')
    flag(@Param('name') name: string, @Flags() flags: RequestFlags) {
      return { enabled: flags.isEnabled(name), variant: flags.variant(name) };
    }

    @Get('prop/:property')
    prop(@Param('property') property: string, @Flags() flags: RequestFlags) {
      return { value: flags[property] };
    }

    @Get('twice/:name')
    async twice(
      @Param('name') name: string,
      @Query('wait') wait: string | undefined,
      @Flags() flags: RequestFlags,
    ) {
      const first = flags.isEnabled(name);
      if (wait === '1') await hooks.between();
      return { first, second: flags.isEnabled(name) };
    }

    @Get('guarded')
    @FeatureRequired('beta-page')
    guarded() {
      return 'beta ok';
    }

    @Get('maintenance')
    @FeatureRequired('checkout-open', {
      onDisabled: () => new ServiceUnavailableException('down for maintenance'),
    })
    @UseFilters(PlainTextFilter)
    maintenance() {
      return 'checkout ok';
    }

    @Get('variant-b')
    @VariantRequired('experiment', ['b'])
    variantB() {
      return 'variant b ok';
    }

    @Get('page')
    @Render('conformance.ejs')
    page() {
      return {};
    }

    @Get('explain/:name')
    explain(@Param('name') name: string, @Flags() flags: RequestFlags) {
      const explained = flags.explain(name);
      return {
        explained: explained.enabled,
        enabled: flags.isEnabled(name),
        reason: explained.reason,
        detail: explained.detail,
      };
    }

    @Get('telemetry')
    telemetry(@Query() query: Record<string, unknown>, @Flags() flags: RequestFlags) {
      return readForTelemetry(flags, query);
    }

    @Get('reads/:name')
    reads(@Param('name') name: string, @Query('order') order: string, @Flags() flags: RequestFlags) {
      return readInOrder(flags, name, order);
    }

    @Get('late/:name')
    late(@Param('name') name: string, @Flags() flags: RequestFlags) {
      // The platform sends the headers when it starts piping the stream: the flag is first read after that.
      return new StreamableFile(
        Readable.from(
          (async function* () {
            yield Buffer.from('late:');
            await new Promise((resolve) => setImmediate(resolve));
            yield Buffer.from(String(flags.isEnabled(name)));
          })(),
        ),
        { type: 'text/plain' },
      );
    }

    @Get('typo')
    @FeatureRequired('beta-pgae')
    typo() {
      return 'typo ok';
    }

    @Get('no-variants')
    @VariantRequired('beta-page', ['on'])
    noVariants() {
      return 'no variants ok';
    }
  }

  @Module({
    imports: [FeatureFlagsModule.forRoot(first as never, second as never)],
    controllers: [ConformanceController],
  })
  class ConformanceModule {}

  return listen(nest, platform, ConformanceModule);
}

/** FeatureFlagsModule on the table's client, with the contract's context hook. */
export function flagsModule(
  nest: NestMajor,
  client: FlagsClient,
): ReturnType<NestMajor['flagwise']['FeatureFlagsModule']['forRoot']> {
  return nest.flagwise.FeatureFlagsModule.forRoot({ client, context: contextFromHeaders });
}

/**
 * The row's app of `module`, listening on 127.0.0.1 port 0; `prepare` runs on the app before it listens.
 */
export async function listen(
  nest: NestMajor,
  platform: Platform,
  module: NestModuleClass,
  prepare?: (app: NestExpressApplication | NestFastifyApplication) => void,
): Promise<RunningApp> {
  const app = await createApp(nest, platform, module);
  prepare?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, close: () => app.close() };
}

export async function createApp(
  nest: NestMajor,
  platform: Platform,
  module: NestModuleClass,
): Promise<NestExpressApplication | NestFastifyApplication> {
  const { NestFactory } = nest.core;
  if (platform === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(
      module,
      new nest.platformExpress.ExpressAdapter(),
      { logger: false, abortOnError: false },
    );
    // pnpm's strict layout: Express cannot require('ejs') itself, so the engine is registered explicitly.
    app.engine('ejs', nest.ejs.renderFile);
    app.setBaseViewsDir(views);
    return app;
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new nest.platformFastify.FastifyAdapter(),
    { logger: false, abortOnError: false },
  );
  // The @fastify/view of this major's Fastify, registered directly (setViewEngine would look it up from Nest).
  await app.register(nest.fastifyView as never, { engine: { ejs: nest.ejs }, root: views });
  return app;
}
