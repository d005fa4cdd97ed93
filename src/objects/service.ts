/**
 * Service (core/v1): a stable name and virtual IP in front of the pods its selector matches, of
 * type ClusterIP, NodePort, LoadBalancer or ExternalName (a DNS alias). This module types the
 * fields kubesim reads, applies the API server's defaults and validates the shape with its
 * messages. Allocating cluster IPs and node ports is admission's job, done later in the store.
 *
 * @module
 */
import * as t from 'io-ts'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, duplicate, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation/names.js'
import { isIPv6, validateIp, validateNonSpecialIp } from './endpointSlice.js'
import { IntOrString } from './intOrString.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, StringMap } from './meta.js'
import type { KubeObject } from './object.js'
import { isValidPortName } from './pod.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One port a Service exposes. `targetPort` is a container port number or name. */
export const ServicePort = t.intersection([
  t.type({ port: t.number }),
  t.partial({
    name: t.string,
    protocol: t.string,
    targetPort: IntOrString,
    nodePort: t.number,
    appProtocol: t.string,
  }),
])
/** One port a Service exposes. `targetPort` is a container port number or name. */
export type ServicePort = t.TypeOf<typeof ServicePort>

/** Session affinity settings (ClientIP timeout). */
export const SessionAffinityConfig = t.partial({ clientIP: t.partial({ timeoutSeconds: t.number }) })
/** Session affinity settings (ClientIP timeout). */
export type SessionAffinityConfig = t.TypeOf<typeof SessionAffinityConfig>

/** The Service spec fields kubesim reads. */
export const ServiceSpec = t.partial({
  type: t.string,
  selector: StringMap,
  ports: t.array(ServicePort),
  clusterIP: t.string,
  clusterIPs: t.array(t.string),
  ipFamilies: t.array(t.string),
  ipFamilyPolicy: t.string,
  externalName: t.string,
  externalTrafficPolicy: t.string,
  internalTrafficPolicy: t.string,
  healthCheckNodePort: t.number,
  sessionAffinity: t.string,
  sessionAffinityConfig: SessionAffinityConfig,
  publishNotReadyAddresses: t.boolean,
  allocateLoadBalancerNodePorts: t.boolean,
  loadBalancerClass: t.string,
  externalIPs: t.array(t.string),
})
/** The Service spec fields kubesim reads. */
export type ServiceSpec = t.TypeOf<typeof ServiceSpec>

/** One load-balancer ingress point, written by the LoadBalancer provider. */
export const LoadBalancerIngress = t.partial({
  ip: t.string,
  hostname: t.string,
  ipMode: t.string,
  ports: t.array(t.intersection([t.type({ port: t.number, protocol: t.string }), t.partial({ error: t.string })])),
})
/** One load-balancer ingress point, written by the LoadBalancer provider. */
export type LoadBalancerIngress = t.TypeOf<typeof LoadBalancerIngress>

/** Service status: the load balancer's ingress points. */
export const ServiceStatus = t.partial({ loadBalancer: t.partial({ ingress: t.array(LoadBalancerIngress) }) })
/** Service status: the load balancer's ingress points. */
export type ServiceStatus = t.TypeOf<typeof ServiceStatus>

/** A Service. */
export const Service = t.intersection([
  t.type({ apiVersion: t.literal('v1'), kind: t.literal('Service'), metadata: ObjectMeta, spec: ServiceSpec }),
  t.partial({ status: ServiceStatus }),
])
/** A Service. */
export type Service = t.TypeOf<typeof Service>

const SERVICE_TYPES: ReadonlyArray<string> = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']
const PROTOCOLS: ReadonlyArray<string> = ['SCTP', 'TCP', 'UDP']
const SESSION_AFFINITIES: ReadonlyArray<string> = ['ClientIP', 'None']
const TRAFFIC_POLICIES: ReadonlyArray<string> = ['Cluster', 'Local']
const IP_FAMILIES: ReadonlyArray<string> = ['IPv4', 'IPv6']
const IP_FAMILY_POLICIES: ReadonlyArray<string> = ['PreferDualStack', 'RequireDualStack', 'SingleStack']
/** ClientIP session affinity's default timeout: 3 hours. */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800
const MAX_CLIENT_IP_TIMEOUT_SECONDS = 86400
const PORT_RANGE = 'must be between 1 and 65535, inclusive'

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

