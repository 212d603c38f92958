// sameJson answers what comparing two JSON.stringify results answers, for plain definitions and for anything
// else a source might hand over (NaN, undefined, Dates, Maps, class instances); where JSON.stringify throws (a
// cycle, a BigInt) it throws the same or finds the values different.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameJson } from '../../src/snapshot/same-json.js';

/** The two JSON texts compared, or the name of the error JSON.stringify throws (for a cycle or a BigInt). */
function byStringify(a: unknown, b: unknown): boolean | string {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch (error) {
    return (error as Error).name;
  }
}

/** sameJson's answer, or the name of what it threw; where JSON.stringify throws, false is the answer too. */
function bySameJson(a: unknown, b: unknown): boolean | string {
  const expected = byStringify(a, b);
  try {
    const same = sameJson(a, b);
    return typeof expected === 'string' && same === false ? expected : same;
  } catch (error) {
    return (error as Error).name;
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('sameJson', () => {
  it('answers as JSON.stringify does for the values where the two ways of writing JSON part', () => {
    const withToJson = Object.assign(() => 0, { toJSON: () => 'f' });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const pairs: [unknown, unknown][] = [
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      [{ a: undefined, b: 1 }, { b: 1 }],
      [{ b: 1 }, { b: 1, c: () => 0, d: Symbol('d') }],
      [
        [undefined, () => 0],
        [null, null],
      ],
      [Number.NaN, null],
      [[Number.POSITIVE_INFINITY], [null]],
      [0, -0],
      [undefined, null],
      [undefined, () => 0],
      [withToJson, 'f'],
      [{ f: withToJson }, { f: 'f' }],
      [new Date(0), '1970-01-01T00:00:00.000Z'],
      [new Map([[1, 2]]), {}],
      [new Set([1]), new Map()],
      [new Point(1, 2), { x: 1, y: 2 }],
      [Object.assign(Object.create(null), { x: 1 }), { x: 1 }],
      [Object(1), 1],
      [Object('a'), 'a'],
      [
        // biome-ignore lint/suspicious/noSparseArray: a hole is what JSON writes as null
        [1, , 3],
        [1, null, 3],
      ],
      [new Uint8Array([1, 2]), { 0: 1, 1: 2 }],
      [
        { 2: 'a', 1: 'b' },
        { 1: 'b', 2: 'a' },
      ],
      [1n, 1n],
      [{ n: 1n }, { n: 2 }],
      [cyclic, { a: 1 }],
      [{ a: 1 }, cyclic],
      ['\ud800', '\ud800'],
      ['a', 'b'],
      [true, 'true'],
      [1, '1'],
      [[], {}],
    ];
    for (const [index, [a, b]] of pairs.entries()) {
      expect(bySameJson(a, b), `pair ${index}`).toBe(byStringify(a, b));
      expect(bySameJson(b, a), `pair ${index}, reversed`).toBe(byStringify(b, a));
    }
  });

  it('answers as JSON.stringify does for any two values, and for a value and its copy with one change', () => {
    const value = fc.anything({
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(bySameJson(a, b)).toBe(byStringify(a, b));
      }),
      { numRuns: 2000 },
    );
    const json = fc.jsonValue();
    fc.assert(
      fc.property(json, fc.jsonValue(), fc.nat(), (a, replacement, at) => {
        const copy = structuredClone(a);
        expect(sameJson(a, copy)).toBe(true);
        const changed = replaceOne(copy, replacement, at);
        expect(bySameJson(a, changed)).toBe(byStringify(a, changed));
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back to JSON.stringify below 200 levels, where a walk would use up the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(bySameJson(deep, deep)).toBe(byStringify(deep, deep));
  });
});

/** `value` with the `at`-th node (counted depth first) replaced by `replacement`. */
function replaceOne(value: unknown, replacement: unknown, at: number): unknown {
  let count = 0;
  const walk = (node: unknown): unknown => {
    if (count++ === at) return replacement;
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return walk(value);
}
