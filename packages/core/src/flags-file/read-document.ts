// One entry point for any parsed document: the short format, Unleash's client-features payload, or an export.
import type { ClientFeaturesPayload } from '../types.js';
import { compileShortFormat, isShortFormat } from './compile-short-format.js';
import type { IssueCollector } from './issues.js';
import { convertUnleashExport, isUnleashExport, readClientFeatures } from './unleash-format.js';

/**
 * Which kind of document a flags file held.
 * @example
 * if (parseFlagsFile(text, path).format === 'unleash-export') console.log('converted an Unleash export');
 */
export type FlagsDocumentFormat = 'short' | 'client-features' | 'unleash-export';

export interface ReadDocumentOptions {
  /** for an Unleash export holding several environments: which one to serve */
  environment?: string;
  /**
   * What a REGEX pattern RE2 rejects is in Unleash's client-features payload. `error` (flags files): an issue
   * at its line. `warning` (a payload given in code, as Unleash serves it): the flag loads and that constraint
   * never matches, as in Unleash, with a warning per pattern.
   */
  unleashRegexProblems?: 'error' | 'warning';
}

export interface ReadDocumentResult {
  format?: FlagsDocumentFormat;
  definitions?: ClientFeaturesPayload;
  warnings: string[];
}

/** Detects the format and turns the document into definitions; problems go to `issues`. */
export function readFlagsDocument(
  document: unknown,
  issues: IssueCollector,
  options: ReadDocumentOptions = {},
): ReadDocumentResult {
  if (isShortFormat(document)) {
    const { definitions, warnings } = compileShortFormat(document, issues);
    return { format: 'short', definitions: issues.ok ? definitions : undefined, warnings };
  }
  if (isUnleashExport(document)) {
    const warnings: string[] = [];
    const definitions = convertUnleashExport(document, issues, warnings, options.environment);
    return { format: 'unleash-export', definitions: issues.ok ? definitions : undefined, warnings };
  }
  if (
    typeof document === 'object' &&
    document !== null &&
    !Array.isArray(document) &&
    'features' in document
  ) {
    const warnings: string[] = [];
    const definitions = readClientFeatures(
      document,
      issues,
      options.unleashRegexProblems === 'warning' ? warnings : undefined,
    );
    return { format: 'client-features', definitions, warnings };
  }
  issues.add(
    [],
    'is not a flags document: expected `flags:` (the flagwise flags file format), Unleash client features ' +
      '`{ "version": 2, "features": [...] }`, or an Unleash export `{ "features": [...], "featureStrategies": [...] }`',
  );
  return { warnings: [] };
}
