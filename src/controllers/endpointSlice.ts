/**
 * The EndpointSlice controller: for every Service with a selector, EndpointSlices listing the
 * matching pods that have an IP and have not finished (one set of slices per IP family of the
 * Service, each with that family's pod IPs), with their ready / serving /
 * terminating conditions, node, zone, hostname and the ports they serve (named targetPorts
 * resolved per pod; pods that resolve differently go to different slices). At most 100
 * endpoints per slice, as kube-controller-manager's default `--max-endpoints-per-slice`.
 *
 * Like the real controller it works from what changed: it remembers the object maps it last
 * observed and diffs them against the current ones (persistent maps make that cost the
 * changes), so one pod's readiness flip touches the one slice that lists it. A Service or
 * slice change, and the first pass, resync the Service as a whole with upstream's
 * reconciler: keep what is right, update in place, fill slices already being written, then
 * the fullest slice that can take the rest, then new slices, and keep one empty placeholder
 * slice for a Service without endpoints.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import { Map as IMap, Set as ISet } from 'immutable'
import { deepEqual } from '../internal/deepEqual.js'
import { deepFreeze } from '../internal/immer.js'
import { diffMaps, type MapChange } from '../internal/mapDiff.js'
import type { Endpoint, EndpointPort } from '../objects/endpointSlice.js'
import { isIPv6 } from '../objects/endpointSlice.js'
import type { KubeObject } from '../objects/object.js'
import { fromLabelSelector } from '../objects/selector.js'
import type { Service, ServicePort } from '../objects/service.js'
import { verifyingQuiescence } from '../sim/quiescence.js'
import { getObject, listObjects, podsOnNode } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'endpointslice-controller'
/**
 * Endpoints per slice, as kube-controller-manager's `--max-endpoints-per-slice` default.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { MAX_ENDPOINTS_PER_SLICE } from 'kubesim'
 * expect(MAX_ENDPOINTS_PER_SLICE).toBe(100)
 * ```
 */
export const MAX_ENDPOINTS_PER_SLICE = 100
/**
 * The label naming the Service a slice belongs to.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { SERVICE_NAME_LABEL } from 'kubesim'
 * expect(SERVICE_NAME_LABEL).toBe('kubernetes.io/service-name')
 * ```
 */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
/**
 * The label naming the controller that manages a slice.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { MANAGED_BY_LABEL } from 'kubesim'
 * expect(MANAGED_BY_LABEL).toBe('endpointslice.kubernetes.io/managed-by')
 * ```
 */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by'
/**
 * The value of `MANAGED_BY_LABEL` on slices this controller manages.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { ENDPOINT_SLICE_CONTROLLER } from 'kubesim'
 * expect(ENDPOINT_SLICE_CONTROLLER).toBe('endpointslice-controller.k8s.io')
 * ```
 */
export const ENDPOINT_SLICE_CONTROLLER = 'endpointslice-controller.k8s.io'
const HEADLESS_LABEL = 'service.kubernetes.io/headless'
const ZONE_LABEL = 'topology.kubernetes.io/zone'
/** More pod changes than this for one Service in one pass: resync the Service as a whole. */
const TARGETED_LIMIT = 16
const SEP = '\u0000'

/** What the controller remembers: the maps it last observed and its Service-by-selector index. */
/** A slice update this controller sent, and the Service it was for. */
interface ExpectedWrite {
  readonly service: string
  readonly sent: KubeObject
}

const NO_EXPECTED_WRITES: ReadonlyMap<string, ExpectedWrite> = new Map()

/** Whether a stored slice is the update this controller sent (admission keeps a frozen endpoint list as it is). */
const landedAsSent = (stored: KubeObject | undefined, sent: KubeObject): boolean =>
  stored !== undefined &&
  stored['endpoints'] === sent['endpoints'] &&
  stored['addressType'] === sent['addressType'] &&
  deepEqual(stored['ports'], sent['ports']) &&
  sameLabels(stored.metadata.labels, sent.metadata.labels ?? {}) &&
  deepEqual(stored.metadata.ownerReferences, sent.metadata.ownerReferences)

/** A pod that changed since the last pass: its key and both versions (either may be absent). */
type PodChange = MapChange<string, KubeObject>

interface Memory {
  readonly pods: IMap<string, KubeObject>
  readonly services: IMap<string, KubeObject>
  readonly slices: IMap<string, KubeObject>
  readonly nodes: IMap<string, KubeObject>
  /** `namespace \0 key=value` (the first pair of the selector) -> keys of Services with slices. */
  readonly bySelector: IMap<string, ISet<string>>
  /**
   * Services whose slices the last pass wrote: synced again next pass, as a failed sync is
   * requeued upstream. A write the API server refused changes nothing this controller watches,
   * so without this it would never learn that the slices are still wrong.
   */
  readonly retry: ISet<string>
  /**
   * The slice updates the last pass sent, by slice key, with their Service: when one is stored as
   * sent, the slice change it causes is this controller's own and needs no sync; when it is not
   * (refused), its Service is synced again. Upstream's EndpointSliceTracker does the same with
   * generations, so that a controller does not resync a Service for every slice it writes.
   */
  readonly expected: ReadonlyMap<string, ExpectedWrite>
  /**
   * Service key -> the slices this controller manages for it, sorted by name: kept from the
   * slice diffs, so a readiness flip reads one entry instead of a label-index query and a lookup
   * per slice. Equal to `listManagedSlices` (checked while verifying quiescence).
   */
  readonly sliceIndex: IMap<string, ReadonlyArray<KubeObject>>
}

