import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { type Action, applyAction, applyManifests, type ClusterState, createCluster, defaultControllers, get, type KubeObject, list, settle, step } from '../../src/index.js'
import { scheduler } from '../../src/controllers/scheduler.js'
import { explainScheduling } from '../../src/scheduling/explain.js'
import { holdsNodeResources, nodeAllocatable, podRequests } from '../../src/scheduling/resources.js'
import { right } from '../helpers.js'

type NodeSpec = { name: string; labels?: Record<string, string>; capacity?: Record<string, string> }

const cluster = (nodes: ReadonlyArray<NodeSpec>, seed = 0): ClusterState => createCluster({ seed, nodes, controllers: [...defaultControllers, scheduler] })

const pod = (name: string, spec: Record<string, unknown> = {}, requests: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...(labels === undefined ? {} : { labels }) },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], ...spec },
})

const taint = (s: ClusterState, node: string, taints: ReadonlyArray<Record<string, string>>, extra: Record<string, unknown> = {}): ClusterState => {
  const n = get(s, 'Node', undefined, node)
  if (O.isNone(n)) return expect.fail('no node')
  return right(applyAction(s, { type: 'update', by: 'user', object: { ...n.value, spec: { ...(n.value['spec'] as object), taints, ...extra } } })).state
}

const nodeOf = (s: ClusterState, name: string): string | undefined => {
  const p = get(s, 'Pod', 'default', name)
  return O.isSome(p) ? (p.value['spec'] as { nodeName?: string }).nodeName : undefined
}

const condition = (s: ClusterState, name: string) => {
  const p = get(s, 'Pod', 'default', name)
  return O.isSome(p) ? ((p.value['status'] as { conditions?: Array<Record<string, string>> }).conditions ?? []).find((c) => c['type'] === 'PodScheduled') : undefined
}

const run = (s: ClusterState, pods: ReadonlyArray<KubeObject>): ClusterState => right(settle(right(applyManifests(s, pods))))

describe('scheduler', () => {
  it('binds a pending pod and records a Scheduled event', () => {
    const s = run(cluster([{ name: 'a' }]), [pod('web')])
    expect(nodeOf(s, 'web')).toBe('a')
    const events = list(s, 'Event').map((e) => [e['reason'], e['message']])
    expect(events).toContainEqual(['Scheduled', 'Successfully assigned default/web to a'])
  })

  it('posts Kubernetes-shaped FailedScheduling messages and does not repeat them', () => {
    let s = cluster([{ name: 'a', capacity: { cpu: '1' } }, { name: 'b', capacity: { cpu: '1' } }, { name: 'c', capacity: { cpu: '8' } }])
    s = taint(s, 'c', [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])
    s = run(s, [pod('big', {}, { cpu: '2' })])
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.'
    expect(condition(s, 'big')).toMatchObject({ status: 'False', reason: 'Unschedulable', message })
    const failed = list(s, 'Event').filter((e) => e['reason'] === 'FailedScheduling')
    expect(failed.map((e) => [e['type'], e['message'], e['count'] ?? 1])).toEqual([['Warning', message, 1]])
    // Nothing changed: settling again is a fixed point.
    const again = right(settle(s))
    expect(again.objects).toBe(s.objects)
    expect(step(again).state).toBe(again)
  })

  it('retries an unschedulable pod when the cluster changes (a node is untainted)', () => {
    let s = cluster([{ name: 'a' }])
    s = taint(s, 'a', [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])
    s = run(s, [pod('p')])
    expect(nodeOf(s, 'p')).toBeUndefined()
    s = right(settle(taint(s, 'a', [])))
    expect(nodeOf(s, 'p')).toBe('a')
  })

  it('keeps two pods of one pass from overcommitting a node', () => {
    const s = run(cluster([{ name: 'a', capacity: { cpu: '1' } }]), [pod('x', {}, { cpu: '600m' }), pod('y', {}, { cpu: '600m' })])
    expect([nodeOf(s, 'x'), nodeOf(s, 'y')]).toEqual(['a', undefined])
    expect(condition(s, 'y')?.['message']).toMatch(/^0\/1 nodes are available: 1 Insufficient cpu\./)
  })

  it('orders the queue by priority, then creation time', () => {
    const s = run(cluster([{ name: 'a', capacity: { cpu: '1' } }]), [pod('low', {}, { cpu: '600m' }), pod('high', { priority: 10 }, { cpu: '600m' })])
    expect(nodeOf(s, 'high')).toBe('a')
    expect(nodeOf(s, 'low')).toBeUndefined()
  })

  it('ignores pods for another scheduler', () => {
    const s = run(cluster([{ name: 'a' }]), [pod('other', { schedulerName: 'my-scheduler' })])
    expect(nodeOf(s, 'other')).toBeUndefined()
    expect(condition(s, 'other')).toBeUndefined()
  })

  it('spreads by LeastAllocated and honours required anti-affinity', () => {
    const anti = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } }
    const s = run(cluster([{ name: 'a' }, { name: 'b' }]), [pod('db-1', anti, {}, { app: 'db' }), pod('db-2', anti, {}, { app: 'db' }), pod('db-3', anti, {}, { app: 'db' })])
    const placed = ['db-1', 'db-2', 'db-3'].map((n) => nodeOf(s, n))
    expect(placed.filter((n) => n !== undefined).sort()).toEqual(['a', 'b'])
    const stuck = ['db-1', 'db-2', 'db-3'].find((n) => nodeOf(s, n) === undefined) ?? ''
    expect(condition(s, stuck)?.['message']).toBe(
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    )
  })
})

