/**
 * The scheduler's view of the cluster for one pass: per-node facts (labels, taints, allocatable,
 * requested totals from the store's `nodeUsage`, non-zero requests for scoring) plus the pods
 * this pass has already placed. Placing a pod updates the view in place ("assume", as
 * kube-scheduler's cache does), so two pods in one pass never overcommit a node. A snapshot is
 * private to one reconcile call or one `explainScheduling` call; nothing outside sees it change.
 *
 * Building one never scans every pod: node facts are memoised per Node object, requested
 * totals come from the store's `nodeUsage` index, non-zero totals from its `nodeNonZero` index
 * (both kept as pods start or stop holding resources on a node), and the bound pods with required anti-affinity come from the `antiAffinityPods` index.
 *
 * @module
 */
import type { Map as IMap } from 'immutable'
import type { KubeObject } from '../objects/object.js'
import { equalityPairs, matchesSelector, type Selector } from '../objects/selector.js'
import { diffMaps } from '../internal/mapDiff.js'
import { verifyingQuiescence } from '../sim/quiescence.js'
import { getByUid, getObject, listObjects, podsOnNode } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { type AffinityTerm, affinityTermSelects, type HostPort, type NamespaceScope, nonZeroRequests, podHostPorts, podInfo, type PodInfo } from './podInfo.js'
import { holdsNodeResources, nodeAllocatable, podRequests, type ResourceAmounts } from './resources.js'
import type { TaintLike } from './taints.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One node as the scheduler sees it during a pass. `requested` and the non-zero totals move as pods are placed. */
export interface NodeInfo {
  readonly name: string
  readonly node: KubeObject
  readonly labels: Readonly<Record<string, string>>
  readonly unschedulable: boolean
  readonly taints: ReadonlyArray<TaintLike>
  readonly allocatable: ResourceAmounts
  /** Σ requests of the pods holding resources on the node (incl. `pods`), plus this pass's placements. */
  readonly requested: Record<string, number>
  nonZeroCpu: number
  nonZeroMemory: number
  /** Host ports in use, computed on first need. */
  ports: HostPort[] | undefined
}

/** A pod bound to a node, as affinity and spread rules count it. */
export interface BoundPod {
  readonly uid: string
  readonly namespace: string
  readonly labels: Readonly<Record<string, string>>
  readonly nodeName: string
  readonly terminating: boolean
  readonly priority: number
}

interface AntiAffinityOwner {
  readonly pod: BoundPod
  readonly term: AffinityTerm
}

/** The scheduler's view of the cluster for one pass. */
export interface Snapshot {
  readonly state: ClusterState
  /** Nodes sorted by name. */
  readonly nodes: ReadonlyArray<NodeInfo>
  readonly byName: ReadonlyMap<string, NodeInfo>
  /** A pod treated as absent (explaining an already bound pod). */
  readonly exclude: string
  readonly placedByNamespace: Map<string, BoundPod[]>
  readonly placedByLabel: Map<string, BoundPod[]>
  /** Required anti-affinity terms of bound pods, indexed by the first `key=value` their selector pins. */
  readonly antiByPair: Map<string, AntiAffinityOwner[]>
  readonly antiUnindexed: AntiAffinityOwner[]
  readonly namespaceLabels: Map<string, Readonly<Record<string, string>> | undefined>
  /** Names of the nodes this pass has placed pods on (their `NodeInfo` no longer matches the store). */
  readonly assumedOn: Set<string>
}

const SEP = '\u0000'

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

type NodeFacts = Pick<NodeInfo, 'name' | 'node' | 'labels' | 'unschedulable' | 'taints' | 'allocatable'>

// Memo tables keyed by immutable values (a Node object, the Node map): pure.
const factsCache = new WeakMap<KubeObject, NodeFacts>()

const factsOf = (node: KubeObject): NodeFacts => {
  const cached = factsCache.get(node)
  if (cached !== undefined) return cached
  const spec = (node['spec'] ?? {}) as { readonly unschedulable?: boolean; readonly taints?: ReadonlyArray<TaintLike> }
  const facts: NodeFacts = {
    name: node.metadata.name,
    node,
    labels: node.metadata.labels ?? {},
    unschedulable: spec.unschedulable === true,
    taints: spec.taints ?? [],
    allocatable: nodeAllocatable(node),
  }
  if (Object.isFrozen(node)) factsCache.set(node, facts)
  return facts
}

