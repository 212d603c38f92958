// MurmurHash3 x86 32-bit exactly as unleash-client computes it through `murmurhash3js` 3.0.1: each UTF-16 code
// unit contributes its low byte only (`charCodeAt(i) & 0xff`), so non-ASCII text hashes as Unleash hashes it,
// not as its UTF-8 bytes would.
//
// Written here instead of calling murmurhash3js because Unleash hashes `${groupId}:${id}`: the library needs that
// string concatenated (and flattened) on every evaluation, while here the `groupId:` part is hashed once at compile
// time and only the context's id is fed at evaluation time. bench/suites/10-engine.ts measures the difference;
// packages/core/test/engine/murmur.test.ts checks equality with the library on random and non-ASCII input.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Unleash's seed for strategy bucketing (`normalizedStrategyValue`). */
export const STRATEGY_SEED = 0;
/** Unleash's seed for variant bucketing (`normalizedVariantValue`). */
export const VARIANT_SEED = 86028157;

/**
 * The hash state after a constant prefix (such as `groupId:`), ready to be continued with an id.
 * @example
 * const prefix = prepareHashPrefix('my-flag:', STRATEGY_SEED); hashWithPrefix(prefix, 'user-1');
 */
export interface HashPrefix {
  /** h1 after every full 4-byte block of the prefix */
  readonly h1: number;
  /** the prefix's leftover bytes (0-3), packed little-endian */
  readonly pending: number;
  /** how many bytes `pending` holds */
  readonly pendingCount: number;
  /** the prefix's length in UTF-16 code units */
  readonly length: number;
}

function mixBlock(h1: number, k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, C2);
  h1 ^= k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

function finish(h1: number, pending: number, pendingCount: number, length: number): number {
  if (pendingCount > 0) {
    let k1 = Math.imul(pending, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/**
 * Hashes the constant part of a key once.
 * @example
 * const prefix = prepareHashPrefix('checkout:', VARIANT_SEED);
 */
export function prepareHashPrefix(prefix: string, seed: number): HashPrefix {
  let h1 = seed | 0;
  let pending = 0;
  let pendingCount = 0;
  for (let i = 0; i < prefix.length; i++) {
    pending |= (prefix.charCodeAt(i) & 0xff) << (pendingCount << 3);
    if (++pendingCount === 4) {
      h1 = mixBlock(h1, pending);
      pending = 0;
      pendingCount = 0;
    }
  }
  return { h1, pending, pendingCount, length: prefix.length };
}

/**
 * murmurhash3js `x86.hash32(prefix + id, seed)`, without building the string.
 * @example
 * hashWithPrefix(prepareHashPrefix('flag:', 0), '42') === murmurHash3.x86.hash32('flag:42', 0);
 */
export function hashWithPrefix(prefix: HashPrefix, id: string): number {
  let h1 = prefix.h1;
  let pending = prefix.pending;
  let pendingCount = prefix.pendingCount;
  const length = id.length;
  let i = 0;
  // finish the prefix's partial block byte by byte, then take whole blocks of the id
  while (pendingCount !== 0 && i < length) {
    pending |= (id.charCodeAt(i++) & 0xff) << (pendingCount << 3);
    if (++pendingCount === 4) {
      h1 = mixBlock(h1, pending);
      pending = 0;
      pendingCount = 0;
    }
  }
  const blocksEnd = i + ((length - i) & ~3);
  for (; i < blocksEnd; i += 4) {
    h1 = mixBlock(
      h1,
      (id.charCodeAt(i) & 0xff) |
        ((id.charCodeAt(i + 1) & 0xff) << 8) |
        ((id.charCodeAt(i + 2) & 0xff) << 16) |
        ((id.charCodeAt(i + 3) & 0xff) << 24),
    );
  }
  for (; i < length; i++) {
    pending |= (id.charCodeAt(i) & 0xff) << (pendingCount << 3);
    pendingCount++;
  }
  return finish(h1, pending, pendingCount, prefix.length + length);
}

/**
 * murmurhash3js `x86.hash32(key, seed)` for a whole key; used where the prefix is only known at evaluation time.
 * @example
 * murmurHash32('flag:42', 0);
 */
export function murmurHash32(key: string, seed: number): number {
  return hashWithPrefix(prepareHashPrefix('', seed), key);
}

/**
 * unleash-client's `(hash % normalizer) + 1` for an integer normalizer (100, or a whole total weight).
 * Division instead of `%`: V8 runs `%` on numbers above 2^31 (half of all hashes) as a slow floating-point call,
 * about 20 ns here. Exact: the quotient of two integers below 2^32 is never within rounding of the next integer.
 * @example
 * bucketOf(hashWithPrefix(prefix, '42'), 100); // 1..100
 */
export function bucketOf(hash: number, normalizer: number): number {
  return hash - Math.floor(hash / normalizer) * normalizer + 1;
}
