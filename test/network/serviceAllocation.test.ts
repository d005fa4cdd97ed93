import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { apply, applyManifests, cidrContains, type ClusterState, createCluster, formatApiError, get, list, parseCidr, remove } from '../../src/index.js'
import { rebuildStore } from '../../src/store/objectStore.js'
import { left, right } from '../helpers.js'

const svc = (name: string, spec: Record<string, unknown>, namespace = 'default') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec })
const spec = (s: ClusterState, name: string) => {
  const o = get(s, 'Service', 'default', name)
  return O.isSome(o) ? (o.value['spec'] as Record<string, unknown> & { clusterIP?: string; clusterIPs?: string[]; ports?: Array<{ nodePort?: number }>; healthCheckNodePort?: number }) : expect.fail(`no service ${name}`)
}
const message = (r: E.Either<unknown, unknown>): string => {
  if (E.isRight(r)) return expect.fail('expected an error')
  const l = r.left as { message?: string } | ReadonlyArray<{ message: string }>
  return Array.isArray(l) ? formatApiError(l[0]) : formatApiError(l as never)
}

describe('ClusterIP allocation', () => {
  it('gives the kubernetes Service the first address and every other Service a distinct one in the range', () => {
    const s = right(applyManifests(createCluster({ seed: 3 }), [svc('a', { ports: [{ port: 80 }] }), svc('b', { ports: [{ port: 80 }] })]))
    expect(spec(s, 'kubernetes').clusterIP).toBe('10.96.0.1')
    const a = spec(s, 'a')
    const b = spec(s, 'b')
    expect(a.clusterIP).not.toBe(b.clusterIP)
    expect(a.clusterIPs).toEqual([a.clusterIP])
    expect(a.ipFamilies).toEqual(['IPv4'])
    const cidr = right(parseCidr('10.96.0.0/12'))
    expect(cidrContains(cidr, a.clusterIP ?? '')).toBe(true)
    // Dynamic allocation prefers the upper band: the first 256 addresses are kept for requests.
    expect(a.clusterIP?.startsWith('10.96.0.')).toBe(false)
  })

  it('is deterministic for a seed and differs across seeds', () => {
    const ip = (seed: number) => spec(right(apply(createCluster({ seed }), svc('a', { ports: [{ port: 80 }] }))), 'a').clusterIP
    expect(ip(7)).toBe(ip(7))
    expect(new Set([1, 2, 3, 4].map(ip)).size).toBeGreaterThan(1)
  })

  it('honours a requested IP (kube-dns takes 10.96.0.10) and refuses a taken or out-of-range one with the API server message', () => {
    const s = right(apply(createCluster(), svc('kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }, 'kube-system')))
    const dns = get(s, 'Service', 'kube-system', 'kube-dns')
    expect(O.isSome(dns) && (dns.value['spec'] as { clusterIP: string }).clusterIP).toBe('10.96.0.10')
    expect(message(apply(s, svc('x', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })))).toBe(
      'The Service "x" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    )
    expect(message(apply(s, svc('x', { clusterIP: '10.200.0.1', ports: [{ port: 80 }] })))).toBe(
      'The Service "x" is invalid: spec.clusterIPs: Invalid value: ["10.200.0.1"]: failed to allocate IP 10.200.0.1: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    )
    // The network and broadcast addresses are never handed out.
    expect(message(apply(s, svc('x', { clusterIP: '10.96.0.0', ports: [{ port: 80 }] })))).toContain('not in the valid range')
    expect(message(apply(s, svc('x', { clusterIP: '10.111.255.255', ports: [{ port: 80 }] })))).toContain('not in the valid range')
  })

  it('answers a full range with the API server internal error', () => {
    let s = createCluster({ serviceCidr: '10.0.0.0/29' })
    for (let i = 0; i < 5; i++) s = right(apply(s, svc(`s${i}`, { ports: [{ port: 80 }] })))
    const ips = list(s, 'Service').map((o) => (o['spec'] as { clusterIP: string }).clusterIP).sort()
    expect(ips).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'])
    const full = left(apply(s, svc('more', { ports: [{ port: 80 }] })))
    expect(full.reason).toBe('InternalError')
    expect(formatApiError(full)).toBe('Error from server (InternalError): Internal error occurred: failed to allocate a serviceIP: range is full')
  })

  it('releases the IP when the Service is deleted', () => {
    const s = right(apply(createCluster(), svc('a', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] })))
    expect(E.isLeft(apply(s, svc('b', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] })))).toBe(true)
    const gone = right(remove(s, { kind: 'Service', namespace: 'default', name: 'a' }))
    expect(spec(right(apply(gone, svc('b', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] }))), 'b').clusterIP).toBe('10.96.5.5')
  })

  it('gives headless and ExternalName Services no cluster IP, and refuses IPv6 or dual-stack on an IPv4 cluster', () => {
    const s = right(applyManifests(createCluster(), [svc('h', { clusterIP: 'None', selector: { app: 'x' } }), svc('e', { type: 'ExternalName', externalName: 'db.example.com' })]))
    expect(spec(s, 'h').clusterIPs).toEqual(['None'])
    expect(spec(s, 'e').clusterIP).toBeUndefined()
    expect(message(apply(s, svc('d', { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] })))).toBe(
      'The Service "d" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
    )
    expect(message(apply(s, svc('d', { ipFamilies: ['IPv6'], ports: [{ port: 80 }] })))).toBe('The Service "d" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster')
    // Headless without a selector may name both families (upstream's one exception).
    expect(spec(right(apply(s, svc('hh', { clusterIP: 'None', ipFamilyPolicy: 'PreferDualStack' }))), 'hh').ipFamilies).toEqual(['IPv4', 'IPv6'])
  })

  it('keeps the cluster IP immutable on update and allocates one when an ExternalName becomes a ClusterIP Service', () => {
    const s = right(apply(createCluster(), svc('a', { ports: [{ port: 80 }] })))
    const ip = spec(s, 'a').clusterIP
    const same = right(apply(s, svc('a', { ports: [{ port: 8080 }] })))
    expect(spec(same, 'a').clusterIP).toBe(ip)
    expect(message(apply(s, svc('a', { clusterIP: '10.96.7.7', ports: [{ port: 80 }] })))).toContain('may not change once set')
    const e = right(apply(s, svc('e', { type: 'ExternalName', externalName: 'x.example.com' })))
    const promoted = right(apply(e, svc('e', { type: 'ClusterIP', ports: [{ port: 80 }] })))
    expect(spec(promoted, 'e').clusterIP).toMatch(/^10\./)
  })
})