/**
 * Whether a Service is headless (`clusterIP: None`): DNS answers with pod IPs, no virtual IP.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { isHeadlessService } from 'kubesim'
 * expect(isHeadlessService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None' } })).toBe(true)
 * expect(isHeadlessService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: {} })).toBe(false)
 * ```
 */
export const isHeadlessService = (service: Service): boolean => {
  const ips = service.spec.clusterIPs
  return ips !== undefined && ips.length > 0 ? ips.length === 1 && ips[0] === 'None' : service.spec.clusterIP === 'None'
}

/** Reachable from outside the cluster (NodePort, LoadBalancer, or ClusterIP with externalIPs). */
const externallyAccessible = (spec: ServiceSpec): boolean =>
  spec.type === 'LoadBalancer' ||
  spec.type === 'NodePort' ||
  (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0)

const needsHealthCheck = (spec: ServiceSpec): boolean =>
  spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local'

const isValidPortNum = (port: number): boolean => Number.isInteger(port) && port >= 1 && port <= 65535

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Fills in the API server's defaults: type ClusterIP, sessionAffinity None (ClientIP gets a
 * 10800 s timeout), each port's protocol TCP and targetPort = port, externalTrafficPolicy
 * Cluster when externally accessible, internalTrafficPolicy Cluster (not for ExternalName),
 * allocateLoadBalancerNodePorts true for LoadBalancer, ipFamilyPolicy (SingleStack, or
 * RequireDualStack for selector-less headless services and two families), and `clusterIP` /
 * `clusterIPs` kept in step. Returns the same reference when nothing changes.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultService } from 'kubesim'
 * const svc = defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } })
 * expect(svc.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack' })
 * expect(svc.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 80 }])
 * expect(defaultService(svc)).toBe(svc)
 * ```
 */
export const defaultService = (service: Service): Service =>
  produce(service, (draft) => {
    const spec = draft.spec
    if (spec.type === undefined || spec.type === '') spec.type = 'ClusterIP'
    if (spec.sessionAffinity === undefined || spec.sessionAffinity === '') spec.sessionAffinity = 'None'
    if (spec.sessionAffinity === 'ClientIP') {
      const config = (spec.sessionAffinityConfig ??= {})
      const clientIP = (config.clientIP ??= {})
      if (clientIP.timeoutSeconds === undefined) clientIP.timeoutSeconds = DEFAULT_CLIENT_IP_TIMEOUT_SECONDS
    }
    for (const port of spec.ports ?? []) {
      if (port.protocol === undefined || port.protocol === '') port.protocol = 'TCP'
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port
    }
    if (externallyAccessible(spec) && (spec.externalTrafficPolicy === undefined || spec.externalTrafficPolicy === ''))
      spec.externalTrafficPolicy = 'Cluster'
    if (spec.type !== 'ExternalName' && (spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === ''))
      spec.internalTrafficPolicy = 'Cluster'
    if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined)
      spec.allocateLoadBalancerNodePorts = true
    // The registry keeps clusterIP and clusterIPs[0] in step (NormalizeClusterIPs).
    if (spec.clusterIP !== undefined && spec.clusterIP !== '' && (spec.clusterIPs ?? []).length === 0)
      spec.clusterIPs = [spec.clusterIP]
    else if ((spec.clusterIP === undefined || spec.clusterIP === '') && (spec.clusterIPs ?? []).length > 0)
      spec.clusterIP = spec.clusterIPs?.[0] ?? ''
    if (spec.type !== 'ExternalName' && spec.ipFamilyPolicy === undefined) {
      const headless = spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === 'None'
      const selectorless = Object.keys(spec.selector ?? {}).length === 0
      // Two IPs or two families ask for dual-stack (SetDefaults_Service).
      spec.ipFamilyPolicy =
        (spec.ipFamilies ?? []).length === 2 || (spec.clusterIPs ?? []).length === 2 || (headless && selectorless) ? 'RequireDualStack' : 'SingleStack'
    }
  })

const validateServicePort = (
  port: ServicePort,
  at: string,
  requireName: boolean,
  names: Set<string>,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const name = port.name ?? ''
  if (requireName && name === '') errors.push(required(`${at}.name`))
  else if (name !== '') {
    for (const msg of isDns1123Label(name)) errors.push(invalid(`${at}.name`, name, msg))
    if (names.has(name)) errors.push(duplicate(`${at}.name`, name))
    else names.add(name)
  }
  if (!isValidPortNum(port.port)) errors.push(invalid(`${at}.port`, port.port, PORT_RANGE))
  if (port.protocol === undefined || port.protocol === '') errors.push(required(`${at}.protocol`))
  else if (!PROTOCOLS.includes(port.protocol)) errors.push(unsupported(`${at}.protocol`, port.protocol, PROTOCOLS))
  const target = port.targetPort ?? 0
  if (typeof target === 'number') {
    if (!isValidPortNum(target)) errors.push(invalid(`${at}.targetPort`, target, PORT_RANGE))
  } else {
    for (const msg of isValidPortName(target)) errors.push(invalid(`${at}.targetPort`, target, msg))
  }
  if (port.appProtocol !== undefined)
    for (const msg of isQualifiedName(port.appProtocol)) errors.push(invalid(`${at}.appProtocol`, port.appProtocol, msg))
  return errors
}

const validateClusterIPs = (spec: ServiceSpec): ReadonlyArray<FieldError> => {
  if (spec.type === 'ExternalName') return []
  const errors: FieldError[] = []
  const ips = spec.clusterIPs ?? []
  const clusterIP = spec.clusterIP ?? ''
  if (clusterIP !== '') {
    if (ips.length === 0) errors.push(required('spec.clusterIPs'))
    else if (ips[0] !== clusterIP) errors.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'))
  } else if (ips.length > 0) errors.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'))
  const seen = new Set<string>()
  ;(spec.ipFamilies ?? []).forEach((family, i) => {
    if (!IP_FAMILIES.includes(family)) errors.push(unsupported(`spec.ipFamilies[${i}]`, family, IP_FAMILIES))
    if (seen.has(family)) errors.push(duplicate(`spec.ipFamilies[${i}]`, family))
    seen.add(family)
  })
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy))
    errors.push(unsupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES))
  let badIps = false
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIps = true
        errors.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"))
      }
      return
    }
    const ipErrors = validateIp(ip, `spec.clusterIPs[${i}]`)
    if (ipErrors.length > 0) badIps = true
    errors.push(...ipErrors)
  })
  if (ips.length > 2) errors.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'))
  if (badIps) return errors
  if (ips.length > 1) {
    const v6 = ips.filter(isIPv6).length
    if (v6 === 0 || v6 === ips.length)
      errors.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'))
  }
  const families = spec.ipFamilies ?? []
  const headless = ips.length === 1 && ips[0] === 'None'
  if (!headless)
    ips.forEach((ip, i) => {
      const family = families[i]
      if (family === 'IPv4' && isIPv6(ip))
        errors.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``))
      if (family === 'IPv6' && !isIPv6(ip))
        errors.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``))
    })
  return errors
}

/**
 * Validates a defaulted Service as the API server does (apart from IP and node-port allocation):
 * ports (range, names, protocol, targetPort), type rules (headless NodePort/LoadBalancer,
 * ExternalName), selector labels, session affinity, cluster IPs, traffic policies and
 * load-balancer-only fields. Every independent problem is reported.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultService, validateService, formatFieldError } from 'kubesim'
 * const svc = defaultService({
 *   apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
 *   spec: { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] },
 * })
 * expect(validateService(svc).map(formatFieldError)).toEqual([
 *   `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`,
 * ])
 * ```
 */
