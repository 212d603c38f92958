// @flagwise/koa: feature flags for Koa 2 and 3. One install: the core names a Koa app needs are re-exported.

export {
  type ClientFeaturesPayload,
  ConfigurationError,
  type ContextHook,
  consoleLogger,
  createFlags,
  type Explanation,
  type FeatureDefinition,
  type FlagContext,
  type FlagName,
  type FlagRegistry,
  FlagsClient,
  type FlagsOptions,
  FlagwiseError,
  fileSource,
  flagsJson,
  inlineSource,
  type Logger,
  memorySource,
  type OverrideOptions,
  type RequestFlags,
  type VariantResult,
} from '@flagwise/core';
export {
  type FeatureFlagsMiddleware,
  type FlagsState,
  featureFlags,
  type KoaAdapterOptions,
  type KoaFlagsOptions,
} from './feature-flags.js';
export { type GuardOptions, requireFeature, requireVariant } from './guards.js';
export { type EndpointMiddleware, type MountOptions, mountEndpoint } from './mount-endpoint.js';
