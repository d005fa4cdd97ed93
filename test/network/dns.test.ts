import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { applyAction, applyManifests, type ClusterState, createCluster, endpointSliceController, get, resolveDns, settle } from '../../src/index.js'
import { right } from '../helpers.js'

const svc = (name: string, spec: Record<string, unknown>, namespace = 'default') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec })

/** Pods bound to a node with an IP and a Ready condition, as the kubelet leaves them. */
const withPods = (s0: ClusterState, pods: ReadonlyArray<{ name: string; ip: string; ready: boolean; labels: Record<string, string>; hostname?: string; subdomain?: string; namespace?: string }>): ClusterState => {
  let s = s0
  for (const p of pods) {
    const namespace = p.namespace ?? 'default'
    s = right(
      applyAction(s, {
        type: 'create',
        by: 'user',
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: p.name, namespace, labels: p.labels },
          spec: { nodeName: 'node-1', ...(p.hostname === undefined ? {} : { hostname: p.hostname, subdomain: p.subdomain }), containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
        },
      }),
    ).state
    const pod = get(s, 'Pod', namespace, p.name)
    if (O.isNone(pod)) return expect.fail('no pod')
    s = right(applyAction(s, { type: 'updateStatus', by: 'kubelet', object: { ...pod.value, status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] } } })).state
  }
  return right(settle(s))
}

const cluster = (): ClusterState => {
  const s = right(
    applyManifests(createCluster({ nodes: 1, controllers: [endpointSliceController] }), [
      svc('web', { clusterIP: '10.96.1.1', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { port: 81, name: 'metrics' }] }),
      svc('nginx', { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] }),
      svc('empty', { clusterIP: 'None', selector: { app: 'none' }, ports: [{ port: 80 }] }),
      svc('db', { type: 'ExternalName', externalName: 'db.example.com' }),
      svc('alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      svc('web', { clusterIP: '10.96.2.2', ports: [{ port: 80 }] }, 'shop'),
    ]),
  )
  return withPods(s, [
    { name: 'web-a', ip: '10.244.0.10', ready: true, labels: { app: 'web' } },
    { name: 'web-0', ip: '10.244.0.20', ready: true, labels: { app: 'nginx' }, hostname: 'web-0', subdomain: 'nginx' },
    { name: 'web-1', ip: '10.244.0.21', ready: true, labels: { app: 'nginx' }, hostname: 'web-1', subdomain: 'nginx' },
    { name: 'web-2', ip: '10.244.0.22', ready: false, labels: { app: 'nginx' }, hostname: 'web-2', subdomain: 'nginx' },
    { name: 'client', ip: '10.244.0.30', ready: true, labels: { app: 'client' }, namespace: 'shop' },
  ])
}

const data = (s: ClusterState, name: string, options: Parameters<typeof resolveDns>[2] = {}) => resolveDns(s, name, options).records.map((r) => `${r.type} ${r.data}`)

