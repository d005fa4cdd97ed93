/**
 * Ingress (networking.k8s.io/v1): HTTP routing rules from hosts and paths to Service ports,
 * with an optional default backend and TLS hosts. kubesim types the routing fields, validates
 * them with the API server's messages and leaves `status.loadBalancer` to the controllers.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { type FieldError, invalid, required, unsupported } from '../validation/fieldError.js'
import { isDns1035Label, isDns1123Subdomain } from '../validation/names.js'
import { isIPv4, isIPv6 } from './endpointSlice.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'
import type { KubeObject } from './object.js'
import { isValidPortName } from './pod.js'
import { LoadBalancerIngress } from './service.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The Service port a backend targets: exactly one of `number` and `name`. */
export const ServiceBackendPort = optionalFields({ number: t.number, name: t.string })
/** The Service port a backend targets: exactly one of `number` and `name`. */
export type ServiceBackendPort = t.TypeOf<typeof ServiceBackendPort>

/** Where matching requests go: a Service port, or a resource in the same namespace. */
export const IngressBackend = optionalFields({
  service: optionalFields({ name: t.string, port: ServiceBackendPort }),
  resource: optionalFields({ apiGroup: t.string, kind: t.string, name: t.string }),
})
/** Where matching requests go: a Service port, or a resource in the same namespace. */
export type IngressBackend = t.TypeOf<typeof IngressBackend>

/** One path rule: `pathType` is Exact, Prefix or ImplementationSpecific. */
export const HTTPIngressPath = t.intersection([
  t.type({ backend: IngressBackend }),
  optionalFields({ path: t.string, pathType: t.string }),
])
/** One path rule: `pathType` is Exact, Prefix or ImplementationSpecific. */
export type HTTPIngressPath = t.TypeOf<typeof HTTPIngressPath>

/** A host rule with its HTTP paths. An empty host matches every host. */
export const IngressRule = optionalFields({ host: t.string, http: t.type({ paths: t.array(HTTPIngressPath) }) })
/** A host rule with its HTTP paths. An empty host matches every host. */
export type IngressRule = t.TypeOf<typeof IngressRule>

/** Hosts served over TLS with the certificate in a Secret. */
export const IngressTLS = optionalFields({ hosts: t.array(t.string), secretName: t.string })
/** Hosts served over TLS with the certificate in a Secret. */
export type IngressTLS = t.TypeOf<typeof IngressTLS>

/** The Ingress spec. */
export const IngressSpec = optionalFields({
  ingressClassName: t.string,
  defaultBackend: IngressBackend,
  rules: t.array(IngressRule),
  tls: t.array(IngressTLS),
})
/** The Ingress spec. */
export type IngressSpec = t.TypeOf<typeof IngressSpec>

/** Ingress status: the load balancer's ingress points. */
export const IngressStatus = optionalFields({ loadBalancer: optionalFields({ ingress: t.array(LoadBalancerIngress) }) })
/** Ingress status: the load balancer's ingress points. */
export type IngressStatus = t.TypeOf<typeof IngressStatus>

/** An Ingress. */
export const Ingress = t.intersection([
  t.type({ apiVersion: t.literal('networking.k8s.io/v1'), kind: t.literal('Ingress'), metadata: ObjectMeta }),
  optionalFields({ spec: IngressSpec, status: IngressStatus }),
])
/** An Ingress. */
export type Ingress = t.TypeOf<typeof Ingress>

