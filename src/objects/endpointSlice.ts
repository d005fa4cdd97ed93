/**
 * EndpointSlice (discovery.k8s.io/v1): one slice of the network endpoints behind a Service,
 * all of one address type (IPv4, IPv6 or FQDN), with the ports they serve and each endpoint's
 * ready/serving/terminating conditions. The EndpointSlice controller writes them; DNS and
 * routing read them. This module also holds the IP address syntax checks Services share.
 *
 * @module
 */
import * as t from 'io-ts'
import { isDeepFrozen } from '../internal/jsonCopy.js'
import { unknownFieldWarnings } from './knownFields.js'
import {
  type FieldError,
  duplicate,
  invalid,
  required,
  tooMany,
  unsupported,
} from '../validation/fieldError.js'
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, StringMap } from './meta.js'
import type { KubeObject } from './object.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** What an endpoint reports about its readiness. */
export const EndpointConditions = t.partial({ ready: t.boolean, serving: t.boolean, terminating: t.boolean })
/** What an endpoint reports about its readiness. */
export type EndpointConditions = t.TypeOf<typeof EndpointConditions>

/** A reference to the object behind an endpoint (normally a Pod). */
export const EndpointTargetRef = t.partial({
  kind: t.string,
  namespace: t.string,
  name: t.string,
  uid: t.string,
  apiVersion: t.string,
  resourceVersion: t.string,
})
/** A reference to the object behind an endpoint (normally a Pod). */
export type EndpointTargetRef = t.TypeOf<typeof EndpointTargetRef>

/** One endpoint: its addresses (all one family), conditions and placement. */
export const Endpoint = t.intersection([
  t.type({ addresses: t.array(t.string) }),
  t.partial({
    conditions: EndpointConditions,
    hostname: t.string,
    nodeName: t.string,
    zone: t.string,
    targetRef: EndpointTargetRef,
    deprecatedTopology: StringMap,
  }),
])
/** One endpoint: its addresses (all one family), conditions and placement. */
export type Endpoint = t.TypeOf<typeof Endpoint>

/** A port every endpoint of the slice serves. `port` unset means "all ports". */
export const EndpointPort = t.partial({
  name: t.string,
  protocol: t.string,
  port: t.number,
  appProtocol: t.string,
})
/** A port every endpoint of the slice serves. `port` unset means "all ports". */
export type EndpointPort = t.TypeOf<typeof EndpointPort>

/**
 * Endpoints an earlier admission decoded, found free of unknown fields and validated, with the
 * addressType they were validated under. Only deep-frozen endpoints are entered, so the facts
 * stay true. A readiness flip rewrites one endpoint of a slice; with this memo admission checks
 * that one, not all hundred (the controller reuses the stored endpoint objects it did not change).
 */
const admittedEndpoints = new WeakMap<object, string>()

/**
 * Frozen endpoint lists every item of which admission vouched for (as `admittedEndpoints`),
 * with their addressType: the lists of stored slices the controller wrote.
 */
const admittedLists = new WeakMap<ReadonlyArray<unknown>, string>()

/**
 * While an update is admitted (`admittingSlice`): the stored slice's endpoint list when it is an
 * admitted list. Item i of the incoming list is then vouched for when it is the very object at
 * i here, a pointer comparison: a memo lookup per endpoint reads every endpoint object, and in a
 * large cluster those reads are cache misses that cost more than the rest of the write.
 */
let base: { readonly list: ReadonlyArray<unknown>; readonly addressType: string } | undefined

const admittingSlice = <T>(previous: EndpointSlice, run: () => T): T => {
  const list = previous.endpoints
  const addressType = list === undefined ? undefined : admittedLists.get(list)
  const outer = base
  base = list === undefined || addressType === undefined ? undefined : { list, addressType }
  try {
    return run()
  } finally {
    base = outer
  }
}

/** Whether item i of an incoming endpoint list is one admission vouched for (any addressType). */
const isAdmittedItem = (list: ReadonlyArray<unknown>, i: number): boolean => {
  const item = list[i]
  // The pointer comparison first: even `typeof` reads the endpoint object itself.
  if (base !== undefined && base.list[i] === item && item !== undefined) return true
  return typeof item === 'object' && item !== null && admittedEndpoints.has(item)
}

