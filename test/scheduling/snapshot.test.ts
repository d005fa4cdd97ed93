import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Action, applyAction, type ClusterState, createCluster, type KubeObject } from '../../src/index.js'
import { filtersAreResourcesOnly, fitsResources, insufficientResources, preFilter, runFilters } from '../../src/scheduling/filters.js'
import { nonZeroRequests, podInfo } from '../../src/scheduling/podInfo.js'
import { holdsNodeResources, podRequests } from '../../src/scheduling/resources.js'
import { scoreNodes, scoreTotals } from '../../src/scheduling/scores.js'
import { antiAffinityAgainst, buildSnapshot } from '../../src/scheduling/snapshot.js'
import { right } from '../helpers.js'

// The snapshot is built from indices and memo tables (per Node object, per nodeUsage entry);
// these properties compare it, and the scheduler's fast paths, with plain scans and the full
// plugin computations, over clusters that evolve write by write.

const NODES = ['a', 'b', 'c']

const nodes = fc.array(
  fc.record({
    cpu: fc.constantFrom('1', '2', '4'),
    memory: fc.constantFrom('2Gi', '8Gi'),
    pods: fc.constantFrom('2', '4', '110'),
    soft: fc.boolean(),
  }),
  { minLength: 3, maxLength: 3 },
)

const podSpec = fc.record({
  cpu: fc.option(fc.constantFrom('100m', '500m', '1500m'), { nil: undefined }),
  memory: fc.option(fc.constantFrom('256Mi', '3Gi'), { nil: undefined }),
  gpu: fc.boolean(),
  app: fc.constantFrom('web', 'db'),
  anti: fc.boolean(),
  preferNode: fc.boolean(),
  tolerateSoft: fc.boolean(),
})
type PodSpecArb = typeof podSpec extends fc.Arbitrary<infer T> ? T : never

const op = fc.oneof(
  fc.record({ type: fc.constant('create' as const), name: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), node: fc.option(fc.constantFrom(...NODES), { nil: undefined }), spec: podSpec }),
  fc.record({ type: fc.constant('finish' as const), name: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5') }),
  fc.record({ type: fc.constant('delete' as const), name: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5') }),
)

const podOf = (name: string, node: string | undefined, p: PodSpecArb): KubeObject => {
  const requests: Record<string, string> = {}
  if (p.cpu !== undefined) requests['cpu'] = p.cpu
  if (p.memory !== undefined) requests['memory'] = p.memory
  if (p.gpu) requests['example.com/gpu'] = '1'
  const affinity: Record<string, unknown> = {}
  if (p.anti) affinity['podAntiAffinity'] = { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: p.app } }, topologyKey: 'kubernetes.io/hostname' }] }
  if (p.preferNode) affinity['nodeAffinity'] = { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] } }] }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: p.app } },
    spec: {
      ...(node === undefined ? {} : { nodeName: node }),
      containers: [{ name: 'c', image: 'nginx', resources: { requests } }],
      ...(Object.keys(affinity).length === 0 ? {} : { affinity }),
      ...(p.tolerateSoft ? { tolerations: [{ key: 'soft', operator: 'Exists', effect: 'PreferNoSchedule' }] } : {}),
    },
  }
}

const cluster = (specs: ReadonlyArray<{ cpu: string; memory: string; pods: string; soft: boolean }>): ClusterState =>
  createCluster({
    nodes: specs.map((n, i) => ({
      name: NODES[i] as string,
      capacity: { cpu: n.cpu, memory: n.memory, pods: n.pods, 'example.com/gpu': '1' },
      ...(n.soft ? { taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] } : {}),
    })),
  })

/** Applies a write if the API accepts it (refusals are part of the story, not a failure). */
const attempt = (s: ClusterState, action: Action): ClusterState => {
  const r = applyAction(s, action)
  return r._tag === 'Right' ? r.right.state : s
}

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

