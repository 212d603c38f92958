// Problems found in a flags file, kept as (path, problem) so the file reader can map each one to a line.
import type { z } from 'zod';

export type IssuePath = readonly (string | number)[];

export interface FlagsFileIssue {
  /** where in the document, e.g. ['flags', 'new-pricing', 'rollout'] */
  path: IssuePath;
  /** the complete sentence, starting with the readable path */
  message: string;
  /** set when the problem is a key itself (unknown key): point at the key, not at its value */
  key?: string;
}

/** `['flags', 'new-pricing', 'rules', 0, 'rollout']` → `new-pricing.rules[0].rollout` */
export function formatIssuePath(path: IssuePath): string {
  const shown = path[0] === 'flags' && path.length > 1 ? path.slice(1) : path;
  let text = '';
  for (const part of shown) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text || 'the file';
}

/** A short, quoted rendering of a value for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (value instanceof Date) return value.toISOString();
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Collects issues while compiling; every helper takes one so all problems are reported at once. */
export class IssueCollector {
  readonly issues: FlagsFileIssue[] = [];

  /** `problem` reads after the path: "is not a known segment" */
  add(path: IssuePath, problem: string): void {
    this.issues.push({ path, message: `${formatIssuePath(path)} ${problem}` });
  }

  /** Like add(), and ends with what was found: "must be a number from 0 to 100, got "ten"" */
  invalid(path: IssuePath, problem: string, value: unknown): void {
    this.add(path, `${problem}, got ${describeValue(value)}`);
  }

  addUnknownKey(path: IssuePath, key: string, expected: readonly string[]): void {
    const suggestion = nearestKey(key, expected);
    const hint = suggestion ? `did you mean "${suggestion}"?` : `expected one of: ${expected.join(', ')}`;
    this.issues.push({
      path,
      key,
      message: `${formatIssuePath([...path, key])} is not a known key; ${hint}`,
    });
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  /**
   * Runs a zod schema and records its issues under `basePath`. Returns the parsed value, or undefined.
   * Union failures are narrowed to the branch whose type matched, so the message names the real problem.
   */
  check<T>(
    schema: z.ZodType<T>,
    value: unknown,
    basePath: IssuePath,
    expectedKeys?: readonly string[],
  ): T | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.addZodIssue(issue, value, basePath, expectedKeys);
    return undefined;
  }

  /**
   * Like check() for a strict object schema, but unknown keys do not stop the rest: they are reported and the
   * known keys are returned, so a typo and a bad value elsewhere in the same flag are reported together.
   */
  checkObject<Shape extends z.core.$ZodShape>(
    schema: z.ZodObject<Shape, z.core.$strict>,
    value: unknown,
    basePath: IssuePath,
    expectedKeys: readonly string[],
  ): z.output<z.ZodObject<Shape, z.core.$strip>> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.addZodIssue(issue, value, basePath, expectedKeys);
    const onlyUnknownKeys = result.error.issues.every((issue) => issue.code === 'unrecognized_keys');
    if (!onlyUnknownKeys) return undefined;
    const known = schema.strip().safeParse(value);
    return known.success ? known.data : undefined;
  }

  private addZodIssue(
    issue: z.core.$ZodIssue,
    root: unknown,
    basePath: IssuePath,
    expectedKeys?: readonly string[],
  ): void {
    const relative = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = [...basePath, ...relative];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) this.addUnknownKey(path, key, expectedKeys ?? []);
      return;
    }
    if (issue.code === 'invalid_union') {
      // A branch whose issues are all below its root is the branch the value was meant for.
      const meant = issue.errors.filter((branch) => branch.some((inner) => inner.path.length > 0));
      if (meant.length === 1) {
        const at = valueAt(root, relative);
        for (const inner of meant[0]) this.addZodIssue(inner, at, path, expectedKeys);
        return;
      }
    }
    this.invalid(path, issue.message, valueAt(root, relative));
  }
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let at: unknown = root;
  for (const part of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[part];
  }
  return at;
}

/**
 * The expected key closest to a typo, when it is close enough to be a useful suggestion.
 * @example
 * closest('rolout', ['rollout', 'when']); // 'rollout'
 */
export function closest(key: string, expected: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of expected) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Keys of flagwise's format and the words other flag tools use for them, where the spelling is too far off for
 * `closest` to find: `depends:` means `requires:`. Written as compared: lower case, without `-`, `_` or `.`.
 */
const KEY_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  requires: ['depends', 'dependson', 'dependency', 'dependencies', 'prerequisite', 'prerequisites', 'parent'],
  rollout: ['percentage', 'percent', 'rolloutpercentage'],
  when: ['constraints', 'conditions', 'condition', 'if'],
  rules: ['strategies'],
  users: ['userids'],
  description: ['desc'],
  tags: ['labels'],
  flag: ['feature'],
};

/**
 * The expected key a misspelled or foreign key meant: the closest spelling, else the key it is another tool's word
 * for; undefined when neither.
 * @example
 * nearestKey('rolout', ['rollout', 'requires']); // 'rollout'
 * nearestKey('depends', ['rollout', 'requires']); // 'requires'
 */
export function nearestKey(key: string, expected: readonly string[]): string | undefined {
  const spelled = closest(key, expected);
  if (spelled !== undefined) return spelled;
  const compared = key.replace(/[-_.]/g, '').toLowerCase();
  return expected.find((candidate) => KEY_SYNONYMS[candidate]?.includes(compared));
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
