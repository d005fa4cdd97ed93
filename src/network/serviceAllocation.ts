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
import { type KindInfo, kindInfo } from '../objects/kinds.js'
import type { KubeObject } from '../objects/object.js'
import type { Service, ServiceSpec } from '../objects/service.js'
import type { Rng } from '../sim/rng.js'
import { nextInt } from '../sim/rng.js'
import { objectKey } from '../objects/object.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, invalidError } from '../validation/apiError.js'
import { type FieldError, invalid } from '../validation/fieldError.js'
import { formatIpv4, parseCidr, parseIpv4 } from './cidr.js'
import { canonicalIp, type FamilyCidr, type IpFamily, ipFamilyOf, serviceCidrs } from './ipFamilies.js'
import { formatIpv6, parseIpv6 } from './ipv6.js'

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

/**
 * A Service range as the allocator sees it: addresses are offsets from the network address, so
 * both families share one band arithmetic on plain numbers.
 */
interface IpRange {
  readonly family: IpFamily
  readonly text: string
  readonly band: Band
  readonly format: (offset: number) => string
  /** The offset of an address of this family from the network address (may fall outside the band). */
  readonly offsetOf: (ip: string) => number | undefined
}

/**
 * The usable addresses of a Service range, as upstream's bitmap allocator: from network + 1;
 * IPv4 never hands out the broadcast address, IPv6 uses at most 65536 addresses of its range.
 */
const ipRange = (range: FamilyCidr): IpRange => {
  if (range.family === 'IPv4') {
    const { network, size } = range.cidr
    return {
      family: 'IPv4',
      text: range.text,
      band: { base: 1, size: Math.max(0, size - 2), offset: rangeOffset(size, 16, 256) },
      format: (offset) => formatIpv4(network + offset),
      offsetOf: (ip) => {
        const parsed = parseIpv4(ip.split('.').map((p) => String(Number(p))).join('.'))
        return E.isRight(parsed) ? parsed.right - network : undefined
      },
    }
  }
  const { network, size } = range.cidr
  const capped = Number(size < 65536n ? size : 65536n)
  return {
    family: 'IPv6',
    text: range.text,
    band: { base: 1, size: Math.max(0, capped - 1), offset: rangeOffset(Number(size), 16, 256) },
    format: (offset) => formatIpv6(network + BigInt(offset)),
    offsetOf: (ip) => {
      const parsed = parseIpv6(ip)
      if (E.isLeft(parsed)) return undefined
      const offset = parsed.right - network
      // Far outside the range: any out-of-band number will do.
      return offset < 0n || offset > 0xffffffffn ? -1 : Number(offset)
    },
  }
}

const rangeMemo = new Map<string, ReadonlyArray<IpRange>>()

/** The cluster's Service ranges by family, primary first, parsed once per configuration text. */
const ipRanges = (state: ClusterState): ReadonlyArray<IpRange> => {
  const text = state.config.serviceCidr
  const hit = rangeMemo.get(text)
  if (hit !== undefined) return hit
  const ranges = serviceCidrs(state.config).map(ipRange)
  if (rangeMemo.size >= 256) rangeMemo.clear()
  rangeMemo.set(text, ranges)
  return ranges
}

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

const otherFamily = (family: string): IpFamily => (family === 'IPv4' ? 'IPv6' : 'IPv4')

const sameList = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === b?.[i])

/** What settling a Service's families decided. */
interface Families {
  readonly policy: string
  readonly families: ReadonlyArray<string>
  readonly clusterIPs: ReadonlyArray<string>
}

/**
 * Upstream's `isMatchingPreferDualStackClusterIPFields`: an update of a PreferDualStack Service
 * that leaves its type, policy, IPs and families alone is not up- or downgraded when the
 * cluster's dual-stackness changed.
 */