describe('NodePort allocation', () => {
  it('allocates one port per service port, shared across protocols of the same port, and a health-check port for Local', () => {
    const s = right(
      applyManifests(createCluster({ seed: 1 }), [
        svc('dns', { type: 'NodePort', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, protocol: 'TCP' }, { name: 'http', port: 80 }] }),
        svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }),
        svc('lbn', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }),
      ]),
    )
    const [udp, tcp, http] = (spec(s, 'dns').ports ?? []).map((p) => p.nodePort)
    expect(udp).toBe(tcp)
    expect(http).not.toBe(udp)
    for (const p of [udp, http]) expect(p! >= 30086 && p! <= 32767).toBe(true)
    expect(spec(s, 'lb').healthCheckNodePort).toBeGreaterThanOrEqual(30000)
    expect(spec(s, 'lbn').ports?.[0]?.nodePort).toBeUndefined()
  })

  it('checks requested ports for range and conflicts with the API server messages', () => {
    const s = right(apply(createCluster(), svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })))
    expect(message(apply(s, svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })))).toBe(
      'The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    )
    expect(message(apply(s, svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })))).toBe(
      'The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    )
    expect(message(apply(s, svc('b', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30080, ports: [{ port: 80 }] })))).toBe(
      'Error from server (InternalError): Internal error occurred: failed to allocate requested HealthCheck NodePort 30080: provided port is already allocated',
    )
    // Updating the owner with its own port is fine; switching it to ClusterIP releases the port.
    const updated = right(apply(s, svc('a', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'x', port: 81 }] })))
    expect(spec(updated, 'a').ports?.[0]?.nodePort).toBe(30080)
  })

  it('releases node ports on a type change and on delete, and reports a full range', () => {
    let s = right(apply(createCluster({ nodePortRange: [30000, 30001] }), svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] })))
    s = right(apply(s, svc('b', { type: 'NodePort', ports: [{ port: 80 }] })))
    expect(spec(s, 'b').ports?.[0]?.nodePort).toBe(30001)
    expect(formatApiError(left(apply(s, svc('c', { type: 'NodePort', ports: [{ port: 80 }] }))))).toBe(
      'Error from server (InternalError): Internal error occurred: failed to allocate a nodePort: range is full',
    )
    const demoted = right(apply(s, svc('a', { type: 'ClusterIP', ports: [{ port: 80 }] })))
    expect(spec(right(apply(demoted, svc('c', { type: 'NodePort', ports: [{ port: 80 }] }))), 'c').ports?.[0]?.nodePort).toBe(30000)
    const deleted = right(remove(s, { kind: 'Service', namespace: 'default', name: 'b' }))
    expect(spec(right(apply(deleted, svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }))), 'c').ports?.[0]?.nodePort).toBe(30001)
  })
})

