export {
  createFlags,
  type FlagsChange,
  FlagsClient,
  type FlagsEvents,
  type FlagsOptions,
  type ImpressionEvent,
  type RequestInput,
  type ResolvedOverrides,
} from './client.js';
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
export { type ContextHook, type RequestFacts, requestContext } from './request/context.js';
export {
  applyOverrideQuery,
  createOverrideSigner,
  type FlagOverrides,
  type OverrideOptions,
  type OverrideSigner,
  type VerifyResult,
} from './request/overrides.js';
export { readyGate } from './request/ready-gate.js';
export { type BrowserFlag, flagAllows, isRequestFlags, type RequestFlags } from './request/request-flags.js';
export { toPropertyName } from './request/snapshot.js';
export { flagsJson, handlebarsHelpers } from './request/template-helpers.js';
export * from './sources/index.js';
export * from './types.js';
