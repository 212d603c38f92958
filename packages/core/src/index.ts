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
export { type ContextHook, type RequestFacts, requestContext } from './context.js';
export { type CompiledFlags, type CompileOptions, compileFlags, type FlagHandle } from './engine/index.js';
export * from './errors.js';
export type {
  ClientContextTrust,
  FrontendApiCors,
  FrontendApiExpose,
  FrontendApiOptions,
  FrontendApiToggle,
} from './frontend-api/index.js';
export { consoleLogger, silentLogger } from './logger.js';
export {
  applyOverrideQuery,
  createOverrideSigner,
  type FlagOverrides,
  type OverrideOptions,
  type OverrideSigner,
  type VerifyResult,
} from './overrides.js';
export { readyGate } from './ready-gate.js';
export { type BrowserFlag, flagAllows, isRequestFlags, type RequestFlags } from './request-flags.js';
export { toPropertyName } from './snapshot.js';
export * from './sources/index.js';
export { flagsJson, handlebarsHelpers } from './template-helpers.js';
export * from './types.js';
