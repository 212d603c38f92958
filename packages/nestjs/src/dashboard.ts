// The flags dashboard in Nest: core's dashboard endpoint in a module of its own, on Express and Fastify.
import { createDashboard, type DashboardOptions } from '@flagwise/core';
import { type DynamicModule, Module } from '@nestjs/common';
import { FlagsEndpointModule } from './mount-endpoint.js';

/** Options of `FlagsDashboardModule.forRoot()`: the dashboard's, and its path (default `_flags`). */
export interface FlagsDashboardOptions extends DashboardOptions {
  path?: string;
}

/**
 * The flags dashboard at `path`, next to FeatureFlagsModule. Without `allow`, or when it says no, it looks absent
 * (Nest's 404). `allow` gets the platform request (Express `req` or Fastify `request`).
 * @example
 * @Module({
 *   imports: [
 *     FeatureFlagsModule.forRoot({ overrides: { secret: process.env.FLAGWISE_SECRET!, allow: isLocal } }),
 *     FlagsDashboardModule.forRoot({ path: '_flags', allow: (req) => req.ip === '127.0.0.1' }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest modules are classes
export class FlagsDashboardModule {
  /**
   * A module serving the dashboard below `path` (default `_flags`).
   * @example
   * FlagsDashboardModule.forRoot({ allow: (req) => req.user?.role === 'admin' })
   */
  static forRoot(options: FlagsDashboardOptions = {}): DynamicModule {
    const { path = '_flags', ...dashboard } = options ?? {};
    return {
      module: FlagsDashboardModule,
      imports: [FlagsEndpointModule.forRoot({ path, endpoint: createDashboard(dashboard) })],
    };
  }
}
