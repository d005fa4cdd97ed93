import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { advance, apply, type ClusterState, createCluster, ipFamilyOf, type KubeObject, list, parseCidr, parseIpv6, parseIpv6Cidr, remove, resolveDns, scale } from '../../src/index.js'
import { rebuildStore } from '../../src/store/objectStore.js'
import { right } from '../helpers.js'

// Small Service ranges so requests and allocations collide: 29 usable IPv4 addresses, 31 IPv6.
const V4_RANGE = '10.0.0.0/27'
const V6_RANGE = 'fd00:10:96::/123'

const inRange = (ip: string): boolean => {
  if (ipFamilyOf(ip) === 'IPv4') {
    const cidr = right(parseCidr(V4_RANGE))
    const value = ip.split('.').reduce((a, p) => a * 256 + Number(p), 0)
    return value > cidr.network && value < cidr.network + cidr.size - 1
  }
  const cidr = right(parseIpv6Cidr(V6_RANGE))
  const value = right(parseIpv6(ip))
  return value > cidr.network && value < cidr.network + cidr.size
}

type Op =
  | { readonly tag: 'service'; readonly name: string; readonly policy: string | undefined; readonly families: ReadonlyArray<string>; readonly ips: ReadonlyArray<string>; readonly headless: boolean }
  | { readonly tag: 'remove'; readonly name: string }
  | { readonly tag: 'scale'; readonly replicas: number }
  | { readonly tag: 'advance'; readonly seconds: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    tag: fc.constant('service' as const),
    name: fc.constantFrom('a', 'b', 'c', 'd'),
    policy: fc.constantFrom(undefined, 'SingleStack', 'PreferDualStack', 'RequireDualStack'),
    families: fc.constantFrom([], ['IPv4'], ['IPv6'], ['IPv4', 'IPv6'], ['IPv6', 'IPv4']),
    ips: fc.array(fc.oneof(fc.integer({ min: 0, max: 33 }).map((n) => `10.0.0.${n}`), fc.integer({ min: 0, max: 33 }).map((n) => `fd00:10:96::${n.toString(16)}`)), { maxLength: 2 }),
    headless: fc.boolean(),
  }),
  fc.record({ tag: fc.constant('remove' as const), name: fc.constantFrom('a', 'b', 'c', 'd') }),
  fc.record({ tag: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ tag: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 10 }) }),
)

const serviceManifest = (op: Extract<Op, { tag: 'service' }>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: op.name, namespace: 'default' },
  spec: {
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80 }],
    ...(op.policy === undefined ? {} : { ipFamilyPolicy: op.policy }),
    ...(op.families.length === 0 ? {} : { ipFamilies: op.families }),
    ...(op.headless ? { clusterIP: 'None' } : op.ips.length === 0 ? {} : { clusterIP: op.ips[0], clusterIPs: op.ips }),
  },
})

interface Spec {
  readonly clusterIP?: string
  readonly clusterIPs?: ReadonlyArray<string>
  readonly ipFamilies?: ReadonlyArray<string>
  readonly selector?: Readonly<Record<string, string>>
}
const specOf = (o: KubeObject): Spec => o['spec'] as Spec

/** Allocation invariants, after every operation. */
const checkAllocations = (s: ClusterState): void => {
  const ips: string[] = []
  for (const service of list(s, 'Service')) {
    const spec = specOf(service)
    const families = spec.ipFamilies ?? []
    expect(families.length).toBeGreaterThan(0)
    if (spec.clusterIPs?.[0] === 'None') continue
    const own = spec.clusterIPs ?? []
    expect(spec.clusterIP).toBe(own[0])
    expect(own.map((ip) => ipFamilyOf(ip))).toEqual(families)
    ips.push(...own)
  }
  expect(new Set(ips).size).toBe(ips.length)
  // The kubernetes Service holds the first address of the primary range.
  for (const ip of ips.filter((x) => x !== '10.0.0.1' && x !== 'fd00:10:96::1')) expect(inRange(ip)).toBe(true)
  const rebuilt = rebuildStore(s.objects)
  expect(s.objects.serviceIps.equals(rebuilt.serviceIps)).toBe(true)
  expect(s.objects.serviceIps.size).toBe(ips.length)
}

