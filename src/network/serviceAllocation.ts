/**
 * ClusterIP and NodePort allocation, as the API server's service REST layer does it on create
 * and update: IP families are settled first, then cluster IPs come from the service range and
 * node ports from the node-port range, each split into a static band (kept for explicit
 * requests) and a dynamic band. Upstream picks dynamic values at random; kubesim draws the
 * starting point from the cluster's seeded PRNG and scans forward from it, so the choice is as
 * spread out as upstream's and identical for the same seed. What is taken is read from the
 * store's `serviceIps` / `nodePorts` indices, so a deleted Service releases its values at once.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { produce } from '../internal/immer.js'
import { isIPv6 } from '../objects/endpointSlice.js'
import { type KindInfo, kindInfo } from '../objects/kinds.js'
import type { KubeObject } from '../objects/object.js'
import type { Service, ServiceSpec } from '../objects/service.js'
import type { Rng } from '../sim/rng.js'
import { nextInt } from '../sim/rng.js'
import { objectKey } from '../objects/object.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, invalidError } from '../validation/apiError.js'
import { type FieldError, invalid } from '../validation/fieldError.js'
import { formatIpv4, type Ipv4Cidr, parseCidr, parseIpv4 } from './cidr.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A range allocated from: `size` values starting at `base`, the first `offset` kept static. */
interface Band {
  readonly base: number
  readonly size: number
  readonly offset: number
}

interface Allocated {
  readonly object: KubeObject
  readonly rng: Rng
}

const SERVICE_INFO = kindInfo('Service') as KindInfo

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The static band of a range, as upstream's `calculateRangeOffset`: none for 16 values or
 * fewer, else `size / step` clamped to [16, max] (IPs: step 16, max 256; ports: 32 and 128).
 */
const rangeOffset = (size: number, step: number, max: number): number =>
  size <= 16 ? 0 : Math.min(Math.max(16, Math.floor(size / step)), max)

/** The usable addresses of the service CIDR: the network and broadcast addresses are never handed out. */
const ipBand = (cidr: Ipv4Cidr): Band => ({
  base: cidr.network + 1,
  size: Math.max(0, cidr.size - 2),
  offset: rangeOffset(cidr.size, 16, 256),
})

const portBand = ([low, high]: readonly [number, number]): Band => {
  const size = high - low + 1
  return { base: low, size, offset: rangeOffset(size, 32, 128) }
}

const isExternalName = (spec: ServiceSpec): boolean => spec.type === 'ExternalName'
const usesNodePorts = (spec: ServiceSpec): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer'
const shouldAllocateNodePorts = (spec: ServiceSpec): boolean =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)
const needsHealthCheck = (spec: ServiceSpec): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local'
const isHeadless = (spec: ServiceSpec): boolean => spec.clusterIPs?.[0] === 'None' || spec.clusterIP === 'None'

/**
 * Parses one LoadBalancer pool entry: an IPv4 CIDR (network and broadcast excluded when the
 * range is larger than a /31) or an inclusive `a.b.c.d-e.f.g.h` range, as the first and last
 * address as unsigned integers.
 *
 * @internal
 */