/**
 * Σ non-zero cpu and memory requests of the pods holding resources on a node, but `exclude`:
 * the store keeps the totals as pods come and go (`nodeNonZero`); an excluded pod (one being
 * rescheduled in an explanation) is taken off its own node's total.
 */
const nonZeroOnNode = (state: ClusterState, name: string, exclude: string): readonly [number, number] => {
  const total = state.objects.nodeNonZero.get(name) ?? NO_REQUESTS
  if (exclude === '') return total
  const pod = getByUid(state.objects, exclude)
  if (pod === undefined || pod.kind !== 'Pod' || !holdsNodeResources(pod) || (pod['spec'] as { readonly nodeName?: string } | undefined)?.nodeName !== name) return total
  const [cpu, memory] = nonZeroRequests(pod)
  return [total[0] - cpu, total[1] - memory]
}

const NO_REQUESTS: readonly [number, number] = [0, 0]

/**
 * A placeholder that makes V8 store a field as a double from the start. The totals below
 * outgrow small integers (memory in bytes) as pods are assumed; a field whose representation
 * changes mid-pass deprecates the shared object shape, and the filter and score loops then
 * deoptimise again for every node still carrying the old shape (thousands of times a pass).
 */
const DOUBLE = 0.5

const nodeInfoOf = (state: ClusterState, node: KubeObject, exclude: string): NodeInfo => {
  const facts = factsOf(node)
  const usage = state.objects.nodeUsage.get(facts.name)
  const [nonZeroCpu, nonZeroMemory] = nonZeroOnNode(state, facts.name, exclude)
  // Readers treat an absent resource as 0, so cpu, memory and pods may start at 0.
  const requested: Record<string, number> = { cpu: DOUBLE, memory: DOUBLE, pods: DOUBLE }
  requested['cpu'] = 0
  requested['memory'] = 0
  requested['pods'] = 0
  if (usage !== undefined) for (const k in usage) requested[k] = usage[k] ?? 0
  // A literal, not a spread of `facts`: V8 gives spread copies distinct shapes here, which
  // makes every property read in the filter and score loops megamorphic.
  const info: NodeInfo = {
    name: facts.name,
    node: facts.node,
    labels: facts.labels,
    unschedulable: facts.unschedulable,
    taints: facts.taints,
    allocatable: facts.allocatable,
    requested,
    nonZeroCpu: DOUBLE,
    nonZeroMemory: DOUBLE,
    ports: undefined,
  }
  info.nonZeroCpu = nonZeroCpu
  info.nonZeroMemory = nonZeroMemory
  return info
}

const boundPodOf = (pod: KubeObject): BoundPod => ({
  uid: pod.metadata.uid ?? '',
  namespace: pod.metadata.namespace ?? 'default',
  labels: pod.metadata.labels ?? {},
  nodeName: ((pod['spec'] as { nodeName?: string } | undefined)?.nodeName) ?? '',
  terminating: pod.metadata.deletionTimestamp !== undefined,
  priority: ((pod['spec'] as { priority?: number } | undefined)?.priority) ?? 0,
})

const indexAntiAffinity = (snapshot: Snapshot, pod: BoundPod, terms: ReadonlyArray<AffinityTerm>): void => {
  for (const term of terms) {
    const owner = { pod, term }
    const pair = term.selector === undefined ? undefined : equalityPairs(term.selector)[0]
    if (term.selector === undefined) continue
    if (pair === undefined) snapshot.antiUnindexed.push(owner)
    else {
      const key = pair[0] + '=' + pair[1]
      const list = snapshot.antiByPair.get(key)
      if (list === undefined) snapshot.antiByPair.set(key, [owner])
      else list.push(owner)
    }
  }
}

const freshNodeInfos = (state: ClusterState, excludedNode: string | undefined, exclude: string): Pick<Snapshot, 'nodes' | 'byName'> => {
  const nodes = listObjects(state.objects, 'Node').map((n) => nodeInfoOf(state, n, n.metadata.name === excludedNode ? exclude : ''))
  return { nodes, byName: new Map(nodes.map((n) => [n.name, n])) }
}

/**
 * The node infos of the last snapshot built without an excluded pod, with the maps they were
 * built from and the nodes that snapshot's pass placed pods on (whose infos it changed). A cache
 * of a pure function: a pass on any state diffs its maps against these.
 */
let lastNodeInfos:
  | {
      readonly nodesMap: IMap<string, KubeObject> | undefined
      readonly usage: IMap<string, ResourceAmounts>
      readonly nodes: ReadonlyArray<NodeInfo>
      readonly byName: ReadonlyMap<string, NodeInfo>
      readonly assumedOn: ReadonlySet<string>
    }
  | undefined

