/**
 * Where a connection goes: `route` follows a client's connection to `host:port` the way
 * kube-proxy and an ingress controller would, and returns the backends it could reach, or why
 * it reaches nothing. The host may be a Service DNS name (resolved with the client's search
 * path), a ClusterIP, a node IP with a NodePort, a LoadBalancer ingress or external IP, a pod
 * IP, or a host an Ingress rule serves. Traffic policies apply (internalTrafficPolicy Local
 * keeps a pod's traffic on its node; externalTrafficPolicy Local keeps NodePort traffic on the
 * node addressed), ready endpoints are preferred and serving-but-terminating ones are the
 * fallback, as kube-proxy does. `pickBackend` then chooses one backend with a seeded PRNG (or
 * by client IP under ClientIP session affinity) for traffic simulations.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { IngressBackend, HTTPIngressPath } from '../objects/ingress.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { Service, ServicePort } from '../objects/service.js'
import { type Rng, nextInt } from '../sim/rng.js'
import { getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { isIPv4 } from '../objects/endpointSlice.js'
import { canonicalIpv6 } from './ipv6.js'
import { resolveDns } from './dns.js'
import { type EndpointView, nodeByIp, podByIp, serviceByExternalIp, serviceEndpoints } from './serviceView.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** What a connection is made to. */
export interface RouteRequest {
  /** The client pod (`name` in the default namespace, or `namespace/name`); absent: a client outside any pod. */
  readonly from?: string | ObjectRef
  /** A DNS name, an IPv4 address or an IPv6 address (bare or in brackets, `[fd00:10:96::a]`). */
  readonly host: string
  readonly port: number
  /** TCP (default), UDP or SCTP. */
  readonly protocol?: string
  /** The HTTP path, for hosts served by an Ingress (default `/`). */
  readonly path?: string
  /** The IngressClass whose controller receives the request (default: the default class). */
  readonly ingressClassName?: string
}

/** One pod a connection can reach, and the port it arrives on. */
export interface Backend {
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string } | undefined
  readonly ip: string
  readonly port: number
  readonly nodeName: string | undefined
  readonly ready: boolean
  readonly serving: boolean
  readonly terminating: boolean
}

/** How the connection was routed, and where it can land. */
export interface Route {
  readonly via: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalIP' | 'Pod' | 'Headless' | 'Ingress'
  /** The Service that carried the connection, when one did. */
  readonly service?: { readonly namespace: string; readonly name: string }
  readonly servicePort?: { readonly name: string; readonly port: number; readonly protocol: string }
  /** Every backend the connection could land on (never empty). */
  readonly backends: ReadonlyArray<Backend>
  readonly sessionAffinity: 'None' | 'ClientIP'
  /** The address the host resolved to, when it was a name. */
  readonly address?: string
  /** The Ingress rule that matched, for `via: 'Ingress'`. */
  readonly ingress?: IngressMatch
}

/** Why a connection reaches nothing. */
export type RouteErrorReason =
  | 'NoSuchHost'
  | 'NoSuchService'
  | 'NoSuchPod'
  | 'NoReadyEndpoints'
  | 'PortNotExposed'
  | 'NoLocalEndpoints'
  | 'ExternalName'
  | 'NoIngressRule'

/** A connection that reaches nothing, and why. */
export interface RouteError {
  readonly reason: RouteErrorReason
  readonly message: string
}

/** The Ingress path rule a request matched. */
export interface IngressMatch {
  readonly ingress: { readonly namespace: string; readonly name: string }
  /** The rule's host (`''` for a rule without one, `*.example.com` for a wildcard). */
  readonly host: string
  /** The matching path and its type, absent when the default backend answered. */
  readonly path?: string
  readonly pathType?: string
  readonly backend: IngressBackend
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const fail = (reason: RouteErrorReason, message: string): E.Either<RouteError, never> => E.left({ reason, message })

const specOf = (service: KubeObject): Service['spec'] => (service as unknown as Service).spec ?? {}

const splitKey = (key: string): readonly [string, string] => {
  const slash = key.indexOf('/')
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)]
}

const podRef = (state: ClusterState, from: string | ObjectRef): KubeObject | undefined => {
  if (typeof from === 'string') {
    const [namespace, name] = from.includes('/') ? splitKey(from) : ['default', from]
    return getObject(state.objects, { kind: 'Pod', namespace, name })
  }
  return getObject(state.objects, { kind: 'Pod', namespace: from.namespace ?? 'default', name: from.name })
}