export const parseAddressPool = (entry: string): { readonly first: number; readonly last: number } | undefined => {
  if (entry.includes('-')) {
    const [from, to, ...rest] = entry.split('-').map((s) => s.trim())
    if (from === undefined || to === undefined || rest.length > 0) return undefined
    const a = parseIpv4(from)
    const b = parseIpv4(to)
    if (E.isLeft(a) || E.isLeft(b) || a.right > b.right) return undefined
    return { first: a.right, last: b.right }
  }
  const cidr = parseCidr(entry.trim())
  if (E.isLeft(cidr)) return undefined
  const { network, size } = cidr.right
  return size <= 2 ? { first: network, last: network + size - 1 } : { first: network + 1, last: network + size - 2 }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * The first free value of a band after a random start, scanning forward with wrap-around:
 * the dynamic (upper) band first, the static band only when it is full, as upstream's
 * `randomScanStrategyWithOffset`.
 */
const allocateNext = (band: Band, taken: (value: number) => boolean, rng: Rng): readonly [number | undefined, Rng] => {
  const scan = (start: number, size: number, current: Rng): readonly [number | undefined, Rng] => {
    if (size <= 0) return [undefined, current]
    const [r, next] = nextInt(current, size)
    for (let i = 0; i < size; i++) {
      const value = band.base + start + ((r + i) % size)
      if (!taken(value)) return [value, next]
    }
    return [undefined, next]
  }
  const upper = scan(band.offset, band.size - band.offset, rng)
  if (upper[0] !== undefined) return upper
  return scan(0, band.offset, upper[1])
}

const internalError = (service: KubeObject, detail: string): ApiError => ({
  reason: 'InternalError',
  code: 500,
  kind: 'Service',
  group: '',
  name: service.metadata.name,
  ...(service.metadata.namespace === undefined ? {} : { namespace: service.metadata.namespace }),
  message: `Internal error occurred: ${detail}`,
  causes: [],
})

const invalidService = (service: KubeObject, causes: ReadonlyArray<FieldError>): ApiError =>
  invalidError(SERVICE_INFO, service.metadata.name, service.metadata.namespace, causes)

/**
 * Settles ipFamilies (and checks ipFamilyPolicy) for a single-stack IPv4 cluster, as upstream's
 * `initIPFamilyFields`: families are inferred from requested IPs, headless selector-less
 * Services may name both families, anything else asking for IPv6 or dual-stack is refused.
 */
const initIpFamilies = (spec: ServiceSpec): E.Either<ReadonlyArray<FieldError>, ReadonlyArray<string>> => {
  const errors: FieldError[] = []
  const policy = spec.ipFamilyPolicy ?? 'SingleStack'
  const ips = spec.clusterIPs ?? []
  const families = [...(spec.ipFamilies ?? [])]
  if (policy === 'SingleStack') {
    if (ips.length === 2)
      errors.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
    if (families.length === 2)
      errors.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
  }
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i] ?? ''
    if (ip === 'None') break
    const family = isIPv6(ip) ? 'IPv6' : 'IPv4'
    if (i >= families.length) {
      if (family === 'IPv6') errors.push(invalid(`spec.clusterIPs[${i}]`, ips, 'IPv6 is not configured on this cluster'))
      else families.push(family)
    }
  }
  if (errors.length > 0) return E.left(errors)
  const selectorless = Object.keys(spec.selector ?? {}).length === 0
  if (isHeadless(spec) && selectorless) {
    // Headless and selector-less: the one case where families the cluster lacks are allowed.
    if (families.length === 0) families.push('IPv4')
    if (families.length < 2 && policy !== 'SingleStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4')
    return E.right(families)
  }
  if (policy === 'RequireDualStack') errors.push(invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'))
  families.forEach((family, i) => {
    if (family !== 'IPv4') errors.push(invalid(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster'))
  })
  if (errors.length > 0) return E.left(errors)
  return E.right(families.length === 0 ? ['IPv4'] : families)
}

const sameList = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string>): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])

/** Allocates the cluster IP of a Service that has none yet (or checks the one it asks for). */
const allocateClusterIp = (
  state: ClusterState,
  service: KubeObject,
  spec: ServiceSpec,
  rng: Rng,
): E.Either<ApiError, { readonly ips: ReadonlyArray<string> | undefined; readonly rng: Rng }> => {
  if (isHeadless(spec)) return E.right({ ips: undefined, rng })
  const cidr = parseCidr(state.config.serviceCidr)
  // createCluster checked the range; an unparsable one can only come from a hand-built state.
  if (E.isLeft(cidr)) return E.left(internalError(service, `failed to allocate a serviceIP: ${cidr.left}`))
  const band = ipBand(cidr.right)
  const key = objectKey({ kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name })
  const holder = (ip: string): string | undefined => state.objects.serviceIps.get(ip)
  const requested = spec.clusterIPs?.[0] ?? spec.clusterIP ?? ''
  if (requested !== '') {
    const parsed = parseIpv4(requested.split('.').map((p) => String(Number(p))).join('.'))
    const value = E.isRight(parsed) ? parsed.right : -1
    const fail = (detail: string) =>
      E.left(invalidService(service, [invalid('spec.clusterIPs', spec.clusterIPs ?? [requested], `failed to allocate IP ${requested}: ${detail}`)]))
    if (value < band.base || value >= band.base + band.size)
      return fail(`provided IP is not in the valid range. The range of valid IPs is ${state.config.serviceCidr}`)
    const owner = holder(formatIpv4(value))
    if (owner !== undefined && owner !== key) return fail('provided IP is already allocated')
    return E.right({ ips: [formatIpv4(value)], rng })
  }
  const [value, next] = allocateNext(band, (v) => state.objects.serviceIps.has(formatIpv4(v)), rng)
  if (value === undefined) return E.left(internalError(service, 'failed to allocate a serviceIP: range is full'))
  return E.right({ ips: [formatIpv4(value)], rng: next })
}

