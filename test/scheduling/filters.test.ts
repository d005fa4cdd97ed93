import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { applyAction, applyManifests, type ClusterState, createCluster, get, type KubeObject } from '../../src/index.js'
import { explainScheduling } from '../../src/scheduling/explain.js'
import { fitErrorMessage } from '../../src/scheduling/fitError.js'
import { nodeSelectorTermMatches } from '../../src/scheduling/nodeAffinity.js'
import { defaultNormalizeScore } from '../../src/scheduling/scores.js'
import { numFeasibleNodesToFind } from '../../src/scheduling/scheduleOne.js'
import { right } from '../helpers.js'

const pod = (spec: Record<string, unknown> = {}, requests: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', ...(labels === undefined ? {} : { labels }) },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], ...spec },
})

const editNode = (s: ClusterState, name: string, spec: Record<string, unknown>): ClusterState => {
  const n = get(s, 'Node', undefined, name)
  if (O.isNone(n)) return expect.fail('no node')
  return right(applyAction(s, { type: 'update', by: 'user', object: { ...n.value, spec: { ...(n.value['spec'] as object), ...spec } } })).state
}

const explain = (s: ClusterState, p: KubeObject) => {
  const e = explainScheduling(right(applyManifests(s, [p])), { kind: 'Pod', namespace: 'default', name: 'p' })
  if (O.isNone(e)) return expect.fail('no pod')
  return e.value
}
const verdicts = (s: ClusterState, p: KubeObject) => explain(s, p).nodes.map((n) => [n.node, n.filter ?? 'ok', ...n.reasons])

const two = createCluster({ nodes: [{ name: 'a', labels: { zone: 'z1', cores: '4' } }, { name: 'b', labels: { zone: 'z2', cores: '16' } }] })

describe('filters', () => {
  it('NodeUnschedulable needs a toleration for the unschedulable taint', () => {
    const s = editNode(two, 'a', { unschedulable: true })
    expect(verdicts(s, pod())).toEqual([['a', 'NodeUnschedulable', 'node(s) were unschedulable'], ['b', 'ok']])
    expect(verdicts(s, pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }))[0]).toEqual(['a', 'ok'])
  })

  it('TaintToleration: NoSchedule and NoExecute must be tolerated, PreferNoSchedule need not', () => {
    const s = editNode(editNode(two, 'a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }), 'b', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })
    expect(verdicts(s, pod())).toEqual([['a', 'TaintToleration', 'node(s) had untolerated taint {dedicated: gpu}'], ['b', 'ok']])
    expect(verdicts(s, pod({ tolerations: [{ operator: 'Exists' }] }))[0]).toEqual(['a', 'ok'])
    expect(verdicts(s, pod({ tolerations: [{ key: 'dedicated', value: 'cpu' }] }))[0]?.[1]).toBe('TaintToleration')
    expect(verdicts(s, pod({ tolerations: [{ key: 'dedicated', value: 'gpu' }] }))[0]).toEqual(['a', 'ok'])
    expect(verdicts(s, pod({ tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }))[0]?.[1]).toBe('TaintToleration')
  })

  it('NodeAffinity: nodeSelector and required terms (OR over terms, AND within)', () => {
    const reason = "node(s) didn't match Pod's node affinity/selector"
    expect(verdicts(two, pod({ nodeSelector: { zone: 'z2' } }))).toEqual([['a', 'NodeAffinity', reason], ['b', 'ok']])
    const affinity = (terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } })
    expect(verdicts(two, pod(affinity([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }])))[0]?.[1]).toBe('NodeAffinity')
    expect(verdicts(two, pod(affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }]))).map((v) => v[1])).toEqual(['ok', 'ok'])
    expect(verdicts(two, pod(affinity([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }, { key: 'cores', operator: 'Lt', values: ['8'] }] }]))).map((v) => v[1])).toEqual(['NodeAffinity', 'NodeAffinity'])
    expect(nodeSelectorTermMatches({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, { name: 'a', labels: {} })).toBe(true)
  })

  it('NodeResourcesFit: every requested resource, and the pod count', () => {
    const s = createCluster({ nodes: [{ name: 'a', capacity: { cpu: '1', pods: '110', 'example.com/gpu': '1' } }, { name: 'b', capacity: { cpu: '4', pods: '0' } }] })
    expect(verdicts(s, pod({}, { cpu: '2', 'example.com/gpu': '1' }))).toEqual([['a', 'NodeResourcesFit', 'Insufficient cpu'], ['b', 'NodeResourcesFit', 'Too many pods', 'Insufficient example.com/gpu']])
  })

  it('NodePorts: host port conflicts with pods on the node', () => {
    const ported = (name: string): KubeObject => ({ ...pod(), metadata: { name, namespace: 'default' }, spec: { nodeName: 'a', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] } })
    const s = right(applyManifests(two, [ported('existing')]))
    const incoming: KubeObject = { ...pod(), spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] } }
    expect(verdicts(s, incoming)).toEqual([['a', 'NodePorts', "node(s) didn't have free ports for the requested pod ports"], ['b', 'ok']])
  })

  it('InterPodAffinity: required affinity, anti-affinity, and existing pods anti-affinity', () => {
    const existing: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'db', namespace: 'default', labels: { app: 'db' } },
      spec: { nodeName: 'a', containers: [{ name: 'c', image: 'x' }], affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } },
    }
    const s = right(applyManifests(two, [existing]))
    const term = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }
    expect(verdicts(s, pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }))).toEqual([['a', 'ok'], ['b', 'InterPodAffinity', "node(s) didn't match pod affinity rules"]])
    expect(verdicts(s, pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }))).toEqual([['a', 'InterPodAffinity', "node(s) didn't match pod anti-affinity rules"], ['b', 'ok']])
    expect(verdicts(s, pod({}, {}, { app: 'web' }))).toEqual([['a', 'InterPodAffinity', "node(s) didn't satisfy existing pods anti-affinity rules"], ['b', 'ok']])
  })

  it('PodTopologySpread DoNotSchedule: maxSkew over topology domains', () => {
    const placed = (name: string, node: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'w' } }, spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] } })
    const s = right(applyManifests(two, [placed('w1', 'a')]))
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] }
    expect(verdicts(s, pod(spread, {}, { app: 'w' }))).toEqual([['a', 'PodTopologySpread', "node(s) didn't match pod topology spread constraints"], ['b', 'ok']])
    const missing = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] }
    expect(verdicts(s, pod(missing, {}, { app: 'w' }))[0]).toEqual(['a', 'PodTopologySpread', "node(s) didn't match pod topology spread constraints (missing required label)"])
  })
})

