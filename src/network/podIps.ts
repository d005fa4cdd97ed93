/**
 * Pod IP allocation. A pod bound to a node takes the first free address of the node's
 * `spec.podCIDR`, after the network address and the gateway (`.1`), as a bridge CNI plugin
 * with host-local IPAM does; the node's InternalIP is the pod's hostIP, and hostNetwork pods
 * use it as their pod IP. Everything here is a pure function of objects.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { KubeObject } from '../objects/object.js'
import { type Ipv4Cidr, formatIpv4, parseCidr } from './cidr.js'
import { type FamilyCidr, NODE_MASK, parseCidrList, podCidrs } from './ipFamilies.js'
import { formatIpv6, formatIpv6Cidr } from './ipv6.js'

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The InternalIP a node reports in `status.addresses`, or `undefined`.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeInternalIp } from 'kubesim'
 * const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } }
 * expect(nodeInternalIp(node)).toBe('172.18.0.2')
 * ```
 */
export const nodeInternalIp = (node: KubeObject): string | undefined => {
  const addresses = (node['status'] as { readonly addresses?: ReadonlyArray<{ readonly type?: string; readonly address?: string }> } | undefined)?.addresses
  const found = (addresses ?? []).find((a) => a.type === 'InternalIP' && typeof a.address === 'string' && a.address !== '')
  return found?.address
}

/**
 * The pod range of a node: its `spec.podCIDR`, or, when it has none, the `index`-th /24 of the
 * cluster's pod range (`config.podCidr`), where `index` is the node's position among the
 * cluster's node names sorted. The derived range is deterministic but not reserved: a node
 * added later may shift the sort order, so give nodes a podCIDR when it matters (createCluster
 * always does).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodePodRange, formatIpv4 } from 'kubesim'
 * const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: {} }
 * const range = nodePodRange(node, '10.244.0.0/16', 3)
 * expect(range && formatIpv4(range.network)).toBe('10.244.3.0')
 * expect(nodePodRange({ ...node, spec: { podCIDR: '10.1.2.0/24' } }, '10.244.0.0/16', 3)?.prefixLength).toBe(24)
 * ```
 */
export const nodePodRange = (node: KubeObject, clusterPodCidr: string, index: number): Ipv4Cidr | undefined => {
  const own = (node['spec'] as { readonly podCIDR?: unknown } | undefined)?.podCIDR
  if (typeof own === 'string' && own !== '') {
    const parsed = parseCidr(own)
    return E.isRight(parsed) ? parsed.right : undefined
  }
  const cluster = parseCidr(clusterPodCidr)
  if (E.isLeft(cluster) || cluster.right.prefixLength > 24) return undefined
  const network = cluster.right.network + index * 256
  if (index < 0 || network + 256 > cluster.right.network + cluster.right.size) return undefined
  return { network, prefixLength: 24, size: 256 }
}

/**
 * The first free pod address of a range: skips the network address, the gateway (`.1`), the
 * broadcast address and every address in `used`. `undefined` when the range is full.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { firstFreePodIp, parseCidr } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const range = parseCidr('10.244.1.0/24')
 * expect(E.isRight(range) && firstFreePodIp(range.right, new Set())).toBe('10.244.1.2')
 * expect(E.isRight(range) && firstFreePodIp(range.right, new Set(['10.244.1.2', '10.244.1.4']))).toBe('10.244.1.3')
 * ```
 */
export const firstFreePodIp = (range: Ipv4Cidr, used: ReadonlySet<string>): string | undefined => {
  for (let offset = 2; offset < range.size - 1; offset++) {
    const address = formatIpv4(range.network + offset)
    if (!used.has(address)) return address
  }
  return undefined
}

/**
 * The pod IPs in use on a node: those of its pods that hold a sandbox (not Succeeded or
 * Failed). The addresses of finished pods are free again, as the CNI releases them when the
 * sandbox goes, although the finished pod's status keeps showing it.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { usedPodIps } from 'kubesim'
 * const pod = (name: string, podIP: string, phase: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [] }, status: { podIP, phase } })
 * expect([...usedPodIps([pod('a', '10.244.0.2', 'Running'), pod('b', '10.244.0.3', 'Succeeded')])]).toEqual(['10.244.0.2'])
 * ```
 */
export const usedPodIps = (pods: ReadonlyArray<KubeObject>): ReadonlySet<string> => {
  const used = new Set<string>()
  for (const pod of pods) {
    const ip = heldPodIp(pod)
    if (ip !== undefined) used.add(ip)
  }
  return used
}

/**
 * The (first-family) address a pod holds, as `usedPodIps` counts it: a podIP while the pod is
 * not finished.
 *
 * @internal
 */
export const heldPodIp = (pod: KubeObject | undefined): string | undefined => {
  const status = pod?.['status'] as { readonly podIP?: unknown; readonly phase?: unknown } | undefined
  const ip = status?.podIP
  return typeof ip === 'string' && ip !== '' && status?.phase !== 'Succeeded' && status?.phase !== 'Failed' ? ip : undefined
}

// ---------------------------------------------------------------------------------------------
// dual-stack
// ---------------------------------------------------------------------------------------------

/**
 * The `i`-th node range of a cluster pod range: a /24 of an IPv4 range, a /64 of an IPv6 one
 * (kube-controller-manager's default node mask sizes), or `undefined` past the end.
 *
 * @internal
 */
