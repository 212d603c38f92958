export { toFlagContext } from './context.js';
export { type OfrepClientContext, type OfrepEndpointOptions, ofrepEndpoint } from './ofrep-endpoint.js';
export {
  FlagwiseProvider,
  type FlagwiseProviderCreateOptions,
  type FlagwiseProviderOptions,
} from './provider.js';
export type { ResolutionErrorCode, ResolutionReason } from './resolution.js';
