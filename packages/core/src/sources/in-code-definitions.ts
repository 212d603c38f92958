// Definitions written in code (inlineSource, memorySource): the same formats as a file, checked at the call
// site. Problems there are programming errors, so they throw at once with what was wrong.
import { ConfigurationError } from '../errors.js';
import { IssueCollector } from '../flags-file/issues.js';
import { readFlagsDocument } from '../flags-file/read-document.js';
import type { FlagsFileSpec } from '../flags-file/short-format-types.js';
import type { ClientFeaturesPayload, FeatureDefinition, SegmentDefinition } from '../types.js';

/**
 * Unleash client-features definitions, or the flags file format as an object (`{ flags: { … } }`).
 * @example
 * const input: FlagsInput = { flags: { 'dark-mode': true } };
 */
export type FlagsInput = ClientFeaturesPayload | FlagsFileSpec;

export interface InCodeDefinitions {
  definitions: ClientFeaturesPayload;
  warnings: string[];
}

/** Compiles `input` or throws a ConfigurationError naming `caller` and every problem. */
export function definitionsFromInput(input: unknown, caller: string): InCodeDefinitions {
  const issues = new IssueCollector();
  const { definitions, warnings } = readFlagsDocument(input, issues);
  if (!issues.ok || !definitions) {
    const problems = issues.issues.map((issue) => issue.message);
    throw new ConfigurationError(
      `${caller}: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; …and ${problems.length - 10} more` : ''}. ` +
        'Pass Unleash definitions ({ version: 2, features: [...] }) or flags as in flags.yaml ' +
        "({ flags: { 'dark-mode': true, 'new-pricing': { rollout: 10 } } })",
    );
  }
  return { definitions: freezeDefinitions(definitions), warnings };
}

/** Published definitions are shared with the client; a frozen copy of the lists keeps later edits from leaking in. */
export function freezeDefinitions(definitions: ClientFeaturesPayload): ClientFeaturesPayload {
  const frozen: ClientFeaturesPayload = {
    ...definitions,
    features: Object.freeze([...definitions.features]) as FeatureDefinition[],
  };
  if (definitions.segments) frozen.segments = Object.freeze([...definitions.segments]) as SegmentDefinition[];
  return Object.freeze(frozen);
}