/** Whether item i was vouched for under this addressType. */
const isAdmittedItemAs = (list: ReadonlyArray<unknown>, i: number, addressType: string): boolean => {
  const item = list[i]
  if (base !== undefined && base.addressType === addressType && base.list[i] === item && item !== undefined) return true
  return typeof item === 'object' && item !== null && admittedEndpoints.get(item) === addressType
}

const PLAIN_ENDPOINTS = t.array(Endpoint)

/**
 * `t.array(Endpoint)` (an `ArrayType`, so errors name the index), passing at once the endpoints
 * an earlier admission accepted (without even building their error context), so a slice write
 * decodes only the endpoints it changed.
 */
const AdmittedOrNewEndpoints = new t.ArrayType<typeof Endpoint, Endpoint[], Endpoint[], unknown>(
  PLAIN_ENDPOINTS.name,
  PLAIN_ENDPOINTS.is,
  (input, context) => {
    if (!Array.isArray(input)) return PLAIN_ENDPOINTS.validate(input, context)
    let output: unknown[] = input
    const errors: t.ValidationError[] = []
    for (let i = 0; i < input.length; i++) {
      if (isAdmittedItem(input, i)) continue
      const item: unknown = input[i]
      const decoded = Endpoint.validate(item, t.appendContext(context, String(i), Endpoint, item))
      if (decoded._tag === 'Left') errors.push(...decoded.left)
      else if (decoded.right !== item) {
        if (output === input) output = input.slice()
        output[i] = decoded.right
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(output as Endpoint[])
  },
  PLAIN_ENDPOINTS.encode,
  Endpoint,
)

/** An EndpointSlice. `addressType` is required and immutable. */
export const EndpointSlice = t.intersection([
  t.type({
    apiVersion: t.literal('discovery.k8s.io/v1'),
    kind: t.literal('EndpointSlice'),
    metadata: ObjectMeta,
    addressType: t.string,
  }),
  t.partial({ endpoints: AdmittedOrNewEndpoints, ports: t.array(EndpointPort) }),
])
/** An EndpointSlice. `addressType` is required and immutable. */
export type EndpointSlice = t.TypeOf<typeof EndpointSlice>

/** The address types a slice may have. */
export const ENDPOINT_SLICE_ADDRESS_TYPES: ReadonlyArray<string> = ['FQDN', 'IPv4', 'IPv6']
const PORT_PROTOCOLS: ReadonlyArray<string> = ['SCTP', 'TCP', 'UDP']
const MAX_ENDPOINTS = 1000
const MAX_ADDRESSES = 100
const MAX_PORTS = 100
const ENDPOINT_SCHEMA = 'discovery.Endpoint'

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

const parseIPv4 = (value: string): ReadonlyArray<number> | undefined => {
  // Kubernetes parses legacy IP fields "sloppily": leading zeros are accepted (as decimal).
  // One pass over the characters: routing parses an address per call, and split plus a regular
  // expression per octet was a quarter of a route's cost.
  const octets: number[] = []
  let octet = 0
  let digits = 0
  for (let i = 0; i <= value.length; i++) {
    const c = i === value.length ? 46 : value.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || octet > 255 || octets.length === 4) return undefined
      octets.push(octet)
      octet = 0
      digits = 0
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48)
      digits++
    } else return undefined
  }
  return octets.length === 4 ? octets : undefined
}

const parseIPv6 = (value: string): ReadonlyArray<number> | undefined => {
  if (!value.includes(':')) return undefined
  const halves = value.split('::')
  if (halves.length > 2) return undefined
  const groups = (part: string): number[] | undefined => {
    if (part === '') return []
    const out: number[] = []
    const items = part.split(':')
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? ''
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item)
        if (v4 === undefined) return undefined
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0))
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined
        out.push(parseInt(item, 16))
      }
    }
    return out
  }
  const head = groups(halves[0] ?? '')
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return undefined
  if (halves.length === 1) return head.length === 8 ? head : undefined
  if (head.length + tail.length > 7) return undefined
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