/**
 * Gives every port of a NodePort / LoadBalancer Service its node port (entries sharing a service
 * port number across protocols share it, as upstream's `initNodePorts`), and a health-check node
 * port when externalTrafficPolicy is Local. On update, `previous` holds the ports the Service
 * already owns: keeping them needs no allocation.
 */
const allocateNodePorts = (
  state: ClusterState,
  service: KubeObject,
  spec: ServiceSpec,
  previous: ServiceSpec | undefined,
  rng: Rng,
): E.Either<ApiError, { readonly nodePorts: ReadonlyArray<number | undefined>; readonly healthCheckNodePort: number | undefined; readonly rng: Rng }> => {
  const range = state.config.nodePortRange
  const key = objectKey({ kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name })
  const owned = new Set<number>()
  for (const p of previous?.ports ?? []) if (p.nodePort !== undefined && p.nodePort > 0) owned.add(p.nodePort)
  if (previous?.healthCheckNodePort !== undefined && previous.healthCheckNodePort > 0) owned.add(previous.healthCheckNodePort)
  const claimed = new Set<number>()
  const takenByOthers = (port: number): boolean => {
    const holder = state.objects.nodePorts.get(port)
    return holder !== undefined && holder !== key
  }
  /** Reserves a requested port, or says why not (upstream's `Allocate` errors). */
  const claim = (port: number): string | undefined => {
    if (port < range[0] || port > range[1]) return `provided port is not in the valid range. The range of valid ports is ${range[0]}-${range[1]}`
    if (takenByOthers(port) || (claimed.has(port) && !owned.has(port))) return 'provided port is already allocated'
    claimed.add(port)
    return undefined
  }
  let current = rng
  const next = (): number | undefined => {
    const [value, after] = allocateNext(portBand(range), (p) => claimed.has(p) || owned.has(p) || takenByOthers(p), current)
    current = after
    if (value !== undefined) claimed.add(value)
    return value
  }
  const ports = spec.ports ?? []
  const byServicePort = new Map<number, number>()
  const nodePorts: (number | undefined)[] = []
  if (usesNodePorts(spec))
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]
      if (port === undefined) continue
      const requested = port.nodePort ?? 0
      if (requested === 0 && !shouldAllocateNodePorts(spec)) {
        nodePorts.push(undefined)
        continue
      }
      const shared = byServicePort.get(port.port)
      if (shared !== undefined && (requested === 0 || requested === shared)) {
        nodePorts.push(shared)
        continue
      }
      // Upstream's findRequestedNodePort looks ahead: a later entry for the same service port
      // may name the node port this one should share.
      const wanted = requested !== 0 || shared !== undefined ? requested : (ports.find((p) => p.port === port.port && (p.nodePort ?? 0) !== 0)?.nodePort ?? 0)
      if (wanted !== 0) {
        const problem = claim(wanted)
        if (problem !== undefined) return E.left(invalidService(service, [invalid(`spec.ports[${i}].nodePort`, wanted, problem)]))
        if (shared === undefined) byServicePort.set(port.port, wanted)
        nodePorts.push(wanted)
        continue
      }
      const value = next()
      if (value === undefined) return E.left(internalError(service, 'failed to allocate a nodePort: range is full'))
      byServicePort.set(port.port, value)
      nodePorts.push(value)
    }
  let healthCheckNodePort: number | undefined
  if (needsHealthCheck(spec)) {
    const requested = spec.healthCheckNodePort ?? 0
    const kept = previous !== undefined && needsHealthCheck(previous) && (previous.healthCheckNodePort ?? 0) === requested && requested !== 0
    if (kept) healthCheckNodePort = requested
    else if (requested !== 0) {
      const problem = claim(requested)
      if (problem !== undefined) return E.left(internalError(service, `failed to allocate requested HealthCheck NodePort ${requested}: ${problem}`))
      healthCheckNodePort = requested
    } else {
      const value = next()
      if (value === undefined) return E.left(internalError(service, 'failed to allocate a HealthCheck NodePort 0: range is full'))
      healthCheckNodePort = value
    }
  }
  return E.right({ nodePorts, healthCheckNodePort, rng: current })
}

