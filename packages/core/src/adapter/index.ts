// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.

export { type ClientContextField, contextFromBody } from '../frontend-api/client-context.js';
export {
  etagMatches,
  exposedFlagsOf,
  flagsWithTrustedFields,
  parseJsonBody,
} from '../frontend-api/frontend-api.js';
export { frontendApiEndpoint } from '../frontend-api/index.js';
export { rejectUnknownKeys, resolveClientContextTrust, resolveExpose } from '../frontend-api/options.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
