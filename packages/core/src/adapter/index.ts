// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.

export {
  FLAGS_OPTION_KEYS,
  type RequestFlagsResult,
  type RequestInput,
  type RequestReader,
  type ResolvedOverrides,
} from '../client.js';
export { closest } from '../flags-file/issues.js';
export { type ClientContextField, contextFromBody, trustedFields } from '../frontend-api/client-context.js';
export { exposedFlagsOf } from '../frontend-api/frontend-api.js';
export { frontendApiEndpoint } from '../frontend-api/index.js';
export { rejectUnknownKeys, resolveClientContextTrust, resolveExpose } from '../frontend-api/options.js';
export { checkKnownKeys, didYouMean, nearestName } from '../nearest-name.js';
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
export { defaultContext, isPromiseLike, type RequestFacts, requestContext } from '../request/context.js';
export { flagAllows, isRequestFlags, SETTLE, settleRequestFlags } from '../request/request-flags.js';
export { VisitorIds } from '../request/visitor-id.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
export {
  conditionalJsonAnswer,
  etagMatches,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from './endpoint-answers.js';
export {
  type CheckedGuard,
  checkGuard,
  checkGuardOptions,
  guardWithoutFlagsError,
  watchGuardedFlags,
} from './guards.js';
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
export {
  type AdapterDefinition,
  type AdapterOptions,
  type AdapterSetup,
  describe,
  isBoolean,
  isClient,
  isFunction,
  isMilliseconds,
  type OptionCheck,
  oneOf,
  setUpAdapter,
} from './options.js';
export {
  DEFAULT_READY_TIMEOUT_MS,
  isMisconfiguration,
  requestReadiness,
  startupReadiness,
  warnServingWithoutFlags,
} from './readiness.js';
export { headerText, OptionalFields, trustsProxy } from './request-facts.js';