const nodeOf = (pod: KubeObject | undefined): string | undefined => {
  const node = (pod?.['spec'] as { readonly nodeName?: string } | undefined)?.nodeName
  return node === undefined || node === '' ? undefined : node
}

const portText = (p: ServicePort): string => `${p.port}/${p.protocol ?? 'TCP'}`

type Family = 'IPv4' | 'IPv6'

/**
 * The family whose endpoints carry a connection to a dual-stack Service: the family of the
 * address connected to, else (an Ingress controller, which has no address) the primary one.
 * Undefined for a single-stack Service, whose endpoints are all of its family.
 */
const connectionFamily = (service: KubeObject, address: string | undefined): Family | undefined => {
  const families = specOf(service).ipFamilies
  if (families === undefined || families.length < 2) return undefined
  if (address === undefined) return families[0] === 'IPv6' ? 'IPv6' : 'IPv4'
  return address.includes(':') ? 'IPv6' : 'IPv4'
}

/** A literal IP host, canonical (IPv6 may come in brackets), or undefined for a name. */
const literalIp = (host: string): string | undefined => {
  if (isIPv4(host)) return host
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return bare.includes(':') ? canonicalIpv6(bare) : undefined
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * The endpoints kube-proxy sends a Service port's traffic to: ready ones, else serving ones that
 * are terminating; limited to one node when a Local policy applies.
 */
const backendMemo = new WeakMap<object, WeakMap<ServicePort, Map<string, E.Either<RouteError, ReadonlyArray<Backend>>>>>()

/**
 * Backends are a function of the slices: memoised per EndpointSlice map, then per stored Service
 * port object (frozen, and only ever shared between versions of the same Service), so a warm
 * route is two weak-map lookups and builds no key string in the common case.
 */
const serviceBackends = (
  state: ClusterState,
  service: KubeObject,
  port: ServicePort,
  onlyNode: string | undefined,
  family: Family | undefined,
): E.Either<RouteError, ReadonlyArray<Backend>> => {
  const slices = state.objects.kinds.get('EndpointSlice')
  if (slices === undefined || !Object.isFrozen(port)) return computeBackends(state, service, port, onlyNode, family)
  let perPort = backendMemo.get(slices)
  if (perPort === undefined) backendMemo.set(slices, (perPort = new WeakMap()))
  let cache = perPort.get(port)
  if (cache === undefined) perPort.set(port, (cache = new Map()))
  const key = onlyNode === undefined && family === undefined ? '' : `${onlyNode ?? ''}\u0000${family ?? ''}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const computed = computeBackends(state, service, port, onlyNode, family)
  cache.set(key, computed)
  return computed
}

const computeBackends = (
  state: ClusterState,
  service: KubeObject,
  port: ServicePort,
  onlyNode: string | undefined,
  family: Family | undefined,
): E.Either<RouteError, ReadonlyArray<Backend>> => {
  const namespace = service.metadata.namespace ?? ''
  const name = service.metadata.name
  const protocol = port.protocol ?? 'TCP'
  const toBackend = (e: EndpointView): Backend | undefined => {
    const p = e.ports.find((x) => (x.name ?? '') === (port.name ?? '') && (x.protocol ?? 'TCP') === protocol)
    return p?.port === undefined ? undefined : { pod: e.pod, ip: e.ip, port: p.port, nodeName: e.nodeName, ready: e.ready, serving: e.serving, terminating: e.terminating }
  }
  const listed = serviceEndpoints(state, namespace, name)
  // A dual-stack Service's slices list each pod once per family; kube-proxy sends a
  // connection to the endpoints of the family it was made in.
  const all = family === undefined ? listed : listed.filter((e) => e.ip.includes(':') === (family === 'IPv6'))
  const local = onlyNode === undefined ? all : all.filter((e) => e.nodeName === onlyNode)
  const usable = (list: ReadonlyArray<EndpointView>): Backend[] => {
    const ready = list.filter((e) => e.ready).map(toBackend).filter((b): b is Backend => b !== undefined)
    if (ready.length > 0) return ready
    return list.filter((e) => e.serving && e.terminating).map(toBackend).filter((b): b is Backend => b !== undefined)
  }
  const backends = usable(local)
  if (backends.length > 0) return E.right(backends)
  if (onlyNode !== undefined && usable(all).length > 0)
    return fail('NoLocalEndpoints', `service ${namespace}/${name} has no ready endpoint on node ${onlyNode} and its traffic policy is Local`)
  return fail('NoReadyEndpoints', `service ${namespace}/${name} has no ready endpoints for port ${portText(port)}`)
}

const serviceRoute = (
  state: ClusterState,
  service: KubeObject,
  via: Route['via'],
  match: (p: ServicePort) => boolean,
  asked: string,
  onlyNode: string | undefined,
  address: string | undefined,
  connectedTo: string | undefined,
): E.Either<RouteError, Route> => {
  const spec = specOf(service)
  const namespace = service.metadata.namespace ?? ''
  const name = service.metadata.name
  const port = (spec.ports ?? []).find(match)
  if (port === undefined)
    return fail('PortNotExposed', `service ${namespace}/${name} does not expose ${asked} (ports: ${(spec.ports ?? []).map(portText).join(', ') || 'none'})`)
  const backends = serviceBackends(state, service, port, onlyNode, connectionFamily(service, connectedTo))
  if (E.isLeft(backends)) return backends
  return E.right({
    via,
    service: { namespace, name },
    servicePort: { name: port.name ?? '', port: port.port, protocol: port.protocol ?? 'TCP' },
    backends: backends.right,
    sessionAffinity: spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None',
    ...(address === undefined ? {} : { address }),
  })
}

const podRoute = (state: ClusterState, key: string, port: number, address: string | undefined): E.Either<RouteError, Route> => {
  const [namespace, name] = splitKey(key)
  const pod = getObject(state.objects, { kind: 'Pod', namespace, name })
  if (pod === undefined) return fail('NoSuchPod', `no pod ${key}`)
  const status = pod['status'] as { readonly podIP?: string; readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string }> } | undefined
  const ready = (status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  const terminating = pod.metadata.deletionTimestamp !== undefined
  return E.right({
    via: 'Pod',
    backends: [{ pod: { namespace, name, uid: pod.metadata.uid ?? '' }, ip: status?.podIP ?? '', port, nodeName: nodeOf(pod), ready: ready && !terminating, serving: ready, terminating }],
    sessionAffinity: 'None',
    ...(address === undefined ? {} : { address }),
  })
}

/** A connection to an IP address (canonical text). */
const routeIp = (state: ClusterState, ip: string, port: number, protocol: string, clientNode: string | undefined, address: string | undefined): E.Either<RouteError, Route> => {
  const matchPort = (p: ServicePort) => p.port === port && (p.protocol ?? 'TCP') === protocol
  const asked = `${port}/${protocol}`
  const clusterIpOwner = state.objects.serviceIps.get(ip)
  if (clusterIpOwner !== undefined) {
    const [namespace, name] = splitKey(clusterIpOwner)
    const service = getObject(state.objects, { kind: 'Service', namespace, name })
    if (service === undefined) return fail('NoSuchService', `no Service holds ${ip}`)
    const local = specOf(service).internalTrafficPolicy === 'Local' ? clientNode : undefined
    return serviceRoute(state, service, 'ClusterIP', matchPort, asked, local, address, ip)
  }
  const external = serviceByExternalIp(state, ip)
  if (external !== undefined) {
    const [namespace, name] = splitKey(external)
    const service = getObject(state.objects, { kind: 'Service', namespace, name })
    if (service !== undefined) {
      const isLb = (service as unknown as Service).status?.loadBalancer?.ingress?.some((i) => i.ip === ip) === true
      // A load balancer only sends Local traffic to nodes with a ready endpoint, so every
      // ready endpoint stays reachable.
      return serviceRoute(state, service, isLb ? 'LoadBalancer' : 'ExternalIP', matchPort, asked, undefined, address, ip)
    }
  }
  const node = nodeByIp(state, ip)
  if (node !== undefined) {
    const owner = state.objects.nodePorts.get(port)
    const service = owner === undefined ? undefined : getObject(state.objects, { kind: 'Service', namespace: splitKey(owner)[0], name: splitKey(owner)[1] })
    if (service === undefined) return fail('PortNotExposed', `nothing listens on node ${node} port ${asked}`)
    const spec = specOf(service)
    const local = spec.externalTrafficPolicy === 'Local' ? node : undefined
    return serviceRoute(state, service, 'NodePort', (p) => p.nodePort === port && (p.protocol ?? 'TCP') === protocol, asked, local, address, ip)
  }
  const pod = podByIp(state, ip)
  if (pod !== undefined) return podRoute(state, pod, port, address)
  return fail('NoSuchHost', `no route to host ${ip}: it is not a Service, node, load balancer or pod address`)
}

/** Whether a path matches a rule: Exact compares whole paths; Prefix compares `/`-separated elements. */
const pathMatches = (rule: HTTPIngressPath, path: string): boolean => {
  const rulePath = rule.path ?? '/'
  if (rule.pathType === 'Exact') return path === rulePath
  const elements = rulePath.split('/').filter((e) => e !== '')
  const asked = path.split('/').filter((e) => e !== '')
  return elements.length <= asked.length && elements.every((e, i) => e === asked[i])
}

const hostMatches = (ruleHost: string, host: string): 'exact' | 'wildcard' | 'any' | undefined => {
  if (ruleHost === '') return 'any'
  if (ruleHost === host) return 'exact'
  if (ruleHost.startsWith('*.')) {
    const dot = host.indexOf('.')
    // A wildcard covers exactly one DNS label.
    if (dot > 0 && host.slice(dot + 1) === ruleHost.slice(2)) return 'wildcard'
  }
  return undefined
}

const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class'

/**
 * The Ingress path rule an HTTP request for `host` + `path` matches, among the Ingresses the
 * given IngressClass serves (default: the class annotated as default; with no IngressClass
 * objects at all, every Ingress). The most specific host wins (exact, then a `*.` wildcard,
 * then rules without a host); within it the longest matching path, Exact before Prefix on a
 * tie, ImplementationSpecific treated as Prefix, older Ingresses first. With no match, the
 * oldest served Ingress's default backend answers.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, matchIngress } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = applyManifests(createCluster(), [{
 *   apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop' },
 *   spec: { rules: [{ host: 'shop.example.com', http: { paths: [
 *     { path: '/', pathType: 'Prefix', backend: { service: { name: 'front', port: { number: 80 } } } },
 *     { path: '/cart', pathType: 'Prefix', backend: { service: { name: 'cart', port: { number: 8080 } } } },
 *   ] } }] },
 * }])
 * const match = E.isRight(s) ? matchIngress(s.right, { host: 'shop.example.com', path: '/cart/items' }) : undefined
 * expect(match && E.isRight(match) && match.right.backend.service?.name).toBe('cart')
 * ```
 */
export const matchIngress = (
  state: ClusterState,
  request: { readonly host: string; readonly path?: string; readonly ingressClassName?: string },
): E.Either<RouteError, IngressMatch> => {
  const host = request.host.toLowerCase().replace(/\.$/, '').replace(/:[0-9]+$/, '')
  const path = request.path === undefined || request.path === '' ? '/' : request.path.split('?')[0] ?? '/'
  const classes = listObjects(state.objects, 'IngressClass')
  const defaultClass = classes.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')?.metadata.name
  const wanted = request.ingressClassName ?? defaultClass ?? (classes.length === 1 ? classes[0]?.metadata.name : undefined)
  const servedBy = (ingress: KubeObject): boolean => {
    if (classes.length === 0 && request.ingressClassName === undefined) return true
    const spec = ingress['spec'] as { readonly ingressClassName?: string } | undefined
    const own = spec?.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class']
    return own === undefined ? wanted !== undefined && wanted === defaultClass : own === wanted
  }
  const age = (o: KubeObject): string => `${o.metadata.creationTimestamp ?? ''}\u0000${o.metadata.namespace ?? ''}/${o.metadata.name}`
  const ingresses = listObjects(state.objects, 'Ingress').filter(servedBy).sort((a, b) => (age(a) < age(b) ? -1 : age(a) > age(b) ? 1 : 0))
  type Candidate = { readonly ingress: KubeObject; readonly host: string; readonly rule: HTTPIngressPath }
  const groups: Record<'exact' | 'wildcard' | 'any', Candidate[]> = { exact: [], wildcard: [], any: [] }
  for (const ingress of ingresses) {
    const rules = (ingress['spec'] as { readonly rules?: ReadonlyArray<{ readonly host?: string; readonly http?: { readonly paths: ReadonlyArray<HTTPIngressPath> } }> } | undefined)?.rules ?? []
    for (const rule of rules) {
      const kind = hostMatches((rule.host ?? '').toLowerCase(), host)
      if (kind === undefined) continue
      for (const p of rule.http?.paths ?? []) groups[kind].push({ ingress, host: rule.host ?? '', rule: p })
    }
  }
  const group = groups.exact.length > 0 ? groups.exact : groups.wildcard.length > 0 ? groups.wildcard : groups.any
  let best: Candidate | undefined
  const length = (c: Candidate): number => (c.rule.path ?? '/').replace(/\/+$/, '').length
  for (const candidate of group) {
    if (!pathMatches(candidate.rule, path)) continue
    if (
      best === undefined ||
      length(candidate) > length(best) ||
      (length(candidate) === length(best) && candidate.rule.pathType === 'Exact' && best.rule.pathType !== 'Exact')
    )
      best = candidate
  }
  const ref = (o: KubeObject) => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name })
  if (best !== undefined)
    return E.right({ ingress: ref(best.ingress), host: best.host, path: best.rule.path ?? '/', pathType: best.rule.pathType ?? 'ImplementationSpecific', backend: best.rule.backend })
  for (const ingress of ingresses) {
    const fallback = (ingress['spec'] as { readonly defaultBackend?: IngressBackend } | undefined)?.defaultBackend
    if (fallback !== undefined) return E.right({ ingress: ref(ingress), host: '', backend: fallback })
  }
  return fail('NoIngressRule', `no Ingress rule matches host ${host} path ${path}, and no Ingress has a default backend`)
}