/**
 * Whether a string is an IPv4 address (dotted decimal; leading zeros tolerated, as Kubernetes
 * does for legacy fields).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isIPv4 } from 'kubesim'
 * expect(isIPv4('10.0.0.1')).toBe(true)
 * expect(isIPv4('10.0.0.256')).toBe(false)
 * expect(isIPv4('::1')).toBe(false)
 * ```
 */
export const isIPv4 = (value: string): boolean => parseIPv4(value) !== undefined

/**
 * Whether a string is an IPv6 address (including the `::` shorthand and an embedded IPv4 tail).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isIPv6 } from 'kubesim'
 * expect(isIPv6('2001:db8::1')).toBe(true)
 * expect(isIPv6('::ffff:10.0.0.1')).toBe(true)
 * expect(isIPv6('10.0.0.1')).toBe(false)
 * ```
 */
export const isIPv6 = (value: string): boolean => parseIPv6(value) !== undefined

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Checks an IP address of either family, with apimachinery's message.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateIp } from 'kubesim'
 * expect(validateIp('10.0.0.1', 'spec.clusterIP')).toEqual([])
 * expect(validateIp('nope', 'spec.clusterIP')[0]?.detail).toBe('must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')
 * ```
 */
export const validateIp = (value: string, path: string): ReadonlyArray<FieldError> =>
  isIPv4(value) || isIPv6(value) ? [] : [invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')]

/**
 * Rejects addresses an endpoint or external IP may not use: unspecified, loopback, link-local
 * and link-local multicast (`ValidateEndpointIP`). Invalid syntax is reported too.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateNonSpecialIp } from 'kubesim'
 * expect(validateNonSpecialIp('10.1.2.3', 'x')).toEqual([])
 * expect(validateNonSpecialIp('127.0.0.1', 'x')[0]?.detail).toBe('may not be in the loopback range (127.0.0.0/8, ::1/128)')
 * ```
 */
export const validateNonSpecialIp = (value: string, path: string): ReadonlyArray<FieldError> => {
  const v4 = parseIPv4(value) ?? mappedV4(parseIPv6(value))
  const v6 = v4 === undefined ? parseIPv6(value) : undefined
  if (v4 === undefined && v6 === undefined) return [invalid(path, value, 'must be a valid IP address')]
  const errors: FieldError[] = []
  const unspecified = v4 !== undefined ? v4.every((o) => o === 0) : (v6 ?? []).every((g) => g === 0)
  const loopback = v4 !== undefined ? v4[0] === 127 : (v6 ?? []).slice(0, 7).every((g) => g === 0) && v6?.[7] === 1
  const linkLocal = v4 !== undefined ? v4[0] === 169 && v4[1] === 254 : ((v6?.[0] ?? 0) & 0xffc0) === 0xfe80
  const linkLocalMulticast =
    v4 !== undefined ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : ((v6?.[0] ?? 0) & 0xff0f) === 0xff02
  if (unspecified) errors.push(invalid(path, value, `may not be unspecified (${value})`))
  if (loopback) errors.push(invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'))
  if (linkLocal) errors.push(invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'))
  if (linkLocalMulticast)
    errors.push(invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'))
  return errors
}

const mappedV4 = (groups: ReadonlyArray<number> | undefined): ReadonlyArray<number> | undefined => {
  // Go's net.IP treats ::ffff:a.b.c.d as IPv4.
  if (groups === undefined || groups.length !== 8) return undefined
  if (!groups.slice(0, 5).every((g) => g === 0) || groups[5] !== 0xffff) return undefined
  const hi = groups[6] ?? 0
  const lo = groups[7] ?? 0
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]
}

const validateFqdn = (value: string, path: string): ReadonlyArray<FieldError> => {
  // apimachinery IsFullyQualifiedDomainName: a DNS subdomain with at least two labels.
  const name = value.endsWith('.') ? value.slice(0, -1) : value
  if (name.length === 0) return [required(path, '')]
  const errors: FieldError[] = isDns1123Subdomain(name).map((msg) => invalid(path, value, msg))
  if (name.split('.').length < 2) errors.push(invalid(path, value, 'should be a domain with at least two segments separated by dots'))
  return errors
}

/**
 * Deep-frozen endpoints already found valid, with the address types they were valid under. An
 * endpoint's errors depend only on its value, its index (in the error paths) and the address
 * type, so a clean result can be remembered against a value that cannot change. The EndpointSlice
 * controller rewrites a slice keeping its other endpoints by reference: a readiness flip then
 * validates one endpoint, not a hundred.
 */
const validateEndpoints = (slice: EndpointSlice): ReadonlyArray<FieldError> => {
  const endpoints = slice.endpoints ?? []
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)]
  const errors: FieldError[] = []
  let allAdmitted = true
  for (let i = 0; i < endpoints.length; i++) {
    if (isAdmittedItemAs(endpoints, i, slice.addressType)) continue
    const endpoint = endpoints[i] as Endpoint
    const found = errors.length
    validateEndpoint(slice, endpoint, i, errors)
    // The memo vouches for all three checks, so it checks the types itself too: this function
    // is also called on input that was never decoded.
    if (
      errors.length === found &&
      typeof endpoint === 'object' &&
      endpoint !== null &&
      isDeepFrozen(endpoint) &&
      Endpoint.is(endpoint) &&
      unknownFieldWarnings(ENDPOINT_SCHEMA, endpoint).length === 0
    )
      admittedEndpoints.set(endpoint, slice.addressType)
    else allAdmitted = false
  }
  // A frozen list is stored as it is (admission copies only unfrozen values): the next write of
  // this slice compares against it by position.
  if (allAdmitted && slice.endpoints !== undefined && Object.isFrozen(slice.endpoints)) admittedLists.set(slice.endpoints, slice.addressType)
  return errors
}

