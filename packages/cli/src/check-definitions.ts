// The checks that need the compiled engine, on definitions from any source: each flag compiled on its own so that
// every message names its flag, regexes with the engine's RE2 rules, segments, and dependencies on missing flags.
import { type ClientFeaturesPayload, compileFlags } from '@flagwise/core';
import { closest } from '@flagwise/core/adapter';
import type { Position } from './locate.js';
import type { Problem } from './problems.js';

/** Messages of the engine that mean the definition cannot work as written. */
const ERROR_WARNINGS = [/is not a valid RE2 regular expression/, /which the payload does not define/];
/** Reported here with a suggestion instead. */
const MISSING_DEPENDENCY = /^Missing dependency /;

/**
 * Problems of compiled definitions, placed at their flag by `locate` when it knows where it is.
 * @example
 * checkDefinitions(definitions, 'flags.json', (name) => locator.flag(name));
 */
export function checkDefinitions(
  definitions: ClientFeaturesPayload,
  file: string,
  locate: (flag: string) => Position | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const features = Array.isArray(definitions.features) ? definitions.features : [];
  const names = features.map((feature) => feature?.name).filter((name) => typeof name === 'string');
  const defined = new Set(names);
  const at = (flag: string) => {
    const position = locate(flag);
    return position === undefined ? {} : { line: position.line, column: position.column };
  };

  // Most files are clean: one compilation of everything says so. Only when it reports something is each flag
  // compiled alone, so that every message can name its flag (the engine reports some warnings once per payload).
  let reported = false;
  const whole = compileFlags(definitions, {
    onWarn: (message) => {
      if (!MISSING_DEPENDENCY.test(message)) reported = true;
    },
  });
  const attribute = reported || whole.errors.length > 0;

  for (const feature of features) {
    if (typeof feature?.name !== 'string') continue;
    const name = feature.name;
    for (const dependency of feature.dependencies ?? []) {
      if (typeof dependency?.feature !== 'string' || defined.has(dependency.feature)) continue;
      const suggestion = closest(dependency.feature, names);
      problems.push({
        severity: 'error',
        file,
        ...at(name),
        message:
          `flag "${name}" depends on "${dependency.feature}", which is not defined, so it is never on` +
          (suggestion
            ? `; did you mean "${suggestion}"?`
            : `; define "${dependency.feature}" or remove the dependency`),
      });
    }
    if (!attribute) continue;
    const warnings: string[] = [];
    const single = compileFlags(
      { version: definitions.version ?? 2, features: [feature], segments: definitions.segments },
      { onWarn: (message) => warnings.push(message) },
    );
    for (const error of single.errors) {
      problems.push({ severity: 'error', file, ...at(name), message: error.message });
    }
    for (const message of warnings) {
      if (MISSING_DEPENDENCY.test(message)) continue;
      const severity = ERROR_WARNINGS.some((pattern) => pattern.test(message)) ? 'error' : 'warning';
      const text = message.includes(`"${name}"`) ? message : `flag "${name}": ${message}`;
      problems.push({ severity, file, ...at(name), message: text });
    }
  }
  // entries that are not flags at all (no name, not an object): only the whole compilation sees them
  for (const error of whole.errors) {
    if (!defined.has(error.flag)) problems.push({ severity: 'error', file, message: error.message });
  }
  return problems;
}