/** Where a node sits in the name-sorted infos (binary search; the node is known to be there). */
const positionOf = (nodes: ReadonlyArray<NodeInfo>, name: string): number => {
  let low = 0
  let high = nodes.length - 1
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((nodes[mid] as NodeInfo).name < name) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * Every node's info, reusing the last snapshot's for the nodes whose usage entry did not change
 * and that its pass placed nothing on: a pass that schedules one pod on 5,000 nodes costs the
 * nodes that changed, not 5,000 infos.
 */
const nodeInfos = (state: ClusterState): Pick<Snapshot, 'nodes' | 'byName'> => {
  const last = lastNodeInfos
  const nodesMap = state.objects.kinds.get('Node')
  if (last === undefined || last.nodesMap !== nodesMap) return freshNodeInfos(state, undefined, '')
  const changed = new Set(last.assumedOn)
  for (const change of diffMaps(last.usage, state.objects.nodeUsage)) changed.add(change.key)
  if (changed.size * 4 > last.nodes.length) return freshNodeInfos(state, undefined, '')
  if (changed.size === 0) return verified(state, { nodes: last.nodes, byName: last.byName })
  const nodes = last.nodes.slice()
  const byName = new Map(last.byName)
  for (const name of changed) {
    const previous = byName.get(name)
    if (previous === undefined) continue
    const info = nodeInfoOf(state, previous.node, '')
    nodes[positionOf(nodes, name)] = info
    byName.set(name, info)
  }
  return verified(state, { nodes, byName })
}

/** While the suite verifies skips: the reused infos must equal freshly built ones. */
const verified = (state: ClusterState, infos: Pick<Snapshot, 'nodes' | 'byName'>): Pick<Snapshot, 'nodes' | 'byName'> => {
  if (!verifyingQuiescence()) return infos
  const fresh = freshNodeInfos(state, undefined, '')
  const summary = (n: NodeInfo): string => JSON.stringify([n.name, n.node.metadata.resourceVersion, n.requested, n.nonZeroCpu, n.nonZeroMemory])
  const reused = infos.nodes.map(summary).join('\n')
  if (reused !== fresh.nodes.map(summary).join('\n') || infos.byName.size !== fresh.byName.size)
    throw new Error(`scheduler snapshot: reused node infos differ from fresh ones at ${state.now}`)
  return infos
}

/**
 * Builds the view from a state, treating the pod with uid `exclude` (if any) as absent. Cost:
 * O(nodes + bound pods with required anti-affinity), plus the pods on each node whose
 * `nodeUsage` entry changed since a snapshot last looked; never a scan of every pod.
 *
 * @internal
 */
export const buildSnapshot = (state: ClusterState, exclude = ''): Snapshot => {
  const found = exclude === '' ? undefined : getByUid(state.objects, exclude)
  const excluded = found !== undefined && found.kind === 'Pod' && holdsNodeResources(found) ? found : undefined
  const excludedNode = excluded === undefined ? undefined : boundPodOf(excluded).nodeName
  const { nodes, byName } = excluded === undefined ? nodeInfos(state) : freshNodeInfos(state, excludedNode, exclude)
  const snapshot: Snapshot = {
    state,
    nodes,
    byName,
    exclude,
    placedByNamespace: new Map(),
    placedByLabel: new Map(),
    antiByPair: new Map(),
    antiUnindexed: [],
    namespaceLabels: new Map(),
    assumedOn: new Set(),
  }
  if (excluded === undefined) lastNodeInfos = { nodesMap: state.objects.kinds.get('Node'), usage: state.objects.nodeUsage, nodes, byName, assumedOn: snapshot.assumedOn }
  if (excluded !== undefined) {
    const node = byName.get(excludedNode ?? '')
    if (node !== undefined) for (const [k, v] of Object.entries(podRequests(excluded))) node.requested[k] = (node.requested[k] ?? 0) - v
  }
  const pods = state.objects.kinds.get('Pod')
  // Sorted, so the index lists owners in namespace/name order whatever the set's history.
  for (const key of [...state.objects.antiAffinityPods].sort()) {
    const pod = pods?.get(key)
    if (pod === undefined || !holdsNodeResources(pod) || (exclude !== '' && pod.metadata.uid === exclude)) continue
    indexAntiAffinity(snapshot, boundPodOf(pod), podInfo(pod).antiAffinity)
  }
  return snapshot
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/** The labels of a namespace (memoised for the pass). @internal */
export const namespaceLabelsOf = (snapshot: Snapshot, namespace: string): Readonly<Record<string, string>> | undefined => {
  if (snapshot.namespaceLabels.has(namespace)) return snapshot.namespaceLabels.get(namespace)
  const ns = getObject(snapshot.state.objects, { kind: 'Namespace', name: namespace })
  const labels = ns?.metadata.labels
  snapshot.namespaceLabels.set(namespace, labels)
  return labels
}

const namespacesIn = (snapshot: Snapshot, scope: NamespaceScope): ReadonlyArray<string> => {
  if (!scope.all && scope.selector === undefined) return [...scope.names]
  const all = listObjects(snapshot.state.objects, 'Namespace').map((n) => n.metadata.name)
  if (scope.all) return all
  const selector = scope.selector
  return all.filter((ns) => scope.names.has(ns) || (selector !== undefined && matchesSelector(selector, namespaceLabelsOf(snapshot, ns))))
}

/**
 * Bound pods (in the store or placed this pass) in a namespace scope whose labels match a
 * selector. Uses the store's label index, so the cost grows with the matches.
 *
 * @internal
 */
export const matchingPods = (snapshot: Snapshot, scope: NamespaceScope, selector: Selector | undefined): ReadonlyArray<BoundPod> => {
  if (selector === undefined) return []
  const out: BoundPod[] = []
  const pairs = equalityPairs(selector)
  for (const namespace of namespacesIn(snapshot, scope)) {
    for (const pod of listObjects(snapshot.state.objects, 'Pod', { namespace, selector })) {
      if (!holdsNodeResources(pod) || (pod.metadata.uid === snapshot.exclude && snapshot.exclude !== '')) continue
      out.push(boundPodOf(pod))
    }
    const pair = pairs[0]
    const placed = pair === undefined ? snapshot.placedByNamespace.get(namespace) : snapshot.placedByLabel.get(namespace + SEP + pair[0] + '=' + pair[1])
    for (const p of placed ?? []) if (matchesSelector(selector, p.labels)) out.push(p)
  }
  return out
}

/** Existing pods' required anti-affinity terms that select a pod. @internal */
export const antiAffinityAgainst = (snapshot: Snapshot, info: PodInfo): ReadonlyArray<AntiAffinityOwner> => {
  const out: AntiAffinityOwner[] = []
  const consider = (owner: AntiAffinityOwner): void => {
    if (affinityTermSelects(owner.term, info.namespace, info.labels, (ns) => namespaceLabelsOf(snapshot, ns))) out.push(owner)
  }
  for (const owner of snapshot.antiUnindexed) consider(owner)
  if (snapshot.antiByPair.size > 0) for (const [k, v] of Object.entries(info.labels)) for (const owner of snapshot.antiByPair.get(k + '=' + v) ?? []) consider(owner)
  return out
}

/** Host ports in use on a node. @internal */
export const portsInUse = (snapshot: Snapshot, node: NodeInfo): ReadonlyArray<HostPort> => {
  if (node.ports === undefined) {
    const ports: HostPort[] = []
    for (const pod of podsOnNode(snapshot.state.objects, node.name)) {
      if (holdsNodeResources(pod) && !(pod.metadata.uid === snapshot.exclude && snapshot.exclude !== '')) ports.push(...podHostPorts(pod))
    }
    node.ports = ports
  }
  return node.ports
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/**
 * Records that this pass placed a pod on a node: its requests, ports, labels and anti-affinity
 * terms count from now on.
 *
 * @internal
 */
export const assumePod = (snapshot: Snapshot, info: PodInfo, node: NodeInfo): void => {
  snapshot.assumedOn.add(node.name)
  for (const k in info.requests) node.requested[k] = (node.requested[k] ?? 0) + (info.requests[k] ?? 0)
  node.nonZeroCpu += info.nonZeroCpu
  node.nonZeroMemory += info.nonZeroMemory
  if (info.hostPorts.length > 0) node.ports = [...portsInUse(snapshot, node), ...info.hostPorts]
  const bound: BoundPod = { uid: info.uid, namespace: info.namespace, labels: info.labels, nodeName: node.name, terminating: false, priority: info.priority }
  push(snapshot.placedByNamespace, info.namespace, bound)
  for (const k in info.labels) push(snapshot.placedByLabel, info.namespace + SEP + k + '=' + (info.labels[k] ?? ''), bound)
  if (info.antiAffinity.length > 0) indexAntiAffinity(snapshot, bound, info.antiAffinity)
}
