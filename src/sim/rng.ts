/**
 * A seeded pseudo-random number generator kept as plain data in the cluster state, so every
 * random choice (name suffixes, IPs, ports, tie-breaks) is reproducible from the seed. The
 * generator is mulberry32: 32 bits of state, fast, and good enough for simulation choices.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The generator's state. Treat as opaque; advance it with `nextUint32` and friends. */
export interface Rng {
  readonly seed: number
  readonly state: number
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * A generator seeded with a 32-bit integer (other numbers are folded into 32 bits).
 *
 * @category randomness
 * @since 0.1.0
 * @example
 * ```ts
 * import { seedRng, nextUint32 } from 'kubesim'
 * expect(nextUint32(seedRng(42))[0]).toBe(nextUint32(seedRng(42))[0])
 * ```
 */
export const seedRng = (seed: number): Rng => {
  const folded = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0
  return { seed: folded, state: folded }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Draws a uniformly distributed 32-bit unsigned integer and the advanced generator.
 *
 * @category randomness
 * @since 0.1.0
 * @example
 * ```ts
 * import { seedRng, nextUint32 } from 'kubesim'
 * const [a, rng] = nextUint32(seedRng(1))
 * const [b] = nextUint32(rng)
 * expect(a).not.toBe(b)
 * ```
 */
export const nextUint32 = (rng: Rng): readonly [number, Rng] => {
  const state = (rng.state + 0x6d2b79f5) >>> 0
  let z = state
  z = Math.imul(z ^ (z >>> 15), z | 1)
  z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
  return [(z ^ (z >>> 14)) >>> 0, { seed: rng.seed, state }]
}

/**
 * Draws an integer in `[0, bound)` without modulo bias.
 *
 * @category randomness
 * @since 0.1.0
 * @example
 * ```ts
 * import { seedRng, nextInt } from 'kubesim'
 * const [n] = nextInt(seedRng(7), 6)
 * expect(n >= 0 && n < 6).toBe(true)
 * ```
 */
export const nextInt = (rng: Rng, bound: number): readonly [number, Rng] => {
  if (!(bound > 1)) return [0, rng]
  const limit = Math.floor(0x100000000 / bound) * bound
  let current = rng
  for (;;) {
    const [value, next] = nextUint32(current)
    current = next
    if (value < limit) return [value % bound, current]
  }
}

/**
 * Draws `length` characters from `alphabet`.
 *
 * @category randomness
 * @since 0.1.0
 * @example
 * ```ts
 * import { seedRng, nextString } from 'kubesim'
 * const [s] = nextString(seedRng(3), 'ab', 4)
 * expect(s).toMatch(/^[ab]{4}$/)
 * ```
 */
export const nextString = (rng: Rng, alphabet: string, length: number): readonly [string, Rng] => {
  let out = ''
  let current = rng
  for (let i = 0; i < length; i++) {
    const [index, next] = nextInt(current, alphabet.length)
    out += alphabet[index] ?? ''
    current = next
  }
  return [out, current]
}

/**
 * A generator derived from another and a label, without advancing the parent: each controller
 * pass draws from its own stream, so adding a controller does not perturb the others' choices.
 *
 * @category randomness
 * @since 0.1.0
 * @example
 * ```ts
 * import { seedRng, forkRng, nextUint32 } from 'kubesim'
 * const root = seedRng(9)
 * expect(nextUint32(forkRng(root, 'scheduler'))[0]).not.toBe(nextUint32(forkRng(root, 'kubelet'))[0])
 * ```
 */
export const forkRng = (rng: Rng, label: string): Rng => {
  // FNV-1a over the label, mixed with the parent's state.
  let hash = 0x811c9dc5
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return { seed: rng.seed, state: (rng.state ^ hash) >>> 0 }
}
