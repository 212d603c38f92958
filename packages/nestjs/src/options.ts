// The module's options: the core client's options (or a client), plus what only the Nest adapter needs.
import type { AdapterOptions, FlagsClient, FlagsOptions, RequestFlags } from '@flagwise/core';
import type { ConfigurableModuleAsyncOptions, ExecutionContext } from '@nestjs/common';

/**
 * What `onDisabled` is told about the route that is off for this request.
 * @example
 * onDisabled: ({ flag, flags }) => new NotFoundException(`${flag}: ${flags.explain(flag).reason}`)
 */
export interface DisabledRoute {
  /** the flag that is off (or, for `@VariantRequired`, the flag whose variant did not match) */
  flag: string;
  /** the platform request: Express `req` or Fastify `request` */
  request: any;
  /** the request's flags, e.g. to explain why: `flags.explain(flag).reason` */
  flags: RequestFlags;
  context: ExecutionContext;
}

/**
 * Builds the exception thrown when a guarded route is off for a request. Default: Nest's own 404 for an
 * unknown route (`Cannot GET /path`), so a route that is off looks absent.
 * @example
 * onDisabled: () => new ServiceUnavailableException('down for maintenance')
 */
export type OnDisabled = (route: DisabledRoute) => Error;

/**
 * What the Nest adapter adds on top of the core client's options: `context` (gets the platform request, Express
 * `req` or Fastify `request`), the startup (`readyTimeoutMs`: how long bootstrap waits for the first flags, 0
 * does not wait, default 5000; `startOnFallbacks`; `failOnNotReady`), `visitorId`, and the one below.
 * @example
 * FeatureFlagsModule.forRoot({ client, context: (req) => ({ properties: { plan: req.user?.plan } }), readyTimeoutMs: 2000 })
 */
export interface NestAdapterOptions<Request = any> extends AdapterOptions<Request> {
  /** The exception for every guarded route that is off, unless its decorator says otherwise. Default 404. */
  onDisabled?: OnDisabled;
}

/**
 * `FeatureFlagsModule.forRoot(options)`: either the core client's options (the module creates the client and
 * closes it on shutdown) or `{ client }` (yours: the module never closes it), plus the adapter's options.
 * @example
 * FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml'), context: (req) => ({ properties: { plan: req.user?.plan } }) })
 * @example
 * FeatureFlagsModule.forRoot({ client: createFlags({ source: unleashSource({ url, apiToken, appName }) }) })
 */
export type FeatureFlagsModuleOptions<Request = any> = (
  | FlagsOptions<Request>
  | { client: FlagsClient<Request> }
) &
  NestAdapterOptions<Request>;

/**
 * What a `useClass` / `useExisting` class of `FeatureFlagsModule.forRootAsync` implements.
 * @example
 * @Injectable()
 * export class FlagsConfig implements FeatureFlagsOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createFeatureFlagsOptions() {
 *     return { source: fileSource(this.config.getOrThrow('FLAGS_FILE')) };
 *   }
 * }
 */
export interface FeatureFlagsOptionsFactory<Request = any> {
  createFeatureFlagsOptions():
    | FeatureFlagsModuleOptions<Request>
    | Promise<FeatureFlagsModuleOptions<Request>>;
}

/**
 * `FeatureFlagsModule.forRootAsync(...)`: the options from a factory with injected providers (`useFactory` and
 * `inject`), from a class the module instantiates (`useClass`), or from a provider the app already has
 * (`useExisting`); `imports` makes the modules they need available.
 * @example
 * FeatureFlagsModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ source: fileSource(config.getOrThrow('FLAGS_FILE')) }),
 * })
 * @example
 * FeatureFlagsModule.forRootAsync({ imports: [ConfigModule], useClass: FlagsConfig })
 */
export type FeatureFlagsModuleAsyncOptions<Request = any> = ConfigurableModuleAsyncOptions<
  FeatureFlagsModuleOptions<Request>,
  'createFeatureFlagsOptions'
>;