describe('allocation properties', () => {
  const op = fc.record({
    remove: fc.boolean(),
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'Headless'),
    requestIp: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    requestPort: fc.option(fc.integer({ min: 29995, max: 30010 }), { nil: undefined }),
    local: fc.boolean(),
  })

  it('cluster IPs stay unique and inside the CIDR, node ports unique and in range, and the indices match a rebuild', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.integer({ min: 0, max: 5 }), (ops, seed) => {
        let s = createCluster({ seed, serviceCidr: '10.0.0.0/27', nodePortRange: [30000, 30007] })
        for (const o of ops) {
          const next = o.remove
            ? remove(s, { kind: 'Service', namespace: 'default', name: o.name })
            : apply(
                s,
                svc(
                  o.name,
                  o.type === 'ExternalName'
                    ? { type: 'ExternalName', externalName: 'x.example.com' }
                    : {
                        type: o.type === 'Headless' ? 'ClusterIP' : o.type,
                        ...(o.type === 'Headless' ? { clusterIP: 'None' } : o.requestIp === undefined ? {} : { clusterIP: `10.0.0.${o.requestIp}` }),
                        ...(o.type === 'LoadBalancer' && o.local ? { externalTrafficPolicy: 'Local' } : {}),
                        ports: [{ port: 80, ...(o.requestPort !== undefined && (o.type === 'NodePort' || o.type === 'LoadBalancer') ? { nodePort: o.requestPort } : {}) }],
                      },
                ),
              )
          if (E.isRight(next)) s = next.right
          const services = list(s, 'Service')
          const ips = services.flatMap((x) => ((x['spec'] as { clusterIPs?: string[]; type?: string }).type === 'ExternalName' ? [] : ((x['spec'] as { clusterIPs?: string[] }).clusterIPs ?? [])).filter((ip) => ip !== 'None'))
          expect(new Set(ips).size).toBe(ips.length)
          for (const ip of ips) expect(cidrContains(right(parseCidr('10.0.0.0/27')), ip) && ip !== '10.0.0.0' && ip !== '10.0.0.31').toBe(true)
          const ports = services.flatMap((x) => {
            const sp = x['spec'] as { ports?: Array<{ nodePort?: number }>; healthCheckNodePort?: number }
            return [...new Set((sp.ports ?? []).map((p) => p.nodePort).filter((p): p is number => p !== undefined))].concat(sp.healthCheckNodePort === undefined ? [] : [sp.healthCheckNodePort])
          })
          expect(new Set(ports).size).toBe(ports.length)
          for (const p of ports) expect(p >= 30000 && p <= 30007).toBe(true)
          for (const x of services) {
            const sp = x['spec'] as { clusterIPs?: string[]; clusterIP?: string }
            if (sp.clusterIPs?.[0] === 'None') expect(sp.clusterIP).toBe('None')
          }
          const rebuilt = rebuildStore(s.objects)
          expect(s.objects.serviceIps.equals(rebuilt.serviceIps)).toBe(true)
          expect(s.objects.nodePorts.equals(rebuilt.nodePorts)).toBe(true)
          expect(s.objects.serviceIps.size).toBe(ips.length)
        }
      }),
      { numRuns: 60 },
    )
  })
})
