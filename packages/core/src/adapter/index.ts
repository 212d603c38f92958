// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.

export { frontendApiEndpoint } from '../frontend-api/index.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
