import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { transformSync } from 'esbuild'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import * as kubesim from '../../src/index.js'
import { applyManifests, createCluster, get, list } from '../../src/index.js'
import { describeObject } from '../../src/io/describe.js'
import type { KubeObject } from '../../src/objects/object.js'
import { putObject } from '../../src/store/objectStore.js'
import type { ClusterState } from '../../src/store/state.js'

const NOW = Date.UTC(2025, 0, 1)

const cluster = (yaml: string, nodes = 1): ClusterState => {
  const applied = applyManifests(createCluster({ nodes }), yaml)
  if (E.isLeft(applied)) throw new Error(JSON.stringify(applied.left))
  return applied.right
}

/** Writes an object as a controller would (status included), bypassing the user API. */
const put = (state: ClusterState, object: unknown): ClusterState => ({ ...state, objects: putObject(state.objects, object as KubeObject) })

const one = (state: ClusterState, kind: string, namespace: string | undefined, name: string): KubeObject => {
  const found = get(state, kind, namespace, name)
  if (O.isNone(found)) throw new Error(`${kind} ${name} not found`)
  return found.value
}

const POD = `
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web, tier: fe }, annotations: { team: shop } }
spec:
  serviceAccountName: default
  nodeName: node-1
  nodeSelector: { disk: ssd }
  containers:
    - name: nginx
      image: nginx:1.27
      ports: [{ containerPort: 80 }, { containerPort: 443 }]
      resources: { requests: { cpu: 250m, memory: 64Mi }, limits: { memory: 128Mi } }
      env: [{ name: MODE, value: fast }]
      volumeMounts: [{ name: data, mountPath: /data, readOnly: true }]
      readinessProbe: { httpGet: { path: /healthz, port: 8080 } }
  volumes: [{ name: data, emptyDir: {} }]
`