/** A pod's endpoint for one Service and the port set it serves. */
interface PodEndpoint {
  readonly endpoint: Endpoint
  readonly ports: ReadonlyArray<EndpointPort>
  readonly portsKey: string
}

/** A slice being planned: an existing one (possibly edited) or a new one. */
interface Working {
  readonly slice: KubeObject | undefined
  readonly portsKey: string
  readonly ports: ReadonlyArray<EndpointPort>
  endpoints: Endpoint[]
  /** The stored slice differs from what is planned (always true for a new one). */
  dirty: boolean
  /** Kept, empty, as the Service's placeholder. */
  placeholder?: boolean
}

const EMPTY_MAP: IMap<string, KubeObject> = IMap()
const NOTHING_TO_RETRY: ISet<string> = ISet()

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

type PodLike = {
  readonly spec?: {
    readonly nodeName?: string
    readonly hostname?: string
    readonly subdomain?: string
    readonly containers?: ReadonlyArray<{ readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort?: number; readonly protocol?: string }> }>
    readonly initContainers?: ReadonlyArray<{ readonly restartPolicy?: string; readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort?: number; readonly protocol?: string }> }>
  }
  readonly status?: {
    readonly phase?: string
    readonly podIP?: string
    readonly podIPs?: ReadonlyArray<{ readonly ip?: string }>
    readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string }>
  }
}

const serviceSpec = (service: KubeObject): Service['spec'] => (service as unknown as Service).spec ?? {}

/** Whether the controller manages slices for a Service: it has a selector and is not an ExternalName. */
const wantsSlices = (service: KubeObject | undefined): boolean => {
  if (service === undefined) return false
  const spec = serviceSpec(service)
  return spec.type !== 'ExternalName' && Object.keys(spec.selector ?? {}).length > 0
}

const selects = (selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean => {
  if (labels === undefined) return false
  for (const key in selector) if (labels[key] !== selector[key]) return false
  return true
}

const selectorIndexKey = (service: KubeObject): string | undefined => {
  const selector = serviceSpec(service).selector ?? {}
  const first = Object.keys(selector).sort()[0]
  return first === undefined ? undefined : `${service.metadata.namespace ?? ''}${SEP}${first}=${selector[first] ?? ''}`
}

type AddressType = 'IPv4' | 'IPv6'
const IPV4_ONLY: ReadonlyArray<AddressType> = ['IPv4']
const IPV6_ONLY: ReadonlyArray<AddressType> = ['IPv6']

/**
 * The address types a Service's slices have: one per IP family, in ipFamilies order (upstream's
 * `getAddressTypesForService`; IPv4 when the Service has no families yet).
 */
const addressTypesOf = (service: KubeObject): ReadonlyArray<AddressType> => {
  const families = serviceSpec(service).ipFamilies
  if (families === undefined || families.length < 2) return families?.[0] === 'IPv6' ? IPV6_ONLY : IPV4_ONLY
  // Validation admits only IPv4 and IPv6, each at most once.
  return families as ReadonlyArray<AddressType>
}

const podIpOf = (pod: PodLike, addressType: 'IPv4' | 'IPv6'): string | undefined => {
  const status = pod.status
  const candidates = (status?.podIPs ?? []).map((p) => p.ip ?? '').filter((ip) => ip !== '')
  if (candidates.length === 0 && status?.podIP !== undefined && status.podIP !== '') candidates.push(status.podIP)
  return candidates.find((ip) => isIPv6(ip) === (addressType === 'IPv6'))
}

/** The container port a Service port targets on a pod, as upstream's `podutil.FindPort`. */
const findPort = (pod: PodLike, port: ServicePort): number | undefined => {
  const target = port.targetPort ?? port.port
  if (typeof target === 'number') return target
  const protocol = port.protocol ?? 'TCP'
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')]
  for (const container of containers)
    for (const p of container.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol && p.containerPort !== undefined) return p.containerPort
  return undefined
}

const portsKeyOf = (ports: ReadonlyArray<EndpointPort> | undefined): string =>
  (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port ?? ''}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',')

const endpointPodKey = (endpoint: Endpoint): string => `${endpoint.targetRef?.namespace ?? ''}/${endpoint.targetRef?.name ?? ''}`