describe('resolveDns', () => {
  const s = cluster()

  it('answers a ClusterIP Service with its IP under every search-path spelling', () => {
    for (const name of ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local', 'web.default.svc.cluster.local.', 'WEB.Default.svc'])
      expect(data(s, name)).toEqual(['A 10.96.1.1'])
    expect(resolveDns(s, 'web').name).toBe('web.default.svc.cluster.local.')
    // From a pod in another namespace the short name finds that namespace's Service first.
    expect(data(s, 'web', { fromPod: 'shop/client' })).toEqual(['A 10.96.2.2'])
    expect(data(s, 'web.default', { fromPod: 'shop/client' })).toEqual(['A 10.96.1.1'])
    expect(resolveDns(s, 'web', { fromPod: 'shop/client' }).tried).toEqual(['web.shop.svc.cluster.local.'])
  })

  it('tries the search list first below 5 dots and the absolute name first from 5 dots', () => {
    expect(resolveDns(s, 'nothing.here').tried).toEqual([
      'nothing.here.default.svc.cluster.local.',
      'nothing.here.svc.cluster.local.',
      'nothing.here.cluster.local.',
      'nothing.here.',
    ])
    expect(resolveDns(s, 'a.b.c.d.e.f').tried[0]).toBe('a.b.c.d.e.f.')
  })

  it('tells NXDOMAIN from an empty answer', () => {
    expect(resolveDns(s, 'missing.default.svc.cluster.local')).toMatchObject({ rcode: 'NXDOMAIN', records: [] })
    expect(resolveDns(s, 'web.default.svc.cluster.local', { type: 'AAAA' })).toMatchObject({ rcode: 'NOERROR', records: [] })
    expect(resolveDns(s, 'default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', records: [] })
    expect(resolveDns(s, 'nosuchns.svc.cluster.local').rcode).toBe('NXDOMAIN')
  })

  it('answers a headless Service with its ready endpoints and each StatefulSet pod by hostname', () => {
    expect(data(s, 'nginx').sort()).toEqual(['A 10.244.0.20', 'A 10.244.0.21'])
    expect(data(s, 'web-0.nginx.default.svc.cluster.local')).toEqual(['A 10.244.0.20'])
    expect(data(s, 'web-0.nginx')).toEqual(['A 10.244.0.20'])
    // Not ready: not published.
    expect(resolveDns(s, 'web-2.nginx').rcode).toBe('NXDOMAIN')
    expect(resolveDns(s, 'empty').rcode).toBe('NXDOMAIN')
    // Hostname records exist only under headless Services.
    expect(resolveDns(s, 'web-a.web').rcode).toBe('NXDOMAIN')
  })

  it('gives SRV records for named ports: one for a ClusterIP Service, one per ready endpoint for a headless one', () => {
    expect(data(s, '_http._tcp.web', { type: 'SRV' })).toEqual(['SRV 0 100 80 web.default.svc.cluster.local.'])
    expect(data(s, '_web._tcp.nginx', { type: 'SRV' }).sort()).toEqual([
      'SRV 0 50 8080 web-0.nginx.default.svc.cluster.local.',
      'SRV 0 50 8080 web-1.nginx.default.svc.cluster.local.',
    ])
    expect(resolveDns(s, '_nope._tcp.web', { type: 'SRV' }).rcode).toBe('NXDOMAIN')
    expect(resolveDns(s, '_http._udp.web', { type: 'SRV' }).rcode).toBe('NXDOMAIN')
  })

  it('answers an ExternalName with a CNAME, chasing it when it points back into the cluster', () => {
    const db = resolveDns(s, 'db')
    expect(db.records.map((r) => `${r.type} ${r.data}`)).toEqual(['CNAME db.example.com.'])
    expect(db.note).toContain('outside the cluster')
    expect(data(s, 'alias')).toEqual(['CNAME web.default.svc.cluster.local.', 'A 10.96.1.1'])
  })

  it('reverses service and headless endpoint IPs, answers pod A records and the schema version', () => {
    expect(data(s, '1.1.96.10.in-addr.arpa.', { type: 'PTR' })).toEqual(['PTR web.default.svc.cluster.local.'])
    expect(data(s, '20.0.244.10.in-addr.arpa.', { type: 'PTR' })).toEqual(['PTR web-0.nginx.default.svc.cluster.local.'])
    expect(resolveDns(s, '9.9.9.9.in-addr.arpa.', { type: 'PTR' }).rcode).toBe('NXDOMAIN')
    expect(data(s, '10-244-0-10.default.pod.cluster.local')).toEqual(['A 10.244.0.10'])
    expect(data(s, 'dns-version.cluster.local', { type: 'TXT' })).toEqual(['TXT "1.0.1"'])
  })

  it('follows the client pod DNS policy and reports an unknown client', () => {
    const hostDns = right(
      applyManifests(s, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h', namespace: 'default' }, spec: { dnsPolicy: 'Default', containers: [{ name: 'c', image: 'x' }] } }]),
    )
    expect(resolveDns(hostDns, 'web', { fromPod: 'h' }).rcode).toBe('NXDOMAIN')
    expect(resolveDns(s, 'web', { fromPod: 'ghost' })).toMatchObject({ rcode: 'SERVFAIL', note: 'no such client pod ghost' })
  })
})