const unchangedPreferDualStack = (spec: ServiceSpec, old: ServiceSpec | undefined): boolean =>
  old !== undefined &&
  spec.ipFamilyPolicy !== undefined &&
  spec.type === old.type &&
  (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') &&
  spec.ipFamilyPolicy === 'PreferDualStack' &&
  (old.ipFamilyPolicy === undefined || old.ipFamilyPolicy === 'PreferDualStack') &&
  sameList(spec.clusterIPs, old.clusterIPs) &&
  sameList(spec.ipFamilies, old.ipFamilies)

/**
 * Settles ipFamilies (and checks ipFamilyPolicy) against the cluster's families, as upstream's
 * `initIPFamilyFields`: on update a SingleStack policy drops an unchanged secondary IP and
 * family (a downgrade), other policies may not drop them; families are inferred from requested
 * IPs; headless selector-less Services may name families the cluster lacks; everything else
 * must use configured families, and RequireDualStack needs a dual-stack cluster. Missing
 * families default to the cluster's primary, plus its secondary for PreferDualStack and
 * RequireDualStack on a dual-stack cluster.
 */
const initIpFamilies = (spec: ServiceSpec, old: ServiceSpec | undefined, cluster: ReadonlyArray<IpFamily>): E.Either<ReadonlyArray<FieldError>, Families> => {
  const errors: FieldError[] = []
  const selectorless = Object.keys(spec.selector ?? {}).length === 0
  const headlessRequest = spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None'
  const policy = spec.ipFamilyPolicy ?? old?.ipFamilyPolicy ?? (headlessRequest && selectorless ? 'RequireDualStack' : 'SingleStack')
  let ips = [...(spec.clusterIPs ?? [])]
  let families = [...(spec.ipFamilies ?? [])]
  if (old !== undefined) {
    if (policy === 'SingleStack') {
      // Setting SingleStack with the IPs and families left as they were is a clear downgrade.
      if (sameList(old.clusterIPs, ips) && ips.length > 1) ips = ips.slice(0, 1)
      if (sameList(old.ipFamilies, families) && families.length > 1) families = families.slice(0, 1)
    } else {
      if (ips.length > 0 && ips.length < (old.clusterIPs ?? []).length)
        errors.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary cluster IP"))
      if (families.length > 0 && families.length < (old.ipFamilies ?? []).length)
        errors.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary IP family"))
    }
  }
  if (policy === 'SingleStack') {
    if (ips.length === 2)
      errors.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
    if (families.length === 2)
      errors.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
  }
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i] ?? ''
    if (ip === 'None') break
    const family = ipFamilyOf(ip) ?? 'IPv4'
    if (i >= families.length) {
      if (!cluster.includes(family)) errors.push(invalid(`spec.clusterIPs[${i}]`, ips, `${family} is not configured on this cluster`))
      else families.push(family)
    }
  }
  if (errors.length > 0) return E.left(errors)
  const primary = cluster[0] ?? 'IPv4'
  if (headlessRequest && selectorless) {
    // Headless and selector-less: the one case where families the cluster lacks are allowed.
    if (families.length === 0) families.push(primary)
    if (families.length < 2 && policy !== 'SingleStack') families.push(otherFamily(families[0] ?? primary))
    return E.right({ policy, families, clusterIPs: ips })
  }
  if (policy === 'RequireDualStack' && cluster.length < 2)
    errors.push(invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'))
  families.forEach((family, i) => {
    if (!cluster.includes(family as IpFamily)) errors.push(invalid(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster'))
  })
  if (errors.length > 0) return E.left(errors)
  if (families.length === 0) families.push(primary)
  if (policy !== 'SingleStack' && families.length === 1 && cluster.length === 2) families.push(otherFamily(families[0] ?? primary))
  return E.right({ policy, families, clusterIPs: ips })
}

/**
 * Allocates the cluster IP of one family: the requested one, checked against the family's
 * range and the IPs in use, or the next free one.
 */
const allocateIp = (
  state: ClusterState,
  service: KubeObject,
  spec: ServiceSpec,
  range: IpRange | undefined,
  requested: string,
  rng: Rng,
): E.Either<ApiError, { readonly ip: string; readonly rng: Rng }> => {
  // initIpFamilies admitted only configured families; a missing range means a hand-built state.
  if (range === undefined) return E.left(internalError(service, 'failed to allocate a serviceIP: the IP family is not configured'))
  const band = range.band
  const key = objectKey({ kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name })
  if (requested !== '') {
    const offset = range.offsetOf(requested) ?? -1
    const fail = (detail: string) =>
      E.left(invalidService(service, [invalid('spec.clusterIPs', spec.clusterIPs ?? [requested], `failed to allocate IP ${requested}: ${detail}`)]))
    if (offset < band.base || offset >= band.base + band.size) return fail(`provided IP is not in the valid range. The range of valid IPs is ${range.text}`)
    const ip = range.format(offset)
    const owner = state.objects.serviceIps.get(ip)
    if (owner !== undefined && owner !== key) return fail('provided IP is already allocated')
    return E.right({ ip, rng })
  }
  const [offset, next] = allocateNext(band, (o) => state.objects.serviceIps.has(range.format(o)), rng)
  if (offset === undefined) return E.left(internalError(service, 'failed to allocate a serviceIP: range is full'))
  return E.right({ ip: range.format(offset), rng: next })
}

/**
 * Allocates one cluster IP per family, from `from` on (0 on create, 1 when upgrading to
 * dual-stack), keeping what `ips` requests.
 */
const allocateClusterIps = (
  state: ClusterState,
  service: KubeObject,
  spec: ServiceSpec,
  settled: Families,
  from: number,
  rng: Rng,
): E.Either<ApiError, { readonly ips: ReadonlyArray<string>; readonly rng: Rng }> => {
  const ranges = ipRanges(state)
  const ips = settled.clusterIPs.slice(0, from)
  let current = rng
  for (let i = from; i < settled.families.length; i++) {
    const family = settled.families[i]
    const got = allocateIp(state, service, spec, ranges.find((r) => r.family === family), canonicalOrAsIs(settled.clusterIPs[i] ?? ''), current)
    if (E.isLeft(got)) return got
    ips.push(got.right.ip)
    current = got.right.rng
  }
  return E.right({ ips, rng: current })
}

const canonicalOrAsIs = (ip: string): string => (ip === '' ? '' : (canonicalIp(ip) ?? ip))

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
  const prior = (previous as unknown as Service | undefined)?.spec
  // From an ExternalName the Service is settled as if new: it had no IPs or families.
  const oldSpec = prior === undefined || isExternalName(prior) ? undefined : prior
  let settled: Families | undefined
  let ips: ReadonlyArray<string> | undefined
  let current = rng
  if (!unchangedPreferDualStack(spec, oldSpec)) {
    const families = initIpFamilies(spec, oldSpec, ipRanges(state).map((r) => r.family))
    if (E.isLeft(families)) return E.left(invalidService(object, families.left))
    settled = families.right
    const oldFamilies = oldSpec?.ipFamilies ?? []
    // IPs are allocated on create, and for the secondary family of an upgrade to dual-stack;
    // otherwise they are immutable and validation has compared them with the old ones.
    const from = oldSpec === undefined ? 0 : oldFamilies.length === 1 && settled.families.length === 2 ? 1 : -1
    if (isHeadless(spec) || (oldSpec !== undefined && isHeadless(oldSpec))) ips = undefined
    else if (from >= 0) {
      const allocated = allocateClusterIps(state, object, spec, settled, from, current)
      if (E.isLeft(allocated)) return allocated
      ips = allocated.right.ips
      current = allocated.right.rng
    } else if (settled.clusterIPs.length < (spec.clusterIPs ?? []).length) ips = settled.clusterIPs
  }
  const ports = allocateNodePorts(state, object, spec, prior, current)
  if (E.isLeft(ports)) return ports
  current = ports.right.rng
  const { nodePorts, healthCheckNodePort } = ports.right
  const next = produce(service, (draft) => {
    const d = draft.spec
    if (settled !== undefined) {
      if (!sameList(d.ipFamilies, settled.families)) d.ipFamilies = [...settled.families]
      if (d.ipFamilyPolicy !== settled.policy) d.ipFamilyPolicy = settled.policy
    }
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