const sameEndpoint = (a: Endpoint, b: Endpoint): boolean =>
  a.addresses.length === b.addresses.length &&
  a.addresses.every((x, i) => x === b.addresses[i]) &&
  a.conditions?.ready === b.conditions?.ready &&
  a.conditions?.serving === b.conditions?.serving &&
  a.conditions?.terminating === b.conditions?.terminating &&
  a.hostname === b.hostname &&
  a.nodeName === b.nodeName &&
  a.zone === b.zone &&
  a.targetRef?.kind === b.targetRef?.kind &&
  a.targetRef?.namespace === b.targetRef?.namespace &&
  a.targetRef?.name === b.targetRef?.name &&
  a.targetRef?.uid === b.targetRef?.uid

/**
 * The endpoint a pod contributes to a Service, as upstream's `podToEndpoint`, or undefined when
 * it contributes none (no IP of the Service's family, or the pod has finished).
 */
const podEndpoint = (state: ClusterState, pod: KubeObject, service: KubeObject, addressType: AddressType): PodEndpoint | undefined => {
  const nodeName = (pod as unknown as PodLike).spec?.nodeName
  const node = nodeName === undefined || nodeName === '' ? undefined : getObject(state.objects, { kind: 'Node', name: nodeName })
  const cached = endpointCache.get(pod)
  if (cached !== undefined && cached.service === service && cached.node === node && cached.addressType === addressType) return cached.result
  // Frozen: it is shared by every later sync that meets the same pod.
  const computed = computePodEndpoint(pod, node, service, addressType)
  const result = computed === undefined ? undefined : deepFreeze(computed)
  // Stored objects are frozen values: the same pod, Service and Node give the same endpoint.
  if (Object.isFrozen(pod) && Object.isFrozen(service)) endpointCache.set(pod, { service, node, addressType, result })
  return result
}

/**
 * The last endpoint computed per pod, with what it was computed from: a Service's sync meets its
 * unchanged pods again and again (a rollout, a readiness change), each of whose endpoints costs
 * an IP parse, a port lookup and a ports key.
 */
const endpointCache = new WeakMap<
  KubeObject,
  { readonly service: KubeObject; readonly node: KubeObject | undefined; readonly addressType: AddressType; readonly result: PodEndpoint | undefined }
>()

const computePodEndpoint = (pod: KubeObject, node: KubeObject | undefined, service: KubeObject, addressType: AddressType): PodEndpoint | undefined => {
  const p = pod as unknown as PodLike
  const phase = p.status?.phase
  if (phase === 'Succeeded' || phase === 'Failed') return undefined
  const ip = podIpOf(p, addressType)
  if (ip === undefined) return undefined
  const spec = serviceSpec(service)
  const serving = (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  const terminating = pod.metadata.deletionTimestamp !== undefined
  const nodeName = p.spec?.nodeName
  const zone = node?.metadata.labels?.[ZONE_LABEL]
  const hostname = p.spec?.hostname
  const endpoint: Endpoint = {
    addresses: [ip],
    conditions: { ready: spec.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating },
    ...(hostname !== undefined && hostname !== '' && p.spec?.subdomain === service.metadata.name ? { hostname } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: pod.metadata.uid ?? '' },
    ...(nodeName === undefined || nodeName === '' ? {} : { nodeName }),
    ...(zone === undefined ? {} : { zone }),
  }
  const ports: EndpointPort[] = []
  for (const port of spec.ports ?? []) {
    const number = findPort(p, port)
    if (number === undefined) continue
    ports.push({ name: port.name ?? '', port: number, protocol: port.protocol ?? 'TCP', ...(port.appProtocol === undefined ? {} : { appProtocol: port.appProtocol }) })
  }
  return { endpoint, ports, portsKey: portsKeyOf(ports) }
}

/** The slices this controller manages for a Service, sorted by name, from the store. */
const listManagedSlices = (state: ClusterState, namespace: string, name: string): ReadonlyArray<KubeObject> =>
  listObjects(state.objects, 'EndpointSlice', {
    namespace,
    selector: [{ key: SERVICE_NAME_LABEL, operator: 'In', values: [name] }],
  }).filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINT_SLICE_CONTROLLER)

/** A Service's managed slices from the index (checked against the store while verifying quiescence). */
const managedSlices = (state: ClusterState, serviceKey: string, sliceIndex: IMap<string, ReadonlyArray<KubeObject>>): ReadonlyArray<KubeObject> => {
  const indexed = sliceIndex.get(serviceKey) ?? []
  if (verifyingQuiescence()) {
    const [namespace, name] = splitKey(serviceKey)
    const listed = listManagedSlices(state, namespace, name)
    if (listed.length !== indexed.length || listed.some((s, i) => s !== indexed[i]))
      throw new Error(`EndpointSlice index for ${serviceKey} holds ${indexed.map((s) => s.metadata.name).join(',')}, the store ${listed.map((s) => s.metadata.name).join(',')}`)
  }
  return indexed
}

