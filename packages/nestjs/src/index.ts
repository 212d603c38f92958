// What Nest users need from core, so one install is enough.
export * from '@flagwise/core/app';
export { FlagsDashboardModule, type FlagsDashboardOptions } from './dashboard.js';
export { FeatureRequired, Flags, type RequirementOptions, VariantRequired } from './decorators.js';
export { FeatureFlagsModule } from './feature-flags-module.js';
export { FeatureFlagsService } from './feature-flags-service.js';
export { FlagsFrontendApiModule, type FlagsFrontendApiOptions } from './frontend-api.js';
export { FeatureFlagsGuard } from './guards.js';
export { FlagsEndpointModule, type FlagsEndpointOptions } from './mount-endpoint.js';
export { FlagsOfrepModule, type FlagsOfrepOptions } from './ofrep.js';
export type {
  DisabledRoute,
  FeatureFlagsModuleAsyncOptions,
  FeatureFlagsModuleOptions,
  FeatureFlagsOptionsFactory,
  NestAdapterOptions,
  OnDisabled,
} from './options.js';
export { FeatureFlagsTestingModule } from './testing-module.js';
export { FEATURE_FLAGS_CLIENT, FEATURE_FLAGS_OPTIONS } from './tokens.js';
