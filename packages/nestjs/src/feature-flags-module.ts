// The module: Nest's ConfigurableModuleBuilder gives it forRoot/forRootAsync (useFactory, useClass, useExisting);
// what they provide goes unchanged to the shared adapter layer, which resolves it once. The module waits for the
// first flags during bootstrap, gives every HTTP request its lazy flags (a middleware, or a hook on Fastify), and
// closes the client it created when the app shuts down.
import { ConfigurationError, type FlagsClient, type Logger } from '@flagwise/core';
import {
  type AdapterDefinition,
  type AdapterSetup,
  checkKnownKeys,
  describeArgument,
  flagsReadiness,
  isFunction,
  requestOutcomes,
  setUpAdapter,
  watchGuardedFlags,
} from '@flagwise/core/adapter';
import {
  ConfigurableModuleBuilder,
  type DynamicModule,
  Global,
  Inject,
  Module,
  Logger as NestLogger,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import { FeatureFlagsService } from './feature-flags-service.js';
import { scanHandlers } from './handler-scan.js';
import { attachToEveryRequest } from './middleware.js';
import type {
  FeatureFlagsModuleAsyncOptions,
  FeatureFlagsModuleOptions,
  NestAdapterOptions,
} from './options.js';
import { NestRequestFlags } from './platform-request.js';
import { FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS, FEATURE_FLAGS_SETUP, REQUEST_FLAGS } from './tokens.js';

type Setup = AdapterSetup<any, NestAdapterOptions>;

/** How the module was configured: the entry point for messages, and what only forRoot's second argument holds. */
interface ModuleEntry {
  /** e.g. `FeatureFlagsModule.forRoot(options)` */
  call: string;
  /** forRoot(client, adapterOptions)'s second argument */
  adapterOptions?: NestAdapterOptions;
  /** the options come from forRootAsync (a factory that returns nothing is a mistake, not "no options") */
  async: boolean;
}

/** The setup the module's client provider made, for the setup provider (empty when a test replaced the client). */
interface StartedSetup {
  setup?: Setup;
}

const MODULE_ENTRY = Symbol('flagwise:nestjs:entry');
const STARTED_SETUP = Symbol('flagwise:nestjs:started-setup');

/** The method a `useClass` / `useExisting` class implements for `forRootAsync`. */
const FACTORY_METHOD = 'createFeatureFlagsOptions';

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<FeatureFlagsModuleOptions | FlagsClient>({
  optionsInjectionToken: FEATURE_FLAGS_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName(FACTORY_METHOD)
  .build();

/**
 * Feature flags for a Nest app. Global: import it once, in the root module.
 * @example
 * @Module({ imports: [FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml') })] })
 * export class AppModule {}
 */
@Global()
@Module({})
export class FeatureFlagsModule
  extends ConfigurableModuleClass
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(FEATURE_FLAGS_SETUP) private readonly setup: Setup,
    @Inject(REQUEST_FLAGS) private readonly requestFlags: NestRequestFlags,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    super();
  }

  /** Attaches every HTTP request's flags as it comes in: before the routes and Nest middleware, for all of them. */
  configure(): void {
    attachToEveryRequest(
      this.adapterHost.httpAdapter,
      this.requestFlags,
      requestOutcomes(this.requestFlags.client),
    );
  }

  /**
   * Credits the app's `@FeatureRequired` / `@VariantRequired` to its client, and warns about each handler they
   * (or `@Flags()`) are on that has no HTTP request: a microservice message handler, a WebSocket gateway's.
   */
  onModuleInit(): void {
    const { discovery, scanner, reflector } = this;
    scanHandlers({ discovery, scanner, reflector }, this.setup.client);
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
    // biome-ignore lint/complexity/noThisInStatic: the builder's method makes a module of the class it is called on
    return withFlagsProviders(super.forRoot(options), {
      call: 'FeatureFlagsModule.forRoot(options)',
      adapterOptions,
      async: false,
    });
  }

  /**
   * Flags from options made at startup with injected providers, the way Nest modules take them: `useFactory`
   * (with `inject`), `useClass` (a class the module instantiates) or `useExisting` (a provider the app has), each
   * with `imports`. The class implements `FeatureFlagsOptionsFactory`.
   * @example
   * FeatureFlagsModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ source: fileSource(config.getOrThrow('FLAGS_FILE')) }),
   * })
   * @example
   * FeatureFlagsModule.forRootAsync({ imports: [ConfigModule], useClass: FlagsConfig })
   */
  static forRootAsync(options: FeatureFlagsModuleAsyncOptions): DynamicModule {
    const call = checkAsyncOptions(options);
    // biome-ignore lint/complexity/noThisInStatic: the builder's method makes a module of the class it is called on
    return withFlagsProviders(super.forRootAsync(options), { call, async: true });
  }

  /** Closes the client when the module created it (after the HTTP server stopped taking requests). */
  async onApplicationShutdown(): Promise<void> {
    if (this.setup.ownsClient) await this.setup.client.close();
  }
}

/** Adds the client, the setup, the request flags and the service to what forRoot/forRootAsync built. */
function withFlagsProviders(module: DynamicModule, entry: ModuleEntry): DynamicModule {
  return {
    ...module,
    global: true,
    // DiscoveryService, to find the app's guarded handlers as it starts.
    imports: [...(module.imports ?? []), DiscoveryModule],
    providers: [
      ...(module.providers ?? []),
      { provide: MODULE_ENTRY, useValue: entry },
      { provide: STARTED_SETUP, useFactory: (): StartedSetup => ({}) },
      // The client first, from the options: a test that overrides FEATURE_FLAGS_CLIENT replaces it whole.
      {
        provide: FEATURE_FLAGS_CLIENT,
        useFactory: startClient,
        inject: [FEATURE_FLAGS_OPTIONS, MODULE_ENTRY, STARTED_SETUP],
      },
      {
        provide: FEATURE_FLAGS_SETUP,
        useFactory: setupOf,
        inject: [FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS, MODULE_ENTRY, STARTED_SETUP],
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

type NestExtra = Pick<NestAdapterOptions, 'onDisabled'>;

const NEST_OPTIONS: AdapterDefinition<NestExtra>['options'] = {
  onDisabled: isFunction,
};

/** The module's arguments, resolved by the shared adapter layer (with a test's stand-in client, if any). */
function resolve(
  options: unknown,
  entry: ModuleEntry,
  definition: Pick<AdapterDefinition, 'logger' | 'standInClient'>,
): Setup {
  if (entry.async && (options === null || typeof options !== 'object')) {
    throw new ConfigurationError(
      `${entry.call}: the factory must return the module's options, e.g. { source: fileSource('flags.yaml') } ` +
        `(or {} for flags.yaml in the working directory); got ${describeArgument(options)}`,
    );
  }
  return setUpAdapter<any, NestExtra>(
    {
      entry: entry.call,
      options: NEST_OPTIONS,
      hints: {
        visitorId: 'FeatureFlagsModule.forRoot({ visitorId: true })',
        trustProxy:
          "on the Express platform app.set('trust proxy', 1) (NestExpressApplication); on the Fastify platform " +
          'new FastifyAdapter({ trustProxy: true })',
      },
      ...definition,
    },
    options,
    entry.adapterOptions,
  );
}

async function startClient(
  options: unknown,
  entry: ModuleEntry,
  started: StartedSetup,
): Promise<FlagsClient> {
  const setup = resolve(options, entry, { logger: nestLogger() });
  try {
    await flagsReadiness(setup.client, setup.options).startup();
  } catch (error) {
    if (setup.ownsClient) await setup.client.close();
    throw error;
  }
  started.setup = setup;
  return setup.client;
}

/** The setup startClient made, or, for a client put in its place (a test's override), one for that client. */
function setupOf(client: FlagsClient, options: unknown, entry: ModuleEntry, started: StartedSetup): Setup {
  const setup =
    started.setup?.client === client ? started.setup : resolve(options, entry, { standInClient: client });
  watchGuardedFlags(client);
  return setup;
}

const ASYNC_KEYS = [
  'imports',
  'inject',
  'useFactory',
  'useClass',
  'useExisting',
  'provideInjectionTokensFrom',
];
const ASYNC_FORMS = ['useFactory', 'useClass', 'useExisting'] as const;
const ASYNC_EXAMPLE =
  'e.g. { imports: [ConfigModule], inject: [ConfigService], useFactory: (config: ConfigService) => ' +
  "({ source: fileSource(config.getOrThrow('FLAGS_FILE')) }) }, or { imports: [ConfigModule], useClass: FlagsConfig } " +
  `where FlagsConfig has ${FACTORY_METHOD}()`;

/** Throws a ConfigurationError that says how to fix forRootAsync's options; returns the call for later messages. */
function checkAsyncOptions(options: FeatureFlagsModuleAsyncOptions): string {
  const entry = 'FeatureFlagsModule.forRootAsync(options)';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(
      `${entry}: pass useFactory, useClass or useExisting, ${ASYNC_EXAMPLE}; got ${describeArgument(options)}`,
    );
  }
  checkKnownKeys(entry, options, ASYNC_KEYS);
  const forms = ASYNC_FORMS.filter((key) => options[key] !== undefined);
  if (forms.length !== 1) {
    throw new ConfigurationError(
      `${entry}: takes one of useFactory, useClass and useExisting; got ` +
        `${forms.length === 0 ? 'none' : forms.join(' and ')}. ${ASYNC_EXAMPLE}`,
    );
  }
  const [form] = forms;
  if (options.imports !== undefined && !Array.isArray(options.imports)) {
    throw new ConfigurationError(
      `${entry}: imports must be a list of modules, e.g. [ConfigModule]; got ${describeArgument(options.imports)}`,
    );
  }
  if (options.inject !== undefined && (form !== 'useFactory' || !Array.isArray(options.inject))) {
    throw new ConfigurationError(
      form === 'useFactory'
        ? `${entry}: inject must be a list of what useFactory gets, e.g. [ConfigService]; got ${describeArgument(options.inject)}`
        : `${entry}: inject lists useFactory's arguments; ${form}'s class gets what it needs through its constructor`,
    );
  }
  if (form === 'useFactory') {
    if (typeof options.useFactory !== 'function') {
      throw new ConfigurationError(
        `${entry}: useFactory must be a function returning the options; got ${describeArgument(options.useFactory)}`,
      );
    }
    return 'FeatureFlagsModule.forRootAsync({ useFactory })';
  }
  const given: unknown = options[form];
  const named =
    typeof given === 'function' ? `class ${given.name || '(anonymous)'}` : describeArgument(given);
  // useClass is instantiated here, so it needs the method; useExisting names a provider, which may be bound to a
  // class other than its token (an abstract class, a string or a symbol).
  if (form === 'useClass') {
    const method =
      typeof given === 'function' ? (given.prototype as object)?.[FACTORY_METHOD as never] : undefined;
    if (typeof method !== 'function') {
      throw new ConfigurationError(
        `${entry}: useClass must be a class with a ${FACTORY_METHOD}() method that returns the options ` +
          `(implements FeatureFlagsOptionsFactory); got ${named}`,
      );
    }
  } else if (typeof given !== 'function' && typeof given !== 'string' && typeof given !== 'symbol') {
    throw new ConfigurationError(
      `${entry}: useExisting must name a provider the app has (a class or a token) whose ${FACTORY_METHOD}() ` +
        `returns the options; got ${named}`,
    );
  }
  const name = typeof given === 'function' ? given.name : String(given);
  return `FeatureFlagsModule.forRootAsync({ ${form}: ${name} })`;
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
