import { featureFlags } from './plugin.js';

// What Fastify apps need from the core, so one install is enough.
export * from '@flagwise/core/app';
export { flagsDashboard } from './dashboard.js';
export { flagsFrontendApi } from './frontend-api.js';
export {
  type FeatureGuard,
  type FeatureGuardConfig,
  type FeatureRouteConfig,
  type GuardOptions,
  type OnDisabled,
  requireFeature,
  requireVariant,
} from './guards.js';
export { mountEndpoint } from './mount-endpoint.js';
export {
  type FastifyAdapterOptions,
  type FeatureFlagsClientOptions,
  type FeatureFlagsOptions,
  type FeatureFlagsPluginOptions,
  type FlagsHookName,
  featureFlags,
} from './plugin.js';

// `import featureFlags from '@flagwise/fastify'`, as with other Fastify plugins.
export default featureFlags;
export { flagsOfrep } from './ofrep.js';
