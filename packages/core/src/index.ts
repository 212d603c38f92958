export type { AdapterOptions } from './adapter/options.js';
export {
  createFlags,
  type FieldChange,
  type FlagChange,
  type FlagsChange,
  FlagsClient,
  type FlagsEvents,
  type FlagsOptions,
  type ImpressionEvent,
} from './client.js';
export {
  createDashboard,
  type DashboardFlag,
  type DashboardOptions,
  type DashboardState,
  type RecentChange,
} from './dashboard/index.js';
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
export * from './errors.js';
export type {
  ClientContextTrust,
  FrontendApiCors,
  FrontendApiExpose,
  FrontendApiOptions,
  FrontendApiToggle,
} from './frontend-api/index.js';
export { consoleLogger, silentLogger } from './logger.js';
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
export { toPropertyName } from './request/snapshot.js';
export { flagsJson, handlebarsHelpers } from './request/template-helpers.js';
export type { VisitorIdOptions } from './request/visitor-id.js';
export * from './sources/index.js';
export * from './types.js';
