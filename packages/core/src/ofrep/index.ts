export { type OfrepEndpointOptions, ofrepEndpoint } from './ofrep-endpoint.js';
export { toFlagContext } from './openfeature-context.js';
export {
  parsePayload,
  type Resolution,
  type ResolutionErrorCode,
  type ResolutionMetadata,
  type ResolutionReason,
  resolveExplanation,
  type ValueType,
} from './resolution.js';
