/**
 * IPv4 CIDR arithmetic for the service and pod ranges: parsing `10.96.0.0/12`, and the n-th
 * address of a range. Addresses are handled as unsigned 32-bit integers.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { memoised } from '../internal/memo.js'

/** A parsed IPv4 range. */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly network: number
  readonly prefixLength: number
  /** Number of addresses in the range, network and broadcast included. */
  readonly size: number
}

/**
 * Parses a dotted-quad IPv4 address.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseIpv4 } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(parseIpv4('10.96.0.1')).toEqual(E.right(0x0a600001))
 * expect(E.isLeft(parseIpv4('10.96.0.256'))).toBe(true)
 * ```
 */
export const parseIpv4 = (text: string): E.Either<string, number> => {
  const value = ipv4Value(text)
  return value === undefined ? E.left(`${JSON.stringify(text)} is not a valid IPv4 address`) : E.right(value)
}

/**
 * A dotted quad's value, or undefined unless it is written as `formatIpv4` writes one: four
 * decimal parts 0-255, no leading zeros. Read character by character (the kubelet reads every
 * pod's address as pods change).
 *
 * @internal
 */
export const ipv4Value = (text: string): number | undefined => {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined
      value = value * 256 + part
      part = 0
      digits = 0
      dots++
      continue
    }
    // A digit, and none after a leading zero.
    if (c < 48 || c > 57 || (digits > 0 && part === 0)) return undefined
    part = part * 10 + (c - 48)
    digits++
    if (part > 255) return undefined
  }
  return dots === 3 && digits > 0 ? value * 256 + part : undefined
}

/**
 * Formats an unsigned 32-bit integer as a dotted quad.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatIpv4 } from 'kubesim'
 * expect(formatIpv4(0x0a60000a)).toBe('10.96.0.10')
 * ```
 */
export const formatIpv4 = (value: number): string =>
  // Unsigned shifts: an address is a uint32 (a kubelet formats hundreds of them finding a free one).
  `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`

/**
 * Parses an IPv4 CIDR such as `10.96.0.0/12`; host bits must be zero.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseCidr } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cidr = parseCidr('10.96.0.0/12')
 * expect(E.isRight(cidr) && cidr.right.size).toBe(1048576)
 * expect(E.isLeft(parseCidr('10.96.0.1/12'))).toBe(true)
 * ```
 */
export const parseCidr = (text: string): E.Either<string, Ipv4Cidr> => parsedCidrs(text)

// Node and Service ranges are parsed again on every pass that places or checks an address.
const parsedCidrs = memoised((text: string): E.Either<string, Ipv4Cidr> => {
  const [address, prefix, ...rest] = text.split('/')
  if (address === undefined || prefix === undefined || rest.length > 0 || !/^([0-9]|[12][0-9]|3[0-2])$/.test(prefix))
    return E.left(`${JSON.stringify(text)} is not a valid CIDR: expected a.b.c.d/n with n in 0..32`)
  const ip = parseIpv4(address)
  if (E.isLeft(ip)) return ip
  const prefixLength = Number(prefix)
  const size = 2 ** (32 - prefixLength)
  if (ip.right % size !== 0) return E.left(`${JSON.stringify(text)} is not a valid CIDR: host bits must be zero`)
  return E.right({ network: ip.right, prefixLength, size })
})

/**
 * The address at an offset from the start of a range (offset 1 is the first usable address).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseCidr, addressAt } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cidr = parseCidr('10.96.0.0/12')
 * expect(E.isRight(cidr) && addressAt(cidr.right, 1)).toBe('10.96.0.1')
 * ```
 */
export const addressAt = (cidr: Ipv4Cidr, offset: number): string => formatIpv4(cidr.network + offset)

/**
 * Whether an address lies inside a range.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseCidr, cidrContains } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cidr = parseCidr('10.96.0.0/12')
 * expect(E.isRight(cidr) && cidrContains(cidr.right, '10.100.1.1')).toBe(true)
 * expect(E.isRight(cidr) && cidrContains(cidr.right, '10.112.0.0')).toBe(false)
 * ```
 */
export const cidrContains = (cidr: Ipv4Cidr, address: string): boolean => {
  const ip = parseIpv4(address)
  return E.isRight(ip) && ip.right >= cidr.network && ip.right < cidr.network + cidr.size
}