/** The key of the Service a slice is managed for, or undefined for a slice this controller does not manage. */
const managedFor = (slice: KubeObject | undefined): string | undefined => {
  const labels = slice?.metadata.labels
  const service = labels?.[SERVICE_NAME_LABEL]
  return service === undefined || labels?.[MANAGED_BY_LABEL] !== ENDPOINT_SLICE_CONTROLLER ? undefined : `${slice?.metadata.namespace ?? ''}/${service}`
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const byName = (a: KubeObject, b: KubeObject): number => byString(a.metadata.name, b.metadata.name)

/** Every managed slice by Service, built from the whole kind (the first pass). */
const buildSliceIndex = (slices: IMap<string, KubeObject>): IMap<string, ReadonlyArray<KubeObject>> => {
  const grouped = new Map<string, KubeObject[]>()
  for (const slice of slices.values()) {
    const service = managedFor(slice)
    if (service === undefined) continue
    const list = grouped.get(service)
    if (list === undefined) grouped.set(service, [slice])
    else list.push(slice)
  }
  return IMap<string, ReadonlyArray<KubeObject>>().withMutations((index) => {
    for (const [service, list] of grouped) index.set(service, Object.freeze(list.sort(byName)))
  })
}

/** The index after one slice changed: it leaves its old Service's entry and joins its new one's. */
const indexSliceChange = (index: IMap<string, ReadonlyArray<KubeObject>>, change: MapChange<string, KubeObject>): IMap<string, ReadonlyArray<KubeObject>> => {
  const from = managedFor(change.before)
  const to = managedFor(change.after)
  // The change's key is the slice's `namespace/name`; within one Service's entry the namespace
  // is the Service's, so the name alone identifies the slice.
  const name = (change.before ?? change.after)?.metadata.name
  let next = index
  for (const service of from === to ? [from] : [from, to]) {
    if (service === undefined) continue
    const kept = (next.get(service) ?? []).filter((s) => s.metadata.name !== name)
    const list = service === to && change.after !== undefined ? [...kept, change.after].sort(byName) : kept
    next = list.length === 0 ? next.remove(service) : next.set(service, Object.freeze(list))
  }
  return next
}

const sliceEndpoints = (slice: KubeObject): ReadonlyArray<Endpoint> => (slice['endpoints'] as ReadonlyArray<Endpoint> | undefined) ?? []

/** The labels a Service's slices carry: its own, the service name, the manager, headless-ness. */
const sliceLabels = (service: KubeObject): Record<string, string> => {
  const labels: Record<string, string> = {}
  for (const [k, v] of Object.entries(service.metadata.labels ?? {}))
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v
  labels[SERVICE_NAME_LABEL] = service.metadata.name
  labels[MANAGED_BY_LABEL] = ENDPOINT_SLICE_CONTROLLER
  if (serviceSpec(service).clusterIP === 'None') labels[HEADLESS_LABEL] = ''
  return labels
}

const sameLabels = (a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean => {
  if (a === b) return true
  const ak = Object.keys(a ?? {})
  return ak.length === Object.keys(b).length && ak.every((k) => a?.[k] === b[k])
}

const ownerRef = (service: KubeObject) => ({
  apiVersion: 'v1',
  kind: 'Service',
  name: service.metadata.name,
  uid: service.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
})

const ownedByService = (slice: KubeObject, service: KubeObject): boolean => {
  const refs = slice.metadata.ownerReferences ?? []
  return refs.length === 1 && refs[0]?.uid === service.metadata.uid && refs[0]?.controller === true
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const sliceRef = (slice: KubeObject) => ({ kind: 'EndpointSlice', namespace: slice.metadata.namespace, name: slice.metadata.name })

/** The writes that turn the working set of a Service's slices into the store's. */
const emit = (service: KubeObject, working: ReadonlyArray<Working>, addressType: AddressType): Action[] => {
  const actions: Action[] = []
  const labels = sliceLabels(service)
  for (const w of working) {
    if (!w.dirty && !(w.slice !== undefined && w.endpoints.length === 0 && w.placeholder !== true)) continue
    // Frozen up front: admission keeps frozen values as they are instead of copying them.
    // Every endpoint in a working list is frozen already (a stored slice's, or `podEndpoint`'s),
    // and the list is this pass's own array or a stored one: freezing the list is enough, and
    // does not touch a hundred endpoints.
    const endpoints = Object.freeze(w.endpoints)
    const placeholder = w.placeholder === true
    if (w.slice === undefined) {
      if (w.endpoints.length === 0 && !placeholder) continue
      actions.push({
        type: 'create',
        by: NAME,
        object: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: '', generateName: `${service.metadata.name}-`, namespace: service.metadata.namespace ?? 'default', labels, ownerReferences: [ownerRef(service)] },
          addressType,
          endpoints,
          ports: placeholder ? [] : w.ports.map((p) => ({ ...p })),
        },
      })
    } else if (w.endpoints.length === 0 && !placeholder) {
      actions.push({ type: 'delete', by: NAME, ref: sliceRef(w.slice), ...(w.slice.metadata.uid === undefined ? {} : { preconditionUid: w.slice.metadata.uid }) })
    } else {
      const slice = w.slice
      const owners = [ownerRef(service)]
      // The stored metadata and ports when they stay as they are: admission then re-checks
      // only what changed (a readiness flip changes one endpoint).
      const keepMeta = sameLabels(slice.metadata.labels, labels) && deepEqual(slice.metadata.ownerReferences, owners)
      const ports = placeholder ? [] : w.ports
      actions.push({
        type: 'update',
        by: NAME,
        object: {
          ...slice,
          metadata: keepMeta ? slice.metadata : { ...slice.metadata, labels, ownerReferences: owners },
          addressType,
          endpoints,
          ports: deepEqual(slice['ports'], ports) ? (slice['ports'] as ReadonlyArray<EndpointPort>) : ports.map((p) => ({ ...p })),
        },
      })
    }
  }
  return actions
}

/** Upstream's reconciler for one Service: the whole desired set against the existing slices. */
const syncService = (state: ClusterState, key: string, sliceIndex: IMap<string, ReadonlyArray<KubeObject>>): Action[] => {
  const [namespace, name] = splitKey(key)
  const service = getObject(state.objects, { kind: 'Service', namespace, name })
  if (service === undefined || service.metadata.deletionTimestamp !== undefined) return []
  const spec = serviceSpec(service)
  const existing = managedSlices(state, key, sliceIndex)
  if (spec.type === 'ExternalName')
    // An ExternalName has no endpoints: slices left from an earlier type go.
    return existing.map((s): Action => ({ type: 'delete', by: NAME, ref: sliceRef(s), ...(s.metadata.uid === undefined ? {} : { preconditionUid: s.metadata.uid }) }))
  // Selector-less Services get slices from their users, not from this controller.
  if (!wantsSlices(service)) return []
  const addressTypes = addressTypesOf(service)
  const pods = listObjects(state.objects, 'Pod', { namespace, selector: fromLabelSelector({ matchLabels: spec.selector ?? {} }) })
  const only = addressTypes[0] as AddressType
  if (addressTypes.length === 1 && existing.every((s) => s['addressType'] === only)) return syncFamily(state, service, only, existing, pods)
  // Slices of a family the Service no longer has go (a downgrade); each family is reconciled
  // on its own, placeholder included, as upstream's reconcileByAddressType.
  const actions: Action[] = []
  for (const slice of existing)
    if (!addressTypes.includes(slice['addressType'] as AddressType))
      actions.push({ type: 'delete', by: NAME, ref: sliceRef(slice), ...(slice.metadata.uid === undefined ? {} : { preconditionUid: slice.metadata.uid }) })
  for (const addressType of addressTypes)
    actions.push(...syncFamily(state, service, addressType, existing.filter((s) => s['addressType'] === addressType), pods))
  return actions
}

/** Upstream's reconciler for one address type of a Service: the desired endpoints of that family against its slices. */
const syncFamily = (state: ClusterState, service: KubeObject, addressType: AddressType, existing: ReadonlyArray<KubeObject>, pods: ReadonlyArray<KubeObject>): Action[] => {
  const namespace = service.metadata.namespace ?? ''
  const desired = new Map<string, { ports: ReadonlyArray<EndpointPort>; endpoints: Map<string, Endpoint> }>()
  for (const pod of pods) {
    const pe = podEndpoint(state, pod, service, addressType)
    if (pe === undefined) continue
    let group = desired.get(pe.portsKey)
    if (group === undefined) desired.set(pe.portsKey, (group = { ports: pe.ports, endpoints: new Map() }))
    group.endpoints.set(`${namespace}/${pod.metadata.name}`, pe.endpoint)
  }
  const labels = sliceLabels(service)
  const working: Working[] = []
  const unchanged: Working[] = []
  for (const slice of existing) {
    const key = portsKeyOf(slice['ports'] as ReadonlyArray<EndpointPort> | undefined)
    const group = slice['addressType'] === addressType ? desired.get(key) : undefined
    const metaDrift = !sameLabels(slice.metadata.labels, labels) || !ownedByService(slice, service)
    if (group === undefined) {
      const stale = sliceEndpoints(slice).length > 0 || key !== '' || slice['addressType'] !== addressType
      working.push({ slice, portsKey: key, ports: [], endpoints: [], dirty: metaDrift || stale })
      continue
    }
    let dirty = metaDrift
    const kept: Endpoint[] = []
    for (const endpoint of sliceEndpoints(slice)) {
      const podKey = endpointPodKey(endpoint)
      const want = group.endpoints.get(podKey)
      if (want === undefined) dirty = true
      else {
        group.endpoints.delete(podKey)
        if (sameEndpoint(endpoint, want)) kept.push(endpoint)
        else {
          kept.push(want)
          dirty = true
        }
      }
    }
    const w: Working = { slice, portsKey: key, ports: group.ports, endpoints: kept, dirty }
    working.push(w)
    if (!dirty) unchanged.push(w)
  }
  for (const key of [...desired.keys()].sort()) {
    const group = desired.get(key)
    if (group === undefined) continue
    const rest = [...group.endpoints.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e)
    for (const w of working) {
      if (rest.length === 0) break
      if (!w.dirty || w.slice === undefined || w.portsKey !== key) continue
      while (w.endpoints.length < MAX_ENDPOINTS_PER_SLICE && rest.length > 0) w.endpoints.push(rest.shift() as Endpoint)
    }
    if (rest.length > 0) {
      let fullest: Working | undefined
      for (const w of unchanged)
        if (w.portsKey === key && w.endpoints.length + rest.length <= MAX_ENDPOINTS_PER_SLICE && (fullest === undefined || w.endpoints.length > fullest.endpoints.length))
          fullest = w
      if (fullest !== undefined) {
        fullest.endpoints.push(...rest.splice(0))
        fullest.dirty = true
      }
    }
    while (rest.length > 0) working.push({ slice: undefined, portsKey: key, ports: group.ports, endpoints: rest.splice(0, MAX_ENDPOINTS_PER_SLICE), dirty: true })
  }
  keepPlaceholder(working)
  return emit(service, working, addressType)
}

/**
 * A Service with a selector keeps one slice even with no endpoints (upstream's placeholder):
 * while any slice has endpoints, empty ones go; when none has, one existing slice stays (an
 * existing placeholder first), emptied, or a new empty one is made.
 */
const keepPlaceholder = (working: Working[]): void => {
  if (working.some((w) => w.endpoints.length > 0)) return
  const existing = working.filter((w) => w.slice !== undefined)
  const chosen = existing.find((w) => w.portsKey === '' && !w.dirty) ?? existing[0]
  if (chosen === undefined) working.push({ slice: undefined, portsKey: '', ports: [], endpoints: [], dirty: true, placeholder: true })
  else {
    chosen.placeholder = true
    if (chosen.portsKey !== '') chosen.dirty = true
  }
}

/**
 * Applies a few pods' changes to a Service's slices in place: each changed endpoint is
 * replaced where it is, removed, or added to a slice being written already, else the fullest
 * slice with room, else a new one. A readiness flip therefore rewrites exactly one slice.
 */
const syncPods = (state: ClusterState, serviceKey: string, podChanges: ReadonlyArray<PodChange>, sliceIndex: IMap<string, ReadonlyArray<KubeObject>>): Action[] => {
  // Looked up by the stored key strings the caller holds: a key built afresh is hashed afresh.
  const service = state.objects.kinds.get('Service')?.get(serviceKey)
  if (service === undefined || service.metadata.deletionTimestamp !== undefined || !wantsSlices(service)) return []
  const existing = managedSlices(state, serviceKey, sliceIndex)
  const addressTypes = addressTypesOf(service)
  // A slice of another family needs the full reconciler.
  if (existing.some((s) => !addressTypes.includes(s['addressType'] as AddressType))) return syncService(state, serviceKey, sliceIndex)
  if (addressTypes.length === 1) return syncPodsOfFamily(state, service, addressTypes[0] as AddressType, existing, podChanges)
  const actions: Action[] = []
  for (const addressType of addressTypes)
    actions.push(...syncPodsOfFamily(state, service, addressType, existing.filter((s) => s['addressType'] === addressType), podChanges))
  return actions
}

/**
 * Where a pod's endpoint sits in each of a Service's slices (the first match per slice).
 * `written`, the endpoint this controller last computed for the pod's previous
 * version, is found by identity, a scan of pointers: the slices hold the very object it wrote
 * (a slice changed by anyone else gets a full sync instead). Otherwise every endpoint's
 * targetRef is compared.
 */
const endpointsOfPod = (working: ReadonlyArray<Working>, namespace: string, name: string, written: Endpoint | undefined): Array<readonly [Working, number]> => {
  if (written !== undefined)
    for (const w of working) {
      const index = w.endpoints.indexOf(written)
      if (index >= 0) return [[w, index]]
    }
  const found: Array<readonly [Working, number]> = []
  for (const w of working)
    for (let i = 0; i < w.endpoints.length; i++) {
      const ref = (w.endpoints[i] as Endpoint).targetRef
      if (ref !== undefined && ref.name === name && ref.namespace === namespace) {
        found.push([w, i])
        break
      }
    }
  return found
}

/** The endpoint last computed for this stored pod version and Service, if the memo still has it. */
const writtenEndpoint = (pod: KubeObject | undefined, service: KubeObject, addressType: AddressType): Endpoint | undefined => {
  const cached = pod === undefined ? undefined : endpointCache.get(pod)
  return cached !== undefined && cached.service === service && cached.addressType === addressType ? cached.result?.endpoint : undefined
}

/** `syncPods` for the slices of one address type. */
const syncPodsOfFamily = (
  state: ClusterState,
  service: KubeObject,
  addressType: AddressType,
  existing: ReadonlyArray<KubeObject>,
  podChanges: ReadonlyArray<PodChange>,
): Action[] => {
  const namespace = service.metadata.namespace ?? ''
  const selector = serviceSpec(service).selector ?? {}
  // Each slice's stored endpoint list until the first edit (most of a Service's slices are
  // only searched): `editable` copies it then.
  const working: Working[] = existing.map((slice) => ({
    slice,
    portsKey: portsKeyOf(slice['ports'] as ReadonlyArray<EndpointPort> | undefined),
    ports: (slice['ports'] as ReadonlyArray<EndpointPort> | undefined) ?? [],
    endpoints: sliceEndpoints(slice) as Endpoint[],
    dirty: false,
  }))
  const editable = (w: Working): Endpoint[] => {
    if (w.slice !== undefined && w.endpoints === sliceEndpoints(w.slice)) w.endpoints = [...w.endpoints]
    return w.endpoints
  }
  for (const { key: podKey, before, after: pod } of podChanges) {
    const [podNamespace, podName] = splitKey(podKey)
    const pe = pod !== undefined && podNamespace === namespace && selects(selector, pod.metadata.labels) ? podEndpoint(state, pod, service, addressType) : undefined
    let placed = false
    for (const [w, index] of endpointsOfPod(working, podNamespace, podName, writtenEndpoint(before, service, addressType))) {
      const current = w.endpoints[index] as Endpoint
      if (!placed && pe !== undefined && w.portsKey === pe.portsKey) {
        placed = true
        if (!sameEndpoint(current, pe.endpoint)) {
          editable(w)[index] = pe.endpoint
          w.dirty = true
        }
      } else {
        editable(w).splice(index, 1)
        w.dirty = true
      }
    }
    if (pe === undefined || placed) continue
    let target: Working | undefined
    for (const w of working) {
      if (w.portsKey !== pe.portsKey || w.endpoints.length >= MAX_ENDPOINTS_PER_SLICE || (w.slice !== undefined && w.endpoints.length === 0 && !w.dirty && w.portsKey === '' && pe.portsKey !== '')) continue
      const better =
        target === undefined ||
        (w.dirty && !target.dirty) ||
        (w.dirty === target.dirty && w.endpoints.length > target.endpoints.length)
      if (better) target = w
    }
    if (target === undefined) working.push((target = { slice: undefined, portsKey: pe.portsKey, ports: pe.ports, endpoints: [], dirty: true }))
    editable(target).push(pe.endpoint)
    target.dirty = true
  }
  keepPlaceholder(working)
  return emit(service, working, addressType)
}

const splitKey = (key: string): readonly [string, string] => {
  const slash = key.indexOf('/')
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)]
}

