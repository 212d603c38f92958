// Unleash's Frontend API in Nest, for unleash-proxy-client in the page: a module to import next to
// FeatureFlagsModule, answering with each request's own flags, on Express and on Fastify.
import { type FrontendApiOptions, frontendApiEndpoint } from '@flagwise/core';
import type { DynamicModule } from '@nestjs/common';
import { FlagsEndpointModule } from './mount-endpoint.js';

/** Options of `flagsFrontendApi()` in Nest: the Frontend API's, and where it answers. */
export interface NestFrontendApiOptions extends FrontendApiOptions {
  /** the path it answers below, under the app's global prefix if any; default 'api/frontend' */
  path?: string;
}

/**
 * A module serving Unleash's Frontend API (what `unleash-proxy-client` and its React and Vue wrappers call) at
 * `path`, answering with the request's own flags: the browser flags that are on for the signed-in user, exactly
 * as `@Flags()` gets them. Import it next to FeatureFlagsModule.
 * @example
 * @Module({
 *   imports: [
 *     FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml') }),
 *     flagsFrontendApi({ clientKeys: [process.env.FRONTEND_KEY!] }), // at /api/frontend
 *   ],
 * })
 * export class AppModule {}
 */
export function flagsFrontendApi(options: NestFrontendApiOptions = {}): DynamicModule {
  const { path = 'api/frontend', ...rest } = options ?? {};
  return FlagsEndpointModule.register({
    path,
    endpoint: frontendApiEndpoint(rest, 'flagsFrontendApi(options)', ['path']),
  });
}
