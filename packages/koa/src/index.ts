// @flagwise/koa: feature flags for Koa 2 and 3. One install: the core names a Koa app needs are re-exported.

export * from '@flagwise/core/app';
export { flagsDashboard, type KoaDashboardOptions } from './dashboard.js';
export {
  type FeatureFlagsMiddleware,
  type FeatureFlagsOptions,
  type FlagsState,
  featureFlags,
  type KoaAdapterOptions,
} from './feature-flags.js';
export { flagsFrontendApi, type KoaFrontendApiOptions } from './frontend-api.js';
export { type GuardOptions, requireFeature, requireVariant } from './guards.js';
export { type EndpointMiddleware, type MountOptions, mountEndpoint } from './mount-endpoint.js';
export { type FlagsOfrepOptions, flagsOfrep } from './ofrep.js';
