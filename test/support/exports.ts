// The published surface of a package: the value names a module exports, and the names every adapter re-exports
// from @flagwise/core/app so that one install is enough.

/** The values `@flagwise/core/app` exports; each adapter's entry re-exports all of them. */
export const APP_VALUES: readonly string[] = [
  'ConfigurationError',
  'FlagsClient',
  'FlagwiseError',
  'consoleLogger',
  'createFlags',
  'defaultFileSource',
  'fileSource',
  'flagsJson',
  'handlebarsHelpers',
  'inlineSource',
  'memorySource',
];

/** The value names a module exports, sorted. */
export function valueNames(module: object): string[] {
  return Object.keys(module).sort();
}

/** What an adapter's entry exports: the app names and its own, sorted. */
export function withAppValues(own: readonly string[]): string[] {
  return [...APP_VALUES, ...own].sort();
}
