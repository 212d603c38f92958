// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.

export { closest } from '../flags-file/issues.js';
export { frontendApiEndpoint } from '../frontend-api/index.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
export {
  conditionalJsonAnswer,
  etagMatches,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from './endpoint-answers.js';
