// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
export {
  addSetCookie,
  clientOf,
  ENDPOINT_BODY_LIMIT_BYTES,
  EndpointShutdown,
  endpointStream,
  flagsMissingError,
  type MountedRequest,
  normalizePrefix,
  serveEndpoint,
  splitUrl,
  urlBelow,
  urlFromWildcard,
  writeEndpointResponse,
} from './mount.js';
