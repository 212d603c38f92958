// The flags dashboard in Koa: core's dashboard endpoint, served below a prefix.
import { createDashboard, type DashboardOptions } from '@flagwise/core';
import type { Context } from 'koa';
import { type EndpointMiddleware, type MountOptions, mountEndpoint } from './mount-endpoint.js';

/** Options of the Koa `flagsDashboard()`: the dashboard's, and where it is served. */
export interface KoaDashboardOptions extends DashboardOptions<Context>, MountOptions {}

/**
 * The flags dashboard below `prefix`, after `featureFlags()`. Without `allow`, or when it says no, it looks absent
 * (Koa's 404).
 * @example
 * app.use(featureFlags());
 * app.use(flagsDashboard({ prefix: '/_flags', allow: (ctx) => ctx.ip === '127.0.0.1' || ctx.ip === '::1' }));
 */
export function flagsDashboard(options: KoaDashboardOptions): EndpointMiddleware {
  const { prefix, ...dashboard } = options ?? ({} as KoaDashboardOptions);
  return mountEndpoint(createDashboard(dashboard), { prefix });
}
