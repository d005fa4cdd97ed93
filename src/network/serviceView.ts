/**
 * Read-side views of Services for DNS and routing: a Service's endpoints as its EndpointSlices
 * list them, and lookups by address (pod IP, node IP, load-balancer and external IPs,
 * headless endpoint IPs). Each view is derived from the store and memoised on the identity
 * of the persistent map it reads, so repeated lookups in one state cost a hash lookup and a
 * new state recomputes only what is asked for.
 *
 * @module
 */
import type { Map as IMap } from 'immutable'
import type { Endpoint, EndpointPort } from '../objects/endpointSlice.js'
import type { KubeObject } from '../objects/object.js'
import type { Service } from '../objects/service.js'
import { listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { nodeInternalIp } from './podIps.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One endpoint of a Service as its slices list it, with the ports of its slice. */
export interface EndpointView {
  readonly ip: string
  /** The DNS name label: the endpoint's hostname, else its IP with dashes (`10-244-1-5`). */
  readonly hostname: string
  readonly hasHostname: boolean
  readonly ready: boolean
  readonly serving: boolean
  readonly terminating: boolean
  readonly nodeName: string | undefined
  readonly zone: string | undefined
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string } | undefined
  readonly ports: ReadonlyArray<EndpointPort>
}

type KindMap = IMap<string, KubeObject>

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

const memo = <K extends object, V>(): ((key: K, make: () => V) => V) => {
  const cache = new WeakMap<K, V>()
  return (key, make) => {
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const value = make()
    cache.set(key, value)
    return value
  }
}

const EMPTY: KindMap = new Map() as unknown as KindMap
const kindMap = (state: ClusterState, kind: string): KindMap => state.objects.kinds.get(kind) ?? EMPTY

const perSlices = memo<KindMap, Map<string, ReadonlyArray<EndpointView>>>()

/**
 * A Service's endpoints, from every EndpointSlice labelled with its name (the controller's and
 * any a user wrote for a selector-less Service), duplicates across slices dropped.
 *
 * @internal
 */
export const serviceEndpoints = (state: ClusterState, namespace: string, name: string): ReadonlyArray<EndpointView> => {
  const slices = kindMap(state, 'EndpointSlice')
  const cache = perSlices(slices, () => new Map())
  const key = `${namespace}/${name}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const out: EndpointView[] = []
  const seen = new Set<string>()
  for (const slice of listObjects(state.objects, 'EndpointSlice', { namespace, selector: [{ key: SERVICE_NAME_LABEL, operator: 'In', values: [name] }] })) {
    const ports = (slice['ports'] as ReadonlyArray<EndpointPort> | undefined) ?? []
    for (const endpoint of (slice['endpoints'] as ReadonlyArray<Endpoint> | undefined) ?? []) {
      const ip = endpoint.addresses[0]
      if (ip === undefined || seen.has(ip)) continue
      seen.add(ip)
      const conditions = endpoint.conditions ?? {}
      // A nil `ready` means ready, as the API documents for consumers.
      const ready = conditions.ready !== false
      const ref = endpoint.targetRef
      out.push({
        ip,
        hostname: endpoint.hostname ?? ip.replace(/[.:]/g, '-'),
        hasHostname: endpoint.hostname !== undefined,
        ready,
        serving: conditions.serving ?? ready,
        terminating: conditions.terminating === true,
        nodeName: endpoint.nodeName,
        zone: endpoint.zone,
        pod: ref?.kind === 'Pod' && ref.name !== undefined ? { namespace: ref.namespace ?? namespace, name: ref.name, uid: ref.uid ?? '' } : undefined,
        ports,
      })
    }
  }
  cache.set(key, out)
  return out
}

const perServices = memo<KindMap, Map<string, string>>()

/**
 * The Service answering on an external address: a LoadBalancer ingress IP or one of
 * `spec.externalIPs`, as `namespace/name`.
 *
 * @internal
 */
export const serviceByExternalIp = (state: ClusterState, ip: string): string | undefined =>
  perServices(kindMap(state, 'Service'), () => {
    const index = new Map<string, string>()
    for (const [key, object] of kindMap(state, 'Service')) {
      const service = object as unknown as Service
      for (const ingress of service.status?.loadBalancer?.ingress ?? []) if (ingress.ip !== undefined && !index.has(ingress.ip)) index.set(ingress.ip, key)
      for (const external of service.spec.externalIPs ?? []) if (!index.has(external)) index.set(external, key)
    }
    return index
  }).get(ip)

const perPods = memo<KindMap, Map<string, string>>()

/**
 * The pod holding an IP (running or starting; finished pods have released theirs), as
 * `namespace/name`. Host-network pods share their node's IP and are not listed.
 *
 * @internal
 */
export const podByIp = (state: ClusterState, ip: string): string | undefined =>
  perPods(kindMap(state, 'Pod'), () => {
    const index = new Map<string, string>()
    for (const [key, pod] of kindMap(state, 'Pod')) {
      const status = pod['status'] as { readonly podIP?: string; readonly podIPs?: ReadonlyArray<{ readonly ip?: string }>; readonly phase?: string } | undefined
      const hostNetwork = (pod['spec'] as { readonly hostNetwork?: boolean } | undefined)?.hostNetwork === true
      if (hostNetwork || status?.podIP === undefined || status.podIP === '' || status.phase === 'Succeeded' || status.phase === 'Failed') continue
      index.set(status.podIP, key)
      // A dual-stack pod's address of the second family (podIPs[0] is podIP).
      const second = status.podIPs?.[1]?.ip
      if (second !== undefined && second !== '') index.set(second, key)
    }
    return index
  }).get(ip)

const perNodes = memo<KindMap, Map<string, string>>()

/**
 * The node with an InternalIP.
 *
 * @internal
 */
export const nodeByIp = (state: ClusterState, ip: string): string | undefined =>
  perNodes(kindMap(state, 'Node'), () => {
    const index = new Map<string, string>()
    for (const [name, node] of kindMap(state, 'Node')) {
      const address = nodeInternalIp(node)
      if (address !== undefined) index.set(address, name)
    }
    return index
  }).get(ip)

const perSlicesByIp = memo<KindMap, Map<string, ReadonlyArray<string>>>()

/**
 * The Services whose slices list an endpoint IP, as `namespace/name`, for reverse lookups.
 *
 * @internal
 */
export const servicesWithEndpointIp = (state: ClusterState, ip: string): ReadonlyArray<string> =>
  perSlicesByIp(kindMap(state, 'EndpointSlice'), () => {
    const index = new Map<string, string[]>()
    for (const slice of kindMap(state, 'EndpointSlice').values()) {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL]
      if (service === undefined) continue
      const key = `${slice.metadata.namespace ?? ''}/${service}`
      for (const endpoint of (slice['endpoints'] as ReadonlyArray<Endpoint> | undefined) ?? []) {
        const address = endpoint.addresses[0]
        if (address === undefined) continue
        const list = index.get(address)
        if (list === undefined) index.set(address, [key])
        else if (!list.includes(key)) list.push(key)
      }
    }
    for (const list of index.values()) list.sort()
    return index
  }).get(ip) ?? []
