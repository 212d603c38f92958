// The public, throwing face of the short-format compiler.
import { ConfigurationError } from '../errors.js';
import type { ClientFeaturesPayload } from '../types.js';
import { compileShortFormat } from './compile-short-format.js';
import { IssueCollector } from './issues.js';
import type { FlagsFileSpec } from './short-format-types.js';

/**
 * Compiles the flags file format (as an object) into Unleash client-features definitions.
 * Throws a ConfigurationError listing every problem.
 * @example
 * const definitions = compileFlagsFile({ flags: { 'new-pricing': { rollout: 10, users: ['qa-1'] } } });
 */
export function compileFlagsFile(spec: FlagsFileSpec): ClientFeaturesPayload {
  const issues = new IssueCollector();
  const { definitions } = compileShortFormat(spec, issues);
  if (!issues.ok) {
    throw new ConfigurationError(
      `compileFlagsFile(): ${issues.issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  return definitions;
}
