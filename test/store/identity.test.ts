import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nextUid } from '../../src/store/identity.js'
import { nextUint32, type Rng } from '../../src/sim/rng.js'

/** The uid as first written: four draws formatted with toString(16) and sliced. */
const formattedUid = (rng: Rng): string => {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')
  const [a, r1] = nextUint32(rng)
  const [b, r2] = nextUint32(r1)
  const [c, r3] = nextUint32(r2)
  const [d] = nextUint32(r3)
  const bHex = hex(b, 8)
  const cHex = hex(c, 8)
  const variant = ((c >>> 28) & 0x3) | 0x8
  return `${hex(a, 8)}-${bHex.slice(0, 4)}-4${bHex.slice(5, 8)}-${variant.toString(16)}${cHex.slice(1, 4)}-${cHex.slice(4, 8)}${hex(d, 8)}`
}

describe('nextUid', () => {
  it('is a UUID v4 string, the same as formatting the four draws, for any generator state', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 0xffffffff }), (seed, state) => {
        const rng = { seed, state }
        const [uid, next] = nextUid(rng)
        expect(uid).toBe(formattedUid(rng))
        expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(next).toEqual(nextUint32(nextUint32(nextUint32(nextUint32(rng)[1])[1])[1])[1])
      }),
    )
  })
})
