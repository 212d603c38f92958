// What Nest users need from core, so one install is enough.
export {
  ConfigurationError,
  consoleLogger,
  createFlags,
  type Explanation,
  type FlagContext,
  FlagsClient,
  type FlagsOptions,
  FlagwiseError,
  fileSource,
  inlineSource,
  type MemorySource,
  memorySource,
  type RequestFlags,
  type VariantResult,
} from '@flagwise/core';
export { FeatureRequired, Flags, type RequirementOptions, VariantRequired } from './decorators.js';
export { FeatureFlagsModule } from './feature-flags-module.js';
export { FeatureFlagsService } from './feature-flags-service.js';
export { FeatureFlagsGuard } from './guards.js';
export type {
  DisabledRoute,
  FeatureFlagsModuleAsyncOptions,
  FeatureFlagsModuleOptions,
  NestAdapterOptions,
  OnDisabled,
} from './options.js';
export { FeatureFlagsTestingModule } from './testing-module.js';
export { FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS } from './tokens.js';
