// What Express apps need from the core, so one install is enough.
export * from '@flagwise/core/app';
export { flagsDashboard } from './dashboard.js';
export {
  type ExpressAdapterOptions,
  type FeatureFlagsMiddleware,
  type FeatureFlagsOptions,
  featureFlags,
  type RequestWithFlags,
} from './feature-flags.js';
export { flagsFrontendApi } from './frontend-api.js';
export { getFlags } from './get-flags.js';
export { type GuardOptions, requireFeature, requireVariant } from './guards.js';
export { mountEndpoint } from './mount-endpoint.js';
export { flagsOfrep } from './ofrep.js';
