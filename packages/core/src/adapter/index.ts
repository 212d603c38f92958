// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this.

export { FLAGS_OPTION_KEYS } from '../client/options.js';
export {
  conditionalJsonAnswer,
  etagMatches,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from '../endpoint/answers.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from '../endpoint/endpoint.js';
export {
  addSetCookie,
  ENDPOINT_BODY_LIMIT_BYTES,
  EndpointShutdown,
  endpointStream,
  type MountedRequest,
  serveEndpoint,
  writeEndpointResponse,
} from '../endpoint/mount.js';
export { normalizePrefix, splitUrl, urlBelow, urlFromWildcard } from '../endpoint/paths.js';
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
export type { AdapterOptions } from '../request/adapter-options.js';
export {
  defaultContext,
  isPromiseLike,
  type RequestFacts,
  type RequestInput,
  requestContext,
} from '../request/context.js';
export { flagAllows, isRequestFlags, SETTLE, settleRequestFlags } from '../request/flags-proxy.js';
export type { RequestReader } from '../request/later-request.js';
export type { ResolvedOverrides } from '../request/overrides.js';
export type { RequestFlagsResult } from '../request/request-path.js';
export { VisitorIds } from '../request/visitor-id.js';
export { clientOf, flagsMissingError } from './endpoints.js';
export {
  type CheckedGuard,
  checkGuard,
  checkGuardOptions,
  guardWithoutFlagsError,
  watchGuardedFlags,
} from './guards.js';
export {
  type AdapterDefinition,
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
export {
  overridesEnabled,
  requestFlags,
  requestFlagsLater,
  routeRequests,
} from './request-flags.js';