export const validateService = (service: Service): ReadonlyArray<FieldError> => {
  const spec = service.spec
  const errors: FieldError[] = []
  const ports = spec.ports ?? []
  const headless = isHeadlessService(service)
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errors.push(required('spec.ports'))
  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless)
        errors.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`))
      break
    case 'ExternalName': {
      if ((spec.clusterIPs ?? []).length > 0 || (spec.clusterIP ?? '') !== '')
        errors.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'))
      if ((spec.ipFamilies ?? []).length > 0) errors.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'))
      if (spec.ipFamilyPolicy !== undefined)
        errors.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'))
      const externalName = spec.externalName ?? ''
      // The CNAME may end in a dot, marking it fully qualified.
      const cname = externalName.endsWith('.') ? externalName.slice(0, -1) : externalName
      if (cname === '') errors.push(required('spec.externalName'))
      else for (const msg of isDns1123Subdomain(cname)) errors.push(invalid('spec.externalName', cname, msg))
      break
    }
    default:
      break
  }
  const names = new Set<string>()
  ports.forEach((port, i) => errors.push(...validateServicePort(port, `spec.ports[${i}]`, ports.length > 1, names)))
  for (const [key, value] of Object.entries(spec.selector ?? {})) {
    for (const msg of isQualifiedName(key)) errors.push(invalid('spec.selector', key, msg))
    for (const msg of isValidLabelValue(value)) errors.push(invalid('spec.selector', value, msg))
  }
  const affinity = spec.sessionAffinity ?? ''
  if (affinity === '') errors.push(required('spec.sessionAffinity'))
  else if (!SESSION_AFFINITIES.includes(affinity)) errors.push(unsupported('spec.sessionAffinity', affinity, SESSION_AFFINITIES))
  if (affinity === 'ClientIP') {
    const detail = 'when session affinity type is ClientIP'
    const config = spec.sessionAffinityConfig
    const timeout = config?.clientIP?.timeoutSeconds
    if (config === undefined) errors.push(required('spec.sessionAffinityConfig', detail))
    else if (config.clientIP === undefined) errors.push(required('spec.sessionAffinityConfig.clientIP', detail))
    else if (timeout === undefined) errors.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', detail))
    else if (timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT_SECONDS)
      errors.push(
        invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          timeout,
          `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT_SECONDS}`,
        ),
      )
  } else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined)
    errors.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'))
  errors.push(...validateClusterIPs(spec))
  ;(spec.externalIPs ?? []).forEach((ip, i) => {
    const ipErrors = validateIp(ip, `spec.externalIPs[${i}]`)
    errors.push(...(ipErrors.length > 0 ? ipErrors : validateNonSpecialIp(ip, `spec.externalIPs[${i}]`)))
  })
  const type = spec.type ?? ''
  if (type === '') errors.push(required('spec.type'))
  else if (!SERVICE_TYPES.includes(type)) errors.push(unsupported('spec.type', type, SERVICE_TYPES))
  if (type === 'ClusterIP')
    ports.forEach((port, i) => {
      if (port.nodePort !== undefined && port.nodePort !== 0)
        errors.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"))
    })
  const nodePorts = new Set<string>()
  const portKeys = new Set<string>()
  ports.forEach((port, i) => {
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      const key = `${port.protocol ?? ''}/${port.nodePort}`
      if (nodePorts.has(key)) errors.push(duplicate(`spec.ports[${i}].nodePort`, port.nodePort))
      nodePorts.add(key)
    }
    const key = `${port.protocol ?? ''}/${port.port}`
    if (portKeys.has(key)) errors.push(duplicate(`spec.ports[${i}]`, { port: port.port, protocol: port.protocol ?? '' }))
    portKeys.add(key)
  })
  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== 'LoadBalancer')
    errors.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"))
  if (spec.loadBalancerClass !== undefined) {
    if (type === 'LoadBalancer')
      for (const msg of isQualifiedName(spec.loadBalancerClass))
        errors.push(invalid('spec.loadBalancerClass', spec.loadBalancerClass, msg))
    else errors.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"))
  }
  const etp = spec.externalTrafficPolicy
  if (!externallyAccessible(spec)) {
    if (etp !== undefined && etp !== '')
      errors.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'))
  } else if (etp === undefined || etp === '') errors.push(required('spec.externalTrafficPolicy'))
  else if (!TRAFFIC_POLICIES.includes(etp)) errors.push(unsupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES))
  const hcnp = spec.healthCheckNodePort ?? 0
  if (!needsHealthCheck(spec)) {
    if (hcnp !== 0)
      errors.push(
        invalid(
          'spec.healthCheckNodePort',
          hcnp,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      )
  } else if (hcnp !== 0 && !isValidPortNum(hcnp)) errors.push(invalid('spec.healthCheckNodePort', hcnp, PORT_RANGE))
  const itp = spec.internalTrafficPolicy
  if (itp === undefined || itp === '') {
    if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') errors.push(required('spec.internalTrafficPolicy'))
  } else if (!TRAFFIC_POLICIES.includes(itp)) errors.push(unsupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES))
  return errors
}

/**
 * Upstream's `validateUpgradeDowngradeIPFamilies`: the primary family never changes; a second
 * family may be added, and dropped only with ipFamilyPolicy SingleStack. Families left out of
 * an update are the allocator's to infer, so an empty list is not a downgrade here.
 */
const validateIpFamiliesUpdate = (spec: ServiceSpec, old: ServiceSpec): ReadonlyArray<FieldError> => {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return []
  const families = spec.ipFamilies ?? []
  const oldFamilies = old.ipFamilies ?? []
  if (families.length === 0 || oldFamilies.length === 0) return []
  const errors: FieldError[] = []
  if (families.length === oldFamilies.length) {
    if (oldFamilies.some((f, i) => f !== families[i])) errors.push(invalid('spec.ipFamilies[0]', families, 'may not change once set'))
    return errors
  }
  if (families[0] !== oldFamilies[0]) errors.push(invalid('spec.ipFamilies[0]', families, 'may not change once set'))
  if (families.length < oldFamilies.length && spec.ipFamilyPolicy !== 'SingleStack')
    errors.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"))
  return errors
}

/**
 * Update rules: allocated cluster IPs may not change (switching to or from ExternalName is
 * allowed; a secondary IP and family may be added, or released with ipFamilyPolicy
 * SingleStack), nor may the primary IP family, the health-check node port or the load balancer
 * class of a LoadBalancer.
 * The store must first carry allocated values over from the stored object when the update
 * omits them, as the API server's strategy does.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateServiceUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'v1', kind: 'Service' as const, metadata: { name: 'db' }, spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } }
 * const next = { ...old, spec: { clusterIP: 'None', clusterIPs: ['None'] } }
 * expect(validateServiceUpdate(next, old).map(formatFieldError)).toEqual([
 *   'spec.clusterIPs[0]: Invalid value: ["None"]: may not change once set',
 * ])
 * ```
 */