/** The connection an Ingress controller makes to the backend Service of a matched rule. */
const ingressRoute = (state: ClusterState, match: IngressMatch): E.Either<RouteError, Route> => {
  const backend = match.backend.service
  if (backend?.name === undefined)
    return fail('NoIngressRule', `Ingress ${match.ingress.namespace}/${match.ingress.name} sends this request to a resource backend, not a Service`)
  const service = getObject(state.objects, { kind: 'Service', namespace: match.ingress.namespace, name: backend.name })
  if (service === undefined) return fail('NoSuchService', `Ingress ${match.ingress.namespace}/${match.ingress.name} points at Service ${match.ingress.namespace}/${backend.name}, which does not exist`)
  const byName = backend.port?.name
  const byNumber = backend.port?.number
  const asked = byName ?? String(byNumber ?? '')
  const routed = serviceRoute(state, service, 'Ingress', (p) => (byName !== undefined ? p.name === byName : p.port === byNumber) && (p.protocol ?? 'TCP') === 'TCP', asked, undefined, undefined, undefined)
  return E.map((r: Route): Route => ({ ...r, via: 'Ingress', ingress: match }))(routed)
}

/**
 * Follows a connection from a client (a pod, or outside when `from` is absent) to
 * `host:port` and returns every backend it could reach, or the reason it reaches none: no such
 * host or Service, the port not exposed, no ready endpoints, a Local traffic policy without a
 * local endpoint, or an ExternalName pointing outside the cluster.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, route } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = createCluster()
 * const r = route(s, { host: 'kubernetes.default.svc.cluster.local', port: 80 })
 * expect(E.isLeft(r) && r.left.reason).toBe('PortNotExposed')
 * const missing = route(s, { host: 'web', port: 80 })
 * expect(E.isLeft(missing) && missing.left.reason).toBe('NoSuchService')
 * ```
 */