const validateEndpoint = (slice: EndpointSlice, endpoint: Endpoint, i: number, errors: FieldError[]): void => {
  const at = `endpoints[${i}]`
  const addressPath = `${at}.addresses`
  if (endpoint.addresses.length === 0) errors.push(required(addressPath, 'must contain at least 1 address'))
  else if (endpoint.addresses.length > MAX_ADDRESSES)
    errors.push(tooMany(addressPath, endpoint.addresses.length, MAX_ADDRESSES))
  endpoint.addresses.forEach((address, j) => {
    const path = `${addressPath}[${j}]`
    switch (slice.addressType) {
      case 'IPv4':
        if (!isIPv4(address)) errors.push(invalid(path, address, 'must be a valid IPv4 address'))
        else errors.push(...validateNonSpecialIp(address, path))
        break
      case 'IPv6':
        if (!isIPv6(address)) errors.push(invalid(path, address, 'must be a valid IPv6 address'))
        else errors.push(...validateNonSpecialIp(address, path))
        break
      case 'FQDN':
        errors.push(...validateFqdn(address, path))
        break
      default:
        break // unknown types are reported on addressType, not per address
    }
  })
  if (endpoint.nodeName !== undefined)
    for (const msg of isDns1123Subdomain(endpoint.nodeName)) errors.push(invalid(`${at}.nodeName`, endpoint.nodeName, msg))
  if (endpoint.hostname !== undefined)
    for (const msg of isDns1123Label(endpoint.hostname)) errors.push(invalid(`${at}.hostname`, endpoint.hostname, msg))
  for (const [key, value] of Object.entries(endpoint.deprecatedTopology ?? {})) {
    for (const msg of isQualifiedName(key)) errors.push(invalid(`${at}.deprecatedTopology`, key, msg))
    for (const msg of isValidLabelValue(value)) errors.push(invalid(`${at}.deprecatedTopology`, value, msg))
  }
}