export const validateServiceUpdate = (next: Service, previous: Service): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const spec = next.spec
  const old = previous.spec
  if (spec.type !== 'ExternalName' && old.type !== 'ExternalName' && !(isHeadlessService(next) && isHeadlessService(previous))) {
    const newIps = spec.clusterIPs ?? []
    const oldIps = old.clusterIPs ?? []
    if (oldIps.length === newIps.length) {
      oldIps.forEach((ip, i) => {
        if (ip !== newIps[i]) errors.push(invalid(`spec.clusterIPs[${i}]`, newIps, 'may not change once set'))
      })
    } else if (oldIps.length > newIps.length) {
      if (newIps.length === 0) errors.push(invalid('spec.clusterIPs[0]', newIps, 'primary clusterIP can not be unset'))
      else if (newIps[0] !== oldIps[0]) errors.push(invalid('spec.clusterIPs[0]', newIps, 'may not change once set'))
      if (newIps.length === 1 && spec.ipFamilyPolicy !== 'SingleStack')
        errors.push(
          invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"),
        )
    } else if (oldIps.length > 0 && newIps[0] !== oldIps[0])
      errors.push(invalid('spec.clusterIPs[0]', newIps, 'may not change once set'))
  }
  errors.push(...validateIpFamiliesUpdate(spec, old))
  if (needsHealthCheck(old) && needsHealthCheck(spec) && (spec.healthCheckNodePort ?? 0) !== (old.healthCheckNodePort ?? 0))
    errors.push(forbidden('spec.healthCheckNodePort', 'field is immutable'))
  if (old.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && old.loadBalancerClass !== spec.loadBalancerClass)
    errors.push(invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'))
  return errors
}

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredService = Service & KubeObject

