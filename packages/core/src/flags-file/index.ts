// The flags file format: parse a file's text, or compile the short format to Unleash definitions.

export { compileFlagsFile } from './compile-flags-file.js';
export { type ParsedFlagsFile, type ParseFlagsFileOptions, parseFlagsFile } from './parse-flags-file.js';
export type { FlagsDocumentFormat } from './read-document.js';
export type {
  ConditionOperators,
  ConditionSpec,
  ConditionValue,
  DependencySpec,
  FlagSpec,
  FlagsFileSpec,
  PayloadSpec,
  RequiresSpec,
  RuleSpec,
  VariantSpec,
  VariantsSpec,
  WhenSpec,
} from './short-format-types.js';
