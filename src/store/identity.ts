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

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')

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
  const bHex = hex(b, 8)
  const cHex = hex(c, 8)
  const variant = ((c >>> 28) & 0x3) | 0x8
  const uid = `${hex(a, 8)}-${bHex.slice(0, 4)}-4${bHex.slice(5, 8)}-${variant.toString(16)}${cHex.slice(1, 4)}-${cHex.slice(4, 8)}${hex(d, 8)}`
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