const run = (s0: ClusterState, ops: ReadonlyArray<Op>): ClusterState => {
  let s = s0
  for (const o of ops) {
    if (o.type === 'create') s = attempt(s, { type: 'create', by: 'test', object: podOf(o.name, o.node, o.spec) })
    else if (o.type === 'delete') s = attempt(s, { type: 'delete', by: 'test', ref: { kind: 'Pod', namespace: 'default', name: o.name }, gracePeriodSeconds: 0 })
    else {
      const pod = s.objects.kinds.get('Pod')?.get(`default/${o.name}`)
      if (pod !== undefined) s = attempt(s, { type: 'updateStatus', by: 'test', object: { ...pod, status: { phase: 'Succeeded' } } })
    }
    // Every intermediate state builds a snapshot, so the memo tables see the history.
    buildSnapshot(s)
  }
  return s
}

const allPods = (s: ClusterState): KubeObject[] => [...(s.objects.kinds.get('Pod')?.values() ?? [])]

describe('snapshot', () => {
  it('per-node requested and non-zero totals and anti-affinity owners equal a scan of every pod', () => {
    fc.assert(
      fc.property(nodes, fc.array(op, { maxLength: 25 }), fc.option(fc.constantFrom('p1', 'p2', 'p3'), { nil: undefined }), (specs, ops, explained) => {
        const s = run(cluster(specs), ops)
        const excludedPod = explained === undefined ? undefined : s.objects.kinds.get('Pod')?.get(`default/${explained}`)
        const exclude = excludedPod?.metadata.uid ?? ''
        const snapshot = buildSnapshot(s, exclude)
        const holding = allPods(s).filter((p) => holdsNodeResources(p) && p.metadata.uid !== exclude)
        for (const node of snapshot.nodes) {
          const here = holding.filter((p) => (p['spec'] as { nodeName?: string }).nodeName === node.name)
          const sum = (name: string) => here.reduce((t, p) => t + (podRequests(p)[name] ?? 0), 0)
          for (const name of ['cpu', 'memory', 'pods', 'example.com/gpu']) expect(node.requested[name] ?? 0).toBe(sum(name))
          expect(node.nonZeroCpu).toBe(here.reduce((t, p) => t + nonZeroRequests(p)[0], 0))
          expect(node.nonZeroMemory).toBe(here.reduce((t, p) => t + nonZeroRequests(p)[1], 0))
        }
        // Every holding pod with required anti-affinity is an owner the incoming pods are checked against.
        const owners = new Set(antiAffinityAgainst(snapshot, podInfo(podOf('incoming', undefined, { cpu: undefined, memory: undefined, gpu: false, app: 'web', anti: false, preferNode: false, tolerateSoft: false }))).map((o) => o.pod.uid))
        const expected = holding.filter((p) => podInfo(p).antiAffinity.length > 0 && p.metadata.labels?.['app'] === 'web').map((p) => p.metadata.uid)
        expect([...owners].sort()).toEqual(expected.sort())
      }),
      { numRuns: 60 },
    )
  })

  it('the fast fit check and score totals agree with the filters and every score plugin', () => {
    fc.assert(
      fc.property(nodes, fc.array(op, { maxLength: 15 }), podSpec, (specs, ops, incoming) => {
        const s = run(cluster(specs), ops)
        const snapshot = buildSnapshot(s)
        const info = podInfo(right(applyAction(s, { type: 'create', by: 'test', object: podOf('incoming', undefined, incoming) })).object as KubeObject)
        const pre = preFilter(snapshot, info)
        for (const node of snapshot.nodes) {
          expect(fitsResources(info, node)).toBe(insufficientResources(info, node) === undefined)
          if (filtersAreResourcesOnly(info, pre) && !node.unschedulable && node.taints.length === 0)
            expect(runFilters(snapshot, info, pre, node) === undefined).toBe(fitsResources(info, node))
        }
        const feasible = snapshot.nodes.filter((n) => runFilters(snapshot, info, pre, n) === undefined)
        expect(scoreTotals(snapshot, info, feasible)).toEqual([...scoreNodes(snapshot, info, feasible).totals])
      }),
      { numRuns: 60 },
    )
  })
})
