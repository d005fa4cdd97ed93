import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addNode,
  advance,
  applyManifests,
  type ClusterState,
  createCluster,
  failNode,
  killPod,
  recoverNode,
  list,
  settle,
  traceEntries,
} from '../../src/index.js'
import { right } from '../helpers.js'

const T0 = '2025-01-01T00:00:00Z'
const nodeOf = (s: ClusterState, name: string): string | undefined =>
  (list(s, 'Pod', { namespace: 'default' }).find((p) => p.metadata.name === name)?.['spec'] as { nodeName?: string } | undefined)?.nodeName

const podWithToleration = (name: string, seconds: number | undefined) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }],
    ...(seconds === undefined
      ? {}
      : { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }] }),
  },
})

describe('node failure', () => {
  it('evicts the pods of a failed node exactly after the grace period plus their toleration, and no others', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (tolerations, seed) => {
          const s0 = createCluster({ nodes: 3, now: T0, seed, traceRetention: 'all' })
          const pods = tolerations.map((t, i) => podWithToleration(`p${i}`, t))
          const running = right(advance(right(applyManifests(s0, pods)), '5s'))
          const victim = nodeOf(running, 'p0') ?? 'node-1'
          const failedAt = running.now
          const after = right(advance(right(failNode(running, victim)), '12m'))
          const evictions = new Map(
            traceEntries(after)
              .filter((e) => e.op === 'delete' && e.kind === 'Pod' && e.by === 'taint-eviction-controller' && e.result === 'ok')
              .map((e) => [e.name, e.time]),
          )
          tolerations.forEach((t, i) => {
            const name = `p${i}`
            if (nodeOf(running, name) !== victim) expect(evictions.has(name)).toBe(false)
            // DefaultTolerationSeconds gives pods without a toleration 300 s.
            else expect(evictions.get(name)).toBe(failedAt + 50_000 + (t ?? 300) * 1000)
          })
        },
      ),
      { numRuns: 25 },
    )
  })

  it('is deterministic: the same seed and faults give the same trace', () => {
    const run = () => {
      const s0 = createCluster({ nodes: 3, now: T0, seed: 7, traceRetention: 'all' })
      const s1 = right(settle(right(applyManifests(s0, [0, 1, 2, 3].map((i) => podWithToleration(`p${i}`, i * 30))))))
      return traceEntries(right(advance(right(failNode(s1, 'node-2')), '10m')))
    }
    expect(run()).toEqual(run())
  })
})

describe('addNode', () => {
  it('schedules a pending pod that fits only on the new node', () => {
    const s0 = createCluster({ nodes: 1, now: T0 })
    const big = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '6' } } }] } }
    const pending = right(settle(right(applyManifests(s0, [big]))))
    expect(nodeOf(pending, 'big')).toBeUndefined()
    const grown = right(advance(right(addNode(pending, { name: 'node-2', capacity: { cpu: '8' } })), '2s'))
    expect(nodeOf(grown, 'big')).toBe('node-2')
    const status = list(grown, 'Pod', { namespace: 'default' })[0]?.['status'] as { phase: string; podIP: string }
    expect(status.phase).toBe('Running')
    expect(status.podIP).toBe('10.244.1.2')
  })

  it('refuses a duplicate name and leaves the state as it was', () => {
    const s0 = createCluster({ nodes: 1, now: T0 })
    const result = addNode(s0, { name: 'node-1' })
    expect(E.isLeft(result) && result.left.message).toBe('nodes "node-1" already exists')
  })

  it('refuses bad taints and quantities with field errors', () => {
    const s0 = createCluster({ nodes: 1, now: T0 })
    const badTaint = addNode(s0, { name: 'n2', taints: [{ key: 'a', effect: 'Sometimes' as 'NoSchedule' }] })
    expect(E.isLeft(badTaint) && badTaint.left.message).toMatch(/spec\.taints\[0\]\.effect: Unsupported value: "Sometimes"/)
    const badQuantity = addNode(s0, { name: 'n3', capacity: { cpu: 'lots' } })
    expect(E.isLeft(badQuantity) && badQuantity.left.message).toMatch(/status\.capacity\[cpu\]|quantities must match/)
  })
})

