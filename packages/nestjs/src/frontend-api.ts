// Unleash's Frontend API in Nest, for unleash-proxy-client in the page: core's endpoint in a module of its own,
// answering with each request's own flags, on Express and on Fastify.
import { type FrontendApiOptions, frontendApiEndpoint } from '@flagwise/core';
import { type DynamicModule, Module } from '@nestjs/common';
import { FlagsEndpointModule } from './mount-endpoint.js';

/** Options of `FlagsFrontendApiModule.forRoot()`: the Frontend API's, and where it answers. */
export interface FlagsFrontendApiOptions extends FrontendApiOptions {
  /** the path it answers below, under the app's global prefix if any; default 'api/frontend' */
  path?: string;
}

/**
 * Unleash's Frontend API (what `unleash-proxy-client` and its React and Vue wrappers call) next to
 * FeatureFlagsModule, answering with the request's own flags: the browser flags that are on for the signed-in
 * user, exactly as `@Flags()` gets them.
 * @example
 * @Module({
 *   imports: [
 *     FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml') }),
 *     FlagsFrontendApiModule.forRoot({ clientKeys: [process.env.FRONTEND_KEY!] }), // at /api/frontend
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest modules are classes
export class FlagsFrontendApiModule {
  /**
   * A module serving the Frontend API below `path` (default `api/frontend`).
   * @example
   * FlagsFrontendApiModule.forRoot({ clientKeys: ['shop-web'], expose: { prefix: 'web-' } })
   */
  static forRoot(options: FlagsFrontendApiOptions = {}): DynamicModule {
    const { path = 'api/frontend', ...endpoint } = options ?? {};
    return {
      module: FlagsFrontendApiModule,
      imports: [
        FlagsEndpointModule.forRoot({
          path,
          endpoint: frontendApiEndpoint(endpoint, 'FlagsFrontendApiModule.forRoot(options)', ['path']),
        }),
      ],
    };
  }
}
