/**
 * Identities the API server hands out: uids (UUID v4 shaped, drawn from the state's PRNG),
 * resourceVersions (the global counter) and names from `generateName` (a 5-character suffix from
 * Kubernetes' vowel-free alphabet).
 *
 * @module
 */
import { nextString, nextUint32, type Rng } from '../sim/rng.js'

/** Kubernetes' alphabet for random suffixes: no vowels, no 0/1/3 (apimachinery util/rand). */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
/** Length of a generateName suffix. */
export const NAME_SUFFIX_LENGTH = 5
/** generateName prefixes longer than this are cut (63 - 5). */
export const MAX_GENERATE_NAME_PREFIX = 58

// Hex digits by nibble and by byte: a uid is built from table lookups, not number formatting
// (every object and Event written draws one).
const NIBBLE: ReadonlyArray<string> = Array.from({ length: 16 }, (_, i) => i.toString(16))
const BYTE: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * A random UUID v4 string drawn from the generator.
 *
 * @internal
 */
export const nextUid = (rng: Rng): readonly [string, Rng] => {
  const [a, r1] = nextUint32(rng)
  const [b, r2] = nextUint32(r1)
  const [c, r3] = nextUint32(r2)
  const [d, r4] = nextUint32(r3)
  // a's 8 hex digits; b's digits 0-3, then the version 4 and b's digits 5-7; the variant
  // (10xx) and c's digits 1-3; c's digits 4-7 and d's 8 digits.
  const variant = ((c >>> 28) & 0x3) | 0x8
  const uid =
    BYTE[a >>> 24]! + BYTE[(a >>> 16) & 255]! + BYTE[(a >>> 8) & 255]! + BYTE[a & 255]! +
    '-' + BYTE[b >>> 24]! + BYTE[(b >>> 16) & 255]! +
    '-4' + NIBBLE[(b >>> 8) & 15]! + BYTE[b & 255]! +
    '-' + NIBBLE[variant]! + NIBBLE[(c >>> 24) & 15]! + BYTE[(c >>> 16) & 255]! +
    '-' + BYTE[(c >>> 8) & 255]! + BYTE[c & 255]! + BYTE[d >>> 24]! + BYTE[(d >>> 16) & 255]! + BYTE[(d >>> 8) & 255]! + BYTE[d & 255]!
  return [uid, r4]
}

/**
 * A name from a generateName prefix: the prefix (cut to 58 characters) plus 5 random characters.
 *
 * @internal
 */
export const nextGeneratedName = (rng: Rng, prefix: string): readonly [string, Rng] => {
  const [suffix, next] = nextString(rng, NAME_SUFFIX_ALPHABET, NAME_SUFFIX_LENGTH)
  return [prefix.slice(0, MAX_GENERATE_NAME_PREFIX) + suffix, next]
}
