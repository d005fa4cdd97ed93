import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addNode,
  advance,
  applyAction,
  applyManifests,
  type ClusterState,
  cordon,
  createCluster,
  deleteNode,
  failNode,
  get,
  type KubeObject,
  list,
  nextWakeup,
  recoverNode,
  remove,
  step,
} from '../../src/index.js'
import { right } from '../helpers.js'

const T0 = Date.UTC(2025, 0, 1)

const daemonSet = (image: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }], ...podSpec } },
    ...spec,
  },
})

const dsPods = (s: ClusterState): KubeObject[] => list(s, 'Pod', { namespace: 'default', labelSelector: 'app=agent' }) as KubeObject[]
const nodeOf = (p: KubeObject): string => ((p['spec'] as { nodeName?: string }).nodeName ?? '')
const live = (p: KubeObject) => p.metadata.deletionTimestamp === undefined
const ready = (p: KubeObject) => ((p['status'] as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
const status = (s: ClusterState): Record<string, unknown> => {
  const ds = get(s, 'DaemonSet', 'default', 'agent')
  return O.isSome(ds) ? ((ds.value['status'] ?? {}) as Record<string, unknown>) : {}
}
const editNode = (s: ClusterState, name: string, edit: (spec: Record<string, unknown>, labels: Record<string, string>) => void): ClusterState => {
  const node = get(s, 'Node', undefined, name)
  if (O.isNone(node)) return s
  const spec = { ...((node.value['spec'] ?? {}) as Record<string, unknown>) }
  const labels = { ...(node.value.metadata.labels ?? {}) }
  edit(spec, labels)
  const updated = applyAction(s, { type: 'update', by: 'user', object: { ...node.value, metadata: { ...node.value.metadata, labels }, spec } })
  return E.isRight(updated) ? updated.right.state : s
}

/** Steps like `advance`, calling `check` after every single controller pass. */
const runChecked = (start: ClusterState, ms: number, check: (s: ClusterState) => void): ClusterState => {
  const target = start.now + ms
  let s = start
  for (let guard = 0; guard < 5000; guard++) {
    const r = step(s)
    s = r.state
    check(s)
    if (r.changed) continue
    const wake = nextWakeup(s)
    if (O.isNone(wake) || wake.value > target) return { ...s, now: Math.max(s.now, target) }
    s = { ...s, now: wake.value }
  }
  throw new Error('runChecked: no fixed point')
}

describe('DaemonSet placement', () => {
  it('runs one pod per eligible node, placed through matchFields node affinity and bound by the scheduler', () => {
    let s = createCluster({ now: T0, nodes: [{ name: 'a', labels: { role: 'edge' } }, { name: 'b', labels: { role: 'edge' } }, { name: 'c' }] })
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', {}, { nodeSelector: { role: 'edge' } })])), '10s'))
    const pods = dsPods(s)
    expect(pods.map(nodeOf).sort()).toEqual(['a', 'b'])
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
      const affinity = (pod['spec'] as { affinity: unknown }).affinity
      expect(affinity).toEqual({
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeOf(pod)] }] }] } },
      })
      expect(pod.metadata.labels?.['pod-template-generation']).toBe('1')
      expect(pod.metadata.labels?.['controller-revision-hash']).toMatch(/^[4-9bcdf]+$/)
      expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'agent', controller: true, blockOwnerDeletion: true })])
    }
    const events = list(s, 'Event', { namespace: 'default' }).filter((e) => (e['involvedObject'] as { kind: string }).kind === 'Pod' && e['reason'] === 'Scheduled')
    expect(events).toHaveLength(2)
    expect(status(s)).toEqual({ currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 1, updatedNumberScheduled: 2, numberAvailable: 2 })
    const hash = pods[0]?.metadata.labels?.['controller-revision-hash']
    expect(list(s, 'ControllerRevision', { namespace: 'default' }).map((r) => [r.metadata.name, r['revision']])).toEqual([[`agent-${hash}`, 1]])
  })

  it('gives daemon pods the automatic tolerations, so cordoned and pressured nodes still run them', () => {
    let s = createCluster({ now: T0, nodes: [{ name: 'a' }, { name: 'b', taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] }] })
    s = right(cordon(s, 'a'))
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', {}, { hostNetwork: true })])), '10s'))
    expect(dsPods(s).map(nodeOf).sort()).toEqual(['a', 'b'])
    const tolerations = (dsPods(s)[0]?.['spec'] as { tolerations: unknown[] }).tolerations
    expect(tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' },
    ])
  })

  it('keeps a pod through a new NoSchedule taint, removes it for an untolerated NoExecute taint, honours tolerations', () => {
    let s = createCluster({ now: T0, nodes: 2 })
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', {}, { tolerations: [{ key: 'gpu', operator: 'Exists' }] })])), '10s'))
    s = editNode(s, 'node-1', (spec) => void (spec['taints'] = [{ key: 'maintenance', effect: 'NoSchedule' }]))
    s = right(advance(s, '10s'))
    expect(dsPods(s).map(nodeOf).sort()).toEqual(['node-1', 'node-2'])
    expect(status(s)).toMatchObject({ desiredNumberScheduled: 1, numberMisscheduled: 1 })
    s = editNode(s, 'node-2', (spec) => void (spec['taints'] = [{ key: 'gpu', effect: 'NoExecute' }]))
    s = editNode(s, 'node-1', (spec) => void (spec['taints'] = [{ key: 'maintenance', effect: 'NoExecute' }]))
    s = right(advance(s, '40s'))
    expect(dsPods(s).map(nodeOf)).toEqual(['node-2'])
  })

  it('follows node churn: new and relabelled nodes get a pod, removed nodes lose it', () => {
    let s = createCluster({ now: T0, nodes: [{ name: 'a', labels: { role: 'edge' } }, { name: 'b' }] })
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', {}, { nodeSelector: { role: 'edge' } })])), '10s'))
    s = right(addNode(s, { name: 'c', labels: { role: 'edge' } }))
    s = editNode(s, 'b', (_, labels) => void (labels['role'] = 'edge'))
    s = right(advance(s, '10s'))
    expect(dsPods(s).map(nodeOf).sort()).toEqual(['a', 'b', 'c'])
    s = editNode(s, 'a', (_, labels) => void delete labels['role'])
    s = right(deleteNode(s, 'c'))
    s = right(advance(s, '40s'))
    expect(dsPods(s).map(nodeOf)).toEqual(['b'])
    expect(status(s)).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1 })
  })

  it('counts minReadySeconds: pods are available only after it, at a wakeup, not by polling', () => {
    let s = createCluster({ now: T0, nodes: 2 })
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', { minReadySeconds: 30 })])), '5s'))
    expect(status(s)).toMatchObject({ numberReady: 2, numberUnavailable: 2 })
    expect(status(s)['numberAvailable']).toBeUndefined()
    s = right(advance(s, '30s'))
    expect(status(s)).toMatchObject({ numberReady: 2, numberAvailable: 2 })
    expect(status(s)['numberUnavailable']).toBeUndefined()
  })
})