describe('scores', () => {
  const scoreOf = (s: ClusterState, p: KubeObject, plugin: string) =>
    explain(s, p).nodes.map((n) => n.scores.find((x) => x.plugin === plugin)?.normalized)

  it('LeastAllocated and BalancedAllocation prefer the emptier, balanced node', () => {
    const s = createCluster({ nodes: [{ name: 'a', capacity: { cpu: '2', memory: '4Gi' } }, { name: 'b', capacity: { cpu: '4', memory: '4Gi' } }] })
    expect(scoreOf(s, pod({}, { cpu: '1', memory: '1Gi' }), 'NodeResourcesFit')).toEqual([62, 75])
    expect(scoreOf(s, pod({}, { cpu: '1', memory: '1Gi' }), 'NodeResourcesBalancedAllocation')).toEqual([87, 100])
    expect(explain(s, pod({}, { cpu: '1', memory: '1Gi' })).bestNodes).toEqual(['b'])
  })

  it('TaintToleration counts intolerable PreferNoSchedule taints (reversed)', () => {
    const s = editNode(two, 'a', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })
    expect(scoreOf(s, pod(), 'TaintToleration')).toEqual([0, 100])
    expect(scoreOf(s, pod({ tolerations: [{ key: 'soft', operator: 'Exists', effect: 'PreferNoSchedule' }] }), 'TaintToleration')).toEqual([100, 100])
  })

  it('NodeAffinity sums matching preferred weights', () => {
    const p = pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } }, { weight: 5, preference: { matchExpressions: [{ key: 'cores', operator: 'Exists' }] } }] } } })
    expect(explain(two, p).nodes.map((n) => n.scores.find((x) => x.plugin === 'NodeAffinity')?.raw)).toEqual([5, 15])
    expect(scoreOf(two, p, 'NodeAffinity')).toEqual([33, 100])
  })

  it('InterPodAffinity and PodTopologySpread preferred terms', () => {
    const placed: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w1', namespace: 'default', labels: { app: 'w' } }, spec: { nodeName: 'a', containers: [{ name: 'c', image: 'x' }] } }
    const s = right(applyManifests(two, [placed]))
    const affinity = { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: 'w' } }, topologyKey: 'zone' } }] } } }
    expect(scoreOf(s, pod(affinity), 'InterPodAffinity')).toEqual([100, 0])
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'w' } } }] }
    expect(scoreOf(s, pod(spread, {}, { app: 'w' }), 'PodTopologySpread')).toEqual([0, 100])
  })

  it('normalises like DefaultNormalizeScore and samples like percentageOfNodesToScore', () => {
    expect(defaultNormalizeScore([1, 2, 4], false)).toEqual([25, 50, 100])
    expect(numFeasibleNodesToFind(5000)).toBe(500)
    expect(numFeasibleNodesToFind(100)).toBe(100)
  })

  it('formats FitError messages with reasons sorted as strings', () => {
    expect(fitErrorMessage(2, [{ reasons: ['Insufficient memory', 'Insufficient cpu'], preemption: ['No preemption victims found for incoming pod'] }, { reasons: ['Insufficient cpu'], preemption: ['No preemption victims found for incoming pod'] }])).toBe(
      '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    )
  })
})