export const nthNodePodCidr = (range: FamilyCidr, i: number): FamilyCidr | undefined => {
  if (i < 0) return undefined
  if (range.family === 'IPv4') {
    const step = 2 ** (32 - NODE_MASK.IPv4)
    const network = range.cidr.network + i * step
    if (range.cidr.prefixLength > NODE_MASK.IPv4 || network + step > range.cidr.network + range.cidr.size) return undefined
    return { family: 'IPv4', text: `${formatIpv4(network)}/${NODE_MASK.IPv4}`, cidr: { network, prefixLength: NODE_MASK.IPv4, size: step } }
  }
  const step = 1n << BigInt(128 - NODE_MASK.IPv6)
  const network = range.cidr.network + BigInt(i) * step
  if (range.cidr.prefixLength > NODE_MASK.IPv6 || network + step > range.cidr.network + range.cidr.size) return undefined
  const cidr = { network, prefixLength: NODE_MASK.IPv6, size: step }
  return { family: 'IPv6', text: formatIpv6Cidr(cidr), cidr }
}

/** Which node range of the cluster range a node range is, or -1 when it is not one. */
const nodeRangeIndex = (cluster: FamilyCidr, own: FamilyCidr): number => {
  if (cluster.family === 'IPv4' && own.family === 'IPv4') {
    const offset = own.cidr.network - cluster.cidr.network
    return offset >= 0 && offset < cluster.cidr.size && offset % 256 === 0 ? offset / 256 : -1
  }
  if (cluster.family === 'IPv6' && own.family === 'IPv6') {
    const step = 1n << BigInt(128 - NODE_MASK.IPv6)
    const offset = own.cidr.network - cluster.cidr.network
    return offset >= 0n && offset < cluster.cidr.size && offset % step === 0n ? Number(offset / step) : -1
  }
  return -1
}

/**
 * A node's pod ranges, one per family of the cluster's `podCidr`, primary first: the node's own
 * `spec.podCIDRs` (or `podCIDR`) entry of that family, else the node range paired with its
 * range of the other family (the same position in the cluster range, as the node IPAM hands
 * them out together), else the `index`-th node range (as `nodePodRange`). A family without a
 * range is left out.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodePodRanges } from 'kubesim'
 * const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] } }
 * expect(nodePodRanges(node, '10.244.0.0/16,fd00:10:244::/56', 0).map((r) => r.text)).toEqual(['10.244.3.0/24', 'fd00:10:244:3::/64'])
 * ```
 */
export const nodePodRanges = (node: KubeObject, clusterPodCidr: string, index: number): ReadonlyArray<FamilyCidr> => {
  const cluster = podCidrs({ podCidr: clusterPodCidr })
  const spec = node['spec'] as { readonly podCIDR?: unknown; readonly podCIDRs?: unknown } | undefined
  const texts = Array.isArray(spec?.podCIDRs) ? (spec.podCIDRs as unknown[]) : typeof spec?.podCIDR === 'string' ? [spec.podCIDR] : []
  const own: FamilyCidr[] = []
  for (const text of texts) {
    if (typeof text !== 'string' || text === '') continue
    const parsed = parseCidrList(text)
    if (E.isRight(parsed) && parsed.right[0] !== undefined) own.push(parsed.right[0])
  }
  let paired = -1
  cluster.forEach((range) => {
    const mine = own.find((o) => o.family === range.family)
    if (paired < 0 && mine !== undefined) paired = nodeRangeIndex(range, mine)
  })
  const out: FamilyCidr[] = []
  for (const range of cluster) {
    const mine = own.find((o) => o.family === range.family)
    const chosen = mine ?? nthNodePodCidr(range, paired >= 0 ? paired : index)
    if (chosen !== undefined) out.push(chosen)
  }
  return out
}

/**
 * The first free pod address of a node range of either family: from the third address on (the
 * network address and the gateway are skipped; an IPv4 range's broadcast address too), not in
 * `used`. `undefined` when the range is full.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { firstFreeIp, nodePodRanges } from 'kubesim'
 * const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'] } }
 * const [v4, v6] = nodePodRanges(node, '10.244.0.0/16,fd00:10:244::/56', 0)
 * expect(v4 && firstFreeIp(v4, new Set())).toBe('10.244.0.2')
 * expect(v6 && firstFreeIp(v6, new Set(['fd00:10:244::2']))).toBe('fd00:10:244::3')
 * ```
 */
export const firstFreeIp = (range: FamilyCidr, used: ReadonlySet<string>): string | undefined => {
  if (range.family === 'IPv4') return firstFreePodIp(range.cidr, used)
  // A /64 never fills: the scan stops at the first address no pod holds.
  const limit = range.cidr.size - 1n
  for (let offset = 2n; offset < limit; offset++) {
    const address = formatIpv6(range.cidr.network + offset)
    if (!used.has(address)) return address
  }
  return undefined
}

/**
 * The pod IPs of the cluster's second family in use on a node: `status.podIPs[1]` of the pods
 * that hold a sandbox (see `usedPodIps` for the first family).
 *
 * @internal
 */
export const usedSecondaryPodIps = (pods: ReadonlyArray<KubeObject>): ReadonlySet<string> => {
  const used = new Set<string>()
  for (const pod of pods) {
    const status = pod['status'] as { readonly podIPs?: ReadonlyArray<{ readonly ip?: unknown }>; readonly phase?: unknown } | undefined
    const ip = status?.podIPs?.[1]?.ip
    if (typeof ip === 'string' && ip !== '' && status?.phase !== 'Succeeded' && status?.phase !== 'Failed') used.add(ip)
  }
  return used
}
