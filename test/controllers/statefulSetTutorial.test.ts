/**
 * The Kubernetes "StatefulSet Basics" tutorial, step by step: a headless `nginx` Service and a
 * `web` StatefulSet with a `www` claim template; ordered creation, scaling to 5 and back to 3,
 * a rolling update in reverse ordinal order, and claims surviving pod deletion.
 */
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { advance, applyManifests, type ClusterState, createCluster, formatTable, get, type KubeObject, list, parseManifests, remove, scale, traceEntries } from '../../src/index.js'
import { right } from '../helpers.js'

const WEB_YAML = `
apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 2
  minReadySeconds: 10
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
`

const podNames = (s: ClusterState) => list(s, 'Pod', { namespace: 'default' }).map((p) => p.metadata.name)
const image = (p: KubeObject) => (p['spec'] as { containers: { image: string }[] }).containers[0]?.image
const claimVolumes = (s: ClusterState) => list(s, 'PersistentVolumeClaim', { namespace: 'default' }).map((c) => [c.metadata.name, (c['spec'] as { volumeName: string }).volumeName])
const stsDeletes = (s: ClusterState) => traceEntries(s).filter((e) => e.op === 'delete' && e.kind === 'Pod' && e.by === 'statefulset-controller').map((e) => e.name)

describe('StatefulSet basics tutorial', () => {
  it('runs the tutorial end to end', () => {
    const docs = right(parseManifests(WEB_YAML)).map((d) => d.object)
    let s = right(applyManifests(createCluster({ now: Date.UTC(2025, 0, 1), nodes: 3, traceRetention: 'all' }), docs))

    // Ordered pod creation: web-1 only once web-0 is Running and Ready (and minReadySeconds passed).
    s = right(advance(s, '5s'))
    expect(podNames(s)).toEqual(['web-0'])
    s = right(advance(s, '30s'))
    expect(podNames(s)).toEqual(['web-0', 'web-1'])
    const creations = traceEntries(s).filter((e) => e.op === 'create' && e.kind === 'Pod').map((e) => [e.name, e.time])
    expect((creations[1]?.[1] as number) - (creations[0]?.[1] as number)).toBeGreaterThanOrEqual(10_000)
    expect(formatTable(list(s, 'StatefulSet', { namespace: 'default' }), { now: s.now })).toMatch(/^NAME\s+READY\s+AGE\nweb\s+2\/2\s+35s\n$/)
    const web0 = get(s, 'Pod', 'default', 'web-0')
    expect(O.isSome(web0) && web0.value['spec']).toMatchObject({ hostname: 'web-0', subdomain: 'nginx' })
    expect(formatTable(list(s, 'PersistentVolumeClaim', { namespace: 'default' }), { now: s.now })).toMatch(
      /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\nwww-web-0\s+Bound\s+pvc-[0-9a-f-]+\s+1Gi\s+RWO\s+standard\s+<unset>\s+35s\nwww-web-1\s+Bound/,
    )

    // Scaling up to 5 creates web-2, web-3, web-4 in order; scaling down to 3 removes web-4, then web-3.
    s = right(advance(right(scale(s, { kind: 'StatefulSet', namespace: 'default', name: 'web' }, 5)), '2m'))
    expect(podNames(s)).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4'])
    s = right(advance(right(scale(s, { kind: 'StatefulSet', namespace: 'default', name: 'web' }, 3)), '2m'))
    expect(podNames(s)).toEqual(['web-0', 'web-1', 'web-2'])
    expect(stsDeletes(s)).toEqual(['web-4', 'web-3'])
    // The claims of the removed pods stay.
    expect(claimVolumes(s).map(([name]) => name)).toEqual(['www-web-0', 'www-web-1', 'www-web-2', 'www-web-3', 'www-web-4'])

    // A rolling update replaces the pods in reverse ordinal order.
    const updated = docs.map((d) =>
      d.kind !== 'StatefulSet'
        ? d
        : { ...d, spec: { ...(d['spec'] as object), replicas: 3, template: { ...((d['spec'] as { template: object }).template), spec: { ...((d['spec'] as { template: { spec: object } }).template.spec), containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.21' }] } } } },
    )
    s = right(advance(right(applyManifests(s, updated)), '5m'))
    expect(list(s, 'Pod', { namespace: 'default' }).map(image)).toEqual(Array(3).fill('registry.k8s.io/nginx-slim:0.21'))
    expect(stsDeletes(s)).toEqual(['web-4', 'web-3', 'web-2', 'web-1', 'web-0'])

    // Deleting every pod: they come back with the same names, on the same volumes.
    const volumes = claimVolumes(s)
    for (const name of podNames(s)) s = right(remove(s, { kind: 'Pod', namespace: 'default', name }))
    s = right(advance(s, '2m'))
    expect(podNames(s)).toEqual(['web-0', 'web-1', 'web-2'])
    expect(claimVolumes(s)).toEqual(volumes)
    const volumesOfPods = list(s, 'Pod', { namespace: 'default' }).map((p) => (p['spec'] as { volumes: { persistentVolumeClaim?: { claimName: string } }[] }).volumes[0]?.persistentVolumeClaim?.claimName)
    expect(volumesOfPods).toEqual(['www-web-0', 'www-web-1', 'www-web-2'])
  })
})