describe('killPod', () => {
  const podWith = (name: string, restartPolicy: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { restartPolicy, containers: [{ name: 'c', image: 'nginx' }] },
  })
  const statusOf = (s: ClusterState, name: string) =>
    list(s, 'Pod', { namespace: 'default' }).find((p) => p.metadata.name === name)?.['status'] as
      | { phase: string; containerStatuses: { restartCount: number; state: Record<string, unknown>; lastState: { terminated?: { exitCode: number; reason: string } } }[] }
      | undefined
  const running = (policy: string) => right(advance(right(applyManifests(createCluster({ nodes: 1, now: T0 }), [podWith('p', policy)])), '5s'))

  it('Always: the container restarts at once the first time, keeping the exit in lastState', () => {
    const after = right(advance(right(killPod(running('Always'), { name: 'p' }, 137)), '1s'))
    const c = statusOf(after, 'p')?.containerStatuses[0]
    expect(c?.restartCount).toBe(1)
    expect(c?.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' })
    expect(statusOf(after, 'p')?.phase).toBe('Running')
  })

  it('Never: a non-zero exit fails the pod; exit 0 makes it Succeeded', () => {
    const failed = right(advance(right(killPod(running('Never'), { name: 'p' }, 2)), '1s'))
    expect(statusOf(failed, 'p')?.phase).toBe('Failed')
    const done = right(advance(right(killPod(running('Never'), { name: 'p' }, 0)), '1s'))
    expect(statusOf(done, 'p')?.phase).toBe('Succeeded')
  })

  it('refuses a missing pod, a pod not running yet, a bad exit code and a stopped kubelet', () => {
    const s = running('Always')
    const message = (r: E.Either<{ message: string }, unknown>) => (E.isLeft(r) ? r.left.message : 'ok')
    expect(message(killPod(s, { name: 'nope' }))).toBe('pods "nope" not found')
    expect(message(killPod(s, { name: 'p' }, 300))).toBe('exit code must be an integer between 0 and 255, got 300')
    const fresh = right(applyManifests(createCluster({ nodes: 1, now: T0 }), [podWith('q', 'Always')]))
    expect(message(killPod(fresh, { name: 'q' }))).toBe('cannot kill pod "q": it has no running containers')
    expect(message(killPod(right(failNode(s, 'node-1')), { name: 'p' }))).toBe('cannot kill pod "p": the kubelet on node "node-1" is stopped')
  })
})

describe('recoverNode', () => {
  it('the kubelet reports its pods ready again once the node is back', () => {
    const s0 = createCluster({ nodes: 2, now: T0 })
    const running = right(advance(right(applyManifests(s0, [podWithToleration('web', 3600)])), '5s'))
    const node = nodeOf(running, 'web') ?? 'node-1'
    const ready = (s: ClusterState) =>
      ((list(s, 'Pod', { namespace: 'default' })[0]?.['status'] as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === 'Ready'))?.status
    expect(ready(running)).toBe('True')
    const down = right(advance(right(failNode(running, node)), '2m'))
    expect(ready(down)).toBe('False')
    const up = right(advance(right(recoverNode(down, node)), '1s'))
    expect(ready(up)).toBe('True')
  })
})

describe('node failure with owners', () => {
  it('replaces the evicted pods of a ReplicaSet on healthy nodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 }), fc.nat(), (replicas, victimIndex, seed) => {
        const rs = {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name: 'web', namespace: 'default' },
          spec: {
            replicas,
            selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } },
          },
        }
        const running = right(advance(right(applyManifests(createCluster({ nodes: 3, now: T0, seed }), [rs])), '10s'))
        const victim = `node-${victimIndex + 1}`
        const after = right(advance(right(failNode(running, victim)), '6m'))
        const pods = list(after, 'Pod', { namespace: 'default' })
        const live = pods.filter((p) => p.metadata.deletionTimestamp === undefined)
        expect(live).toHaveLength(replicas)
        for (const p of live) {
          expect((p['spec'] as { nodeName?: string }).nodeName).not.toBe(victim)
          expect((p['status'] as { phase?: string }).phase).toBe('Running')
        }
        // The evicted ones stay Terminating on the unreachable node, as in Kubernetes.
        for (const p of pods.filter((q) => q.metadata.deletionTimestamp !== undefined)) expect((p['spec'] as { nodeName?: string }).nodeName).toBe(victim)
      }),
      { numRuns: 15 },
    )
  })
})
