import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EndpointSlice,
  defaultEndpointSlice,
  endpointSliceModel,
  isIPv4,
  isIPv6,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateIp,
  validateNonSpecialIp,
} from '../../src/objects/endpointSlice.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { applyAction, type ClusterState, createCluster, type KubeObject } from '../../src/index.js'
import { getObject } from '../../src/store/objectStore.js'

const slice = (over: Partial<EndpointSlice> = {}): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abc', namespace: 'default' },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true } }],
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  ...over,
})
const messages = (s: EndpointSlice) => validateEndpointSlice(s).map(formatFieldError)

describe('EndpointSlice codec', () => {
  it('decodes a slice and keeps unknown keys', () => {
    const input = { ...slice(), extra: 1 }
    const decoded = EndpointSlice.decode(input)
    expect(E.isRight(decoded) && (decoded.right as Record<string, unknown>)['extra']).toBe(1)
  })
  it('requires addressType', () => {
    const { addressType: _, ...rest } = slice()
    expect(E.isLeft(EndpointSlice.decode(rest))).toBe(true)
  })
})

describe('defaults', () => {
  it('defaults port protocol to TCP and name to ""', () => {
    const d = defaultEndpointSlice(slice({ ports: [{ port: 80 }] }))
    expect(d.ports).toEqual([{ port: 80, protocol: 'TCP', name: '' }])
  })
  it('keeps a given protocol and returns the same reference when complete', () => {
    const s = slice({ ports: [{ port: 53, protocol: 'UDP', name: 'dns' }] })
    expect(defaultEndpointSlice(s)).toBe(s)
  })
})

describe('validation', () => {
  it('accepts a valid slice', () => expect(messages(slice())).toEqual([]))
  it('rejects an unsupported address type', () => {
    expect(messages(slice({ addressType: 'IP', endpoints: [] }))).toEqual([
      'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"',
    ])
  })
  it('requires at least one address', () => {
    expect(messages(slice({ endpoints: [{ addresses: [] }] }))).toEqual([
      'endpoints[0].addresses: Required value: must contain at least 1 address',
    ])
  })
  it('rejects more than 1000 endpoints', () => {
    const endpoints = Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] }))
    expect(messages(slice({ endpoints }))).toEqual(['endpoints: Too many: 1001: must have at most 1000 items'])
  })
  it('checks addresses against the address type', () => {
    expect(messages(slice({ addressType: 'IPv6', endpoints: [{ addresses: ['10.0.0.1'] }] }))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
    ])
    expect(messages(slice({ endpoints: [{ addresses: ['127.0.0.1'] }] }))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ])
    expect(messages(slice({ addressType: 'FQDN', endpoints: [{ addresses: ['example.com'] }] }))).toEqual([])
    expect(messages(slice({ addressType: 'FQDN', endpoints: [{ addresses: ['localhost'] }] }))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
    ])
  })
  it('checks hostname and nodeName', () => {
    expect(messages(slice({ endpoints: [{ addresses: ['10.0.0.1'], hostname: 'a.b', nodeName: 'Node_1' }] }))).toHaveLength(2)
  })
  it('rejects duplicate port names, missing and unsupported protocols, bad ports', () => {
    expect(
      messages(
        slice({
          ports: [
            { name: 'http', protocol: 'TCP', port: 80 },
            { name: 'http', protocol: 'ICMP', port: 0 },
            { name: 'x' },
          ],
        }),
      ),
    ).toEqual([
      'ports[1].name: Duplicate value: "http"',
      'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'ports[2].protocol: Required value',
    ])
  })
  it('makes addressType immutable', () => {
    expect(validateEndpointSliceUpdate(slice({ addressType: 'IPv6' }), slice()).map(formatFieldError)).toEqual([
      'addressType: Invalid value: "IPv6": field is immutable',
    ])
    expect(validateEndpointSliceUpdate(slice(), slice())).toEqual([])
  })
})