export const route = (state: ClusterState, request: RouteRequest): E.Either<RouteError, Route> => {
  const protocol = (request.protocol ?? 'TCP').toUpperCase()
  const asked = String(request.host ?? '').trim()
  const ip = literalIp(asked)
  const host = ip ?? asked
  const port = request.port
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail('PortNotExposed', `port ${String(port)} is not a valid port`)
  let client: KubeObject | undefined
  if (request.from !== undefined) {
    client = podRef(state, request.from)
    if (client === undefined) return fail('NoSuchPod', `no client pod ${typeof request.from === 'string' ? request.from : `${request.from.namespace ?? 'default'}/${request.from.name}`}`)
  }
  const clientNode = nodeOf(client)
  if (ip !== undefined) return routeIp(state, ip, port, protocol, clientNode, undefined)
  const lookup = (type: 'A' | 'AAAA') =>
    resolveDns(state, host, {
      type,
      ...(client === undefined ? {} : { fromPod: { kind: 'Pod', namespace: client.metadata.namespace ?? 'default', name: client.metadata.name } }),
    })
  // IPv4 first; a name with IPv6 addresses only (an IPv6 Service) is reached over IPv6.
  const v4 = lookup('A')
  const v6 = v4.records.some((r) => r.type === 'A') ? undefined : lookup('AAAA')
  const answer = v6 !== undefined && v6.records.some((r) => r.type === 'AAAA') ? v6 : v4
  const cnames = answer.records.filter((r) => r.type === 'CNAME')
  const addresses = answer.records.filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => r.data)
  if (addresses.length === 0 && cnames.length > 0)
    return fail('ExternalName', `${host} is an ExternalName: CNAME ${cnames[cnames.length - 1]?.data ?? ''}, outside the cluster`)
  if (addresses.length === 0) {
    if (port === 80 || port === 443) {
      const match = matchIngress(state, { host, path: request.path ?? '/', ...(request.ingressClassName === undefined ? {} : { ingressClassName: request.ingressClassName }) })
      if (E.isRight(match)) return ingressRoute(state, match.right)
    }
    // A headless Service without ready endpoints has no records; say so rather than "no such Service".
    const serviceName = answer.tried.map((name) => /^([^.]+)\.([^.]+)\.svc\./.exec(name)).find((m) => m !== null && getObject(state.objects, { kind: 'Service', namespace: m[2] ?? '', name: m[1] ?? '' }) !== undefined)
    if (serviceName !== undefined && serviceName !== null)
      return fail('NoReadyEndpoints', `service ${serviceName[2] ?? ''}/${serviceName[1] ?? ''} is headless and has no ready endpoints`)
    const clusterish = answer.tried.some((t) => t.endsWith(`.svc.${state.config.clusterDomain}.`)) && !host.includes('.')
    return fail(clusterish || host.includes('.svc.') ? 'NoSuchService' : 'NoSuchHost', `${host}: ${answer.rcode === 'NXDOMAIN' ? 'no such host (NXDOMAIN)' : `no A or AAAA record (${answer.rcode})`}${clusterish ? ', and no Service of that name exists' : ''}`)
  }
  // A headless name resolves to pod IPs directly: the client connects to a pod, no proxying.
  const [namespace, name] = (() => {
    const m = /^([^.]+)\.([^.]+)\.svc\./.exec(answer.name)
    return m === null ? ['', ''] : [m[2] ?? '', m[1] ?? '']
  })()
  const service = namespace === '' ? undefined : getObject(state.objects, { kind: 'Service', namespace, name })
  const headless = service !== undefined && (specOf(service).clusterIP === 'None' || specOf(service).clusterIPs?.[0] === 'None')
  if (headless || service === undefined) {
    const backends: Backend[] = []
    for (const address of addresses) {
      const routed = routeIp(state, address, port, protocol, clientNode, address)
      if (E.isRight(routed)) backends.push(...routed.right.backends)
    }
    if (backends.length === 0) return routeIp(state, addresses[0] ?? '', port, protocol, clientNode, addresses[0])
    return E.right({ via: headless ? 'Headless' : 'Pod', ...(service === undefined ? {} : { service: { namespace, name } }), backends, sessionAffinity: 'None', address: addresses[0] ?? '' })
  }
  return routeIp(state, addresses[0] ?? '', port, protocol, clientNode, addresses[0])
}

