import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatIpv4, ipv4Value, parseIpv4 } from '../../src/network/cidr.js'

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

describe('ipv4Value', () => {
  /** The rule as first written: four parts, each 0 or 1-3 digits without a leading zero, <= 255. */
  const byPattern = (text: string): number | undefined => {
    const parts = text.split('.')
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) return undefined
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0)
  }
  const text = fc.oneof(
    fc.nat({ max: 0xffffffff }).map(formatIpv4),
    fc.array(fc.oneof(fc.nat({ max: 300 }).map(String), fc.constantFrom('', '0', '00', '01', '007', '255', '256', '1a', ' 1', '-1', '1e2')), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
    fc.string({ maxLength: 16 }),
  )

  it('reads exactly the dotted quads the pattern accepts, to the same value', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(ipv4Value(t)).toBe(byPattern(t))
        expect(E.isRight(parseIpv4(t)) ? (parseIpv4(t) as E.Right<number>).right : undefined).toBe(byPattern(t))
      }),
      { numRuns: 500 },
    )
  })
})