const runningStatus = {
  phase: 'Running',
  hostIP: '172.18.0.2',
  podIP: '10.244.0.5',
  podIPs: [{ ip: '10.244.0.5' }],
  startTime: '2025-01-01T00:00:01Z',
  conditions: [
    { type: 'Ready', status: 'True' },
    { type: 'PodScheduled', status: 'True' },
  ],
  containerStatuses: [
    {
      name: 'nginx',
      ready: true,
      restartCount: 2,
      image: 'nginx:1.27',
      imageID: 'docker.io/library/nginx@sha256:abc',
      containerID: 'containerd://c0ffee',
      state: { running: { startedAt: '2025-01-01T00:00:05Z' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2025-01-01T00:00:02Z', finishedAt: '2025-01-01T00:00:04Z' } },
    },
  ],
}

const event = (name: string, involved: Record<string, string>, extra: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: involved,
  type: 'Normal',
  ...extra,
})

describe('describeObject: Pod', () => {
  const base = cluster(POD)
  const pod = one(base, 'Pod', 'default', 'web')
  const running = put(base, { ...pod, status: runningStatus })
  const text = describeObject({ ...running, now: NOW + 65_000 }, one(running, 'Pod', 'default', 'web'))

  it('prints the header fields in kubectl order, aligned in one column', () => {
    const header = text.split('\n').slice(0, 6)
    expect(header).toEqual([
      'Name:             web',
      'Namespace:        default',
      'Service Account:  default',
      'Node:             node-1/172.18.0.2',
      'Start Time:       Wed, 01 Jan 2025 00:00:01 +0000',
      'Labels:           app=web',
    ])
    expect(text).toContain('Labels:           app=web\n                  tier=fe\n')
    expect(text).toContain('Annotations:      team: shop\n')
    expect(text).toContain('Status:           Running\n')
    expect(text).toContain('IP:               10.244.0.5\nIPs:\n  IP:  10.244.0.5\n')
  })

  it('never shows the last-applied-configuration annotation, as kubectl', () => {
    expect(pod.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeDefined()
    expect(text).not.toContain('last-applied-configuration')
  })

  it('prints containers with state, last state, resources, probes, environment and mounts', () => {
    expect(text).toMatch(/^Containers:\n {2}nginx:\n {4}Container ID: +containerd:\/\/c0ffee$/m)
    expect(text).toMatch(/^ {4}Image ID: +docker\.io\/library\/nginx@sha256:abc$/m)
    expect(text).toMatch(/^ {4}Ports: +80\/TCP, 443\/TCP$/m)
    expect(text).toMatch(/^ {4}Host Ports: +0\/TCP, 0\/TCP$/m)
    expect(text).toMatch(/^ {4}State: +Running\n {6}Started: +Wed, 01 Jan 2025 00:00:05 \+0000$/m)
    expect(text).toMatch(/^ {4}Last State: +Terminated\n {6}Reason: +OOMKilled\n {6}Exit Code: +137$/m)
    expect(text).toMatch(/^ {4}Ready: +True\n {4}Restart Count: +2$/m)
    expect(text).toMatch(/^ {4}Limits:\n {6}memory: +128Mi\n {4}Requests:\n {6}cpu: +250m\n {6}memory: +64Mi$/m)
    expect(text).toMatch(/^ {4}Readiness: +http-get http:\/\/:8080\/healthz delay=0s timeout=1s period=10s #success=1 #failure=3$/m)
    expect(text).toMatch(/^ {4}Environment:\n {6}MODE: +fast$/m)
    expect(text).toMatch(/^ {4}Mounts:\n {6}\/data from data \(ro\)$/m)
  })

  it('prints conditions, volumes, QoS, selectors and tolerations', () => {
    expect(text).toContain('Conditions:\n  Type           Status\n  Ready          True \n  PodScheduled   True \n')
    expect(text).toMatch(/^ {4}Type: +EmptyDir \(a temporary directory that shares a pod's lifetime\)$/m)
    expect(text).toMatch(/^QoS Class: +Burstable$/m)
    expect(text).toMatch(/^Node-Selectors: +disk=ssd$/m)
    expect(text).toMatch(/^Tolerations: +node\.kubernetes\.io\/not-ready:NoExecute op=Exists for 300s\n +node\.kubernetes\.io\/unreachable:NoExecute op=Exists for 300s$/m)
    expect(text).toMatch(/Events: +<none>\n$/)
  })

  it('prints Controlled By and a terminating status', () => {
    const owned = put(base, {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: '2025-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 30,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true }],
      },
    })
    const out = describeObject({ ...owned, now: NOW + 30_000 }, one(owned, 'Pod', 'default', 'web'))
    expect(out).toMatch(/^Status: +Terminating \(lasts 30s\)\nTermination Grace Period: +30s$/m)
    expect(out).toMatch(/^Controlled By: +ReplicaSet\/web-abc$/m)
  })

  it('lists only the events about this pod, oldest first, with repeat counts', () => {
    let s = running
    s = put(s, event('web.2', { kind: 'Pod', name: 'web', namespace: 'default' }, {
      type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container\n', count: 3,
      firstTimestamp: '2024-12-31T23:55:00Z', lastTimestamp: '2024-12-31T23:59:55Z', source: { component: 'kubelet' },
    }))
    s = put(s, event('web.1', { kind: 'Pod', name: 'web', namespace: 'default' }, {
      reason: 'Scheduled', message: 'Successfully assigned default/web to node-1', count: 1,
      firstTimestamp: '2024-12-31T23:59:50Z', lastTimestamp: '2024-12-31T23:59:50Z', source: { component: 'default-scheduler' },
    }))
    s = put(s, event('other.1', { kind: 'Pod', name: 'other', namespace: 'default' }, { reason: 'Other', lastTimestamp: '2024-12-31T23:59:59Z' }))
    s = put(s, event('old.1', { kind: 'Pod', name: 'web', namespace: 'default', uid: 'a-previous-pod' }, { reason: 'Stale', lastTimestamp: '2024-12-31T23:59:59Z' }))
    const out = describeObject({ ...s, now: NOW + 65_000 }, one(s, 'Pod', 'default', 'web'))
    const events = out.slice(out.indexOf('Events:\n'))
    expect(events).toBe(
      'Events:\n' +
        '  Type     Reason     Age                 From               Message\n' +
        '  ----     ------     ----                ----               -------\n' +
        '  Normal   Scheduled  75s                 default-scheduler  Successfully assigned default/web to node-1\n' +
        '  Warning  BackOff    70s (x3 over 6m5s)  kubelet            Back-off restarting failed container\n',
    )
  })

  it('runs the documented example', async () => {
    const source = readFileSync(join(import.meta.dirname, '../../src/io/describe.ts'), 'utf8')
    const block = /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\s*\*\s*```/.exec(source)?.[1] ?? ''
    const code = block
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
      .join('\n')
      .replace(/import\s+\*\s+as\s+(\w+)\s+from\s+'([^']+)'/g, (_, name: string, mod: string) => `const ${name} = __modules[${JSON.stringify(mod)}]`)
      .replace(/import\s+\{([^}]*)\}\s+from\s+'([^']+)'/g, (_, names: string, mod: string) => `const {${names}} = __modules[${JSON.stringify(mod)}]`)
    expect(code).toMatch(/expect\(/)
    const modules = { kubesim: { ...kubesim, describeObject }, 'fp-ts/lib/Either.js': E, 'fp-ts/lib/Option.js': O }
    const js = transformSync(code, { loader: 'ts', format: 'esm' }).code
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>
    await new AsyncFunction('__modules', 'expect', js).call(undefined, modules, expect)
  })
})

describe('describeObject: Node', () => {
  const s0 = cluster(`
apiVersion: v1
kind: Pod
metadata: { name: api }
spec:
  nodeName: node-1
  containers: [{ name: a, image: api, resources: { requests: { cpu: 100m, memory: 1Gi }, limits: { cpu: 500m, memory: 2Gi } } }]
---
apiVersion: v1
kind: Pod
metadata: { name: worker, namespace: kube-system }
spec:
  nodeName: node-1
  containers: [{ name: w, image: worker, resources: { requests: { cpu: 250m } } }]
---
apiVersion: v1
kind: Pod
metadata: { name: done }
spec:
  nodeName: node-1
  restartPolicy: Never
  containers: [{ name: d, image: job, resources: { requests: { cpu: '1' } } }]
`)
  const node = one(s0, 'Node', undefined, 'node-1')
  const done = one(s0, 'Pod', 'default', 'done')
  let s = put(s0, { ...done, status: { phase: 'Succeeded' } })
  s = put(s, {
    ...node,
    metadata: { ...node.metadata, labels: { ...node.metadata.labels, 'node-role.kubernetes.io/control-plane': '' } },
    spec: {
      ...(node['spec'] as object),
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      ],
    },
  })
  s = put(s, event('node-1.1', { kind: 'Node', name: 'node-1', uid: 'node-1' }, {
    reason: 'NodeNotReady', message: 'Node node-1 status is now: NodeNotReady', count: 1,
    firstTimestamp: '2025-01-01T00:00:00Z', lastTimestamp: '2025-01-01T00:00:00Z', source: { component: 'node-controller' },
  }))
  const text = describeObject({ ...s, now: NOW + 120_000 }, one(s, 'Node', undefined, 'node-1'))

  it('prints identity, taints, lease and conditions', () => {
    expect(text).toMatch(/^Name: +node-1\nRoles: +control-plane$/m)
    expect(text).toMatch(/^CreationTimestamp: +Wed, 01 Jan 2025 00:00:00 \+0000$/m)
    expect(text).toMatch(/^Taints: +node\.kubernetes\.io\/unreachable:NoExecute\n +node\.kubernetes\.io\/unreachable:NoSchedule\nUnschedulable: +false$/m)
    expect(text).toMatch(/^Lease:\n {2}HolderIdentity: +node-1\n {2}AcquireTime: +<unset>\n {2}RenewTime: +Wed, 01 Jan 2025 00:00:00 \+0000$/m)
    expect(text).toMatch(/^ {2}Type +Status +LastHeartbeatTime +LastTransitionTime +Reason +Message$/m)
    expect(text).toMatch(/^ {2}Ready +True +\S.* +KubeletReady +kubelet is posting ready status$/m)
  })

  it('prints addresses, capacity, system info and pod CIDRs', () => {
    expect(text).toMatch(/^Addresses:\n {2}InternalIP: +172\.18\.0\.2\n {2}Hostname: +node-1$/m)
    expect(text).toMatch(/^Capacity:\n {2}cpu: +4\n {2}ephemeral-storage: +100Gi\n {2}memory: +16Gi\n {2}pods: +110$/m)
    expect(text).toMatch(/^ {2}Kubelet Version: +v1\.\d+\.\d+$/m)
    expect(text).toMatch(/^PodCIDRs: +10\.244\.0\.0\/24$/m)
  })

  it('lists non-terminated pods with requests, limits and their share of allocatable', () => {
    expect(text).toMatch(/^Non-terminated Pods: +\(2 in total\)$/m)
    expect(text).toMatch(/^ {2}Namespace +Name +CPU Requests +CPU Limits +Memory Requests +Memory Limits +Age$/m)
    expect(text).toMatch(/^ {2}default +api +100m \(2%\) +500m \(12%\) +1Gi \(6%\) +2Gi \(12%\) +2m$/m)
    expect(text).toMatch(/^ {2}kube-system +worker +250m \(6%\) +0 \(0%\) +0 \(0%\) +0 \(0%\) +2m$/m)
    expect(text).not.toMatch(/ done /)
    expect(text).toContain('Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n')
    expect(text).toMatch(/^ {2}cpu {16}350m \(8%\) {2}500m \(12%\)$/m)
    expect(text).toMatch(/^ {2}memory +1Gi \(6%\) +2Gi \(12%\)$/m)
  })

  it('ends with the node events, flushed into their own columns', () => {
    expect(text).toMatch(/Events:\n {2}Type +Reason +Age +From +Message\n {2}---- +------ +---- +---- +-------\n {2}Normal +NodeNotReady +2m +node-controller +Node node-1 status is now: NodeNotReady\n$/)
  })
})

describe('describeObject: Secret and other kinds', () => {
  const s = cluster(`
apiVersion: v1
kind: Secret
metadata: { name: db, labels: { app: db } }
stringData: { password: hunter2, user: admin }
data: { token: c2VjcmV0LXRva2Vu }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, annotations: { note: "${'x'.repeat(150)}" } }
data: { mode: fast }
`)

  it('prints the size of every Secret value and never the value', () => {
    const text = describeObject(s, one(s, 'Secret', 'default', 'db'))
    expect(text).toContain('Type:  Opaque\n\nData\n====\n')
    expect(text).toMatch(/^password: +7 bytes$/m)
    expect(text).toMatch(/^token: +12 bytes$/m)
    expect(text).toMatch(/^user: +5 bytes$/m)
    for (const secret of ['hunter2', 'admin', 'c2VjcmV0LXRva2Vu', 'secret-token', 'aHVudGVyMg']) expect(text).not.toContain(secret)
  })

  it('describes other kinds generically, with smart labels, wrapped annotations and events', () => {
    const text = describeObject(s, one(s, 'ConfigMap', 'default', 'settings'))
    expect(text).toMatch(/^Name: +settings\nNamespace: +default\nLabels: +<none>$/m)
    expect(text).toMatch(/^Annotations: +note:\n +x{138}\.\.\.$/m)
    expect(text).toMatch(/^API Version: +v1$/m)
    expect(text).toMatch(/^Data:\n {2}Mode: +fast$/m)
    expect(text).toMatch(/^Metadata:\n {2}Creation Timestamp: +2025-01-01T00:00:00Z$/m)
    expect(text).toMatch(/^ {2}UID: +\S+$/m)
    expect(text).not.toContain('last-applied-configuration')
    expect(text).toMatch(/Events: +<none>\n$/)
  })

  it('is total on objects it has never seen', () => {
    const [any] = list(s, 'Namespace')
    expect(any).toBeDefined()
    expect(describeObject(s, any!)).toMatch(/^Name: +\S+\nNamespace: +\n/)
  })
})
