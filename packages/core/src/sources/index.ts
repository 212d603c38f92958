// Everything public about sources and the flags file format; core's index re-exports this.

export * from '../flags-file/index.js';
export { DEFAULT_FLAGS_FILES, defaultFileSource } from './default-file-source.js';
export { type FileSourceOptions, fileSource } from './file-source.js';
export type { FlagsInput } from './in-code-definitions.js';
export { inlineSource } from './inline-source.js';
export { type MemoryFlagValue, type MemorySource, memorySource } from './memory-source.js';