const indexService = (index: IMap<string, ISet<string>>, key: string, service: KubeObject | undefined, add: boolean): IMap<string, ISet<string>> => {
  if (service === undefined || !wantsSlices(service)) return index
  const at = selectorIndexKey(service)
  if (at === undefined) return index
  const set = index.get(at) ?? ISet<string>()
  const next = add ? set.add(key) : set.remove(key)
  return next.size === 0 ? index.remove(at) : index.set(at, next)
}

/** Services (with slices) whose selector matches a pod, found through the selector index. */
const servicesSelecting = (memory: Pick<Memory, 'bySelector'>, services: IMap<string, KubeObject>, pod: KubeObject | undefined, into: Set<string>): void => {
  if (pod === undefined) return
  const labels = pod.metadata.labels
  if (labels === undefined) return
  const namespace = pod.metadata.namespace ?? ''
  for (const [k, v] of Object.entries(labels)) {
    const candidates = memory.bySelector.get(`${namespace}${SEP}${k}=${v}`)
    if (candidates === undefined) continue
    for (const key of candidates) {
      const service = services.get(key)
      if (service !== undefined && selects(serviceSpec(service).selector ?? {}, labels)) into.add(key)
    }
  }
}

const reconcile = (state: ClusterState): ReadonlyArray<Action> => {
  const kinds = state.objects.kinds
  const pods = kinds.get('Pod') ?? EMPTY_MAP
  const services = kinds.get('Service') ?? EMPTY_MAP
  const slices = kinds.get('EndpointSlice') ?? EMPTY_MAP
  const nodes = kinds.get('Node') ?? EMPTY_MAP
  const previous = state.memory.get(NAME) as Memory | undefined
  const expected = previous?.expected ?? NO_EXPECTED_WRITES
  if (previous !== undefined && previous.pods === pods && previous.services === services && previous.slices === slices && previous.nodes === nodes && previous.retry.size === 0 && expected.size === 0) return []
  const full = new Set<string>(previous?.retry ?? [])
  for (const [sliceKey, write] of expected) if (!landedAsSent(slices.get(sliceKey), write.sent)) full.add(write.service)
  // Changed pods with both versions (the diff already holds them: no lookups by key).
  const changedPods = new Map<string, PodChange>()
  let bySelector = previous?.bySelector ?? IMap<string, ISet<string>>()
  let sliceIndex = previous?.sliceIndex ?? buildSliceIndex(slices)
  if (previous === undefined) {
    for (const [key, service] of services) {
      bySelector = indexService(bySelector, key, service, true)
      full.add(key)
    }
  } else {
    for (const change of diffMaps(previous.services, services)) {
      bySelector = indexService(bySelector, change.key, change.before, false)
      bySelector = indexService(bySelector, change.key, change.after, true)
      full.add(change.key)
    }
    for (const change of diffMaps(previous.slices, slices)) {
      sliceIndex = indexSliceChange(sliceIndex, change)
      const own = expected.get(change.key)
      if (own !== undefined && landedAsSent(change.after, own.sent)) continue
      const slice = change.after ?? change.before
      const service = slice?.metadata.labels?.[SERVICE_NAME_LABEL]
      const managed = [change.before, change.after].some((s) => s?.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINT_SLICE_CONTROLLER)
      if (slice !== undefined && service !== undefined && managed) full.add(`${slice.metadata.namespace ?? ''}/${service}`)
    }
    for (const change of diffMaps(previous.nodes, nodes))
      if (change.before?.metadata.labels?.[ZONE_LABEL] !== change.after?.metadata.labels?.[ZONE_LABEL])
        for (const pod of podsOnNode(state.objects, change.key)) {
          const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`
          changedPods.set(key, { key, before: previous.pods.get(key), after: pod })
        }
    for (const change of diffMaps(previous.pods, pods)) changedPods.set(change.key, change)
  }
  const written = new Set<string>()
  const sentUpdates = new Map<string, ExpectedWrite>()
  const memory = (): Memory => ({
    pods,
    services,
    slices,
    nodes,
    bySelector,
    retry: written.size === 0 ? NOTHING_TO_RETRY : ISet(written),
    expected: sentUpdates.size === 0 ? NO_EXPECTED_WRITES : sentUpdates,
    sliceIndex,
  })
  const view: Pick<Memory, 'bySelector'> = { bySelector }
  const perService = new Map<string, PodChange[]>()
  for (const change of changedPods.values()) {
    const touched = new Set<string>()
    const pod = change.after
    const before = change.before
    servicesSelecting(view, services, pod, touched)
    // Selection reads only a pod's namespace and labels: a status change selects the same Services.
    if (before !== undefined && (pod === undefined || !sameLabels(before.metadata.labels, pod.metadata.labels ?? {}))) servicesSelecting(view, services, before, touched)
    for (const key of touched) {
      if (full.has(key)) continue
      const list = perService.get(key)
      if (list === undefined) perService.set(key, [change])
      else list.push(change)
    }
  }
  const actions: Action[] = []
  const plan = (key: string, planned: ReadonlyArray<Action>): void => {
    // Updates are checked next pass against what was sent; creates and deletes resync the Service.
    for (const action of planned) {
      actions.push(action)
      if (action.type === 'update') sentUpdates.set(`${action.object.metadata.namespace ?? ''}/${action.object.metadata.name}`, { service: key, sent: action.object })
      else written.add(key)
    }
  }
  for (const key of [...full].sort()) plan(key, syncService(state, key, sliceIndex))
  for (const key of [...perService.keys()].sort()) {
    const podChanges = (perService.get(key) ?? []).sort((a, b) => byString(a.key, b.key))
    plan(key, podChanges.length > TARGETED_LIMIT ? syncService(state, key, sliceIndex) : syncPods(state, key, podChanges, sliceIndex))
  }
  // Without any memory yet and nothing to write, stay silent: a quiet cluster (a fresh one) is
  // then a fixed point. Once remembered, a quiet pass still records what it observed, so the
  // next pass has nothing to diff and returns no actions.
  if (previous !== undefined || actions.length > 0) actions.push({ type: 'remember', by: NAME, value: memory() })
  return actions
}

/**
 * The EndpointSlice controller (discovery.k8s.io/v1): slices of at most 100 endpoints per
 * Service with a selector, labelled `kubernetes.io/service-name` and
 * `endpointslice.kubernetes.io/managed-by`, owned by the Service.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, list, endpointSliceController } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s0 = createCluster({ nodes: 1 })
 * const applied = applyManifests(s0, [
 *   { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
 *   { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
 * ])
 * // Pods start (and become ready) 1 s after they are bound.
 * const settled = E.isRight(applied) ? advance(applied.right, '5s') : applied
 * const slices = E.isRight(settled) ? list(settled.right, 'EndpointSlice', { labelSelector: 'kubernetes.io/service-name=web' }) : []
 * expect(slices.map((s) => (s['endpoints'] as { conditions: { ready: boolean } }[]).map((e) => e.conditions.ready))).toEqual([[true]])
 * expect(endpointSliceController.name).toBe('endpointslice-controller')
 * ```
 */
export const endpointSliceController: Controller = {
  name: NAME,
  watches: ['Service', 'Pod', 'EndpointSlice', 'Node'],
  reconcile,
  nextWakeup: () => O.none,
}
