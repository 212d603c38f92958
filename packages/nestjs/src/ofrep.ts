// OFREP in Nest: core's ofrepEndpoint() in a module of its own, on Express and Fastify.
import { type OfrepEndpointOptions, ofrepEndpoint } from '@flagwise/core';
import { type DynamicModule, Module } from '@nestjs/common';
import { endpointModule } from './mount-endpoint.js';

/** Options of `FlagsOfrepModule.forRoot()`: the endpoint's, and where it answers. */
export interface FlagsOfrepOptions extends OfrepEndpointOptions {
  /** the path the web SDK's `baseUrl` ends with (under the app's global prefix, if any); default: the root */
  path?: string;
}

/**
 * OFREP (`POST /ofrep/v1/evaluate/flags` and `/ofrep/v1/evaluate/flags/{key}`) for OpenFeature's web SDK, next to
 * FeatureFlagsModule: each request's own flags, browser-visible flags only.
 * @example
 * @Module({
 *   imports: [
 *     FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml') }),
 *     FlagsOfrepModule.forRoot({ trustClientContext: ['properties.locale'] }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest modules are classes
export class FlagsOfrepModule {
  /**
   * A module serving OFREP below `path` (default: the root, so `baseUrl` is the app's origin).
   * @example
   * FlagsOfrepModule.forRoot({ path: 'features' }) // new OFREPWebProvider({ baseUrl: `${location.origin}/features` })
   */
  static forRoot(options: FlagsOfrepOptions = {}): DynamicModule {
    const { path = '', ...endpoint } = options ?? {};
    return {
      module: FlagsOfrepModule,
      // Every OFREP route (evaluation and the event stream) is below the endpoint's scope, /ofrep/v1: at the app's
      // root, the other routes stay the app's.
      imports: [endpointModule(path, ofrepEndpoint(endpoint))],
    };
  }
}
