/**
 * IPv6 address and CIDR arithmetic for dual-stack and IPv6 clusters: parsing (the `::`
 * shorthand and an embedded IPv4 tail included), the canonical text form of RFC 5952 that Go's
 * `net.IP.String` prints, and the n-th address of a range. Addresses are unsigned 128-bit
 * `bigint`s; IPv4 keeps its own number-based module (cidr.ts), so IPv4-only clusters never pay
 * for big integers.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A parsed IPv6 range. */
export interface Ipv6Cidr {
  /** The network address as an unsigned 128-bit integer. */
  readonly network: bigint
  readonly prefixLength: number
  /** Number of addresses in the range. */
  readonly size: bigint
}

const GROUP = /^[0-9a-fA-F]{1,4}$/
const OCTET = /^(0|[1-9][0-9]{0,2})$/

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const parseGroups = (part: string): number[] | undefined => {
  if (part === '') return []
  const out: number[] = []
  const items = part.split(':')
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? ''
    if (i === items.length - 1 && item.includes('.')) {
      const octets = item.split('.')
      if (octets.length !== 4 || octets.some((o) => !OCTET.test(o) || Number(o) > 255)) return undefined
      const [a = 0, b = 0, c = 0, d = 0] = octets.map(Number)
      out.push(a * 256 + b, c * 256 + d)
    } else {
      if (!GROUP.test(item)) return undefined
      out.push(parseInt(item, 16))
    }
  }
  return out
}

/**
 * Parses an IPv6 address (`fd00:10:96::a`, `::1`, `::ffff:10.0.0.1`) into an unsigned 128-bit
 * integer.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseIpv6 } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(parseIpv6('fd00::a')).toEqual(E.right(0xfd00n * 2n ** 112n + 10n))
 * expect(E.isLeft(parseIpv6('fd00::g'))).toBe(true)
 * expect(E.isLeft(parseIpv6('10.0.0.1'))).toBe(true)
 * ```
 */
export const parseIpv6 = (text: string): E.Either<string, bigint> => {
  const bad = E.left(`${JSON.stringify(text)} is not a valid IPv6 address`)
  if (typeof text !== 'string' || !text.includes(':')) return bad
  const halves = text.split('::')
  if (halves.length > 2) return bad
  const head = parseGroups(halves[0] ?? '')
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return bad
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return bad
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  let value = 0n
  for (const g of groups) value = (value << 16n) | BigInt(g)
  return E.right(value)
}

/**
 * Formats an unsigned 128-bit integer as canonical IPv6 text (RFC 5952: lower case, no leading
 * zeros, the longest run of two or more zero groups as `::`, the first on a tie).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatIpv6 } from 'kubesim'
 * expect(formatIpv6(0xfd00n * 2n ** 112n + 0x10n * 2n ** 96n + 0x96n * 2n ** 80n + 10n)).toBe('fd00:10:96::a')
 * expect(formatIpv6(1n)).toBe('::1')
 * expect(formatIpv6(0n)).toBe('::')
 * ```
 */
export const formatIpv6 = (value: bigint): string => {
  const groups: number[] = []
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = (gs: ReadonlyArray<number>): string => gs.map((g) => g.toString(16)).join(':')
  if (bestStart < 0) return hex(groups)
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`
}

/**
 * The canonical text of an IPv6 address, or `undefined` when the text is not one.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { canonicalIpv6 } from 'kubesim'
 * expect(canonicalIpv6('FD00:0010:0096:0000:0000:0000:0000:000A')).toBe('fd00:10:96::a')
 * expect(canonicalIpv6('10.96.0.1')).toBeUndefined()
 * ```
 */
export const canonicalIpv6 = (text: string): string | undefined => {
  const parsed = parseIpv6(text)
  return E.isRight(parsed) ? formatIpv6(parsed.right) : undefined
}

/**
 * Parses an IPv6 CIDR such as `fd00:10:96::/112`; host bits must be zero.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseIpv6Cidr } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cidr = parseIpv6Cidr('fd00:10:96::/112')
 * expect(E.isRight(cidr) && cidr.right.size).toBe(65536n)
 * expect(E.isLeft(parseIpv6Cidr('fd00:10:96::1/112'))).toBe(true)
 * ```
 */
export const parseIpv6Cidr = (text: string): E.Either<string, Ipv6Cidr> => {
  const [address, prefix, ...rest] = text.split('/')
  if (address === undefined || prefix === undefined || rest.length > 0 || !/^(0|[1-9][0-9]?|1[01][0-9]|12[0-8])$/.test(prefix))
    return E.left(`${JSON.stringify(text)} is not a valid CIDR: expected an IPv6 address and /n with n in 0..128`)
  const ip = parseIpv6(address)
  if (E.isLeft(ip)) return ip
  const prefixLength = Number(prefix)
  const size = 1n << BigInt(128 - prefixLength)
  if (ip.right % size !== 0n) return E.left(`${JSON.stringify(text)} is not a valid CIDR: host bits must be zero`)
  return E.right({ network: ip.right, prefixLength, size })
}

/**
 * The address at an offset from the start of an IPv6 range, as canonical text.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseIpv6Cidr, ipv6AddressAt } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cidr = parseIpv6Cidr('fd00:10:96::/112')
 * expect(E.isRight(cidr) && ipv6AddressAt(cidr.right, 10)).toBe('fd00:10:96::a')
 * ```
 */
export const ipv6AddressAt = (cidr: Ipv6Cidr, offset: number | bigint): string => formatIpv6(cidr.network + BigInt(offset))

/**
 * Formats an IPv6 CIDR canonically (`fd00:10:244:1::/64`).
 *
 * @internal
 */
export const formatIpv6Cidr = (cidr: Ipv6Cidr): string => `${formatIpv6(cidr.network)}/${cidr.prefixLength}`

/**
 * The reverse-lookup name of an IPv6 address: 32 nibbles, least significant first, under
 * `ip6.arpa.` (RFC 3596).
 *
 * @internal
 */
export const ipv6ReverseName = (value: bigint): string => {
  const nibbles: string[] = []
  for (let i = 0; i < 32; i++) nibbles.push(Number((value >> BigInt(i * 4)) & 0xfn).toString(16))
  return `${nibbles.join('.')}.ip6.arpa.`
}
