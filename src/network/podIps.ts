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
    const status = pod['status'] as { readonly podIP?: unknown; readonly phase?: unknown } | undefined
    if (typeof status?.podIP === 'string' && status.podIP !== '' && status.phase !== 'Succeeded' && status.phase !== 'Failed') used.add(status.podIP)
  }
  return used
}
