import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatIpv4, parseIpv4 } from '../../src/network/cidr.js'

describe('IPv4 addresses', () => {
  it('format as dotted quads and parse back, for every 32-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        const text = formatIpv4(value)
        // The octets, most significant first, by plain arithmetic.
        expect(text).toBe([24, 16, 8, 0].map((shift) => String(Math.floor(value / 2 ** shift) % 256)).join('.'))
        expect(parseIpv4(text)).toEqual(E.right(value))
      }),
    )
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255')
    expect(formatIpv4(0)).toBe('0.0.0.0')
  })
})