describe('IP helpers', () => {
  it('parses IPv4 and IPv6', () => {
    expect(isIPv4('1.2.3.4')).toBe(true)
    expect(isIPv4('1.2.3')).toBe(false)
    expect(isIPv6('::')).toBe(true)
    expect(isIPv6('1:2:3:4:5:6:7:8')).toBe(true)
    expect(isIPv6('1:2:3:4:5:6:7:8:9')).toBe(false)
    expect(isIPv6('1::2::3')).toBe(false)
    expect(validateIp('fe80::1', 'x')).toEqual([])
  })
  it('rejects special addresses', () => {
    expect(validateNonSpecialIp('0.0.0.0', 'x')[0]?.detail).toBe('may not be unspecified (0.0.0.0)')
    expect(validateNonSpecialIp('169.254.1.1', 'x')[0]?.detail).toContain('link-local range')
    expect(validateNonSpecialIp('224.0.0.5', 'x')[0]?.detail).toContain('link-local multicast')
    expect(validateNonSpecialIp('::1', 'x')[0]?.detail).toContain('loopback')
  })
})

describe('model', () => {
  it('is wired to EndpointSlice without a status subresource', () => {
    expect(endpointSliceModel.info.kind).toBe('EndpointSlice')
    expect(endpointSliceModel.hasStatusSubresource).toBe(false)
    expect(E.isRight(endpointSliceModel.codec.decode(slice()))).toBe(true)
  })
})

describe('isIPv4 against the split-and-match reference', () => {
  // The reference is the obvious implementation the one-pass parser replaced.
  const reference = (value: string): boolean => {
    const parts = value.split('.')
    return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)
  }
  it('agrees on addresses, near-addresses and noise', () => {
    const noise = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'a', ' ', '-', '+', '٤'), maxLength: 20 })
    fc.assert(fc.property(fc.oneof(noise, fc.ipV4(), fc.ipV4Extended()), (value) => isIPv4(value) === reference(value)), { numRuns: 5000 })
    for (const value of ['', '.', '1.2.3.4.', '.1.2.3', '1..2.3', '256.1.1.1', '001.002.003.004', '1.2.3.4', '1.2.3', '1.2.3.4.5', '0000.1.1.1'])
      expect(isIPv4(value)).toBe(reference(value))
  })
})

