/**
 * Cluster DNS as the Kubernetes DNS specification (schema 1.0.1) defines it and CoreDNS's
 * `kubernetes` plugin serves it: `<svc>.<ns>.svc.<zone>` answers a ClusterIP Service's IP, a
 * headless Service's ready endpoints, or an ExternalName's CNAME; `<hostname>.<svc>...` names
 * one headless endpoint (StatefulSet pods); `_<port>._<proto>.<svc>...` gives SRV records for
 * named ports; `a-b-c-d.<ns>.pod.<zone>` answers a pod IP; PTR records reverse service and
 * endpoint IPs. A query is expanded with the client pod's search path as its resolv.conf would
 * (`ndots:5`), and NXDOMAIN (no such name) is kept apart from an empty answer (the name
 * exists, without records of that type). Everything is a pure function of the state.
 *
 * @module
 */
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { Service } from '../objects/service.js'
import { getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { isIPv4, isIPv6 } from '../objects/endpointSlice.js'
import { formatIpv6 } from './ipv6.js'
import { type EndpointView, serviceEndpoints, servicesWithEndpointIp } from './serviceView.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The record types kubesim's DNS answers. */
export type DnsRecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'PTR' | 'TXT'

/** One resource record. `name` and targets are fully qualified (trailing dot). */
export interface DnsRecord {
  readonly name: string
  readonly type: DnsRecordType
  readonly ttl: number
  /** The record's data as `dig` prints it (`10.96.0.10`, `0 100 80 web.default.svc.cluster.local.`). */
  readonly data: string
  readonly priority?: number
  readonly weight?: number
  readonly port?: number
  readonly target?: string
}

/**
 * A DNS response. `NOERROR` with no records is an empty answer (the name exists, not with that
 * type); `NXDOMAIN` means no such name; `SERVFAIL` means the query could not be made (the client
 * pod does not exist).
 */
export interface DnsAnswer {
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL'
  /** The fully qualified name that answered (or the last one tried). */
  readonly name: string
  readonly type: DnsRecordType
  readonly records: ReadonlyArray<DnsRecord>
  /** The names tried, in order, after search-path expansion. */
  readonly tried: ReadonlyArray<string>
  /** Why a query was not answered from the cluster (a name outside it, an unknown client). */
  readonly note?: string
}

/** Options for `resolveDns`. */
export interface ResolveDnsOptions {
  /** The record type (default A). */
  readonly type?: DnsRecordType
  /** The client pod, `name` (in `fromNamespace`) or `namespace/name`: its DNS policy and search path apply. */
  readonly fromPod?: string | ObjectRef
  /** The client's namespace when there is no pod (default `default`). */
  readonly fromNamespace?: string
}

/**
 * CoreDNS's `kubernetes` plugin answers with a 5 s TTL by default.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { DNS_TTL } from 'kubesim'
 * expect(DNS_TTL).toBe(5)
 * ```
 */
export const DNS_TTL = 5
/**
 * The DNS schema version the `dns-version` TXT record reports.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { DNS_SCHEMA_VERSION } from 'kubesim'
 * expect(DNS_SCHEMA_VERSION).toBe('1.0.1')
 * ```
 */
export const DNS_SCHEMA_VERSION = '1.0.1'
const NDOTS = 5

interface Lookup {
  readonly rcode: 'NOERROR' | 'NXDOMAIN'
  readonly records: ReadonlyArray<DnsRecord>
  readonly outside?: boolean
}

const NXDOMAIN: Lookup = { rcode: 'NXDOMAIN', records: [] }
const NODATA: Lookup = { rcode: 'NOERROR', records: [] }

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

interface Resolver {
  readonly search: ReadonlyArray<string>
  readonly ndots: number
  /** Whether queries reach the cluster DNS (dnsPolicy ClusterFirst); else they go to the node's resolver. */
  readonly cluster: boolean
}

type PodDns = {
  readonly spec?: {
    readonly dnsPolicy?: string
    readonly hostNetwork?: boolean
    readonly dnsConfig?: { readonly searches?: ReadonlyArray<string>; readonly options?: ReadonlyArray<{ readonly name?: string; readonly value?: string }> }
  }
}

/** A pod's resolv.conf, as the kubelet writes it for its dnsPolicy. */
const resolverFor = (state: ClusterState, pod: KubeObject | undefined, namespace: string): Resolver => {
  const zone = state.config.clusterDomain
  const clusterSearch = [`${namespace}.svc.${zone}`, `svc.${zone}`, zone]
  if (pod === undefined) return { search: clusterSearch, ndots: NDOTS, cluster: true }
  const spec = (pod as unknown as PodDns).spec ?? {}
  const policy = spec.dnsPolicy ?? 'ClusterFirst'
  const cluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && spec.hostNetwork !== true)
  const extra = spec.dnsConfig?.searches ?? []
  const ndotsOption = spec.dnsConfig?.options?.find((o) => o.name === 'ndots')?.value
  const ndots = ndotsOption !== undefined && /^[0-9]+$/.test(ndotsOption) ? Math.min(15, Number(ndotsOption)) : NDOTS
  return { search: [...(cluster ? clusterSearch : []), ...extra], ndots: cluster || ndotsOption !== undefined ? ndots : 1, cluster }
}