describe('DaemonSet updates', () => {
  it('RollingUpdate with maxUnavailable: never more nodes without an available pod than the budget (50% of 3 rounds up to 2)', () => {
    let s = createCluster({ now: T0, nodes: 3 })
    const strategy = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } }
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', strategy)])), '10s'))
    s = right(applyManifests(s, [daemonSet('agent:2', strategy)]))
    let worst = 0
    s = runChecked(s, 30_000, (x) => {
      const available = new Set(dsPods(x).filter((p) => live(p) && ready(p)).map(nodeOf))
      worst = Math.max(worst, 3 - available.size)
    })
    expect(worst).toBe(2)
    const images = dsPods(s).map((p) => (p['spec'] as { containers: { image: string }[] }).containers[0]?.image)
    expect(images).toEqual(['agent:2', 'agent:2', 'agent:2'])
    expect(status(s)).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3, observedGeneration: 2 })
    expect(dsPods(s).every((p) => p.metadata.labels?.['pod-template-generation'] === '2')).toBe(true)
  })

  it('RollingUpdate with maxSurge: the new pod starts before the old one goes; at most two pods on a node', () => {
    let s = createCluster({ now: T0, nodes: 3 })
    const strategy = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', strategy)])), '10s'))
    s = right(applyManifests(s, [daemonSet('agent:2', strategy)]))
    let maxPerNode = 0
    let minAvailable = 3
    let doubled = 0
    s = runChecked(s, 30_000, (x) => {
      const perNode = new Map<string, number>()
      for (const p of dsPods(x).filter(live)) perNode.set(nodeOf(p), (perNode.get(nodeOf(p)) ?? 0) + 1)
      maxPerNode = Math.max(maxPerNode, ...perNode.values())
      doubled = Math.max(doubled, [...perNode.values()].filter((n) => n > 1).length)
      minAvailable = Math.min(minAvailable, new Set(dsPods(x).filter((p) => live(p) && ready(p)).map(nodeOf)).size)
    })
    expect(maxPerNode).toBe(2)
    expect(doubled).toBe(1)
    expect(minAvailable).toBe(3)
    expect(status(s)).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3 })
  })

  it('OnDelete replaces a pod only when it is deleted, with the new template', () => {
    let s = createCluster({ now: T0, nodes: 2 })
    const strategy = { updateStrategy: { type: 'OnDelete' } }
    s = right(advance(right(applyManifests(s, [daemonSet('agent:1', strategy)])), '10s'))
    s = right(advance(right(applyManifests(s, [daemonSet('agent:2', strategy)])), '30s'))
    const image = (p: KubeObject | undefined) => (p?.['spec'] as { containers: { image: string }[] }).containers[0]?.image
    expect(dsPods(s).map(image)).toEqual(['agent:1', 'agent:1'])
    expect(status(s)['updatedNumberScheduled']).toBeUndefined()
    const victim = dsPods(s).find((p) => nodeOf(p) === 'node-1')
    s = right(advance(right(remove(s, { kind: 'Pod', namespace: 'default', name: victim?.metadata.name ?? '' })), '10s'))
    const byNode = new Map(dsPods(s).map((p) => [nodeOf(p), image(p)]))
    expect(byNode).toEqual(new Map([['node-1', 'agent:2'], ['node-2', 'agent:1']]))
    expect(status(s)).toMatchObject({ updatedNumberScheduled: 1 })
  })

  it('rolls back to an earlier template by renumbering its revision, and keeps revisionHistoryLimit old revisions', () => {
    let s = createCluster({ now: T0, nodes: 1 })
    for (const image of ['agent:1', 'agent:2', 'agent:3', 'agent:1']) s = right(advance(right(applyManifests(s, [daemonSet(image, { revisionHistoryLimit: 1 })])), '20s'))
    const revisions = list(s, 'ControllerRevision', { namespace: 'default' })
    expect(revisions.map((r) => r['revision']).sort()).toEqual([3, 4])
    const current = revisions.find((r) => r['revision'] === 4)
    expect(dsPods(s).map((p) => p.metadata.labels?.['controller-revision-hash'])).toEqual([current?.metadata.labels?.['controller-revision-hash']])
    expect(dsPods(s).map((p) => p.metadata.labels?.['pod-template-generation'])).toEqual(['4'])
  })

  it('refuses bad input with Kubernetes messages', () => {
    const s = createCluster()
    const bad = applyManifests(s, [daemonSet('x', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })])
    expect(E.isLeft(bad) && bad.left.map((e) => e.message).join('\n')).toContain('spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0')
    const applied = right(applyManifests(s, [daemonSet('x')]))
    const moved = applyManifests(applied, [{ ...daemonSet('x'), spec: { ...(daemonSet('x')['spec'] as object), selector: { matchLabels: { app: 'other' } } } }])
    expect(E.isLeft(moved) && moved.left.map((e) => e.message).join('\n')).toContain('field is immutable')
  })
})

