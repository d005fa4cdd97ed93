import fc from 'fast-check'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  advance,
  apply,
  applyAction,
  type ClusterState,
  createCluster,
  defaultControllers,
  get,
  type KubeObject,
  list,
  remove,
  runUntil,
  settle,
  step,
} from '../../src/index.js'
import { crashLoopDelayMs, fakeImageId, kubelet } from '../../src/controllers/kubelet.js'
import { parseCidr } from '../../src/network/cidr.js'
import { cidrContains } from '../../src/network/cidr.js'
import type { BehaviourModel } from '../../src/sim/behaviour.js'
import { right } from '../helpers.js'

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

interface Cond { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
interface CStatus {
  name: string
  ready: boolean
  started?: boolean
  restartCount: number
  image: string
  imageID: string
  state: { waiting?: { reason: string; message?: string }; running?: { startedAt: string }; terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string } }
  lastState: { terminated?: { exitCode: number; finishedAt: string } }
}
interface Status {
  phase: string
  startTime?: string
  podIP?: string
  hostIP?: string
  conditions?: Cond[]
  containerStatuses?: CStatus[]
  initContainerStatuses?: CStatus[]
}

const cluster = (options: { nodes?: number; behaviour?: BehaviourModel } = {}): ClusterState => {
  // Without the garbage collector: Job-owned test pods name an owner that does not exist.
  const controllers = [...defaultControllers.filter((c) => c.name !== 'garbage-collector'), kubelet]
  const s = createCluster({ nodes: options.nodes ?? 2, controllers })
  // ClusterConfig has no `behaviour` field yet; the kubelet reads it defensively.
  return options.behaviour === undefined ? s : { ...s, config: { ...s.config, behaviour: options.behaviour } as ClusterState['config'] }
}

const T0 = createCluster().now
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

const podManifest = (
  name: string,
  options: {
    node?: string
    annotations?: Record<string, string>
    restartPolicy?: string
    containers?: unknown[]
    initContainers?: unknown[]
    owner?: string
    grace?: number
    hostNetwork?: boolean
  } = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    ...(options.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'batch/v1', kind: options.owner, name: 'owner', uid: 'owner-uid' }] }),
  },
  spec: {
    nodeName: options.node ?? 'node-1',
    containers: options.containers ?? [{ name: 'main', image: 'nginx' }],
    ...(options.initContainers === undefined ? {} : { initContainers: options.initContainers }),
    ...(options.restartPolicy === undefined ? {} : { restartPolicy: options.restartPolicy }),
    ...(options.grace === undefined ? {} : { terminationGracePeriodSeconds: options.grace }),
    ...(options.hostNetwork === undefined ? {} : { hostNetwork: true }),
  },
})

const withPods = (s: ClusterState, ...pods: KubeObject[]): ClusterState => pods.reduce((acc, p) => right(apply(acc, p)), s)
const podOf = (s: ClusterState, name: string): KubeObject | undefined => {
  const p = get(s, 'Pod', 'default', name)
  return O.isSome(p) ? p.value : undefined
}
const status = (s: ClusterState, name: string): Status => {
  const p = podOf(s, name)
  if (p === undefined) return expect.fail(`no pod ${name}`)
  return p['status'] as Status
}
const cond = (s: ClusterState, name: string, type: string): Cond | undefined => status(s, name).conditions?.find((c) => c.type === type)
const main = (s: ClusterState, name: string): CStatus => {
  const c = status(s, name).containerStatuses?.[0]
  if (c === undefined) return expect.fail('no container status')
  return c
}
const at = (s: ClusterState, ms: number): ClusterState => right(advance(s, T0 + ms - s.now))
const events = (s: ClusterState, pod: string): string[] =>
  list(s, 'Event')
    .filter((e) => (e['involvedObject'] as { name: string }).name === pod)
    .map((e) => `${String(e['reason'])}: ${String(e['message'])}`)
    .sort()
const eventCount = (s: ClusterState, pod: string, reason: string): number =>
  list(s, 'Event')
    .filter((e) => (e['involvedObject'] as { name: string }).name === pod && e['reason'] === reason)
    .reduce((n, e) => n + Number(e['count']), 0)

// ---------------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------------