const PATH_TYPES: ReadonlyArray<string> = ['Exact', 'ImplementationSpecific', 'Prefix']
const INVALID_PATH_SEQUENCES: ReadonlyArray<string> = ['//', '/./', '/../', '%2f', '%2F']
const INVALID_PATH_SUFFIXES: ReadonlyArray<string> = ['/..', '/.']
const DNS1123_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'
const WILDCARD_SUBDOMAIN = `\\*\\.${DNS1123_SUBDOMAIN}`
const wildcardRe = new RegExp(`^${WILDCARD_SUBDOMAIN}$`)

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Checks a wildcard host (`*.example.com`), as apimachinery's `IsWildcardDNS1123Subdomain`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isWildcardDns1123Subdomain } from 'kubesim'
 * expect(isWildcardDns1123Subdomain('*.example.com')).toEqual([])
 * expect(isWildcardDns1123Subdomain('foo.*.com')[0]).toContain("a wildcard DNS-1123 subdomain must start with '*.'")
 * ```
 */
export const isWildcardDns1123Subdomain = (value: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (value.length > 253) errors.push('must be no more than 253 characters')
  if (!wildcardRe.test(value))
    errors.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character" +
        ` (e.g. '*.example.com', regex used for validation is '${WILDCARD_SUBDOMAIN}')`,
    )
  return errors
}

const validateHost = (host: string, path: string): ReadonlyArray<FieldError> =>
  (host.includes('*') ? isWildcardDns1123Subdomain(host) : isDns1123Subdomain(host)).map((msg) => invalid(path, host, msg))

const validateBackend = (backend: IngressBackend, path: string): ReadonlyArray<FieldError> => {
  const service = backend.service
  if (backend.resource !== undefined && service !== undefined)
    return [invalid(path, '', 'cannot set both resource and service backends')]
  if (backend.resource !== undefined) {
    const errors: FieldError[] = []
    if ((backend.resource.kind ?? '') === '') errors.push(required(`${path}.resource.kind`))
    if ((backend.resource.name ?? '') === '') errors.push(required(`${path}.resource.name`))
    return errors
  }
  if (service === undefined) return [invalid(path, '', 'resource or service backend is required')]
  const errors: FieldError[] = []
  const name = service.name ?? ''
  if (name === '') errors.push(required(`${path}.service.name`))
  else for (const msg of isDns1035Label(name)) errors.push(invalid(`${path}.service.name`, name, msg))
  const portName = service.port?.name ?? ''
  const portNumber = service.port?.number ?? 0
  if (portName !== '' && portNumber !== 0) errors.push(invalid(path, '', 'cannot set both port name & port number'))
  else if (portName !== '')
    for (const msg of isValidPortName(portName)) errors.push(invalid(`${path}.service.port.name`, portName, msg))
  else if (portNumber !== 0) {
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535)
      errors.push(invalid(`${path}.service.port.number`, portNumber, 'must be between 1 and 65535, inclusive'))
  } else errors.push(required(path, 'port name or number is required'))
  return errors
}

const validatePath = (httpPath: HTTPIngressPath, at: string): ReadonlyArray<FieldError> => {
  if (httpPath.pathType === undefined) return [required(`${at}.pathType`, 'pathType must be specified')]
  const errors: FieldError[] = []
  const path = httpPath.path ?? ''
  switch (httpPath.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!path.startsWith('/')) errors.push(invalid(`${at}.path`, path, 'must be an absolute path'))
      if (path.length > 0) {
        for (const seq of INVALID_PATH_SEQUENCES)
          if (path.includes(seq)) errors.push(invalid(`${at}.path`, path, `must not contain '${seq}'`))
        for (const suffix of INVALID_PATH_SUFFIXES)
          if (path.endsWith(suffix)) errors.push(invalid(`${at}.path`, path, `cannot end with '${suffix}'`))
      }
      break
    case 'ImplementationSpecific':
      if (path.length > 0 && !path.startsWith('/')) errors.push(invalid(`${at}.path`, path, 'must be an absolute path'))
      break
    default:
      errors.push(unsupported(`${at}.pathType`, httpPath.pathType, PATH_TYPES))
  }
  errors.push(...validateBackend(httpPath.backend, `${at}.backend`))
  return errors
}

/**
 * Validates an Ingress as the API server does: a default backend or rules, hosts (DNS names,
 * a leading `*.` wildcard allowed, no IP addresses), each path's `pathType` (required) and path,
 * each backend's Service name and exactly one of port number and name, TLS hosts and secret
 * names, and the class name.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateIngress, formatFieldError } from 'kubesim'
 * const errors = validateIngress({
 *   apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' },
 *   spec: { rules: [{ host: '*.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
 * })
 * expect(errors.map(formatFieldError)).toEqual(['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'])
 * ```
 */
export const validateIngress = (ingress: Ingress): ReadonlyArray<FieldError> => {
  const spec = ingress.spec ?? {}
  const errors: FieldError[] = []
  const rules = spec.rules ?? []
  if (rules.length === 0 && spec.defaultBackend === undefined)
    errors.push(invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'))
  if (spec.defaultBackend !== undefined) errors.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'))
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`
    const host = rule.host ?? ''
    if (host.length > 0) {
      if (isIPv4(host) || isIPv6(host)) errors.push(invalid(`${at}.host`, host, 'must be a DNS name, not an IP address'))
      errors.push(...validateHost(host, `${at}.host`))
    }
    if (rule.http !== undefined) {
      if (rule.http.paths.length === 0) errors.push(required(`${at}.http.paths`))
      rule.http.paths.forEach((p, j) => errors.push(...validatePath(p, `${at}.http.paths[${j}]`)))
    }
  })
  ;(spec.tls ?? []).forEach((tls, i) => {
    ;(tls.hosts ?? []).forEach((host, j) => errors.push(...validateHost(host, `spec.tls[${i}].hosts[${j}]`)))
    const secret = tls.secretName ?? ''
    if (secret !== '') for (const msg of isDns1123Subdomain(secret)) errors.push(invalid(`spec.tls[${i}].secretName`, secret, msg))
  })
  const className = spec.ingressClassName ?? ''
  if (className !== '')
    for (const msg of isDns1123Subdomain(className)) errors.push(invalid('spec.ingressClassName', className, msg))
  return errors
}

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredIngress = Ingress & KubeObject

/**
 * The admission pipeline for Ingresses: no defaults (networking/v1 has none), no immutable
 * fields, and a status subresource.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { ingressModel } from 'kubesim'
 * expect(ingressModel.info.kind).toBe('Ingress')
 * expect(ingressModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const ingressModel: KindModel<StoredIngress> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('Ingress') as KindInfo,
  codec: Ingress as unknown as t.Decoder<unknown, StoredIngress>,
  schema: 'io.k8s.api.networking.v1.Ingress',
  applyDefaults: (ingress) => ingress,
  validate: validateIngress,
  hasStatusSubresource: true,
}
