// Whether two values serialize to the same JSON, without serializing them. The definitions diff asks this for
// every flag and most fields of a changed one; building the two strings each time made a diff of 10,000 flags
// take about a second and leave tens of megabytes of garbage behind, collected while requests wait. Hand-written:
// the deep-equality libraries answer another question (they ignore key order, tell `{ a: undefined }` from `{}`
// and NaN from null), and the diff's answers must stay those of JSON.stringify.

/** Values whose JSON this walk does not reproduce: the comparison falls back to JSON.stringify. */
const UNUSUAL = Symbol('unusual value');

/** Deeper than this, the comparison falls back to JSON.stringify (which also throws on a cycle, as before). */
const MAX_DEPTH = 200;

/**
 * `JSON.stringify(a) === JSON.stringify(b)`, with the same answers, but without building either string for plain
 * data: objects, arrays, strings, numbers, booleans and null. Where JSON.stringify would throw (a cycle, a BigInt),
 * this throws the same, or answers false when the values differ before that point.
 * @example
 * sameJson({ rollout: '10', groupId: 'a' }, { rollout: '10', groupId: 'a' }) // true
 * sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }) // false: the JSON differs in key order
 * sameJson({ a: undefined }, {}) // true: JSON leaves undefined out
 */
export function sameJson(a: unknown, b: unknown): boolean {
  try {
    // At the top, JSON.stringify gives undefined (no JSON at all) for undefined, functions and symbols.
    const skippedA = isSkipped(a);
    const skippedB = isSkipped(b);
    if (skippedA || skippedB) return skippedA === skippedB;
    return sameValue(a, b, 0);
  } catch (error) {
    if (error !== UNUSUAL) throw error;
    return JSON.stringify(a) === JSON.stringify(b);
  }
}

/** Left out of an object's JSON (and written `null` in an array's). */
function isSkipped(value: unknown): boolean {
  if (typeof value === 'function') {
    // a function with a toJSON method is written as what that returns
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw UNUSUAL;
    return true;
  }
  return value === undefined || typeof value === 'symbol';
}

/** The same JSON for two values inside an array (where skipped values are written `null`) or at the top. */
function sameValue(a: unknown, b: unknown, depth: number): boolean {
  const type = typeof a;
  if (a === b && type !== 'object' && type !== 'function' && type !== 'bigint') return true;
  const kindA = kindOf(a);
  const kindB = kindOf(b);
  if (kindA !== kindB) return false;
  switch (kindA) {
    case 'null':
      return true;
    case 'string':
    case 'boolean':
      return a === b;
    case 'number':
      // finite numbers (0 and -0 both write "0"); the others are "null"
      return a === b;
    case 'array':
      return sameArray(a as unknown[], b as unknown[], depth + 1);
    default:
      return sameObject(a as Record<string, unknown>, b as Record<string, unknown>, depth + 1);
  }
}

/** What a value writes as JSON: `null` for null, skipped values (in arrays) and numbers that are not finite. */
function kindOf(value: unknown): 'null' | 'string' | 'boolean' | 'number' | 'array' | 'object' {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(value) ? 'number' : 'null';
    case 'undefined':
    case 'symbol':
      return 'null';
    case 'function':
      return isSkipped(value) ? 'null' : 'object';
    case 'bigint':
      throw UNUSUAL;
    default: {
      if (value === null) return 'null';
      // toJSON (Date), boxed primitives, Map, Set, class instances, null-prototype objects: JSON.stringify decides.
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw UNUSUAL;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) throw UNUSUAL;
        return 'array';
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw UNUSUAL;
      return 'object';
    }
  }
}

function sameArray(a: unknown[], b: unknown[], depth: number): boolean {
  if (depth > MAX_DEPTH) throw UNUSUAL;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i], depth)) return false;
  return true;
}

/** The same keys with the same values in the same order, leaving out the keys whose values JSON skips. */
function sameObject(a: Record<string, unknown>, b: Record<string, unknown>, depth: number): boolean {
  if (depth > MAX_DEPTH) throw UNUSUAL;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  let j = 0;
  for (let i = 0; i < keysA.length; i++) {
    const valueA = a[keysA[i]];
    if (isSkipped(valueA)) continue;
    let valueB: unknown;
    for (;;) {
      if (j >= keysB.length) return false;
      valueB = b[keysB[j]];
      if (!isSkipped(valueB)) break;
      j++;
    }
    if (keysA[i] !== keysB[j]) return false;
    if (!sameValue(valueA, valueB, depth)) return false;
    j++;
  }
  for (; j < keysB.length; j++) if (!isSkipped(b[keysB[j]])) return false;
  return true;
}
