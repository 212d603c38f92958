// The module: resolves its options through the shared adapter layer, waits for the first flags during
// bootstrap, gives every HTTP request its lazy flags (a middleware, or a hook on Fastify), and closes the client
// it created when the app shuts down.
import { ConfigurationError, type FlagsClient, type Logger } from '@flagwise/core';
import {
  type AdapterDefinition,
  type AdapterSetup,
  FLAGS_OPTION_KEYS,
  isBoolean,
  isClient,
  isFunction,
  setUpAdapter,
  startupReadiness,
  watchGuardedFlags,
} from '@flagwise/core/adapter';
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  Logger as NestLogger,
  type NestModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FeatureFlagsService } from './feature-flags-service.js';
import { attachToEveryRequest } from './middleware.js';
import type {
  FeatureFlagsModuleAsyncOptions,
  FeatureFlagsModuleOptions,
  NestAdapterOptions,
} from './options.js';
import { NestRequestFlags } from './platform-request.js';
import { FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS, FEATURE_FLAGS_SETUP, REQUEST_FLAGS } from './tokens.js';

type Setup = AdapterSetup<any, NestAdapterOptions>;

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
    @Inject(FEATURE_FLAGS_SETUP) private readonly setup: Setup,
    @Inject(REQUEST_FLAGS) private readonly requestFlags: NestRequestFlags,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Attaches every HTTP request's flags as it comes in: before the routes and Nest middleware, for all of them. */
  configure(): void {
    attachToEveryRequest(this.adapterHost.httpAdapter, this.requestFlags);
  }

  /**
   * Flags from options known at startup: client options (the module creates the client; default source:
   * flags.yaml in the working directory), `{ client, ...options }` or a client and adapter options (yours: the
   * module leaves closing it to you). Unknown options fail the bootstrap, naming the nearest valid one.
   * @example
   * FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml'), context: (req) => ({ properties: { plan: req.user?.plan } }) })
   * @example
   * FeatureFlagsModule.forRoot(createFlags({ source }), { onDisabled: () => new ForbiddenException() })
   */
  static forRoot(
    options: FeatureFlagsModuleOptions | FlagsClient = {},
    adapterOptions?: NestAdapterOptions,
  ): DynamicModule {
    // One object form for FEATURE_FLAGS_OPTIONS: a client given first becomes { client, ...adapterOptions }.
    const given = isClient(options)
      ? { ...adapterOptions, client: options as FlagsClient }
      : { ...(options as object), ...adapterOptions };
    if (!isClient(options) && adapterOptions !== undefined) {
      // Let the layer say what is wrong with (options, adapterOptions), as in every adapter.
      setUpAdapter<any, NestExtra>(NEST_ADAPTER, options, adapterOptions);
    }
    return FeatureFlagsModule.build([{ provide: FEATURE_FLAGS_OPTIONS, useValue: given }]);
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
        // The client first, from the options: a test that overrides FEATURE_FLAGS_CLIENT replaces it whole.
        { provide: FEATURE_FLAGS_CLIENT, useFactory: startClient, inject: [FEATURE_FLAGS_OPTIONS] },
        {
          provide: FEATURE_FLAGS_SETUP,
          useFactory: setupOf,
          inject: [FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS],
        },
        {
          provide: REQUEST_FLAGS,
          useFactory: (setup: Setup) => new NestRequestFlags(setup),
          inject: [FEATURE_FLAGS_SETUP],
        },
        {
          provide: FeatureFlagsService,
          useFactory: (client: FlagsClient) => new FeatureFlagsService(client),
          inject: [FEATURE_FLAGS_CLIENT],
        },
      ],
      exports: [
        FEATURE_FLAGS_OPTIONS,
        FEATURE_FLAGS_CLIENT,
        FEATURE_FLAGS_SETUP,
        REQUEST_FLAGS,
        FeatureFlagsService,
      ],
    };
  }

  /** Closes the client when the module created it (after the HTTP server stopped taking requests). */
  async onApplicationShutdown(): Promise<void> {
    if (this.setup.ownsClient) await this.setup.client.close();
  }
}

type NestExtra = Pick<NestAdapterOptions, 'onDisabled' | 'failOnNotReady'>;

const NEST_ADAPTER: AdapterDefinition<NestExtra> = {
  entry: 'FeatureFlagsModule.forRoot(options)',
  options: { onDisabled: isFunction, failOnNotReady: isBoolean },
};

// The setup of each client the module started, for FEATURE_FLAGS_SETUP.
const setups = new WeakMap<FlagsClient, Setup>();

async function startClient(given: unknown): Promise<FlagsClient> {
  const setup: Setup = setUpAdapter<any, NestExtra>({ ...NEST_ADAPTER, logger: nestLogger() }, given);
  try {
    await startupReadiness(setup.client, {
      timeoutMs: setup.options.readyTimeoutMs,
      failOnNotReady: setup.options.failOnNotReady,
    });
  } catch (error) {
    if (setup.ownsClient) await setup.client.close();
    throw error;
  }
  setups.set(setup.client, setup);
  return setup.client;
}

/** The setup startClient made, or, for a client put in its place (a test's override), one for that client. */
function setupOf(client: FlagsClient, given: unknown): Setup {
  let setup = setups.get(client);
  if (setup === undefined) {
    const adapterOptions = Object.fromEntries(
      Object.entries((given ?? {}) as object).filter(
        ([key]) => key !== 'client' && !(FLAGS_OPTION_KEYS as readonly string[]).includes(key),
      ),
    );
    setup = setUpAdapter<any, NestExtra>(NEST_ADAPTER, client, adapterOptions);
  }
  watchGuardedFlags(client);
  return setup;
}

/** Nest's own Logger, under the context `flagwise` (so the messages drop their own `flagwise:` prefix). */
function nestLogger(): Logger {
  const logger = new NestLogger('flagwise');
  const text = (obj: unknown, msg?: string) => {
    const line = typeof obj === 'string' ? obj : (msg ?? '');
    return line.startsWith('flagwise: ') ? line.slice('flagwise: '.length) : line;
  };
  return {
    debug: (obj, msg) => logger.debug(text(obj, msg)),
    info: (obj, msg) => logger.log(text(obj, msg)),
    warn: (obj, msg) => logger.warn(text(obj, msg)),
    error: (obj, msg) => logger.error(text(obj, msg)),
  };
}