describe('DaemonSet properties', () => {
  type Op =
    | { readonly op: 'add'; readonly edge: boolean }
    | { readonly op: 'delete'; readonly index: number }
    | { readonly op: 'label'; readonly index: number; readonly edge: boolean }
    | { readonly op: 'taint'; readonly index: number; readonly effect: 'NoSchedule' | 'NoExecute' | undefined }
    | { readonly op: 'fail'; readonly index: number }
  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('add' as const), edge: fc.boolean() }),
      fc.record({ op: fc.constant('delete' as const), index: fc.nat(9) }),
      fc.record({ op: fc.constant('label' as const), index: fc.nat(9), edge: fc.boolean() }),
      fc.record({ op: fc.constant('taint' as const), index: fc.nat(9), effect: fc.constantFrom('NoSchedule' as const, 'NoExecute' as const, undefined) }),
      fc.record({ op: fc.constant('fail' as const), index: fc.nat(9) }),
    ),
    { maxLength: 6 },
  )

  const apply = (s: ClusterState, op: Op, counter: { n: number }): ClusterState => {
    const nodes = list(s, 'Node').map((n) => n.metadata.name)
    const pick = (i: number) => nodes[i % Math.max(1, nodes.length)]
    switch (op.op) {
      case 'add':
        return E.getOrElse(() => s)(addNode(s, { name: `n${counter.n++}`, labels: op.edge ? { role: 'edge' } : {} }))
      case 'delete':
        return nodes.length === 0 ? s : E.getOrElse(() => s)(deleteNode(s, pick(op.index) ?? ''))
      case 'label':
        return editNode(s, pick(op.index) ?? '', (_, labels) => (op.edge ? void (labels['role'] = 'edge') : void delete labels['role']))
      case 'taint':
        return editNode(s, pick(op.index) ?? '', (spec) => void (spec['taints'] = op.effect === undefined ? [] : [{ key: 'dedicated', effect: op.effect }]))
      case 'fail':
        return E.getOrElse(() => s)(failNode(s, pick(op.index) ?? ''))
    }
  }

  const eligible = (s: ClusterState): string[] =>
    list(s, 'Node')
      .filter((n) => n.metadata.labels?.['role'] === 'edge' && !((n['spec'] as { taints?: { key: string }[] }).taints ?? []).some((t) => t.key === 'dedicated'))
      .map((n) => n.metadata.name)
      .sort()

  const scenario = (seed: number, script: ReadonlyArray<Op>, check: (s: ClusterState) => void): ClusterState => {
    let s = createCluster({ seed, now: T0, nodes: [{ name: 'n0', labels: { role: 'edge' } }, { name: 'n1' }, { name: 'n2', labels: { role: 'edge' } }] })
    s = right(applyManifests(s, [daemonSet('agent:1', {}, { nodeSelector: { role: 'edge' } })]))
    const counter = { n: 3 }
    for (const op of script) {
      s = runChecked(s, 5_000, check)
      s = apply(s, op, counter)
    }
    // Faults stop: every failed kubelet comes back.
    for (const n of list(s, 'Node')) if (n.metadata.annotations?.['kubesim.dev/kubelet-stopped-at'] !== undefined) s = right(recoverNode(s, n.metadata.name))
    return runChecked(s, 120_000, check)
  }

  it('at most one live daemon pod per node at every step; after any churn, exactly one Ready pod on every eligible node (ESR)', () => {
    fc.assert(
      fc.property(fc.nat(1000), ops, (seed, script) => {
        const final = scenario(seed, script, (s) => {
          const perNode = new Map<string, number>()
          for (const p of dsPods(s).filter(live)) if (nodeOf(p) !== '') perNode.set(nodeOf(p), (perNode.get(nodeOf(p)) ?? 0) + 1)
          for (const n of perNode.values()) expect(n).toBe(1)
        })
        const pods = dsPods(final)
        expect(pods.every((p) => live(p) && ready(p))).toBe(true)
        const want = eligible(final)
        const onEligible = pods.map(nodeOf).filter((n) => want.includes(n)).sort()
        expect(onEligible).toEqual(want)
        // A pod may stay on a node that gained a NoSchedule taint (shouldContinueRunning), nowhere else.
        const kept = pods.map(nodeOf).filter((n) => !want.includes(n))
        for (const name of kept) {
          const node = list(final, 'Node').find((n) => n.metadata.name === name)
          expect(node?.metadata.labels?.['role']).toBe('edge')
          expect(((node?.['spec'] as { taints?: { effect: string }[] }).taints ?? []).map((t) => t.effect)).toEqual(['NoSchedule'])
        }
        expect(status(final)).toMatchObject({ desiredNumberScheduled: want.length, numberMisscheduled: kept.length })
      }),
      { numRuns: 20 },
    )
  })

  it('is deterministic: the same seed and operations give the same trace', () => {
    fc.assert(
      fc.property(fc.nat(1000), ops, (seed, script) => {
        const a = scenario(seed, script, () => undefined)
        const b = scenario(seed, script, () => undefined)
        expect(list(b, 'Pod', { namespace: 'default' }).map((p) => [p.metadata.name, p.metadata.uid, nodeOf(p)])).toEqual(
          list(a, 'Pod', { namespace: 'default' }).map((p) => [p.metadata.name, p.metadata.uid, nodeOf(p)]),
        )
        expect(b.revision).toBe(a.revision)
      }),
      { numRuns: 5 },
    )
  })
})
