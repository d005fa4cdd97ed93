/**
 * The cluster's IP families. A cluster is IPv4, IPv6, or dual-stack with a primary family: its
 * `serviceCidr` and `podCidr` take one CIDR or two comma-separated CIDRs of different families,
 * as kube-apiserver's `--service-cluster-ip-range` and kube-controller-manager's
 * `--cluster-cidr` do, and the first one is the primary family (a Service's default, a pod's
 * `podIP`). This module parses those lists, gives each family its range, and tells the family
 * of an address. Parsed lists are memoised on the configuration text, so the per-step cost is
 * a map lookup.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ClusterConfig } from '../store/state.js'
import { formatIpv4, type Ipv4Cidr, parseCidr, parseIpv4 } from './cidr.js'
import { canonicalIpv6, formatIpv6Cidr, type Ipv6Cidr, parseIpv6Cidr } from './ipv6.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** An IP family, as Service `spec.ipFamilies` and EndpointSlice `addressType` name them. */
export type IpFamily = 'IPv4' | 'IPv6'

/** One CIDR of a cluster range list, tagged with its family. */
export type FamilyCidr =
  | { readonly family: 'IPv4'; readonly text: string; readonly cidr: Ipv4Cidr }
  | { readonly family: 'IPv6'; readonly text: string; readonly cidr: Ipv6Cidr }

/**
 * The per-node pod range size of each family: kube-controller-manager's
 * `--node-cidr-mask-size-ipv4/-ipv6` defaults.
 *
 * @internal
 */
export const NODE_MASK: Readonly<Record<IpFamily, number>> = { IPv4: 24, IPv6: 64 }

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The family of an IP address, or `undefined` when the text is neither.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { ipFamilyOf } from 'kubesim'
 * expect(ipFamilyOf('10.96.0.1')).toBe('IPv4')
 * expect(ipFamilyOf('fd00:10:96::1')).toBe('IPv6')
 * expect(ipFamilyOf('web')).toBeUndefined()
 * ```
 */
export const ipFamilyOf = (ip: string): IpFamily | undefined =>
  ip.includes(':') ? (canonicalIpv6(ip) === undefined ? undefined : 'IPv6') : E.isRight(parseIpv4(ip)) ? 'IPv4' : undefined

/**
 * The canonical text of an address of either family (`10.96.0.1`, `fd00:10:96::a`), as the
 * store's indices key addresses; `undefined` when the text is not an address.
 *
 * @internal
 */
export const canonicalIp = (ip: string): string | undefined => {
  if (ip.includes(':')) return canonicalIpv6(ip)
  // Leading zeros are tolerated in legacy fields: `010.096.000.001` is 10.96.0.1.
  const parsed = parseIpv4(ip.split('.').map((p) => (/^[0-9]+$/.test(p) ? String(Number(p)) : p)).join('.'))
  return E.isRight(parsed) ? formatIpv4(parsed.right) : undefined
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const parseOne = (text: string): E.Either<string, FamilyCidr> => {
  if (text.includes(':')) {
    const v6 = parseIpv6Cidr(text)
    return E.isRight(v6) ? E.right({ family: 'IPv6', text: formatIpv6Cidr(v6.right), cidr: v6.right }) : v6
  }
  const v4 = parseCidr(text)
  return E.isRight(v4) ? E.right({ family: 'IPv4', text, cidr: v4.right }) : v4
}

/**
 * Parses a range list: one CIDR, or two comma-separated CIDRs of different families (the
 * first is the primary family), as `--service-cluster-ip-range` and `--cluster-cidr` take them.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseCidrList } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const dual = parseCidrList('10.96.0.0/12,fd00:10:96::/112')
 * expect(E.isRight(dual) && dual.right.map((c) => c.family)).toEqual(['IPv4', 'IPv6'])
 * expect(E.isLeft(parseCidrList('10.96.0.0/12,10.112.0.0/12'))).toBe(true)
 * expect(E.isLeft(parseCidrList('10.96.0.0/12,fd00::/112,fd01::/112'))).toBe(true)
 * ```
 */
export const parseCidrList = (text: string): E.Either<string, ReadonlyArray<FamilyCidr>> => {
  const entries = text.split(',').map((s) => s.trim())
  if (entries.length > 2) return E.left(`${JSON.stringify(text)} may hold at most two CIDRs, one per IP family`)
  const parsed: FamilyCidr[] = []
  for (const entry of entries) {
    const one = parseOne(entry)
    if (E.isLeft(one)) return one
    parsed.push(one.right)
  }
  if (parsed.length === 2 && parsed[0]?.family === parsed[1]?.family)
    return E.left(`${JSON.stringify(text)}: the two CIDRs must be of different IP families (one IPv4, one IPv6)`)
  return E.right(parsed)
}

const listMemo = new Map<string, ReadonlyArray<FamilyCidr>>()
const MEMO_LIMIT = 256

/** A configured range list, parsed once; an unparsable one (only a hand-built state has one) is empty. */
const rangesOf = (text: string): ReadonlyArray<FamilyCidr> => {
  const hit = listMemo.get(text)
  if (hit !== undefined) return hit
  const parsed = parseCidrList(text)
  const value = E.isRight(parsed) ? parsed.right : []
  if (listMemo.size >= MEMO_LIMIT) listMemo.clear()
  listMemo.set(text, value)
  return value
}

/**
 * The cluster's Service ranges, primary family first (one entry unless dual-stack).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, serviceCidrs } from 'kubesim'
 * const s = createCluster({ serviceCidr: '10.96.0.0/12,fd00:10:96::/112' })
 * expect(serviceCidrs(s.config).map((c) => c.text)).toEqual(['10.96.0.0/12', 'fd00:10:96::/112'])
 * expect(serviceCidrs(createCluster().config).map((c) => c.family)).toEqual(['IPv4'])
 * ```
 */
export const serviceCidrs = (config: Pick<ClusterConfig, 'serviceCidr'>): ReadonlyArray<FamilyCidr> => rangesOf(config.serviceCidr)

/**
 * The cluster's pod ranges, primary family first (one entry unless dual-stack).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, podCidrs } from 'kubesim'
 * const s = createCluster({ serviceCidr: '10.96.0.0/12,fd00:10:96::/112', podCidr: '10.244.0.0/16,fd00:10:244::/56' })
 * expect(podCidrs(s.config).map((c) => c.family)).toEqual(['IPv4', 'IPv6'])
 * ```
 */
export const podCidrs = (config: Pick<ClusterConfig, 'podCidr'>): ReadonlyArray<FamilyCidr> => rangesOf(config.podCidr)

/**
 * The cluster's IP families for Services, primary first: `['IPv4']` unless configured
 * otherwise.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, clusterIpFamilies } from 'kubesim'
 * expect(clusterIpFamilies(createCluster().config)).toEqual(['IPv4'])
 * expect(clusterIpFamilies(createCluster({ serviceCidr: 'fd00:10:96::/112,10.96.0.0/12', podCidr: 'fd00:10:244::/56,10.244.0.0/16' }).config)).toEqual(['IPv6', 'IPv4'])
 * ```
 */
export const clusterIpFamilies = (config: Pick<ClusterConfig, 'serviceCidr'>): ReadonlyArray<IpFamily> => {
  const ranges = serviceCidrs(config)
  return ranges.length === 0 ? ['IPv4'] : ranges.map((r) => r.family)
}

/**
 * Whether the cluster is dual-stack (two Service families).
 *
 * @internal
 */
export const isDualStack = (config: Pick<ClusterConfig, 'serviceCidr'>): boolean => serviceCidrs(config).length === 2
