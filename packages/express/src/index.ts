// What Express apps need from the core, so one install is enough.
export {
  type ClientFeaturesPayload,
  ConfigurationError,
  type ContextHook,
  consoleLogger,
  createFlags,
  defaultFileSource,
  type Explanation,
  type FeatureDefinition,
  type FlagContext,
  type FlagName,
  type FlagRegistry,
  type FlagSource,
  FlagsClient,
  type FlagsOptions,
  FlagwiseError,
  fileSource,
  flagsJson,
  handlebarsHelpers,
  inlineSource,
  type Logger,
  type MemorySource,
  memorySource,
  type OverrideOptions,
  type RequestFlags,
  type VariantResult,
  type VisitorIdOptions,
} from '@flagwise/core';
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
