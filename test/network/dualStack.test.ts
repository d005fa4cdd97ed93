import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  addNode,
  advance,
  apply,
  applyManifests,
  type ClusterState,
  createCluster,
  formatApiError,
  get,
  type KubeObject,
  list,
  remove,
  deleteNode,
  resolveDns,
  route,
  tryCreateCluster,
} from '../../src/index.js'
import { runRoute } from '../../src/cli/network.js'
import { putObject, rebuildStore } from '../../src/store/objectStore.js'
import { checkInvariants, formatViolation, WORKLOAD_INVARIANTS } from '../../src/testing/index.js'
import { left, right } from '../helpers.js'

const DUAL = { serviceCidr: '10.96.0.0/12,fd00:10:96::/112', podCidr: '10.244.0.0/16,fd00:10:244::/56' }
const V6_FIRST = { serviceCidr: 'fd00:10:96::/112,10.96.0.0/12', podCidr: 'fd00:10:244::/56,10.244.0.0/16' }

const svc = (name: string, spec: Record<string, unknown>, namespace = 'default') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec })

interface Spec {
  readonly clusterIP?: string
  readonly clusterIPs?: ReadonlyArray<string>
  readonly ipFamilies?: ReadonlyArray<string>
  readonly ipFamilyPolicy?: string
}
const spec = (s: ClusterState, name: string): Spec => {
  const o = get(s, 'Service', 'default', name)
  return O.isSome(o) ? (o.value['spec'] as Spec) : expect.fail(`no service ${name}`)
}
const message = (r: E.Either<unknown, unknown>): string => formatApiError(left(r) as never)

const web = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
})

describe('cluster configuration', () => {
  it('takes a dual-stack pair for the Service and pod ranges, primary first, and gives every node a pod range per family', () => {
    const s = createCluster({ nodes: 2, ...DUAL })
    expect(list(s, 'Node').map((n) => (n['spec'] as { podCIDRs: string[] }).podCIDRs)).toEqual([
      ['10.244.0.0/24', 'fd00:10:244::/64'],
      ['10.244.1.0/24', 'fd00:10:244:1::/64'],
    ])
    // The apiserver's own Service stays single-stack, on the primary family.
    expect(spec(s, 'kubernetes')).toMatchObject({ clusterIPs: ['10.96.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' })
    const v6 = createCluster({ nodes: 1, ...V6_FIRST })
    expect(spec(v6, 'kubernetes').clusterIPs).toEqual(['fd00:10:96::1'])
    expect(list(v6, 'Node').map((n) => (n['spec'] as { podCIDR: string }).podCIDR)).toEqual(['fd00:10:244::/64'])
  })

  it('addNode gives a joining node the first range free in every family, and its pods both families', () => {
    const s = right(deleteNode(createCluster({ nodes: 3, ...DUAL }), 'node-2'))
    const joined = right(addNode(s, { name: 'extra' }))
    expect((get(joined, 'Node', undefined, 'extra') as unknown as O.Some<{ spec: { podCIDR: string; podCIDRs: string[] } }>).value.spec).toMatchObject({
      podCIDR: '10.244.1.0/24',
      podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'],
    })
    const v6 = right(addNode(createCluster({ nodes: 1, serviceCidr: 'fd00:10:96::/112', podCidr: 'fd00:10:244::/56' }), { name: 'extra' }))
    expect((get(v6, 'Node', undefined, 'extra') as unknown as O.Some<{ spec: { podCIDRs: string[] } }>).value.spec.podCIDRs).toEqual(['fd00:10:244:1::/64'])
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'extra', containers: [{ name: 'c', image: 'nginx' }] } }
    const running = right(advance(right(applyManifests(joined, pod)), '5s'))
    const ips = (get(running, 'Pod', 'default', 'p') as unknown as O.Some<{ status: { podIPs: { ip: string }[] } }>).value.status.podIPs.map((i) => i.ip)
    expect(ips).toEqual(['10.244.1.2', 'fd00:10:244:1::2'])
  })

  it('rejects bad range lists with clear messages', () => {
    const fails = (options: Parameters<typeof tryCreateCluster>[0]) => left(tryCreateCluster(options)).message
    expect(fails({ serviceCidr: '10.96.0.0/12,10.112.0.0/12', podCidr: DUAL.podCidr })).toContain('must be of different IP families')
    expect(fails({ serviceCidr: '10.96.0.0/12,fd00::/112,fd01::/112' })).toContain('at most two CIDRs')
    expect(fails({ serviceCidr: '10.96.0.0/12,fd00:10:96::1/112', podCidr: DUAL.podCidr })).toBe('serviceCidr: "fd00:10:96::1/112" is not a valid CIDR: host bits must be zero')
    expect(fails({ serviceCidr: '10.96.0.0/12,fd00:10:96::/64', podCidr: DUAL.podCidr })).toBe(
      'serviceCidr: specified fd00:10:96::/64 is too large; for 128-bit addresses, the mask must be >= 108',
    )
    expect(fails({ serviceCidr: DUAL.serviceCidr, podCidr: '10.244.0.0/16' })).toContain('must have the same IP families in the same order')
    // Only one of the two given: the other follows its families with the default ranges.
    expect(createCluster({ serviceCidr: DUAL.serviceCidr }).config.podCidr).toBe('10.244.0.0/16,fd00:10:244::/56')
    expect(createCluster({ podCidr: 'fd00:10:244::/56' }).config.serviceCidr).toBe('fd00:10:96::/112')
    expect(fails({ serviceCidr: DUAL.serviceCidr, podCidr: 'fd00:10:244::/56,10.244.0.0/16' })).toContain('must have the same IP families in the same order')
    expect(fails({ serviceCidr: DUAL.serviceCidr, podCidr: '10.244.0.0/16,fd00:10:244::/72' })).toContain('must have a prefix between /48 and /64')
    expect(fails({ nodes: 3, serviceCidr: DUAL.serviceCidr, podCidr: '10.244.0.0/16,fd00:10:244::/63' })).toBe('podCidr fd00:10:244::/63 has room for 2 node /64 ranges, not 3')
    expect(E.isRight(tryCreateCluster({ serviceCidr: 'fd00:10:96::/108', podCidr: 'fd00:10:244::/48' }))).toBe(true)
  })
})

