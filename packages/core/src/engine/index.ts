// The engine's face inside core: compile Unleash definitions once, then evaluate, explain and trace them.

export { compileFlags, compileFlagsInSteps, isOnDecision, reasonOfDecision } from './compile.js';
export type { CompiledFlags, CompileOptions, FlagHandle } from './compiled-flags.js';
export { DISABLED_VARIANT } from './variants.js';