const fqdn = (name: string): string => (name.endsWith('.') ? name : `${name}.`)

const record = (name: string, type: DnsRecordType, data: string, extra: Partial<DnsRecord> = {}): DnsRecord => ({ name, type, ttl: DNS_TTL, data, ...extra })

const specOf = (service: KubeObject): Service['spec'] => (service as unknown as Service).spec ?? {}

const isHeadless = (service: KubeObject): boolean => {
  const spec = specOf(service)
  return spec.clusterIPs?.[0] === 'None' || spec.clusterIP === 'None'
}

/** Endpoints DNS publishes for a headless Service: ready ones (ready already folds in publishNotReadyAddresses). */
const publishedEndpoints = (state: ClusterState, namespace: string, name: string): ReadonlyArray<EndpointView> =>
  serviceEndpoints(state, namespace, name).filter((e) => e.ready)

const addressRecords = (name: string, type: DnsRecordType, ips: ReadonlyArray<string>): Lookup => {
  const wanted = ips.filter((ip) => (type === 'AAAA' ? isIPv6(ip) : isIPv4(ip)))
  return wanted.length === 0 ? NODATA : { rcode: 'NOERROR', records: wanted.map((ip) => record(name, type, ip)) }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** `<svc>.<ns>.svc.<zone>` */
const lookupService = (state: ClusterState, name: string, type: DnsRecordType, service: KubeObject, depth: number): Lookup => {
  const spec = specOf(service)
  if (spec.type === 'ExternalName') {
    const target = fqdn((spec.externalName ?? '').toLowerCase())
    const cname = record(name, 'CNAME', target, { target })
    if (type === 'CNAME') return { rcode: 'NOERROR', records: [cname] }
    // CoreDNS chases a CNAME that points back into the cluster; outside names are the
    // client's resolver's business.
    const zone = `.${state.config.clusterDomain.toLowerCase()}.`
    if (target.endsWith(zone) && depth < 8) {
      const chased = lookupFqdn(state, target, type, depth + 1)
      return { rcode: 'NOERROR', records: [cname, ...chased.records] }
    }
    return { rcode: 'NOERROR', records: [cname], outside: true }
  }
  if (type !== 'A' && type !== 'AAAA') return NODATA
  const namespace = service.metadata.namespace ?? ''
  if (isHeadless(service)) {
    const endpoints = publishedEndpoints(state, namespace, service.metadata.name)
    if (endpoints.length === 0) return NXDOMAIN
    return addressRecords(name, type, endpoints.map((e) => e.ip))
  }
  return addressRecords(name, type, (spec.clusterIPs ?? (spec.clusterIP === undefined ? [] : [spec.clusterIP])).filter((ip) => ip !== '' && ip !== 'None'))
}

/** `<hostname>.<svc>.<ns>.svc.<zone>`: one endpoint of a headless Service. */
const lookupEndpoint = (state: ClusterState, name: string, type: DnsRecordType, service: KubeObject, host: string): Lookup => {
  if (!isHeadless(service)) return NXDOMAIN
  const matching = publishedEndpoints(state, service.metadata.namespace ?? '', service.metadata.name).filter((e) => e.hostname === host)
  if (matching.length === 0) return NXDOMAIN
  if (type !== 'A' && type !== 'AAAA') return NODATA
  return addressRecords(name, type, matching.map((e) => e.ip))
}

/** `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: SRV records for a named port. */
const lookupSrv = (state: ClusterState, name: string, type: DnsRecordType, service: KubeObject, portLabel: string, protoLabel: string): Lookup => {
  const spec = specOf(service)
  if (spec.type === 'ExternalName') return NXDOMAIN
  const portName = portLabel.slice(1)
  const protocol = protoLabel.slice(1).toUpperCase()
  const port = (spec.ports ?? []).find((p) => (p.name ?? '') !== '' && (p.name ?? '').toLowerCase() === portName && (p.protocol ?? 'TCP') === protocol)
  if (port === undefined) return NXDOMAIN
  if (type !== 'SRV') return NODATA
  const namespace = service.metadata.namespace ?? ''
  const zone = state.config.clusterDomain
  const serviceName = `${service.metadata.name}.${namespace}.svc.${zone}.`
  if (!isHeadless(service)) return { rcode: 'NOERROR', records: [srv(name, 0, 100, port.port, serviceName)] }
  const targets: { readonly port: number; readonly target: string }[] = []
  for (const endpoint of publishedEndpoints(state, namespace, service.metadata.name)) {
    const endpointPort = endpoint.ports.find((p) => p.name === port.name && (p.protocol ?? 'TCP') === protocol)
    if (endpointPort?.port === undefined) continue
    const target = `${endpoint.hostname}.${serviceName}`
    // A dual-stack pod with a hostname is listed once per family: one record names it.
    if (!targets.some((t) => t.target === target && t.port === endpointPort.port)) targets.push({ port: endpointPort.port, target })
  }
  if (targets.length === 0) return NXDOMAIN
  // The spec leaves weights open; CoreDNS splits 100 evenly across the records.
  const weight = Math.floor(100 / targets.length)
  return { rcode: 'NOERROR', records: targets.map((t) => srv(name, 0, weight, t.port, t.target)) }
}

const srv = (name: string, priority: number, weight: number, port: number, target: string): DnsRecord =>
  record(name, 'SRV', `${priority} ${weight} ${port} ${target}`, { priority, weight, port, target })

/** The address an `in-addr.arpa` or `ip6.arpa` name reverses, or undefined for another name. */
const reversedIp = (labels: ReadonlyArray<string>): string | undefined => {
  if (labels[labels.length - 2] === 'in-addr') {
    if (labels.length !== 6) return undefined
    const ip = [labels[3], labels[2], labels[1], labels[0]].join('.')
    return isIPv4(ip) ? ip : undefined
  }
  // 32 nibbles, least significant first (RFC 3596).
  if (labels.length !== 34 || labels.slice(0, 32).some((n) => !/^[0-9a-f]$/.test(n))) return undefined
  let value = 0n
  for (let i = 31; i >= 0; i--) value = (value << 4n) | BigInt(parseInt(labels[i] ?? '0', 16))
  return formatIpv6(value)
}

/** `<d>.<c>.<b>.<a>.in-addr.arpa` or `<nibbles>.ip6.arpa`: the Service (or headless endpoint) behind an IP. */
const lookupPtr = (state: ClusterState, name: string, type: DnsRecordType, labels: ReadonlyArray<string>): Lookup => {
  const ip = reversedIp(labels)
  if (ip === undefined) return NXDOMAIN
  const zone = state.config.clusterDomain
  const targets: string[] = []
  const serviceKey = state.objects.serviceIps.get(ip)
  if (serviceKey !== undefined) {
    const [namespace, svc] = serviceKey.split('/')
    targets.push(`${svc}.${namespace}.svc.${zone}.`)
  }
  for (const key of servicesWithEndpointIp(state, ip)) {
    const [namespace = '', svc = ''] = key.split('/')
    const service = getObject(state.objects, { kind: 'Service', namespace, name: svc })
    if (service === undefined || !isHeadless(service)) continue
    for (const endpoint of publishedEndpoints(state, namespace, svc))
      if (endpoint.ip === ip) targets.push(`${endpoint.hostname}.${svc}.${namespace}.svc.${zone}.`)
  }
  if (targets.length === 0) return NXDOMAIN
  if (type !== 'PTR') return NODATA
  return { rcode: 'NOERROR', records: targets.map((t) => record(name, 'PTR', t, { target: t })) }
}

/** One fully qualified name, lower-cased, against the cluster's records. */
const lookupFqdn = (state: ClusterState, name: string, type: DnsRecordType, depth = 0): Lookup => {
  const bare = name.slice(0, -1)
  if (bare.endsWith('.in-addr.arpa') || bare.endsWith('.ip6.arpa')) return lookupPtr(state, name, type, bare.split('.'))
  const zone = state.config.clusterDomain.toLowerCase()
  if (bare === zone) return NODATA
  if (!bare.endsWith(`.${zone}`)) return { rcode: 'NXDOMAIN', records: [], outside: true }
  const labels = bare.slice(0, bare.length - zone.length - 1).split('.')
  const last = labels[labels.length - 1]
  if (labels.length === 1) {
    if (last === 'dns-version') return type === 'TXT' ? { rcode: 'NOERROR', records: [record(name, 'TXT', `"${DNS_SCHEMA_VERSION}"`)] } : NODATA
    return last === 'svc' || last === 'pod' ? NODATA : NXDOMAIN
  }
  if (last === 'pod') {
    if (labels.length !== 3) return labels.length === 2 ? NODATA : NXDOMAIN
    // `pods insecure` (kubeadm's CoreDNS default): the name itself carries the address, an
    // IPv4 one with dots as dashes, an IPv6 one with colons as dashes (`fd00-10-244--5`).
    const label = labels[0] ?? ''
    const dotted = label.replace(/-/g, '.')
    if (isIPv4(dotted)) return type === 'A' ? { rcode: 'NOERROR', records: [record(name, 'A', dotted)] } : NODATA
    const coloned = label.replace(/-/g, ':')
    if (!isIPv6(coloned)) return NXDOMAIN
    return type === 'AAAA' ? { rcode: 'NOERROR', records: [record(name, 'AAAA', coloned)] } : NODATA
  }
  if (last !== 'svc') return NXDOMAIN
  const namespace = labels[labels.length - 2] ?? ''
  if (labels.length === 2)
    // A namespace is an empty non-terminal when it has Services.
    return listObjects(state.objects, 'Service', { namespace }).length > 0 ? NODATA : NXDOMAIN
  const serviceName = labels[labels.length - 3] ?? ''
  const service = getObject(state.objects, { kind: 'Service', namespace, name: serviceName })
  if (service === undefined) return NXDOMAIN
  switch (labels.length) {
    case 3:
      return lookupService(state, name, type, service, depth)
    case 4:
      return lookupEndpoint(state, name, type, service, labels[0] ?? '')
    case 5: {
      const [port = '', proto = ''] = labels
      return port.startsWith('_') && proto.startsWith('_') ? lookupSrv(state, name, type, service, port, proto) : NXDOMAIN
    }
    default:
      return NXDOMAIN
  }
}

const clientPod = (state: ClusterState, from: string | ObjectRef, fallbackNamespace: string): KubeObject | undefined => {
  if (typeof from === 'string') {
    const slash = from.indexOf('/')
    const ref = slash < 0 ? { kind: 'Pod', namespace: fallbackNamespace, name: from } : { kind: 'Pod', namespace: from.slice(0, slash), name: from.slice(slash + 1) }
    return getObject(state.objects, ref)
  }
  return getObject(state.objects, { kind: 'Pod', namespace: from.namespace ?? fallbackNamespace, name: from.name })
}

/**
 * Answers a DNS query as the cluster DNS would for a client pod (or a namespace): A, AAAA,
 * SRV, CNAME, PTR and the `dns-version` TXT record, with the client's search path applied
 * (`web`, `web.default`, `web.default.svc` all find `web.default.svc.cluster.local`). A name
 * with fewer than 5 dots tries the search domains first, as glibc does with `ndots:5`; the
 * first answer with records wins, else an empty answer if any name existed, else NXDOMAIN.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, resolveDns } from 'kubesim'
 * const s = createCluster()
 * const answer = resolveDns(s, 'kubernetes', { type: 'A' })
 * expect(answer.rcode).toBe('NOERROR')
 * expect(answer.records.map((r) => [r.name, r.data])).toEqual([['kubernetes.default.svc.cluster.local.', '10.96.0.1']])
 * expect(resolveDns(s, 'nope.default.svc.cluster.local').rcode).toBe('NXDOMAIN')
 * expect(resolveDns(s, 'kubernetes.default', { type: 'AAAA' })).toMatchObject({ rcode: 'NOERROR', records: [] })
 * ```
 */
export const resolveDns = (state: ClusterState, name: string, options: ResolveDnsOptions = {}): DnsAnswer => {
  // Answers are a function of the objects and the query: memoised per store and config, as a
  // DNS cache would hold them (a new state starts a new cache).
  const cacheable = options.fromPod === undefined && typeof name === 'string'
  if (!cacheable) return resolveUncached(state, name, options)
  let byConfig = answerMemo.get(state.objects)
  if (byConfig === undefined) answerMemo.set(state.objects, (byConfig = new WeakMap()))
  let cache = byConfig.get(state.config)
  if (cache === undefined) byConfig.set(state.config, (cache = new Map()))
  const key = `${options.type ?? 'A'}\u0000${options.fromNamespace ?? 'default'}\u0000${name}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const answer = resolveUncached(state, name, options)
  cache.set(key, answer)
  return answer
}

const answerMemo = new WeakMap<object, WeakMap<object, Map<string, DnsAnswer>>>()

const resolveUncached = (state: ClusterState, name: string, options: ResolveDnsOptions): DnsAnswer => {
  const type = options.type ?? 'A'
  const namespace = options.fromNamespace ?? 'default'
  let pod: KubeObject | undefined
  if (options.fromPod !== undefined) {
    pod = clientPod(state, options.fromPod, namespace)
    if (pod === undefined) {
      const asked = typeof options.fromPod === 'string' ? options.fromPod : `${options.fromPod.namespace ?? namespace}/${options.fromPod.name}`
      return { rcode: 'SERVFAIL', name: fqdn(name), type, records: [], tried: [], note: `no such client pod ${asked}` }
    }
  }
  const resolver = resolverFor(state, pod, pod?.metadata.namespace ?? namespace)
  const query = String(name).toLowerCase()
  if (query === '' || query === '.') return { rcode: 'NXDOMAIN', name: '.', type, records: [], tried: [] }
  let candidates: string[]
  if (query.endsWith('.')) candidates = [query]
  else {
    const dots = query.split('.').length - 1
    const searched = resolver.search.map((domain) => `${query}.${domain.toLowerCase()}.`)
    candidates = dots >= resolver.ndots ? [`${query}.`, ...searched] : [...searched, `${query}.`]
  }
  let empty: string | undefined
  let outside = false
  const tried: string[] = []
  for (const candidate of candidates) {
    tried.push(candidate)
    const found = resolver.cluster ? lookupFqdn(state, candidate, type) : { rcode: 'NXDOMAIN' as const, records: [], outside: true }
    if (found.outside === true) outside = true
    if (found.records.length > 0)
      return {
        rcode: 'NOERROR',
        name: candidate,
        type,
        records: found.records,
        tried,
        ...(found.outside === true ? { note: 'the CNAME points outside the cluster; its target is resolved by upstream DNS' } : {}),
      }
    if (found.rcode === 'NOERROR' && empty === undefined) empty = candidate
  }
  if (empty !== undefined) return { rcode: 'NOERROR', name: empty, type, records: [], tried }
  return {
    rcode: 'NXDOMAIN',
    name: tried[tried.length - 1] ?? fqdn(query),
    type,
    records: [],
    tried,
    ...(outside ? { note: resolver.cluster ? 'names outside the cluster domain are forwarded to upstream DNS, which kubesim does not model' : 'the client does not use the cluster DNS (dnsPolicy)' } : {}),
  }
}
