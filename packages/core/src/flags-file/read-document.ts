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
  /** reject REGEX patterns RE2 cannot compile in Unleash's formats too (files do; definitions in code do not) */
  checkPatterns?: boolean;
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
    const definitions = convertUnleashExport(
      document,
      issues,
      warnings,
      options.environment,
      options.checkPatterns,
    );
    return { format: 'unleash-export', definitions: issues.ok ? definitions : undefined, warnings };
  }
  if (
    typeof document === 'object' &&
    document !== null &&
    !Array.isArray(document) &&
    'features' in document
  ) {
    return {
      format: 'client-features',
      definitions: readClientFeatures(document, issues, options.checkPatterns),
      warnings: [],
    };
  }
  issues.add(
    [],
    'is not a flags document: expected `flags:` (the flagwise flags file format), Unleash client features ' +
      '`{ "version": 2, "features": [...] }`, or an Unleash export `{ "features": [...], "featureStrategies": [...] }`',
  );
  return { warnings: [] };
}
