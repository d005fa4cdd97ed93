import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  applyAction,
  applyManifests,
  type ClusterState,
  createCluster,
  endpointSliceController,
  get,
  loadBalancerController,
  matchIngress,
  pickBackend,
  remove,
  route,
  type Route,
  seedRng,
  settle,
} from '../../src/index.js'
import { left, right } from '../helpers.js'

const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec })

const addPod = (s0: ClusterState, name: string, node: string, ip: string, ready: boolean, labels: Record<string, string>): ClusterState => {
  let s = right(
    applyAction(s0, {
      type: 'create',
      by: 'user',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { nodeName: node, containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] } },
    }),
  ).state
  const pod = get(s, 'Pod', 'default', name)
  if (O.isNone(pod)) return expect.fail('no pod')
  s = right(applyAction(s, { type: 'updateStatus', by: 'kubelet', object: { ...pod.value, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } } })).state
  return s
}

const cluster = (): ClusterState => {
  let s = right(
    applyManifests(createCluster({ nodes: 2, controllers: [endpointSliceController, loadBalancerController], loadBalancerPool: ['192.168.49.100/30'] }), [
      svc('web', { clusterIP: '10.96.1.1', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      svc('local', { clusterIP: '10.96.1.2', internalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }),
      svc('np', { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
      svc('lb', { type: 'LoadBalancer', sessionAffinity: 'ClientIP', selector: { app: 'web' }, ports: [{ port: 443, targetPort: 8080 }] }),
      svc('idle', { selector: { app: 'idle' }, ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'api.example.com' }),
      svc('head', { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] }),
    ]),
  )
  // Both web pods on node-1; an unready one on node-2.
  s = addPod(s, 'web-1', 'node-1', '10.244.0.2', true, { app: 'web' })
  s = addPod(s, 'web-2', 'node-1', '10.244.0.3', true, { app: 'web' })
  s = addPod(s, 'web-3', 'node-2', '10.244.1.2', false, { app: 'web' })
  s = addPod(s, 'client', 'node-2', '10.244.1.9', true, { app: 'client' })
  s = addPod(s, 'idle-1', 'node-2', '10.244.1.10', false, { app: 'idle' })
  return right(settle(s))
}

const names = (r: E.Either<unknown, Route>): string[] => right(r).backends.map((b) => `${b.pod?.name ?? '?'}:${b.port}`).sort()

describe('route', () => {
  const s = cluster()

  it('follows a Service name or ClusterIP to its ready endpoints on the resolved target port', () => {
    expect(names(route(s, { host: 'web', port: 80 }))).toEqual(['web-1:8080', 'web-2:8080'])
    expect(names(route(s, { host: '10.96.1.1', port: 80, from: 'client' }))).toEqual(['web-1:8080', 'web-2:8080'])
    const r = right(route(s, { host: 'web.default.svc.cluster.local', port: 80 }))
    expect(r).toMatchObject({ via: 'ClusterIP', service: { namespace: 'default', name: 'web' }, servicePort: { name: 'http', port: 80, protocol: 'TCP' }, address: '10.96.1.1' })
  })

  it('explains why nothing is reachable', () => {
    expect(left(route(s, { host: 'web', port: 8080 }))).toEqual({ reason: 'PortNotExposed', message: 'service default/web does not expose 8080/TCP (ports: 80/TCP)' })
    expect(left(route(s, { host: 'web', port: 80, protocol: 'UDP' })).reason).toBe('PortNotExposed')
    expect(left(route(s, { host: 'idle', port: 80 })).reason).toBe('NoReadyEndpoints')
    expect(left(route(s, { host: 'nosuch', port: 80 })).reason).toBe('NoSuchService')
    expect(left(route(s, { host: 'ext', port: 443 }))).toEqual({ reason: 'ExternalName', message: 'ext is an ExternalName: CNAME api.example.com., outside the cluster' })
    expect(left(route(s, { host: '10.1.2.3', port: 80 })).reason).toBe('NoSuchHost')
    expect(left(route(s, { host: 'web', port: 80, from: 'ghost' })).reason).toBe('NoSuchPod')
  })

  it('honours internalTrafficPolicy Local for a client pod and externalTrafficPolicy Local on a NodePort', () => {
    expect(left(route(s, { host: 'local', port: 80, from: 'client' })).reason).toBe('NoLocalEndpoints')
    expect(names(route(s, { host: 'local', port: 80 }))).toEqual(['web-1:8080', 'web-2:8080'])
    const node1 = right(route(s, { host: '172.18.0.2', port: 30080 }))
    expect(node1.via).toBe('NodePort')
    expect(node1.backends.map((b) => b.pod?.name).sort()).toEqual(['web-1', 'web-2'])
    expect(left(route(s, { host: '172.18.0.3', port: 30080 }))).toMatchObject({ reason: 'NoLocalEndpoints' })
    expect(left(route(s, { host: '172.18.0.2', port: 31111 })).reason).toBe('PortNotExposed')
  })

  it('routes a LoadBalancer ingress IP, a pod IP and a headless name', () => {
    const lb = get(s, 'Service', 'default', 'lb')
    const ip = O.isSome(lb) ? ((lb.value['status'] as { loadBalancer: { ingress: Array<{ ip: string }> } }).loadBalancer.ingress[0]?.ip ?? '') : ''
    expect(ip).toBe('192.168.49.101')
    expect(right(route(s, { host: ip, port: 443 })).via).toBe('LoadBalancer')
    expect(right(route(s, { host: '10.244.1.2', port: 8080 })).backends[0]).toMatchObject({ pod: { name: 'web-3' }, ready: false })
    const head = right(route(s, { host: 'head', port: 80 }))
    expect(head.via).toBe('Headless')
    expect(head.backends.map((b) => b.ip).sort()).toEqual(['10.244.0.2', '10.244.0.3'])
  })

  it('falls back to serving terminating endpoints when none is ready', () => {
    let t = right(remove(s, { kind: 'Pod', namespace: 'default', name: 'web-1' }))
    t = right(remove(t, { kind: 'Pod', namespace: 'default', name: 'web-2' }))
    t = right(settle(t))
    const r = right(route(t, { host: 'web', port: 80 }))
    expect(r.backends.map((b) => [b.pod?.name, b.terminating]).sort()).toEqual([['web-1', true], ['web-2', true]])
  })

  it('picks backends with the seeded PRNG, and by client under ClientIP affinity', () => {
    const r = right(route(s, { host: 'web', port: 80 }))
    const picks = (seed: number) => {
      let rng = seedRng(seed)
      const out: string[] = []
      for (let i = 0; i < 20; i++) {
        const [b, next] = pickBackend(r, rng)
        out.push(b.ip)
        rng = next
      }
      return out
    }
    expect(picks(5)).toEqual(picks(5))
    expect(new Set(picks(5)).size).toBe(2)
    const lb = right(route(s, { host: 'lb', port: 443 }))
    expect(lb.sessionAffinity).toBe('ClientIP')
    const sticky = new Set([1, 2, 3, 4, 5].map((seed) => pickBackend(lb, seedRng(seed), '203.0.113.7')[0].ip))
    expect(sticky.size).toBe(1)
  })
})

describe('Ingress', () => {
  const ing = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', ...extra }, spec })
  const backend = (name: string, number = 80) => ({ service: { name, port: { number } } })
  const path = (p: string, pathType: string, to: string) => ({ path: p, pathType, backend: backend(to) })
  const base = (): ClusterState =>
    right(
      applyManifests(cluster(), [
        ing('shop', {
          rules: [
            { host: 'shop.example.com', http: { paths: [path('/', 'Prefix', 'front'), path('/cart', 'Prefix', 'cart'), path('/cart/checkout', 'Exact', 'checkout'), path('/api', 'ImplementationSpecific', 'api')] } },
            { host: '*.example.com', http: { paths: [path('/', 'Prefix', 'wild')] } },
          ],
        }),
        ing('catch', { defaultBackend: backend('web'), rules: [{ http: { paths: [path('/status', 'Exact', 'status')] } }] }),
      ]),
    )
  const to = (s: ClusterState, host: string, p: string): string => {
    const m = matchIngress(s, { host, path: p })
    return E.isRight(m) ? `${m.right.backend.service?.name ?? ''}` : m.left.reason
  }

  it('matches the most specific host, the longest path, Exact before Prefix, and element-wise prefixes', () => {
    const s = base()
    expect(to(s, 'shop.example.com', '/')).toBe('front')
    expect(to(s, 'shop.example.com', '/cart')).toBe('cart')
    expect(to(s, 'shop.example.com', '/cart/')).toBe('cart')
    expect(to(s, 'shop.example.com', '/cart/items')).toBe('cart')
    expect(to(s, 'shop.example.com', '/cartography')).toBe('front')
    expect(to(s, 'shop.example.com', '/cart/checkout')).toBe('checkout')
    expect(to(s, 'shop.example.com', '/cart/checkout/x')).toBe('cart')
    expect(to(s, 'shop.example.com', '/api/v1')).toBe('api')
    expect(to(s, 'SHOP.example.com:80', '/')).toBe('front')
    expect(to(s, 'blog.example.com', '/')).toBe('wild')
    expect(to(s, 'a.b.example.com', '/status')).toBe('status')
    expect(to(s, 'other.org', '/anything')).toBe('web')
  })

  it('routes through the matched backend Service and reports a missing one', () => {
    const s = base()
    const r = right(route(s, { host: 'other.org', port: 80, path: '/x' }))
    expect(r.via).toBe('Ingress')
    expect(r.ingress).toMatchObject({ ingress: { name: 'catch' }, host: '' })
    expect(r.backends.map((b) => b.pod?.name).sort()).toEqual(['web-1', 'web-2'])
    expect(left(route(s, { host: 'shop.example.com', port: 80, path: '/cart' }))).toMatchObject({ reason: 'NoSuchService' })
  })

  it('serves only the Ingresses of the selected IngressClass', () => {
    const s = right(
      applyManifests(base(), [
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'k8s.io/ingress-nginx' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller' } },
        ing('t', { ingressClassName: 'traefik', rules: [{ host: 'shop.example.com', http: { paths: [path('/', 'Prefix', 'traefik-front')] } }] }),
      ]),
    )
    // Class-less Ingresses belong to the default class.
    expect(to(s, 'shop.example.com', '/')).toBe('front')
    const viaTraefik = matchIngress(s, { host: 'shop.example.com', path: '/', ingressClassName: 'traefik' })
    expect(E.isRight(viaTraefik) && viaTraefik.right.backend.service?.name).toBe('traefik-front')
    expect(E.isLeft(matchIngress(s, { host: 'other.org', path: '/', ingressClassName: 'traefik' }))).toBe(true)
  })
})
