export type { EventStreamOptions } from './client/event-stream-limits.js';
export type { FlagsEvents, ImpressionEvent } from './client/events.js';
export { createFlags, FlagsClient } from './client/flags-client.js';
export type { FlagsOptions } from './client/options.js';
export type { TelemetryOptions } from './client/telemetry-options.js';
export {
  createDashboard,
  type DashboardFlag,
  type DashboardOptions,
  type DashboardState,
  type RecentChange,
} from './dashboard/index.js';
export type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint/endpoint.js';
export { isSingleValueOperator } from './engine/constraints.js';
export { type CompiledFlags, type CompileOptions, compileFlags, type FlagHandle } from './engine/index.js';
export {
  type ConstraintTrace,
  type DependencyTrace,
  type FlagTrace,
  type RolloutTrace,
  type SegmentTrace,
  type StrategyTrace,
  type TraceOptions,
  traceFlag,
} from './engine/trace.js';
export { type TraceLine, traceLines } from './engine/trace-lines.js';
export * from './errors.js';
export {
  type ClientContextTrust,
  type FrontendApiCors,
  type FrontendApiExpose,
  type FrontendApiOptions,
  type FrontendApiToggle,
  frontendApiEndpoint,
} from './frontend-api/index.js';
export { consoleLogger, silentLogger } from './logger.js';
export { type OfrepEndpointOptions, ofrepEndpoint } from './ofrep/index.js';
export type { AdapterOptions } from './request/adapter-options.js';
export type { ContextHook } from './request/context.js';
export {
  applyOverrideQuery,
  createOverrideSigner,
  type FlagOverrides,
  type OverrideOptions,
  type OverrideSigner,
  type VerifyResult,
} from './request/overrides.js';
export type { BrowserFlag, RequestFlags } from './request/request-flags.js';
export { flagsJson, handlebarsHelpers } from './request/template-helpers.js';
export type { VisitorIdOptions } from './request/visitor-id.js';
export type { FieldChange, FlagChange, FlagsChange } from './snapshot/definitions-diff.js';
export { toPropertyName } from './snapshot/snapshot.js';
export * from './sources/index.js';
export * from './types.js';