// ---------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------

const arbNodes = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5'),
    zone: fc.constantFrom('z1', 'z2'),
    cpu: fc.constantFrom('1', '2', '4'),
    pods: fc.constantFrom('2', '5', '110'),
    tainted: fc.boolean(),
  }),
  { minLength: 1, maxLength: 4, selector: (n) => n.name },
)
const arbPods = fc.array(
  fc.record({
    cpu: fc.constantFrom('100m', '500m', '1', '3'),
    tolerates: fc.boolean(),
    zone: fc.option(fc.constantFrom('z1', 'z2'), { nil: undefined }),
    app: fc.constantFrom('a', 'b'),
    anti: fc.boolean(),
    priority: fc.constantFrom(0, 5),
  }),
  { maxLength: 10 },
)

const build = (nodes: ReadonlyArray<{ name: string; zone: string; cpu: string; pods: string; tainted: boolean }>, seed: number): ClusterState => {
  let s = createCluster({ seed, nodes: nodes.map((n) => ({ name: n.name, labels: { zone: n.zone }, capacity: { cpu: n.cpu, pods: n.pods } })), controllers: [scheduler] })
  for (const n of nodes) if (n.tainted) s = taint(s, n.name, [{ key: 'team', value: 'x', effect: 'NoSchedule' }])
  return s
}
const manifests = (pods: ReadonlyArray<{ cpu: string; tolerates: boolean; zone: string | undefined; app: string; anti: boolean; priority: number }>): KubeObject[] =>
  pods.map((p, i) =>
    pod(
      `p${i}`,
      {
        priority: p.priority,
        ...(p.tolerates ? { tolerations: [{ key: 'team', operator: 'Exists' }] } : {}),
        ...(p.zone === undefined ? {} : { nodeSelector: { zone: p.zone } }),
        ...(p.anti ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: p.app } }, topologyKey: 'kubernetes.io/hostname' }] } } } : {}),
      },
      { cpu: p.cpu },
      { app: p.app },
    ),
  )

describe('scheduler properties', () => {
  it('binds only to nodes that pass every filter at bind time; never overcommits; binds what fits', () => {
    fc.assert(
      fc.property(arbNodes, arbPods, fc.integer(), (nodes, pods, seed) => {
        let s = right(applyManifests(build(nodes, seed), manifests(pods)))
        // One pass, applied action by action, checking each bind against the state before it.
        for (let pass = 0; pass < 3; pass++) {
          const actions: ReadonlyArray<Action> = scheduler.reconcile(s)
          for (const action of actions) {
            if (action.type === 'bind') {
              const explained = explainScheduling(s, action.ref)
              if (O.isNone(explained)) return expect.fail('pod missing')
              expect(explained.value.nodes.find((n) => n.node === action.nodeName)?.feasible).toBe(true)
            }
            const applied = applyAction(s, action)
            if (E.isRight(applied)) s = applied.right.state
          }
        }
        // No node overcommitted.
        for (const node of list(s, 'Node')) {
          const alloc = nodeAllocatable(node)
          const on = list(s, 'Pod').filter((p) => holdsNodeResources(p) && (p['spec'] as { nodeName?: string }).nodeName === node.metadata.name)
          const cpu = on.reduce((sum, p) => sum + (podRequests(p)['cpu'] ?? 0), 0)
          expect(cpu).toBeLessThanOrEqual(alloc['cpu'] ?? 0)
          expect(on.length).toBeLessThanOrEqual(alloc['pods'] ?? 0)
        }
        // Every pending pod fits nowhere now.
        for (const p of list(s, 'Pod')) {
          if ((p['spec'] as { nodeName?: string }).nodeName !== undefined) continue
          const explained = explainScheduling(s, { kind: 'Pod', namespace: 'default', name: p.metadata.name })
          expect(O.isSome(explained) && explained.value.nodes.every((n) => !n.feasible)).toBe(true)
          expect(condition(s, p.metadata.name)?.['reason']).toBe('Unschedulable')
        }
      }),
      { numRuns: 60 },
    )
  })

  it('same seed, same placements', () => {
    fc.assert(
      fc.property(arbNodes, arbPods, fc.integer(), (nodes, pods, seed) => {
        const place = (): Array<string | undefined> => {
          const s = right(settle(right(applyManifests(build(nodes, seed), manifests(pods)))))
          return pods.map((_, i) => nodeOf(s, `p${i}`))
        }
        expect(place()).toEqual(place())
      }),
      { numRuns: 30 },
    )
  })
})
