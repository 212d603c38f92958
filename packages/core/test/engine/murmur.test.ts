// Our murmur3 must equal murmurhash3js 3.0.1 (what unleash-client calls) bit for bit, including how it reads
// non-ASCII text (the low byte of each UTF-16 code unit) and whatever split between prefix and id.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  hashWithPrefix,
  murmurHash32,
  prepareHashPrefix,
  STRATEGY_SEED,
  VARIANT_SEED,
} from '../../src/engine/murmur.js';

const murmurHash3 = createRequire(import.meta.url)('murmurhash3js') as {
  x86: { hash32(key: string, seed?: number): number };
};

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    'a',
    'ab',
    'abc',
    'abcd',
    'Ærøskøbing',
    '日本語',
    '👩‍💻',
    'groupId:',
    'Feature.flexibleRollout.10',
  ),
);

describe('murmur3 x86 32-bit', () => {
  it('equals murmurhash3js for any prefix/id split and both Unleash seeds', () => {
    fc.assert(
      fc.property(
        text,
        text,
        fc.constantFrom(STRATEGY_SEED, VARIANT_SEED, 1, 0xffffffff),
        (prefix, id, seed) => {
          const expected = murmurHash3.x86.hash32(prefix + id, seed);
          expect(hashWithPrefix(prepareHashPrefix(prefix, seed), id)).toBe(expected);
          expect(murmurHash32(prefix + id, seed)).toBe(expected);
        },
      ),
      { numRuns: 5000, seed: 20261122 },
    );
  });

  it('gives the bucket the client specification expects for a known user', () => {
    // spec 10: Feature.flexibleRollout.10 is on for userId 174 and off for 499 (rollout 10%)
    const prefix = prepareHashPrefix('Feature.flexibleRollout.10:', STRATEGY_SEED);
    expect((hashWithPrefix(prefix, '174') % 100) + 1).toBeLessThanOrEqual(10);
    expect((hashWithPrefix(prefix, '499') % 100) + 1).toBeGreaterThan(10);
  });

  it('buckets exactly as unleash-client does, (hash % normalizer) + 1, for whole normalizers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (hash, normalizer) => {
          expect(bucketOf(hash, normalizer)).toBe((hash % normalizer) + 1);
          expect(bucketOf(hash, 100)).toBe((hash % 100) + 1);
        },
      ),
      { numRuns: 20_000, seed: 20261122 },
    );
    expect(bucketOf(0xffffffff, 100)).toBe((0xffffffff % 100) + 1);
  });
});