describe('Service IP families', () => {
  const s = createCluster(DUAL)

  it('SingleStack (the default) takes the primary family; ipFamilies or a requested IP pick the other', () => {
    const t = right(applyManifests(s, [svc('a', { ports: [{ port: 80 }] }), svc('b', { ipFamilies: ['IPv6'], ports: [{ port: 80 }] }), svc('c', { clusterIP: 'fd00:10:96::0a', ports: [{ port: 80 }] })]))
    expect(spec(t, 'a')).toMatchObject({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] })
    expect(spec(t, 'a').clusterIPs?.length).toBe(1)
    expect(spec(t, 'b').ipFamilies).toEqual(['IPv6'])
    expect(spec(t, 'b').clusterIP).toMatch(/^fd00:10:96::/)
    // Requested IPv6 addresses are stored canonically.
    expect(spec(t, 'c')).toMatchObject({ clusterIP: 'fd00:10:96::a', clusterIPs: ['fd00:10:96::a'], ipFamilies: ['IPv6'] })
  })

  it('PreferDualStack and RequireDualStack get one IP per family, in ipFamilies order, clusterIP = clusterIPs[0]', () => {
    const t = right(
      applyManifests(s, [
        svc('p', { ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80 }] }),
        svc('r', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'], ports: [{ port: 80 }] }),
        svc('both', { clusterIPs: ['10.96.0.50', 'fd00:10:96::50'], clusterIP: '10.96.0.50', ports: [{ port: 80 }] }),
      ]),
    )
    const p = spec(t, 'p')
    expect(p.ipFamilies).toEqual(['IPv4', 'IPv6'])
    expect(p.clusterIPs?.[0]).toMatch(/^10\./)
    expect(p.clusterIPs?.[1]).toMatch(/^fd00:10:96::/)
    expect(p.clusterIP).toBe(p.clusterIPs?.[0])
    const r = spec(t, 'r')
    expect(r.ipFamilies).toEqual(['IPv6', 'IPv4'])
    expect(r.clusterIP).toMatch(/^fd00:10:96::/)
    // Two requested IPs default the policy to RequireDualStack.
    expect(spec(t, 'both')).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'], clusterIPs: ['10.96.0.50', 'fd00:10:96::50'] })
    const rebuilt = rebuildStore(t.objects)
    expect(t.objects.serviceIps.equals(rebuilt.serviceIps)).toBe(true)
    for (const ip of [...(p.clusterIPs ?? []), ...(r.clusterIPs ?? [])]) expect(t.objects.serviceIps.get(ip)).toMatch(/^default\/[pr]$/)
  })

  it('on a single-stack cluster PreferDualStack stays single-stack and RequireDualStack is refused', () => {
    const single = createCluster()
    expect(spec(right(apply(single, svc('p', { ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80 }] }))), 'p').ipFamilies).toEqual(['IPv4'])
    expect(message(apply(single, svc('r', { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] })))).toBe(
      'The Service "r" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
    )
    expect(message(apply(single, svc('x', { clusterIP: 'fd00::1', ports: [{ port: 80 }] })))).toBe('The Service "x" is invalid: spec.clusterIPs[0]: Invalid value: ["fd00::1"]: IPv6 is not configured on this cluster')
  })

  it('refuses requested IPs that do not fit the families, the ranges or the IPs in use, with the API server messages', () => {
    const t = right(apply(s, svc('taken', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.0.60', clusterIPs: ['10.96.0.60', 'fd00:10:96::60'], ports: [{ port: 80 }] })))
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] }, `spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified`],
      [{ ipFamilyPolicy: 'SingleStack', clusterIP: '10.96.0.61', clusterIPs: ['10.96.0.61', 'fd00:10:96::61'] }, `spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified`],
      [{ ipFamilies: ['IPv4'], clusterIP: 'fd00:10:96::62' }, 'spec.clusterIPs[0]: Invalid value: "fd00:10:96::62": expected an IPv4 value as indicated by `ipFamilies[0]`'],
      [{ ipFamilyPolicy: 'PreferDualStack', clusterIP: '10.96.0.63', clusterIPs: ['10.96.0.63', '10.96.0.64'] }, 'spec.clusterIPs: Invalid value: ["10.96.0.63","10.96.0.64"]: may specify no more than one IP for each IP family'],
      [{ clusterIP: 'fd00:10:97::1' }, 'spec.clusterIPs: Invalid value: ["fd00:10:97::1"]: failed to allocate IP fd00:10:97::1: provided IP is not in the valid range. The range of valid IPs is fd00:10:96::/112'],
      [{ clusterIP: 'fd00:10:96::' }, 'failed to allocate IP fd00:10:96::: provided IP is not in the valid range'],
      [{ ipFamilyPolicy: 'PreferDualStack', clusterIP: '10.96.0.65', clusterIPs: ['10.96.0.65', 'fd00:10:96::60'] }, 'failed to allocate IP fd00:10:96::60: provided IP is already allocated'],
      [{ ipFamilies: ['IPv6', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }, 'spec.ipFamilies[1]: Duplicate value: "IPv6"'],
    ]
    for (const [extra, expected] of cases) expect(message(apply(t, svc('x', { ...extra, ports: [{ port: 80 }] })))).toContain(expected)
    // A failed request holds nothing: the free IP it named is still free.
    expect(spec(right(apply(t, svc('y', { clusterIP: 'fd00:10:96::61', ports: [{ port: 80 }] }))), 'y').clusterIPs).toEqual(['fd00:10:96::61'])
  })

  it('releases every IP on delete', () => {
    const t = right(apply(s, svc('d', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70', 'fd00:10:96::70'], ports: [{ port: 80 }] })))
    const gone = right(remove(t, { kind: 'Service', namespace: 'default', name: 'd' }))
    expect(gone.objects.serviceIps.has('10.96.0.70') || gone.objects.serviceIps.has('fd00:10:96::70')).toBe(false)
    expect(spec(right(apply(gone, svc('e', { ipFamilies: ['IPv6'], clusterIP: 'fd00:10:96::70', ports: [{ port: 80 }] }))), 'e').clusterIP).toBe('fd00:10:96::70')
  })

  it('upgrades a Service to dual-stack and back, keeping the primary IP and family immutable', () => {
    const t = right(apply(s, svc('u', { ports: [{ port: 80 }] })))
    const primary = spec(t, 'u').clusterIP ?? ''
    // An update that omits the policy keeps it.
    expect(spec(right(apply(t, svc('u', { ports: [{ port: 81 }] }))), 'u').ipFamilyPolicy).toBe('SingleStack')
    const up = right(apply(t, svc('u', { ipFamilyPolicy: 'PreferDualStack', clusterIP: primary, clusterIPs: [primary], ipFamilies: ['IPv4'], ports: [{ port: 80 }] })))
    const upgraded = spec(up, 'u')
    expect(upgraded.ipFamilies).toEqual(['IPv4', 'IPv6'])
    expect(upgraded.clusterIPs?.[0]).toBe(primary)
    const secondary = upgraded.clusterIPs?.[1] ?? ''
    expect(up.objects.serviceIps.get(secondary)).toBe('default/u')
    // A later update without a policy does not downgrade it.
    expect(spec(right(apply(up, svc('u', { ports: [{ port: 81 }] }))), 'u').clusterIPs).toEqual([primary, secondary])
    expect(message(apply(up, svc('u', { clusterIP: primary, clusterIPs: [primary], ports: [{ port: 80 }] })))).toContain(
      `spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be set to 'SingleStack' when releasing the secondary clusterIP`,
    )
    expect(message(apply(up, svc('u', { ipFamilies: ['IPv6', 'IPv4'], ports: [{ port: 80 }] })))).toContain('spec.ipFamilies[0]: Invalid value: ["IPv6","IPv4"]: may not change once set')
    expect(message(apply(up, svc('u', { clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99', secondary], ports: [{ port: 80 }] })))).toContain('spec.clusterIPs[0]: Invalid value')
    // SingleStack with the IPs and families left as they were downgrades and releases the secondary.
    const down = right(apply(up, svc('u', { ...upgraded, ipFamilyPolicy: 'SingleStack', ports: [{ port: 80 }] })))
    expect(spec(down, 'u')).toMatchObject({ ipFamilyPolicy: 'SingleStack', clusterIPs: [primary], ipFamilies: ['IPv4'] })
    expect(down.objects.serviceIps.has(secondary)).toBe(false)
    expect(down.objects.serviceIps.equals(rebuildStore(down.objects).serviceIps)).toBe(true)
  })

  it('headless Services take families but no IPs', () => {
    const t = right(applyManifests(s, [svc('h', { clusterIP: 'None', ipFamilyPolicy: 'PreferDualStack', selector: { app: 'web' } }), svc('h1', { clusterIP: 'None', selector: { app: 'web' } })]))
    expect(spec(t, 'h')).toMatchObject({ clusterIPs: ['None'], ipFamilies: ['IPv4', 'IPv6'] })
    expect(spec(t, 'h1')).toMatchObject({ clusterIPs: ['None'], ipFamilies: ['IPv4'] })
  })
})

describe('pods, slices, DNS and routes on a dual-stack cluster', () => {
  const setup = (options: typeof DUAL): ClusterState =>
    right(
      advance(
        right(
          applyManifests(createCluster({ nodes: 2, seed: 5, ...options }), [
            svc('web', { ipFamilyPolicy: 'PreferDualStack', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
            svc('web4', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
            svc('nginx', { clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
            web(3),
          ]),
        ),
        '10s',
      ),
    )
  const s = setup(DUAL)
  const pods = list(s, 'Pod')
  const podIps = (i: number) => pods.map((p) => ((p['status'] as { podIPs: { ip: string }[] }).podIPs[i]?.ip ?? '')).sort()
  const slices = (service: string, type: string) =>
    list(s, 'EndpointSlice', { labelSelector: `kubernetes.io/service-name=${service}` })
      .filter((x) => x['addressType'] === type)
      .flatMap((x) => (x['endpoints'] as { addresses: string[] }[]).map((e) => e.addresses[0] ?? ''))
      .sort()

  it('gives each pod one IP per family from its node ranges, podIP the primary', () => {
    for (const pod of pods) {
      const status = pod['status'] as { podIP: string; podIPs: { ip: string }[] }
      expect(status.podIPs.length).toBe(2)
      expect(status.podIP).toBe(status.podIPs[0]?.ip)
      expect(status.podIPs[0]?.ip).toMatch(/^10\.244\.[01]\./)
      expect(status.podIPs[1]?.ip).toMatch(/^fd00:10:244:(1)?:/)
    }
    expect(new Set(podIps(1)).size).toBe(3)
  })

  it('lists each family in its own slices, single-stack Services only their family', () => {
    expect(slices('web', 'IPv4')).toEqual(podIps(0))
    expect(slices('web', 'IPv6')).toEqual(podIps(1))
    expect(slices('web4', 'IPv4')).toEqual(podIps(0))
    expect(slices('web4', 'IPv6')).toEqual([])
    expect(slices('nginx', 'IPv6')).toEqual(podIps(1))
  })

  it('answers A with IPv4 and AAAA with IPv6, for ClusterIPs, headless endpoints, pods and reverse lookups', () => {
    const w = spec(s, 'web')
    expect(resolveDns(s, 'web', { type: 'A' }).records.map((r) => r.data)).toEqual([w.clusterIPs?.[0]])
    expect(resolveDns(s, 'web', { type: 'AAAA' }).records.map((r) => r.data)).toEqual([w.clusterIPs?.[1]])
    expect(resolveDns(s, 'web4', { type: 'AAAA' })).toMatchObject({ rcode: 'NOERROR', records: [] })
    expect(resolveDns(s, 'nginx', { type: 'AAAA' }).records.map((r) => r.data).sort()).toEqual(podIps(1))
    expect(resolveDns(s, 'nginx', { type: 'A' }).records.map((r) => r.data).sort()).toEqual(podIps(0))
    const v6 = podIps(1)[0] ?? ''
    expect(resolveDns(s, `${v6.replace(/:/g, '-')}.default.pod.cluster.local`, { type: 'AAAA' }).records.map((r) => r.data)).toEqual([v6])
    // ip6.arpa: 32 nibbles, least significant first.
    const nibbles = (ip: string): string => {
      const [head = '', tail = ''] = ip.split('::')
      const groups = (x: string) => (x === '' ? [] : x.split(':'))
      const all = [...groups(head), ...new Array(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)]
      return all.map((g) => g.padStart(4, '0')).join('').split('').reverse().join('.')
    }
    const ptr = resolveDns(s, `${nibbles(w.clusterIPs?.[1] ?? '')}.ip6.arpa.`, { type: 'PTR' })
    expect(ptr.records.map((r) => r.data)).toEqual(['web.default.svc.cluster.local.'])
    const headlessPtr = resolveDns(s, `${nibbles(v6)}.ip6.arpa.`, { type: 'PTR' })
    expect(headlessPtr.records.map((r) => r.data)).toEqual([`${v6.replace(/:/g, '-')}.nginx.default.svc.cluster.local.`])
    // SRV names each headless endpoint of each family once.
    expect(resolveDns(s, '_http._tcp.nginx', { type: 'SRV' }).records.length).toBe(6)
  })

  it('routes to the endpoints of the family connected to, by address, bracketed address or name', () => {
    const w = spec(s, 'web')
    const backendIps = (host: string) => {
      const r = route(s, { host, port: 80 })
      return E.isRight(r) ? r.right.backends.map((b) => b.ip).sort() : expect.fail(`no route to ${host}: ${E.isLeft(r) ? r.left.message : ''}`)
    }
    expect(backendIps(w.clusterIPs?.[0] ?? '')).toEqual(podIps(0))
    expect(backendIps(w.clusterIPs?.[1] ?? '')).toEqual(podIps(1))
    expect(backendIps(`[${w.clusterIPs?.[1] ?? ''}]`)).toEqual(podIps(1))
    expect(backendIps('web')).toEqual(podIps(0))
    expect(backendIps(podIps(1)[0] ?? '')).toHaveLength(1)
    const cli = runRoute(s, `[${w.clusterIPs?.[1] ?? ''}]:80`, { namespace: 'default' })
    expect(cli.code).toBe(0)
    expect(cli.out).toContain(`-> ClusterIP Service default/web port http 80/TCP: 3 backends`)
    expect(runRoute(s, 'fd00::1:80', { namespace: 'default' }).err).toContain('an IPv6 host in brackets')
  })

  it('works the same on an IPv6-primary cluster, and an IPv6-only one', () => {
    const v6 = setup(V6_FIRST)
    const w = spec(v6, 'web')
    expect(w.ipFamilies).toEqual(['IPv6', 'IPv4'])
    expect(spec(v6, 'web4').ipFamilies).toEqual(['IPv6'])
    const pod = list(v6, 'Pod')[0]?.['status'] as { podIP: string; podIPs: { ip: string }[] }
    expect(pod.podIP).toMatch(/^fd00:10:244:/)
    expect(pod.podIPs[1]?.ip).toMatch(/^10\.244\./)
    const r = route(v6, { host: 'web4', port: 80 })
    expect(E.isRight(r) && r.right.backends.every((b) => b.ip.startsWith('fd00:10:244:'))).toBe(true)
    const only = right(
      advance(right(applyManifests(createCluster({ nodes: 1, serviceCidr: 'fd00:10:96::/112', podCidr: 'fd00:10:244::/56' }), [svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }), web(2)])), '10s'),
    )
    expect(spec(only, 'web').ipFamilies).toEqual(['IPv6'])
    expect(resolveDns(only, 'web', { type: 'AAAA' }).records.length).toBe(1)
    expect(list(only, 'EndpointSlice').filter((x) => x.metadata.labels?.['kubernetes.io/service-name'] === 'web').map((x) => x['addressType'])).toEqual(['IPv6'])
  })

  it('drops the IPv6 slices when a Service is downgraded to single-stack', () => {
    const w = spec(s, 'web')
    const down = right(advance(right(apply(s, svc('web', { ...w, ipFamilyPolicy: 'SingleStack', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }))), '1s'))
    const types = list(down, 'EndpointSlice', { labelSelector: 'kubernetes.io/service-name=web' }).map((x) => x['addressType'])
    expect(types).toEqual(['IPv4'])
  })
})

describe('invariants on a dual-stack cluster', () => {
  it('I12 checks every ClusterIP against its own family range', () => {
    const s = right(applyManifests(createCluster({ nodes: 1, ...DUAL }), svc('web', { ipFamilyPolicy: 'RequireDualStack', selector: { app: 'web' }, ports: [{ port: 80 }] })))
    expect(checkInvariants(s, undefined, WORKLOAD_INVARIANTS).filter((v) => v.invariant.startsWith('I12'))).toEqual([])
    // A forged store: the IPv6 address outside fd00:10:96::/112.
    const web = (get(s, 'Service', 'default', 'web') as unknown as O.Some<KubeObject>).value
    const spec = web['spec'] as { clusterIPs: string[] }
    const forged = { ...s, objects: putObject(s.objects, { ...web, spec: { ...spec, clusterIPs: [spec.clusterIPs[0], 'fd00:99::1'] } }) }
    expect(checkInvariants(forged, undefined, WORKLOAD_INVARIANTS).map(formatViolation)).toContain(
      'I12 service addresses: Service default/web spec.clusterIPs: expected inside fd00:10:96::/112, got fd00:99::1',
    )
  })
})
