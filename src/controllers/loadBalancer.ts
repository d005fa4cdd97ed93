/**
 * The LoadBalancer provider: what a cloud controller manager's service controller (or MetalLB
 * on bare metal) does for `type: LoadBalancer` Services. It hands each one the lowest free
 * address of the cluster's `loadBalancerPool` in `status.loadBalancer.ingress`, and clears
 * the status of Services that stop being LoadBalancers. Without a pool Services stay
 * `<pending>`, as on a cluster with no provider; a Service naming a `loadBalancerClass` belongs
 * to another implementation and is left alone. Like the EndpointSlice controller it diffs the
 * Service map it last observed, so a pass costs the Services that changed.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import { Map as IMap } from 'immutable'
import { diffMaps } from '../internal/mapDiff.js'
import type { KubeObject } from '../objects/object.js'
import type { Service } from '../objects/service.js'
import { formatIpv4, parseIpv4 } from '../network/cidr.js'
import { parseAddressPool } from '../network/serviceAllocation.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'
import * as E from 'fp-ts/lib/Either.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'service-controller'

interface Memory {
  readonly services: IMap<string, KubeObject>
  /** Pool address -> key of the Service whose status holds it. */
  readonly used: IMap<string, string>
}

const EMPTY: IMap<string, KubeObject> = IMap()

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const specOf = (service: KubeObject): Service['spec'] => (service as unknown as Service).spec ?? {}

const ingressIps = (service: KubeObject | undefined): ReadonlyArray<string> =>
  ((service as unknown as Service | undefined)?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '')

/** Whether this provider serves the Service: a LoadBalancer without a class of its own. */
const served = (service: KubeObject): boolean => {
  const spec = specOf(service)
  return spec.type === 'LoadBalancer' && spec.loadBalancerClass === undefined && service.metadata.deletionTimestamp === undefined
}

const inPool = (ranges: ReadonlyArray<{ readonly first: number; readonly last: number }>, ip: string): boolean => {
  const parsed = parseIpv4(ip)
  return E.isRight(parsed) && ranges.some((r) => parsed.right >= r.first && parsed.right <= r.last)
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const trackUsed = (used: IMap<string, string>, key: string, before: KubeObject | undefined, after: KubeObject | undefined): IMap<string, string> => {
  let next = used
  const kept = new Set(ingressIps(after))
  for (const ip of ingressIps(before)) if (!kept.has(ip) && next.get(ip) === key) next = next.remove(ip)
  for (const ip of kept) if (!next.has(ip)) next = next.set(ip, key)
  return next
}

const event = (service: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Action => ({
  type: 'event',
  by: NAME,
  event: {
    involvedObject: { kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name, ...(service.metadata.uid === undefined ? {} : { uid: service.metadata.uid }), apiVersion: 'v1' },
    type,
    reason,
    message,
  },
})

const withIngress = (service: KubeObject, ips: ReadonlyArray<string>): Action => ({
  type: 'updateStatus',
  by: NAME,
  object: {
    ...service,
    status: { ...((service['status'] as Record<string, unknown> | undefined) ?? {}), loadBalancer: ips.length === 0 ? {} : { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' })) } },
  },
})

const reconcile = (state: ClusterState): ReadonlyArray<Action> => {
  const services = state.objects.kinds.get('Service') ?? EMPTY
  const previous = state.memory.get(NAME) as Memory | undefined
  if (previous !== undefined && previous.services === services) return []
  const ranges = (state.config.loadBalancerPool ?? []).map(parseAddressPool).filter((r): r is { first: number; last: number } => r !== undefined)
  let used = previous?.used ?? IMap<string, string>()
  const changed: string[] = []
  if (previous === undefined)
    for (const [key, service] of services) {
      used = trackUsed(used, key, undefined, service)
      changed.push(key)
    }
  else
    for (const change of diffMaps(previous.services, services)) {
      used = trackUsed(used, change.key, change.before, change.after)
      changed.push(change.key)
    }
  const actions: Action[] = []
  for (const key of changed.sort()) {
    const service = services.get(key)
    if (service === undefined) continue
    const current = ingressIps(service)
    if (!served(service)) {
      // A Service that is no longer a LoadBalancer loses its address, as the cloud provider
      // deletes the load balancer.
      if (specOf(service).type !== 'LoadBalancer' && current.length > 0) actions.push(withIngress(service, []))
      continue
    }
    if (ranges.length === 0 || current.some((ip) => inPool(ranges, ip))) continue
    const requested = (specOf(service) as { readonly loadBalancerIP?: string }).loadBalancerIP
    let ip: string | undefined
    if (requested !== undefined && requested !== '' && inPool(ranges, requested) && (used.get(requested) ?? key) === key) ip = requested
    for (const range of ranges) {
      if (ip !== undefined) break
      for (let value = range.first; value <= range.last; value++) {
        const candidate = formatIpv4(value)
        if (!used.has(candidate)) {
          ip = candidate
          break
        }
      }
    }
    if (ip === undefined) {
      actions.push(event(service, 'Warning', 'AllocationFailed', `Failed to allocate IP for "${key}": no available IPs`))
      continue
    }
    used = used.set(ip, key)
    actions.push(event(service, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer'))
    actions.push(withIngress(service, [ip]))
    actions.push(event(service, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer'))
  }
  // A fresh cluster with nothing to do stays a fixed point (see the EndpointSlice controller).
  if (previous !== undefined || actions.length > 0) actions.push({ type: 'remember', by: NAME, value: { services, used } satisfies Memory })
  return actions
}

/**
 * The LoadBalancer provider: assigns `status.loadBalancer.ingress` from the cluster's
 * `loadBalancerPool` (lowest free address first), or leaves Services pending without one.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, settle, get, loadBalancerController } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s0 = createCluster({ loadBalancerPool: ['192.168.49.100-192.168.49.110'] })
 * const applied = applyManifests(s0, [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'front' }, spec: { type: 'LoadBalancer', selector: { app: 'front' }, ports: [{ port: 80 }] } }])
 * const settled = E.isRight(applied) ? settle(applied.right) : applied
 * const front = E.isRight(settled) ? get(settled.right, 'Service', 'default', 'front') : O.none
 * expect(O.isSome(front) && front.value['status']).toEqual({ loadBalancer: { ingress: [{ ip: '192.168.49.100', ipMode: 'VIP' }] } })
 * expect(loadBalancerController.name).toBe('service-controller')
 * ```
 */
export const loadBalancerController: Controller = {
  name: NAME,
  watches: ['Service'],
  reconcile,
  nextWakeup: () => O.none,
}