describe('kubelet: start-up', () => {
  it('initialises a bound pod at once: startTime, IPs, Pending, ContainerCreating, conditions', () => {
    const s = right(settle(withPods(cluster(), podManifest('web'))))
    const st = status(s, 'web')
    expect(st.phase).toBe('Pending')
    expect(st.startTime).toBe(iso(T0))
    expect(st.hostIP).toBe('172.18.0.2')
    expect(st.podIP).toBe('10.244.0.2')
    expect(main(s, 'web')).toMatchObject({ ready: false, restartCount: 0, started: false, image: 'nginx', state: { waiting: { reason: 'ContainerCreating' } } })
    expect(main(s, 'web').imageID).toBe(fakeImageId('nginx'))
    expect(st.conditions?.map((c) => `${c.type}=${c.status}${c.reason === undefined ? '' : `(${c.reason})`}`)).toEqual([
      'Initialized=True',
      'Ready=False(ContainersNotReady)',
      'ContainersReady=False(ContainersNotReady)',
      'PodScheduled=True',
    ])
  })

  it('writes its conditions as its own: a field someone else added to one is dropped on its next pass', () => {
    const s = at(withPods(cluster(), podManifest('web')), 5_000)
    const pod = podOf(s, 'web') as KubeObject
    const current = pod['status'] as { conditions: Array<Record<string, unknown>> }
    const edited = { ...current, conditions: current.conditions.map((c) => (c['type'] === 'Ready' ? { ...c, note: 'set by hand' } : c)) }
    const written = right(applyAction(s, { type: 'updateStatus', object: { ...pod, status: edited }, by: 'user' })).state
    expect(cond(written, 'web', 'Ready')).toHaveProperty('note')
    const after = right(settle(written))
    expect(cond(after, 'web', 'Ready')).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: cond(s, 'web', 'Ready')?.lastTransitionTime })
  })

  it('starts containers after 1 s and is ready on start', () => {
    const s0 = withPods(cluster(), podManifest('web'))
    const before = at(s0, 999)
    expect(status(before, 'web').phase).toBe('Pending')
    const s = at(s0, 1000)
    expect(status(s, 'web').phase).toBe('Running')
    expect(main(s, 'web')).toMatchObject({ ready: true, started: true, state: { running: { startedAt: iso(T0 + 1000) } } })
    expect(cond(s, 'web', 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: iso(T0 + 1000) })
    expect(events(s, 'web')).toEqual(['Created: Created container: main', 'Pulled: Container image "nginx" already present on machine', 'Started: Started container main'])
  })

  it('becomes ready after readinessProbe.initialDelaySeconds', () => {
    const pod = podManifest('web', { containers: [{ name: 'main', image: 'nginx', readinessProbe: { initialDelaySeconds: 15, httpGet: { port: 80 } } }] })
    const s0 = withPods(cluster(), pod)
    expect(main(at(s0, 15_999), 'web').ready).toBe(false)
    const s = at(s0, 16_000)
    expect(main(s, 'web').ready).toBe(true)
    expect(cond(s, 'web', 'ContainersReady')).toMatchObject({ status: 'True', lastTransitionTime: iso(T0 + 16_000) })
  })

  it('wakes up exactly at each transition, never polling', () => {
    const s = right(settle(withPods(cluster(), podManifest('web'))))
    expect(kubelet.nextWakeup(s)).toEqual(O.some(T0 + 1000))
    const running = at(s, 1000)
    expect(O.isNone(kubelet.nextWakeup(running))).toBe(true)
    expect(kubelet.reconcile(running)).toEqual([])
  })

  it('pods owned by Jobs run 10 s and succeed', () => {
    const s0 = withPods(cluster(), podManifest('job-x', { owner: 'Job', restartPolicy: 'Never' }))
    expect(status(at(s0, 10_999), 'job-x').phase).toBe('Running')
    const s = at(s0, 11_000)
    expect(status(s, 'job-x').phase).toBe('Succeeded')
    expect(main(s, 'job-x').state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', startedAt: iso(T0 + 1000), finishedAt: iso(T0 + 11_000) })
    expect(cond(s, 'job-x', 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' })
  })

  it('runs init containers in order before the app containers', () => {
    const pod = podManifest('init', {
      annotations: { 'kubesim.dev/init-duration': '5s' },
      initContainers: [{ name: 'first', image: 'busybox' }, { name: 'second', image: 'busybox' }],
    })
    const s0 = withPods(cluster(), pod)
    const s1 = at(s0, 0)
    expect(cond(s1, 'init', 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [first second]' })
    expect(main(s1, 'init').state.waiting?.reason).toBe('PodInitializing')
    const s2 = at(s0, 3000)
    const inits = (s: ClusterState) => (status(s, 'init').initContainerStatuses ?? []).map((c) => Object.keys(c.state)[0])
    expect(inits(s2)).toEqual(['running', 'waiting'])
    expect(inits(at(s0, 7000))).toEqual(['terminated', 'running'])
    const s3 = at(s0, 11_000)
    expect(inits(s3)).toEqual(['terminated', 'terminated'])
    expect(cond(s3, 'init', 'Initialized')).toMatchObject({ status: 'True', lastTransitionTime: iso(T0 + 11_000) })
    expect(main(s3, 'init').state.running?.startedAt).toBe(iso(T0 + 11_000))
    expect(status(s3, 'init').phase).toBe('Running')
  })

  it('hostNetwork pods use the host IP', () => {
    const s = right(settle(withPods(cluster(), podManifest('host', { hostNetwork: true, node: 'node-2' }))))
    expect(status(s, 'host').podIP).toBe('172.18.0.3')
    expect(status(s, 'host').hostIP).toBe('172.18.0.3')
  })

  it('does nothing for pods on a node whose kubelet is stopped', () => {
    const s0 = cluster()
    const n = get(s0, 'Node', undefined, 'node-1')
    if (O.isNone(n)) return expect.fail('no node')
    const stopped = right(apply(s0, { ...n.value, metadata: { ...n.value.metadata, annotations: { 'kubesim.dev/kubelet-stopped-at': iso(T0) } } }))
    const s = right(settle(withPods(stopped, podManifest('web'))))
    expect(status(s, 'web').startTime).toBeUndefined()
    expect(kubelet.reconcile(s)).toEqual([])
  })
})

describe('kubelet: restart policies', () => {
  const crash = { 'kubesim.dev/crash-after': '5s' }

  it('Never: a failing container fails the pod', () => {
    const s = at(withPods(cluster(), podManifest('p', { annotations: crash, restartPolicy: 'Never' })), 60_000)
    expect(status(s, 'p').phase).toBe('Failed')
    expect(main(s, 'p').state.terminated).toMatchObject({ exitCode: 1, reason: 'Error', finishedAt: iso(T0 + 6000) })
    expect(main(s, 'p').restartCount).toBe(0)
  })

  it('OnFailure: restarts failures, then succeeds on exit 0', () => {
    const s0 = withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/run-duration': '5s', 'kubesim.dev/exit-code': '0' }, restartPolicy: 'OnFailure' }))
    const s = at(s0, 60_000)
    expect(status(s, 'p').phase).toBe('Succeeded')
    expect(main(s, 'p').restartCount).toBe(0)
    const f0 = withPods(cluster(), podManifest('f', { annotations: crash, restartPolicy: 'OnFailure' }))
    const f = at(f0, 60_000)
    expect(status(f, 'f').phase).toBe('Running')
    expect(main(f, 'f').restartCount).toBeGreaterThan(1)
  })

  it('Always: restarts even after exit 0, keeping the last termination', () => {
    const s = at(withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/run-duration': '5s' } })), 6000)
    expect(status(s, 'p').phase).toBe('Running')
    expect(main(s, 'p').restartCount).toBe(1)
    expect(main(s, 'p').lastState.terminated).toMatchObject({ exitCode: 0, finishedAt: iso(T0 + 6000) })
    expect(main(s, 'p').state.running?.startedAt).toBe(iso(T0 + 6000))
  })

  it('CrashLoopBackOff: restarts immediately once, then after 10, 20, 40, 80, 160, 300, 300 s', () => {
    const s0 = withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/crash-after': '1s' } }))
    let s = at(s0, 0)
    const starts: number[] = []
    let last = -1
    while (s.now < T0 + 1_500_000) {
      const c = main(s, 'p')
      if (c.restartCount !== last && c.state.running !== undefined) {
        starts.push(Date.parse(c.state.running.startedAt) - T0)
        last = c.restartCount
      }
      const wake = kubelet.nextWakeup(s)
      if (O.isNone(wake)) break
      s = right(advance(s, wake.value - s.now))
    }
    const exits = starts.map((t) => t + 1000)
    const gaps = starts.slice(1).map((t, i) => t - (exits[i] ?? 0))
    expect(gaps.slice(0, 9)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000])
  })

  it('shows CrashLoopBackOff with the back-off in its message while waiting, and a BackOff event', () => {
    const s0 = withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/crash-after': '1s' } }))
    const s = at(s0, 3500)
    const c = main(s, 'p')
    const uid = podOf(s, 'p')?.metadata.uid ?? ''
    expect(c.state.waiting).toEqual({ reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=main pod=p_default(${uid})` })
    expect(c.lastState.terminated).toMatchObject({ exitCode: 1 })
    expect(c.restartCount).toBe(1)
    expect(status(s, 'p').phase).toBe('Running')
    expect(events(s, 'p')).toContain(`BackOff: Back-off restarting failed container main in pod p_default(${uid})`)
    expect(cond(s, 'p', 'Ready')?.status).toBe('False')
  })

  it('resets the back-off after 10 minutes of running', () => {
    const s0 = withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/crash-after': '11m' } }))
    // Each run is longer than 10 minutes: every restart is immediate.
    const s = at(s0, 1000 + 3 * 660_000)
    expect(main(s, 'p').restartCount).toBe(3)
    expect(main(s, 'p').state.running?.startedAt).toBe(iso(T0 + 1000 + 3 * 660_000))
    expect(crashLoopDelayMs({ startedAt: 100_000, finishedAt: 100_000 + 601_000 }, { finishedAt: 0 })).toBe(0)
    expect(crashLoopDelayMs({ startedAt: 300_000, finishedAt: 300_000 + 599_000 }, { finishedAt: 0 })).toBe(BACKOFF_MAX)
  })
})
const BACKOFF_MAX = 300_000

describe('kubelet: graceful deletion', () => {
  it('turns not-ready at once and disappears right away by default', () => {
    const s0 = at(withPods(cluster(), podManifest('web')), 5000)
    const deleted = right(remove(s0, { kind: 'Pod', namespace: 'default', name: 'web' }))
    expect(podOf(deleted, 'web')?.metadata.deletionTimestamp).toBe(iso(T0 + 35_000))
    const s = right(settle(deleted))
    expect(podOf(s, 'web')).toBeUndefined()
    expect(events(s, 'web')).toContain('Killing: Stopping container main')
  })

  it('stays Terminating for termination-delay, not ready, capped at the grace period', () => {
    const s0 = at(withPods(cluster(), podManifest('slow', { annotations: { 'kubesim.dev/termination-delay': '20s' } }), podManifest('stuck', { annotations: { 'kubesim.dev/termination-delay': '1h' }, grace: 10 })), 5000)
    let d = right(remove(s0, { kind: 'Pod', namespace: 'default', name: 'slow' }))
    d = right(remove(d, { kind: 'Pod', namespace: 'default', name: 'stuck' }))
    const s1 = right(settle(d))
    expect(main(s1, 'slow').ready).toBe(false)
    expect(cond(s1, 'slow', 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: iso(T0 + 5000) })
    expect(eventCount(s1, 'slow', 'Killing')).toBe(1)
    expect(kubelet.reconcile(s1)).toEqual([])
    const s2 = at(s1, 5000 + 9_999)
    expect(podOf(s2, 'stuck')).toBeDefined()
    expect(podOf(at(s1, 15_000), 'stuck')).toBeUndefined()
    expect(podOf(at(s1, 24_999), 'slow')).toBeDefined()
    const s3 = at(s1, 25_000)
    expect(podOf(s3, 'slow')).toBeUndefined()
    expect(eventCount(s3, 'slow', 'Killing')).toBe(1)
  })

  it('removes a finished pod at once', () => {
    const s0 = at(withPods(cluster(), podManifest('job-x', { owner: 'Job', restartPolicy: 'Never', annotations: { 'kubesim.dev/termination-delay': '20s' } })), 20_000)
    const s = right(settle(right(remove(s0, { kind: 'Pod', namespace: 'default', name: 'job-x' }))))
    expect(podOf(s, 'job-x')).toBeUndefined()
  })
})

describe('kubelet: behaviour overrides', () => {
  it('annotations override the defaults', () => {
    const s0 = withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/start-delay': '5s', 'kubesim.dev/ready-delay': '10s' } }))
    expect(status(at(s0, 4999), 'p').phase).toBe('Pending')
    expect(main(at(s0, 5000), 'p').ready).toBe(false)
    expect(main(at(s0, 15_000), 'p').ready).toBe(true)
  })

  it('never-ready keeps the pod running but not ready', () => {
    const s = at(withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/never-ready': 'true' } })), 600_000)
    expect(status(s, 'p').phase).toBe('Running')
    expect(cond(s, 'p', 'Ready')?.status).toBe('False')
    expect(O.isNone(kubelet.nextWakeup(s))).toBe(true)
  })

  it('the cluster model applies, and annotations win over it', () => {
    const model: BehaviourModel = (pod) => (pod.metadata.labels?.['tier'] === 'slow' ? { startDelayMs: 30_000 } : {})
    const slow = { ...podManifest('slow'), metadata: { name: 'slow', namespace: 'default', labels: { tier: 'slow' } } }
    const fast = { ...podManifest('fast', { annotations: { 'kubesim.dev/start-delay': '2s' } }), metadata: { name: 'fast', namespace: 'default', labels: { tier: 'slow' }, annotations: { 'kubesim.dev/start-delay': '2s' } } }
    const s = at(withPods(cluster({ behaviour: model }), slow, fast, podManifest('plain')), 2000)
    expect(status(s, 'slow').phase).toBe('Pending')
    expect(status(s, 'fast').phase).toBe('Running')
    expect(status(s, 'plain').phase).toBe('Running')
    expect(status(at(s, 30_000), 'slow').phase).toBe('Running')
  })

  it('invalid annotations fall back to the defaults with one Warning event', () => {
    const s0 = withPods(cluster(), podManifest('p', { annotations: { 'kubesim.dev/start-delay': 'soon' } }))
    const s = at(s0, 5000)
    expect(status(s, 'p').phase).toBe('Running')
    expect(main(s, 'p').state.running?.startedAt).toBe(iso(T0 + 1000))
    expect(eventCount(s, 'p', 'InvalidBehaviourAnnotation')).toBe(1)
    expect(events(s, 'p').find((e) => e.startsWith('InvalidBehaviourAnnotation'))).toContain('kubesim.dev/start-delay: invalid duration "soon"')
  })
})

describe('kubelet: pod IPs', () => {
  it('gives each pod a distinct IP inside its node podCIDR, and reuses addresses of finished pods', () => {
    const pods = Array.from({ length: 30 }, (_, i) => podManifest(`p${i}`, { node: i % 2 === 0 ? 'node-1' : 'node-2' }))
    const s = right(settle(withPods(cluster(), ...pods)))
    for (const nodeName of ['node-1', 'node-2']) {
      const n = get(s, 'Node', undefined, nodeName)
      const cidr = O.isSome(n) ? right(parseCidr((n.value['spec'] as { podCIDR: string }).podCIDR)) : expect.fail('no node')
      const ips = list(s, 'Pod')
        .filter((p) => (p['spec'] as { nodeName: string }).nodeName === nodeName)
        .map((p) => (p['status'] as Status).podIP ?? '')
      expect(new Set(ips).size).toBe(15)
      for (const ip of ips) expect(cidrContains(cidr, ip)).toBe(true)
      expect(ips).not.toContain(nodeName === 'node-1' ? '10.244.0.1' : '10.244.1.1')
    }
    const done = at(withPods(cluster(), podManifest('job-a', { owner: 'Job', restartPolicy: 'Never' })), 20_000)
    expect(status(done, 'job-a').podIP).toBe('10.244.0.2')
    const next = right(settle(withPods(done, podManifest('after'))))
    expect(status(next, 'after').podIP).toBe('10.244.0.2')
  })

  it('derives a range for nodes without a podCIDR from the sorted node index', () => {
    const s0 = cluster({ nodes: 0 })
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'b-node' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.9' }] } }
    const withNode = (s: ClusterState, n: KubeObject): ClusterState =>
      right(applyAction(right(apply(s, n)), { type: 'updateStatus', object: n, by: 'test' })).state
    const s1 = withNode(withNode(s0, node), { ...node, metadata: { name: 'a-node' } })
    const s = right(settle(withPods(s1, podManifest('p', { node: 'b-node' }))))
    expect(status(s, 'p').podIP).toBe('10.244.1.2')
    expect(status(s, 'p').hostIP).toBe('192.168.0.9')
  })
})

describe('kubelet: laws', () => {
  const behaviourArb = fc.record(
    {
      'kubesim.dev/start-delay': fc.integer({ min: 0, max: 5 }).map((n) => `${n}s`),
      'kubesim.dev/ready-delay': fc.integer({ min: 0, max: 5 }).map((n) => `${n}s`),
      'kubesim.dev/run-duration': fc.integer({ min: 0, max: 30 }).map((n) => `${n}s`),
      'kubesim.dev/crash-after': fc.integer({ min: 0, max: 30 }).map((n) => `${n}s`),
      'kubesim.dev/exit-code': fc.integer({ min: 0, max: 3 }).map(String),
      'kubesim.dev/init-duration': fc.integer({ min: 0, max: 3 }).map((n) => `${n}s`),
    },
    { requiredKeys: [] },
  )
  const podArb = fc.record({
    annotations: behaviourArb,
    restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
    containers: fc.integer({ min: 1, max: 2 }),
    inits: fc.integer({ min: 0, max: 2 }),
    job: fc.boolean(),
  })
  const build = (i: number, p: { annotations: Partial<Record<string, string>>; restartPolicy: string; containers: number; inits: number; job: boolean }): KubeObject =>
    podManifest(`p${i}`, {
      node: i % 2 === 0 ? 'node-1' : 'node-2',
      annotations: Object.fromEntries(Object.entries(p.annotations).filter((e): e is [string, string] => e[1] !== undefined)),
      restartPolicy: p.restartPolicy,
      containers: Array.from({ length: p.containers }, (_, j) => ({ name: `c${j}`, image: 'busybox' })),
      ...(p.inits === 0 ? {} : { initContainers: Array.from({ length: p.inits }, (_, j) => ({ name: `i${j}`, image: 'busybox' })) }),
      ...(p.job ? { owner: 'Job' } : {}),
    })
  const RANK: Record<string, number> = { Pending: 0, Running: 1, Succeeded: 2, Failed: 2 }

  it('phases move forward only, restart counts never decrease, and every settled state is a fixed point', () => {
    fc.assert(
      fc.property(fc.array(podArb, { minLength: 1, maxLength: 4 }), (specs) => {
        let s = right(settle(withPods(cluster(), ...specs.map((p, i) => build(i, p)))))
        const seen = new Map<string, { phase: string; restarts: number[] }>()
        for (let n = 0; n < 40; n++) {
          expect(kubelet.reconcile(s)).toEqual([])
          expect(step(s).state).toBe(s)
          for (const p of list(s, 'Pod')) {
            const st = p['status'] as Status
            const restarts = (st.containerStatuses ?? []).map((c) => c.restartCount)
            const prev = seen.get(p.metadata.name)
            if (prev !== undefined) {
              expect(RANK[st.phase] ?? -1).toBeGreaterThanOrEqual(RANK[prev.phase] ?? -1)
              if (RANK[prev.phase] === 2) expect(st.phase).toBe(prev.phase)
              restarts.forEach((r, i) => expect(r).toBeGreaterThanOrEqual(prev.restarts[i] ?? 0))
            }
            seen.set(p.metadata.name, { phase: st.phase, restarts })
          }
          const wake = kubelet.nextWakeup(s)
          if (O.isNone(wake)) break
          expect(wake.value).toBeGreaterThan(s.now)
          s = right(advance(s, wake.value - s.now))
        }
      }),
      { numRuns: 40 },
    )
  })

  it('is deterministic: the same inputs give the same statuses and trace', () => {
    const run = () => right(runUntil(withPods(cluster(), podManifest('a', { annotations: { 'kubesim.dev/crash-after': '3s' } }), podManifest('b')), (x) => x.now >= T0 + 120_000, { timeout: '5m' }))
    const a = run()
    const b = run()
    expect(list(a, 'Pod')).toEqual(list(b, 'Pod'))
    expect(a.trace).toEqual(b.trace)
  })
})

describe('fakeImageId', () => {
  /** The digest as first written: eight separate FNV-1a passes, one per seed. */
  const digestByPasses = (text: string): string =>
    Array.from({ length: 8 }, (_, i) => {
      let h = (0x811c9dc5 + i * 0x9e3779b9) >>> 0
      for (let j = 0; j < text.length; j++) h = Math.imul(h ^ text.charCodeAt(j), 0x01000193) >>> 0
      return h.toString(16).padStart(8, '0')
    }).join('')

  it('digests an image reference as eight FNV-1a passes would, for any reference', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('@')), (image) => {
        expect(fakeImageId(image).split('@sha256:')[1]).toBe(digestByPasses(image))
      }),
    )
  })
})
