import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { advance, applyManifests, type ClusterState, createCluster, get, list, resolveDns, route } from '../../src/index.js'
import { right } from '../helpers.js'

const deployment = (name: string, labels: Record<string, string>, replicas: number, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: name, image: 'registry.k8s.io/guestbook', ports: [{ name: 'app', containerPort: port }] }] } },
  },
})
const service = (name: string, selector: Record<string, string>, port: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: selector },
  spec: { selector, ports: [{ port, targetPort: 'app' }], ...extra },
})

const GUESTBOOK = [
  deployment('redis-leader', { app: 'redis', role: 'leader' }, 1, 6379),
  service('redis-leader', { app: 'redis', role: 'leader' }, 6379),
  deployment('redis-follower', { app: 'redis', role: 'follower' }, 2, 6379),
  service('redis-follower', { app: 'redis', role: 'follower' }, 6379),
  deployment('frontend', { app: 'guestbook', tier: 'frontend' }, 3, 80),
  service('frontend', { app: 'guestbook', tier: 'frontend' }, 80, { type: 'LoadBalancer' }),
]

const NGINX_WEB = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] } },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'nginx',
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24', ports: [{ name: 'web', containerPort: 80 }] }] } },
    },
  },
]

const run = (manifests: ReadonlyArray<unknown>, pool?: ReadonlyArray<string>): ClusterState =>
  right(advance(right(applyManifests(createCluster({ nodes: 3, seed: 11, ...(pool === undefined ? {} : { loadBalancerPool: pool }) }), manifests)), '2m'))

describe('guestbook', () => {
  it('frontend pods reach the Redis leader and followers by name, and outside clients reach the frontend load balancer', () => {
    const s = run(GUESTBOOK, ['203.0.113.10-203.0.113.20'])
    const front = list(s, 'Pod', { labelSelector: 'tier=frontend' })
    expect(front).toHaveLength(3)
    const client = front[0]?.metadata.name ?? ''
    const leader = right(route(s, { from: client, host: 'redis-leader', port: 6379 }))
    expect(leader.backends).toHaveLength(1)
    expect(leader.backends[0]?.port).toBe(6379)
    expect(right(route(s, { from: client, host: 'redis-follower', port: 6379 })).backends).toHaveLength(2)
    const lb = get(s, 'Service', 'default', 'frontend')
    const ip = O.isSome(lb) ? (lb.value['status'] as { loadBalancer: { ingress: Array<{ ip: string }> } }).loadBalancer.ingress[0]?.ip : undefined
    expect(ip).toBe('203.0.113.10')
    const outside = right(route(s, { host: ip ?? '', port: 80 }))
    expect(outside.via).toBe('LoadBalancer')
    expect(outside.backends.map((b) => b.pod?.name).sort()).toEqual(front.map((p) => p.metadata.name).sort())
    expect(resolveDns(s, 'redis-leader', { fromPod: client }).records).toHaveLength(1)
  })

  it('without a load-balancer pool the frontend stays pending but its NodePort works', () => {
    const s = run(GUESTBOOK)
    const lb = get(s, 'Service', 'default', 'frontend')
    if (O.isNone(lb)) return expect.fail('no frontend')
    expect((lb.value['status'] as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress ?? []).toEqual([])
    const nodePort = (lb.value['spec'] as { ports: Array<{ nodePort: number }> }).ports[0]?.nodePort ?? 0
    expect(E.isRight(route(s, { host: '172.18.0.2', port: nodePort }))).toBe(true)
  })
})

describe('StatefulSet web behind the headless nginx Service', () => {
  it('web-0.nginx.default.svc.cluster.local resolves to web-0 and the Service name to every ready pod', () => {
    const s = run(NGINX_WEB)
    const pods = list(s, 'Pod', { labelSelector: 'app=nginx' })
    expect(pods.map((p) => p.metadata.name)).toEqual(['web-0', 'web-1'])
    const ipOf = (name: string) => (pods.find((p) => p.metadata.name === name)?.['status'] as { podIP: string }).podIP
    expect(resolveDns(s, 'web-0.nginx.default.svc.cluster.local').records.map((r) => r.data)).toEqual([ipOf('web-0')])
    expect(resolveDns(s, 'web-1.nginx').records.map((r) => r.data)).toEqual([ipOf('web-1')])
    expect(resolveDns(s, 'nginx').records.map((r) => r.data).sort()).toEqual([ipOf('web-0'), ipOf('web-1')].sort())
    expect(resolveDns(s, '_web._tcp.nginx', { type: 'SRV' }).records.map((r) => r.target).sort()).toEqual([
      'web-0.nginx.default.svc.cluster.local.',
      'web-1.nginx.default.svc.cluster.local.',
    ])
  })
})
