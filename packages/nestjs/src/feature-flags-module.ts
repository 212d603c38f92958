// The module: creates (or takes) the core client, waits for the first flags during bootstrap, gives every HTTP
// request its lazy flags, and closes the client it created when the app shuts down.
import {
  ConfigurationError,
  createFlags,
  type FlagsClient,
  type FlagsOptions,
  FlagwiseError,
} from '@flagwise/core';
import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FeatureFlagsService } from './feature-flags-service.js';
import type {
  FeatureFlagsModuleAsyncOptions,
  FeatureFlagsModuleOptions,
  NestAdapterOptions,
} from './options.js';
import { attachRequestFlags, defineExpressRequestFlags } from './platform-request.js';
import { FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS } from './tokens.js';

const DEFAULT_READY_TIMEOUT_MS = 5000;
// Platform instances (Express apps, Fastify servers) that already attach flags.
const hooked = new WeakSet<object>();
// A source that answers with one of these will not start working by waiting: stop the bootstrap and say why.
const MISCONFIGURATION_CODES = new Set([
  'MISCONFIGURED',
  'INVALID_FLAGS_FILE',
  'FLAGS_FILE_NOT_FOUND',
  'INVALID_DEFINITION',
  'UNAUTHORIZED',
]);

/**
 * Feature flags for a Nest app. Global: import it once, in the root module.
 * @example
 * @Module({ imports: [FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml') })] })
 * export class AppModule {}
 */
@Global()
@Module({})
export class FeatureFlagsModule implements NestModule, OnApplicationShutdown {
  constructor(
    @Inject(FEATURE_FLAGS_CLIENT) private readonly client: FlagsClient,
    @Inject(FEATURE_FLAGS_OPTIONS) private readonly options: FeatureFlagsModuleOptions,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * Gives every request `req.flags` (and views `flags`) through the platform itself — on Express an accessor on
   * the app's request prototype, on Fastify a preHandler hook — because Nest's own per-request machinery (a
   * global guard or interceptor) costs several times more. Nest calls configure() once the HTTP adapter exists
   * and before it registers routes, in `NestFactory.create` and in `Test.createTestingModule()
   * .createNestApplication()` alike.
   */
  configure(_consumer: MiddlewareConsumer): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter === undefined || adapter === null) return;
    const platform = adapter.getInstance();
    if (hooked.has(platform)) return;
    hooked.add(platform);
    const { client, options } = this;
    switch (adapter.getType()) {
      case 'express':
        defineExpressRequestFlags(platform, client, options);
        break;
      case 'fastify':
        // preHandler: after @fastify/view's onRequest hook has given the reply its `locals`.
        platform.addHook('preHandler', (request: any, reply: any, done: () => void) => {
          attachRequestFlags(request, reply, client, options);
          done();
        });
        break;
      default:
        // Other platforms: @FeatureRequired still works (its guard attaches the flags); @Flags() explains.
        client.logger.warn(
          { platform: adapter.getType() },
          'flagwise: @Flags() and views get flags on the Express and Fastify platforms only',
        );
    }
  }

  /**
   * Flags from options known at startup. Given client options it creates the client (default source: flags.yaml
   * in the working directory); given `{ client }`, it uses yours and leaves closing it to you.
   * @example
   * FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml'), context: (req) => ({ properties: { plan: req.user?.plan } }) })
   */
  static forRoot(options: FeatureFlagsModuleOptions = {}): DynamicModule {
    return FeatureFlagsModule.build([{ provide: FEATURE_FLAGS_OPTIONS, useValue: options }]);
  }

  /**
   * Flags from options a factory makes, with injected providers.
   * @example
   * FeatureFlagsModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ source: fileSource(config.getOrThrow('FLAGS_FILE')) }),
   * })
   */
  static forRootAsync(options: FeatureFlagsModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new ConfigurationError(
        'FeatureFlagsModule.forRootAsync({ useFactory }): useFactory must be a function returning the options, ' +
          'e.g. useFactory: (config: ConfigService) => ({ source: fileSource(config.get("FLAGS_FILE")) })',
      );
    }
    return FeatureFlagsModule.build(
      [{ provide: FEATURE_FLAGS_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports,
    );
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: FeatureFlagsModule,
      global: true,
      imports,
      providers: [
        ...optionsProviders,
        { provide: FEATURE_FLAGS_CLIENT, useFactory: startClient, inject: [FEATURE_FLAGS_OPTIONS] },
        {
          provide: FeatureFlagsService,
          useFactory: (client: FlagsClient) => new FeatureFlagsService(client),
          inject: [FEATURE_FLAGS_CLIENT],
        },
      ],
      exports: [FEATURE_FLAGS_OPTIONS, FEATURE_FLAGS_CLIENT, FeatureFlagsService],
    };
  }

  /** Closes the client when the module created it (after the HTTP server stopped taking requests). */
  async onApplicationShutdown(): Promise<void> {
    if (!hasOwnClient(this.options)) await this.client.close();
  }
}

async function startClient(options: FeatureFlagsModuleOptions): Promise<FlagsClient> {
  checkOptions(options);
  const client = hasOwnClient(options) ? options.client : createFlags(clientOptions(options));
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  if (timeoutMs > 0) {
    try {
      await client.ready({ timeoutMs });
    } catch (error) {
      if (error instanceof FlagwiseError && MISCONFIGURATION_CODES.has(error.code)) {
        if (!hasOwnClient(options)) await client.close();
        throw error;
      }
      client.logger.warn(
        { err: error, status: client.status },
        `flagwise: starting without flags (they read as off until they load): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }
  return client;
}

function hasOwnClient(
  options: FeatureFlagsModuleOptions,
): options is FeatureFlagsModuleOptions & { client: FlagsClient } {
  return 'client' in options && options.client !== undefined;
}

function clientOptions(options: FeatureFlagsModuleOptions): FlagsOptions {
  const {
    context: _context,
    onDisabled: _onDisabled,
    readyTimeoutMs: _readyTimeoutMs,
    ...rest
  } = options as FlagsOptions & NestAdapterOptions;
  return rest;
}

function checkOptions(options: FeatureFlagsModuleOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'FeatureFlagsModule.forRoot(options): options must be an object, e.g. { source: fileSource("flags.yaml") } or { client }',
    );
  }
  if (hasOwnClient(options)) {
    if (typeof (options.client as Partial<FlagsClient>).forRequest !== 'function') {
      throw new ConfigurationError(
        'FeatureFlagsModule.forRoot({ client }): client must be a flags client from createFlags()',
      );
    }
    const clientFields = ['source', 'appName', 'environment', 'strategies', 'logger', 'overrides'].filter(
      (field) => field in options,
    );
    if (clientFields.length > 0) {
      throw new ConfigurationError(
        `FeatureFlagsModule.forRoot({ client, ${clientFields.join(', ')} }): give either a client or the options ` +
          'to create one; pass those options to createFlags() instead',
      );
    }
  }
  for (const field of ['context', 'onDisabled'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'function') {
      throw new ConfigurationError(`FeatureFlagsModule.forRoot({ ${field} }): ${field} must be a function`);
    }
  }
}