const hashString = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/**
 * Picks the backend one connection lands on: uniformly with the seeded PRNG, as kube-proxy's
 * random choice, or, under ClientIP session affinity with a `clientIp`, the same backend for
 * the same client as long as the backends stay the same (kube-proxy remembers the first pick
 * for the affinity timeout; kubesim makes it a pure function of the client). Returns the
 * backend and the advanced PRNG.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { pickBackend, seedRng } from 'kubesim'
 * const b = (ip: string) => ({ pod: undefined, ip, port: 80, nodeName: undefined, ready: true, serving: true, terminating: false })
 * const r = { via: 'ClusterIP' as const, backends: [b('10.244.0.2'), b('10.244.0.3')], sessionAffinity: 'ClientIP' as const }
 * const [first] = pickBackend(r, seedRng(1), '10.244.9.9')
 * const [again] = pickBackend(r, seedRng(2), '10.244.9.9')
 * expect(first.ip).toBe(again.ip)
 * ```
 */
export const pickBackend = (routeResult: Route, rng: Rng, clientIp?: string): readonly [Backend, Rng] => {
  const backends = routeResult.backends
  if (routeResult.sessionAffinity === 'ClientIP' && clientIp !== undefined && backends.length > 0) {
    const sorted = [...backends].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port))
    const chosen = sorted[hashString(clientIp) % sorted.length] as Backend
    return [chosen, rng]
  }
  const [index, next] = nextInt(rng, backends.length)
  return [backends[index] as Backend, next]
}
