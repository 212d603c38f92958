// @flagwise/core/adapter: the one layer every framework adapter calls. Apps import @flagwise/core or their
// framework's adapter; adapter authors import this. Each value here is one some package imports; the list is
// locked by packages/core/test/exports.test.ts.

// Options: the entry point's arguments, every key checked.
export { FLAGS_OPTION_KEYS } from '../client/options.js';
// Endpoints: what an adapter needs to mount the dashboard, OFREP and the Frontend API (built on endpoint/).
export type { Endpoint, EndpointRequest, EndpointResponse } from '../endpoint/endpoint.js';
export { headerText } from '../endpoint/headers.js';
export {
  EndpointShutdown,
  endpointStream,
  mayServe,
  serveEndpoint,
  writeEndpointResponse,
} from '../endpoint/mount.js';
export { mountPathOf, normalizePrefix, urlBelow, urlFromWildcard } from '../endpoint/paths.js';
export { closest } from '../flags-file/issues.js';
export { checkKnownKeys } from '../nearest-name.js';
// OpenFeature: an evaluation as OpenFeature resolves it, for @flagwise/openfeature.
export {
  type OfrepEndpointOptions,
  type Resolution,
  type ResolutionErrorCode,
  type ResolutionReason,
  resolveExplanation,
  toFlagContext,
  type ValueType,
} from '../ofrep/index.js';
export type { AdapterOptions } from '../request/adapter-options.js';
// Requests: what an adapter reads of a request, and the request's flags.
export { isPromiseLike, type RequestFacts, type RequestInput } from '../request/context.js';
export { flagAllows, SETTLE, settleRequestFlags } from '../request/flags-object.js';
export type { RequestReader } from '../request/later-request.js';
export type { ResolvedOverrides } from '../request/overrides.js';
export type { RequestFlagsResult } from '../request/request-path.js';
export { templateView } from '../request/template-view.js';
export type { VisitorIds } from '../request/visitor-id.js';
export { clientOf, flagsMissingError } from './endpoints.js';
// Guards: their arguments checked, and the names they guard warned about per client.
export { type GuardDeclaration, watchGuardedFlags } from './guarded-flags.js';
export { type CheckedGuard, checkGuard, checkGuardOptions, guardWithoutFlagsError } from './guards.js';
export {
  type AdapterDefinition,
  type AdapterSetup,
  describeArgument,
  isBoolean,
  isClient,
  isFunction,
  isMilliseconds,
  type OptionCheck,
  oneOf,
  setUpAdapter,
} from './options.js';
// Outcomes: each request's duration and status by the flags it read, when telemetry is on.
export {
  type RequestOutcomes,
  recordWhenFinished,
  requestOutcomes,
  trackConversion,
  untracedEvaluation,
} from './outcomes.js';
// Readiness: one startup policy, and the wait for the first flags.
export { DEFAULT_READY_TIMEOUT_MS, flagsReadiness } from './readiness.js';
export { OptionalFields, trustsProxy } from './request-facts.js';
export { requestFlags, requestFlagsLater, routeRequests } from './request-flags.js';