describe('admission memo of accepted endpoints', () => {
  // Admission skips decoding, the unknown-field walk and validation of endpoints an earlier
  // write accepted (frozen, so unchanged); these pin what the memo must not hide.
  const cluster = createCluster({ traceRetention: 'none', controllers: [] })
  const write = (state: ClusterState, object: KubeObject) => {
    const existing = getObject(state.objects, { kind: 'EndpointSlice', namespace: 'default', name: object.metadata.name })
    return applyAction(state, existing === undefined ? { type: 'create', by: 'user', object } : { type: 'update', by: 'user', object: { ...object, metadata: existing.metadata } })
  }
  const stored = (state: ClusterState, name: string) => getObject(state.objects, { kind: 'EndpointSlice', namespace: 'default', name }) as unknown as EndpointSlice & KubeObject
  const first = write(cluster, slice() as unknown as KubeObject)
  const state = E.isRight(first) ? first.right.state : cluster
  const accepted = (stored(state, 'web-abc').endpoints ?? [])[0] as object
  // A write of the stored (frozen) slice enters its endpoints in the memo.
  write(state, stored(state, 'web-abc') as unknown as KubeObject)

  it('accepts a stored endpoint again, alongside a changed one', () => {
    const next = write(state, { ...stored(state, 'web-abc'), endpoints: [accepted, { addresses: ['10.244.0.6'], conditions: { ready: false } }] } as unknown as KubeObject)
    expect(E.isRight(next) ? next.right.outcome : next.left.message).toBe('configured')
    expect(E.isRight(next) ? (stored(next.right.state, 'web-abc').endpoints ?? [])[0] : undefined).toBe(accepted)
  })
  it('still validates an accepted IPv4 endpoint in an IPv6 slice', () => {
    const v6 = write(state, { ...(slice({ addressType: 'IPv6', metadata: { name: 'web-v6', namespace: 'default' } }) as unknown as KubeObject), endpoints: [accepted] })
    expect(E.isLeft(v6) ? v6.left.message : '').toContain('endpoints[0].addresses[0]: Invalid value: "10.244.0.5": must be a valid IPv6 address')
  })
  it('still rejects a frozen endpoint no admission accepted', () => {
    const bad = Object.freeze({ addresses: Object.freeze(['127.0.0.1']) })
    const next = write(state, { ...stored(state, 'web-abc'), endpoints: [accepted, bad] } as unknown as KubeObject)
    expect(E.isLeft(next) ? next.left.message : '').toContain('endpoints[1].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range')
  })
  it('checks by position against an admitted stored list, and still rejects what changed', () => {
    // Frozen lists, as the controller writes them: the stored list is then admitted as a whole.
    const two = Object.freeze([accepted, Object.freeze({ addresses: Object.freeze(['10.244.0.8']), conditions: Object.freeze({ ready: true }) })])
    const once = write(state, { ...stored(state, 'web-abc'), endpoints: two } as unknown as KubeObject)
    if (E.isLeft(once)) throw new Error(once.left.message)
    const s = once.right.state
    const list = stored(s, 'web-abc').endpoints ?? []
    expect(list).toBe(two)
    const kept = write(s, { ...stored(s, 'web-abc'), endpoints: Object.freeze([list[0], Object.freeze({ addresses: Object.freeze(['10.244.0.9']) })]) } as unknown as KubeObject)
    expect(E.isRight(kept) ? (stored(kept.right.state, 'web-abc').endpoints ?? []).map((e) => e.addresses[0]) : kept.left.message).toEqual(['10.244.0.5', '10.244.0.9'])
    const broken = write(s, { ...stored(s, 'web-abc'), endpoints: Object.freeze([list[0], Object.freeze({ addresses: Object.freeze(['0.0.0.0']) })]) } as unknown as KubeObject)
    expect(E.isLeft(broken) ? broken.left.message : '').toContain('endpoints[1].addresses[0]: Invalid value: "0.0.0.0": may not be unspecified')
    const swapped = write(s, { ...stored(s, 'web-abc'), endpoints: Object.freeze([list[1], Object.freeze({ addresses: Object.freeze(['10.244.0.10']), zone: 7 })]) } as unknown as KubeObject)
    expect(E.isLeft(swapped) ? swapped.left.message : '').toContain('endpoints[1].zone')
  })
  it('warns on an unknown field of a stored endpoint on every write', () => {
    const withUnknown = write(state, { ...(slice({ metadata: { name: 'web-odd', namespace: 'default' } }) as unknown as KubeObject), endpoints: [{ addresses: ['10.244.0.7'], colour: 'red' }] })
    expect(E.isRight(withUnknown) ? withUnknown.right.warnings : []).toEqual(['EndpointSlice "web-odd": unknown field "endpoints[0].colour"'])
    if (E.isLeft(withUnknown)) return
    const s = withUnknown.right.state
    const again = write(s, { ...stored(s, 'web-odd'), endpoints: [...(stored(s, 'web-odd').endpoints ?? []), accepted] } as unknown as KubeObject)
    expect(E.isRight(again) ? again.right.warnings : []).toEqual(['EndpointSlice "web-odd": unknown field "endpoints[0].colour"'])
  })
})

describe('the admission memo and direct validation', () => {
  it('does not vouch for an endpoint validateEndpointSlice saw without decoding it', () => {
    const odd = Object.freeze({ addresses: Object.freeze(['10.244.0.11']), zone: 7 })
    // Validation alone does not check types (decoding does): it passes, and must not vouch.
    expect(messages(slice({ endpoints: [odd as never] }))).toEqual([])
    const cluster = createCluster({ traceRetention: 'none', controllers: [] })
    const created = applyAction(cluster, { type: 'create', by: 'user', object: { ...(slice({ metadata: { name: 'web-zone', namespace: 'default' } }) as unknown as KubeObject), endpoints: [odd] } })
    expect(E.isLeft(created) ? created.left.message : '').toContain('endpoints[0].zone')
  })
})
