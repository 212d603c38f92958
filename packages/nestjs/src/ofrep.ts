// OFREP in Nest: core's ofrepEndpoint() through FlagsEndpointModule.
import { type OfrepEndpointOptions, ofrepEndpoint } from '@flagwise/core';
import type { DynamicModule } from '@nestjs/common';
import { FlagsEndpointModule } from './mount-endpoint.js';

/** `flagsOfrep()`'s options: the endpoint's, and where it answers. */
export interface FlagsOfrepOptions extends OfrepEndpointOptions {
  /** the path the web SDK's `baseUrl` ends with (under the app's global prefix, if any); default: the root */
  path?: string;
}

/**
 * Serves OFREP (`POST /ofrep/v1/evaluate/flags` and `/ofrep/v1/evaluate/flags/{key}`) with each request's own
 * flags from FeatureFlagsModule (import that too), browser-visible flags only, for OpenFeature's web SDK: a
 * FlagsEndpointModule to import.
 * @example
 * @Module({
 *   imports: [FeatureFlagsModule.forRoot(), flagsOfrep({ trustClientContext: ['properties.locale'] })],
 * })
 * export class AppModule {}
 */
export function flagsOfrep(options: FlagsOfrepOptions = {}): DynamicModule {
  const { path = '', ...endpointOptions } = options;
  return FlagsEndpointModule.register({ path, endpoint: ofrepEndpoint(endpointOptions) });
}