/** Slices and DNS against the pods, once the controllers have caught up. */
const checkEndpoints = (s: ClusterState): void => {
  const pods = list(s, 'Pod').filter((p) => {
    const status = p['status'] as { phase?: string; podIP?: string } | undefined
    return p.metadata.labels?.['app'] === 'web' && status?.podIP !== undefined && status.phase !== 'Succeeded' && status.phase !== 'Failed'
  })
  const podIps = (family: string) =>
    pods
      .flatMap((p) => ((p['status'] as { podIPs?: { ip: string }[] }).podIPs ?? []).map((x) => x.ip))
      .filter((ip) => ipFamilyOf(ip) === family)
      .sort()
  for (const service of list(s, 'Service')) {
    const spec = specOf(service)
    if (spec.selector === undefined) continue
    const slices = list(s, 'EndpointSlice', { labelSelector: `kubernetes.io/service-name=${service.metadata.name}` })
    const listed = (family: string) =>
      slices
        .filter((x) => x['addressType'] === family)
        .flatMap((x) => (x['endpoints'] as { addresses: string[] }[]).map((e) => e.addresses[0] ?? ''))
        .sort()
    for (const family of ['IPv4', 'IPv6']) {
      const wanted = (spec.ipFamilies ?? []).includes(family)
      expect(listed(family)).toEqual(wanted ? podIps(family) : [])
      // Each family the Service has keeps at least a placeholder slice; others have none.
      expect(slices.some((x) => x['addressType'] === family)).toBe(wanted)
    }
    const aaaa = resolveDns(s, `${service.metadata.name}.default.svc.cluster.local.`, { type: 'AAAA' })
    if (spec.clusterIPs?.[0] === 'None') {
      const ready = slices
        .filter((x) => x['addressType'] === 'IPv6')
        .flatMap((x) => (x['endpoints'] as { addresses: string[]; conditions?: { ready?: boolean } }[]).filter((e) => e.conditions?.ready !== false).map((e) => e.addresses[0] ?? ''))
        .sort()
      expect(aaaa.records.map((r) => r.data).sort()).toEqual(ready)
    } else expect(aaaa.records.map((r) => r.data)).toEqual((spec.clusterIPs ?? []).filter((ip) => ipFamilyOf(ip) === 'IPv6'))
  }
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
}

describe('dual-stack properties', () => {
  it('cluster IPs are unique, inside their family range and in ipFamilies order; slices and AAAA answers follow the pods of each family', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 9 }), fc.array(opArb, { maxLength: 10 }), (v6First, seed, ops) => {
        const [serviceCidr, podCidr] = v6First ? [`${V6_RANGE},${V4_RANGE}`, 'fd00:10:244::/56,10.244.0.0/16'] : [`${V4_RANGE},${V6_RANGE}`, '10.244.0.0/16,fd00:10:244::/56']
        let s = right(apply(createCluster({ seed, nodes: 2, serviceCidr, podCidr }), deployment))
        for (const op of ops) {
          const next =
            op.tag === 'service'
              ? apply(s, serviceManifest(op))
              : op.tag === 'remove'
                ? remove(s, { kind: 'Service', namespace: 'default', name: op.name })
                : op.tag === 'scale'
                  ? scale(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, op.replicas)
                  : advance(s, `${op.seconds}s`)
          if (E.isRight(next)) s = next.right
          checkAllocations(s)
          if (op.tag === 'service' && E.isRight(next)) {
            // The policy decides the number of families on a dual-stack cluster.
            const found = list(s, 'Service').find((x) => x.metadata.name === op.name)
            const stored = found === undefined ? {} : (found['spec'] as { ipFamilies?: string[]; ipFamilyPolicy?: string })
            if (op.policy !== undefined) expect(stored.ipFamilyPolicy).toBe(op.policy)
            expect((stored.ipFamilies ?? []).length).toBe(stored.ipFamilyPolicy === 'SingleStack' ? 1 : 2)
          }
        }
        s = right(advance(s, '10s'))
        checkAllocations(s)
        checkEndpoints(s)
      }),
      { numRuns: 30 },
    )
  })

  it('an IPv4-only cluster never hands out IPv6 and keeps one IPv4 slice set', () => {
    fc.assert(
      fc.property(fc.array(opArb.filter((o) => o.tag !== 'advance'), { maxLength: 6 }), (ops) => {
        let s = right(apply(createCluster({ nodes: 1, serviceCidr: V4_RANGE }), deployment))
        for (const op of ops) {
          const next = op.tag === 'service' ? apply(s, serviceManifest(op)) : op.tag === 'remove' ? remove(s, { kind: 'Service', namespace: 'default', name: op.name }) : op.tag === 'scale' ? scale(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, op.replicas) : E.right(s)
          if (E.isRight(next)) s = next.right
        }
        s = right(advance(s, '5s'))
        for (const service of list(s, 'Service')) {
          const spec = specOf(service)
          const selectorless = spec.selector === undefined
          // Only headless selector-less Services may name IPv6 on an IPv4 cluster.
          if (!selectorless || spec.clusterIPs?.[0] !== 'None') expect(spec.ipFamilies).toEqual(['IPv4'])
        }
        for (const pod of list(s, 'Pod')) expect(((pod['status'] as { podIPs?: unknown[] }).podIPs ?? []).length).toBeLessThanOrEqual(1)
        expect(list(s, 'EndpointSlice').every((x) => x['addressType'] === 'IPv4')).toBe(true)
      }),
      { numRuns: 20 },
    )
  })
})