const validatePorts = (ports: ReadonlyArray<EndpointPort>): ReadonlyArray<FieldError> => {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)]
  const errors: FieldError[] = []
  const names = new Set<string>()
  ports.forEach((port, i) => {
    const at = `ports[${i}]`
    const name = port.name ?? ''
    if (name.length > 0) for (const msg of isDns1123Label(name)) errors.push(invalid(`${at}.name`, name, msg))
    if (names.has(name)) errors.push(duplicate(`${at}.name`, name))
    else names.add(name)
    if (port.protocol === undefined) errors.push(required(`${at}.protocol`))
    else if (!PORT_PROTOCOLS.includes(port.protocol)) errors.push(unsupported(`${at}.protocol`, port.protocol, PORT_PROTOCOLS))
    if (port.port !== undefined && (port.port < 1 || port.port > 65535 || !Number.isInteger(port.port)))
      errors.push(invalid(`${at}.port`, port.port, 'must be between 1 and 65535, inclusive'))
    if (port.appProtocol !== undefined)
      for (const msg of isQualifiedName(port.appProtocol)) errors.push(invalid(`${at}.appProtocol`, port.appProtocol, msg))
  })
  return errors
}

/**
 * Fills in the API server's defaults: each port's protocol (TCP) and name (""). Returns the
 * same reference when nothing changes.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultEndpointSlice } from 'kubesim'
 * const slice = defaultEndpointSlice({
 *   apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc' },
 *   addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }],
 * })
 * expect(slice.ports).toEqual([{ port: 80, protocol: 'TCP', name: '' }])
 * expect(defaultEndpointSlice(slice)).toBe(slice)
 * ```
 */
export const defaultEndpointSlice = (slice: EndpointSlice): EndpointSlice => {
  // Only ports take defaults: copy them alone, never the endpoints (up to a thousand).
  const ports = slice.ports
  if (ports === undefined || ports.every((p) => p.protocol !== undefined && p.name !== undefined)) return slice
  return { ...slice, ports: ports.map((p) => (p.protocol !== undefined && p.name !== undefined ? p : { ...p, protocol: p.protocol ?? 'TCP', name: p.name ?? '' })) }
}

/**
 * Validates a defaulted EndpointSlice: address type, up to 1000 endpoints with 1–100 addresses of
 * that type each, and up to 100 uniquely named ports.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateEndpointSlice, formatFieldError } from 'kubesim'
 * const errors = validateEndpointSlice({
 *   apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' },
 *   addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.300'] }],
 * })
 * expect(errors.map(formatFieldError)).toEqual(['endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address'])
 * ```
 */
export const validateEndpointSlice = (slice: EndpointSlice): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  if (slice.addressType === '') errors.push(required('addressType'))
  else if (!ENDPOINT_SLICE_ADDRESS_TYPES.includes(slice.addressType))
    errors.push(unsupported('addressType', slice.addressType, ENDPOINT_SLICE_ADDRESS_TYPES))
  errors.push(...validateEndpoints(slice))
  errors.push(...validatePorts(slice.ports ?? []))
  return errors
}

/**
 * Update rules: `addressType` is immutable.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateEndpointSliceUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' as const, metadata: { name: 's' }, addressType: 'IPv4' }
 * expect(validateEndpointSliceUpdate({ ...old, addressType: 'IPv6' }, old).map(formatFieldError))
 *   .toEqual(['addressType: Invalid value: "IPv6": field is immutable'])
 * ```
 */
export const validateEndpointSliceUpdate = (next: EndpointSlice, previous: EndpointSlice): ReadonlyArray<FieldError> =>
  next.addressType === previous.addressType ? [] : [invalid('addressType', next.addressType, 'field is immutable')]

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredEndpointSlice = EndpointSlice & KubeObject

/**
 * The admission pipeline for EndpointSlices (no status subresource).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { endpointSliceModel } from 'kubesim'
 * expect(endpointSliceModel.info.kind).toBe('EndpointSlice')
 * expect(endpointSliceModel.hasStatusSubresource).toBe(false)
 * ```
 */
export const endpointSliceModel: KindModel<StoredEndpointSlice> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('EndpointSlice') as KindInfo,
  codec: EndpointSlice as unknown as t.Decoder<unknown, StoredEndpointSlice>,
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  knownCleanItem: (itemType, list, index) => itemType === ENDPOINT_SCHEMA && isAdmittedItem(list, index),
  admitting: admittingSlice,
  applyDefaults: (slice) => defaultEndpointSlice(slice) as StoredEndpointSlice,
  validate: validateEndpointSlice,
  validateUpdate: validateEndpointSliceUpdate,
  hasStatusSubresource: false,
}