const allocate = (state: ClusterState, object: KubeObject, previous: KubeObject | undefined, rng: Rng): E.Either<ApiError, Allocated> => {
  const service = object as unknown as Service
  const spec = service.spec
  if (isExternalName(spec)) return E.right({ object, rng })
  const oldSpec = (previous as unknown as Service | undefined)?.spec
  // IPs are settled on create and when an ExternalName becomes a Service with a virtual IP;
  // otherwise they are immutable and validation has already compared them with the old ones.
  const settleIps = oldSpec === undefined || isExternalName(oldSpec)
  let families: ReadonlyArray<string> | undefined
  let ips: ReadonlyArray<string> | undefined
  let current = rng
  if (settleIps) {
    const settled = initIpFamilies(spec)
    if (E.isLeft(settled)) return E.left(invalidService(object, settled.left))
    families = settled.right
    const ip = allocateClusterIp(state, object, spec, current)
    if (E.isLeft(ip)) return ip
    ips = ip.right.ips
    current = ip.right.rng
  } else if ((spec.ipFamilies ?? []).length === 0 && !isHeadless(spec)) {
    families = ['IPv4']
  }
  const ports = allocateNodePorts(state, object, spec, oldSpec, current)
  if (E.isLeft(ports)) return ports
  current = ports.right.rng
  const { nodePorts, healthCheckNodePort } = ports.right
  const next = produce(service, (draft) => {
    const d = draft.spec
    if (families !== undefined && !sameList(d.ipFamilies, families)) d.ipFamilies = [...families]
    if (ips !== undefined) {
      d.clusterIP = ips[0] ?? ''
      if (!sameList(d.clusterIPs, ips)) d.clusterIPs = [...ips]
    }
    ;(d.ports ?? []).forEach((port, i) => {
      const value = nodePorts[i]
      if (value !== undefined && port.nodePort !== value) port.nodePort = value
    })
    if (healthCheckNodePort !== undefined && d.healthCheckNodePort !== healthCheckNodePort) d.healthCheckNodePort = healthCheckNodePort
  })
  return E.right({ object: next as unknown as KubeObject, rng: current })
}

/**
 * Allocates what a new Service needs: IP families, a cluster IP (unless headless or
 * ExternalName; a requested one is checked against the range and the IPs in use), node ports
 * for NodePort and LoadBalancer Services and a health-check node port for Local traffic.
 * Errors are the API server's: an out-of-range or taken IP or port is `Invalid`, a full range
 * is an `InternalError`.
 *
 * @internal
 */
export const allocateServiceOnCreate = (state: ClusterState, service: KubeObject, rng: Rng): E.Either<ApiError, Allocated> =>
  service.kind === 'Service' ? allocate(state, service, undefined, rng) : E.right({ object: service, rng })

/**
 * Allocates what an updated Service newly needs (a type change to NodePort, LoadBalancer or away
 * from ExternalName, a new port, Local traffic). Values the update drops are released by the
 * store's indices when the update is stored.
 *
 * @internal
 */
export const allocateServiceOnUpdate = (state: ClusterState, next: KubeObject, previous: KubeObject, rng: Rng): E.Either<ApiError, Allocated> =>
  next.kind === 'Service' ? allocate(state, next, previous, rng) : E.right({ object: next, rng })
