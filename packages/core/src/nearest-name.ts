// "Did you mean …?" for misspelled option keys and flag names.
import { ConfigurationError } from './errors.js';
import { closest } from './flags-file/issues.js';

/**
 * The candidate closest to `name` by edit distance (`closest`, with kebab, snake and camel case compared
 * alike), or undefined when none is close enough to be a likely typo.
 * @example nearestName('sorce', ['source', 'logger']) // 'source'
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const byComparable = new Map<string, string>();
  for (const candidate of candidates)
    if (!byComparable.has(comparable(candidate))) byComparable.set(comparable(candidate), candidate);
  const nearest = closest(comparable(name), [...byComparable.keys()]);
  return nearest === undefined ? undefined : byComparable.get(nearest);
}

/** ` (did you mean "source"?)`, or '' when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const nearest = nearestName(name, candidates);
  return nearest === undefined ? '' : ` (did you mean "${nearest}"?)`;
}

function comparable(name: string): string {
  return name.replace(/[-_.\s:]/g, '').toLowerCase();
}

/**
 * Throws a ConfigurationError naming each key of `given` that is not in `known`, with the nearest valid key
 * and the list of valid ones.
 * @example checkKnownKeys('createFlags(options)', { sorce: 1 }, ['source', 'logger'])
 * // ConfigurationError: createFlags(options): unknown option "sorce" (did you mean "source"?); valid options: source, logger
 */
export function checkKnownKeys(call: string, given: object, known: readonly string[]): void {
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const named = unknown.map((key) => `"${key}"${didYouMean(key, known)}`).join(', ');
  throw new ConfigurationError(
    `${call}: unknown option${unknown.length > 1 ? 's' : ''} ${named}; valid options: ${known.join(', ')}`,
  );
}
