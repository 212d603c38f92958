// The flags dashboard in Express: core's dashboard endpoint, mounted at the path the app gives it.
import { createDashboard, type DashboardOptions } from '@flagwise/core';
import type { Request, RequestHandler } from 'express';
import { mountEndpoint } from './mount-endpoint.js';

/**
 * The flags dashboard, mounted where the app says, after `featureFlags()`. Without `allow`, or when it says no,
 * it looks absent (Express's 404).
 * @example
 * app.use(featureFlags({ overrides: { secret: process.env.FLAGWISE_SECRET!, allow: isLocal } }));
 * app.use('/_flags', flagsDashboard({ allow: (req) => req.ip === '127.0.0.1' || req.ip === '::1' }));
 */
export function flagsDashboard(options?: DashboardOptions<Request>): RequestHandler {
  return mountEndpoint(createDashboard(options));
}
