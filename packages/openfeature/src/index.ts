// The OFREP endpoint lives in core, beside the Unleash Frontend API, so each adapter mounts it without this
// package; it is re-exported here for apps that build their own mount.
export { type OfrepEndpointOptions, ofrepEndpoint } from '@flagwise/core';
export { type ResolutionErrorCode, type ResolutionReason, toFlagContext } from '@flagwise/core/adapter';
export {
  FlagwiseProvider,
  type FlagwiseProviderCreateOptions,
  type FlagwiseProviderOptions,
} from './provider.js';
