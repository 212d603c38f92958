// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.

export { closest } from '../flags-file/issues.js';
export { type ClientContextField, contextFromBody, trustedFields } from '../frontend-api/client-context.js';
export { exposedFlagsOf } from '../frontend-api/frontend-api.js';
export { frontendApiEndpoint } from '../frontend-api/index.js';
export { rejectUnknownKeys, resolveClientContextTrust, resolveExpose } from '../frontend-api/options.js';
export {
  type OfrepEndpointOptions,
  ofrepEndpoint,
  type Resolution,
  type ResolutionErrorCode,
  type ResolutionReason,
  resolveExplanation,
  toFlagContext,
  type ValueType,
} from '../ofrep/index.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
export {
  conditionalJsonAnswer,
  etagMatches,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from './endpoint-answers.js';