/**
 * Keeps what the API server allocated when an update omits it, as upstream's
 * `patchAllocatedValues` does: clusterIP and clusterIPs (unless the type changes to or from
 * ExternalName), each port's nodePort (matched by port and protocol) while the type still uses
 * nodePorts, and healthCheckNodePort.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { carryAllocatedServiceValues } from 'kubesim'
 * const previous = { apiVersion: 'v1', kind: 'Service' as const, metadata: { name: 'web' },
 *   spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] } }
 * const next = { ...previous, spec: { type: 'NodePort', ports: [{ port: 80 }] } }
 * expect(carryAllocatedServiceValues(next, previous).spec).toMatchObject({ clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] })
 * ```
 */
export const carryAllocatedServiceValues = <S extends Service>(next: S, previous: S): S => {
  const spec = next.spec
  const old = previous.spec
  const type = spec.type ?? 'ClusterIP'
  const oldType = old.type ?? 'ClusterIP'
  const usesIps = (t: string) => t !== 'ExternalName'
  const usesNodePorts = (t: string) => t === 'NodePort' || t === 'LoadBalancer'
  return produce(next, (draft) => {
    const d = draft.spec
    if (usesIps(type) && usesIps(oldType) && (d.clusterIP === undefined || d.clusterIP === '') && (d.clusterIPs ?? []).length === 0) {
      if (old.clusterIP !== undefined) d.clusterIP = old.clusterIP
      if (old.clusterIPs !== undefined) d.clusterIPs = [...old.clusterIPs]
      if (d.ipFamilies === undefined && old.ipFamilies !== undefined) d.ipFamilies = [...old.ipFamilies]
    }
    // An update without a policy keeps the old one (upstream's allocator adopts it), so a
    // dual-stack Service is not downgraded by a client that never heard of ipFamilyPolicy.
    if (usesIps(type) && usesIps(oldType) && d.ipFamilyPolicy === undefined && old.ipFamilyPolicy !== undefined) d.ipFamilyPolicy = old.ipFamilyPolicy
    if (usesNodePorts(type) && usesNodePorts(oldType))
      for (const port of d.ports ?? []) {
        if (port.nodePort !== undefined) continue
        const match = (old.ports ?? []).find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'))
        if (match?.nodePort !== undefined) port.nodePort = match.nodePort
      }
    if (d.healthCheckNodePort === undefined && old.healthCheckNodePort !== undefined && type === 'LoadBalancer' && d.externalTrafficPolicy === old.externalTrafficPolicy)
      d.healthCheckNodePort = old.healthCheckNodePort
    // NormalizeClusterIPs: a client that changed only the singular field changed the first IP.
    const sameIps = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined) =>
      (a ?? []).length === (b ?? []).length && (a ?? []).every((ip, i) => ip === b?.[i])
    if ((d.clusterIP ?? '') !== (old.clusterIP ?? '') && (d.clusterIP ?? '') !== '' && (old.clusterIPs ?? []).length > 0 && sameIps(d.clusterIPs, old.clusterIPs))
      d.clusterIPs = [d.clusterIP ?? '', ...(d.clusterIPs ?? []).slice(1)]
    // dropTypeDependentFields: values the server filled in for the old type, left unchanged by
    // the client, go when the new type has no use for them.
    if (usesIps(oldType) && !usesIps(type)) {
      if (d.clusterIP === old.clusterIP && sameIps(d.clusterIPs, old.clusterIPs)) {
        delete d.clusterIP
        delete d.clusterIPs
      }
      if (sameIps(d.ipFamilies, old.ipFamilies)) delete d.ipFamilies
      if (d.ipFamilyPolicy === old.ipFamilyPolicy) delete d.ipFamilyPolicy
      if (d.internalTrafficPolicy === old.internalTrafficPolicy) delete d.internalTrafficPolicy
    }
    if (usesNodePorts(oldType) && !usesNodePorts(type)) {
      const oldPorts = new Set((old.ports ?? []).map((p) => p.nodePort).filter((p) => p !== undefined))
      if ((d.ports ?? []).every((p) => p.nodePort === undefined || oldPorts.has(p.nodePort))) for (const port of d.ports ?? []) delete port.nodePort
    }
    if (type !== 'LoadBalancer') {
      if (d.healthCheckNodePort !== undefined && d.healthCheckNodePort === old.healthCheckNodePort) delete d.healthCheckNodePort
      if (oldType === 'LoadBalancer' && d.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) delete d.allocateLoadBalancerNodePorts
      if (oldType === 'LoadBalancer' && d.loadBalancerClass === old.loadBalancerClass) delete d.loadBalancerClass
    }
    if (type !== 'NodePort' && type !== 'LoadBalancer' && (d.externalIPs ?? []).length === 0 && d.externalTrafficPolicy === old.externalTrafficPolicy) delete d.externalTrafficPolicy
  })
}

/**
 * The admission pipeline for Services. `status` (load-balancer ingress) is a subresource.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { serviceModel } from 'kubesim'
 * expect(serviceModel.info.kind).toBe('Service')
 * expect(serviceModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const serviceModel: KindModel<StoredService> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('Service') as KindInfo,
  codec: Service as unknown as t.Decoder<unknown, StoredService>,
  schema: 'io.k8s.api.core.v1.Service',
  applyDefaults: (service) => defaultService(service) as StoredService,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  prepareForUpdate: carryAllocatedServiceValues,
  hasStatusSubresource: true,
}
