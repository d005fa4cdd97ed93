/**
 * The scheduler's view of the cluster for one pass: per-node facts (labels, taints, allocatable,
 * requested totals from the store's `nodeUsage`, non-zero requests for scoring) plus the pods
 * this pass has already placed. Placing a pod updates the view in place ("assume", as
 * kube-scheduler's cache does), so two pods in one pass never overcommit a node. A snapshot is
 * private to one reconcile call or one `explainScheduling` call; nothing outside sees it change.
 *
 * @module
 */
import type { KubeObject } from '../objects/object.js'
import { equalityPairs, matchesSelector, type Selector } from '../objects/selector.js'
import { getObject, listObjects, nodeUsage, podsOnNode } from '../store/objectStore.js'
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
}

const SEP = '\u0000'

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

const nodeInfoOf = (state: ClusterState, node: KubeObject): NodeInfo => {
  const spec = (node['spec'] ?? {}) as { readonly unschedulable?: boolean; readonly taints?: ReadonlyArray<TaintLike> }
  return {
    name: node.metadata.name,
    node,
    labels: node.metadata.labels ?? {},
    unschedulable: spec.unschedulable === true,
    taints: spec.taints ?? [],
    allocatable: nodeAllocatable(node),
    requested: { ...nodeUsage(state.objects, node.metadata.name) },
    nonZeroCpu: 0,
    nonZeroMemory: 0,
    ports: undefined,
  }
}

const boundPodOf = (pod: KubeObject): BoundPod => ({
  uid: pod.metadata.uid ?? '',
  namespace: pod.metadata.namespace ?? 'default',
  labels: pod.metadata.labels ?? {},
  nodeName: ((pod['spec'] as { nodeName?: string } | undefined)?.nodeName) ?? '',
  terminating: pod.metadata.deletionTimestamp !== undefined,
  priority: ((pod['spec'] as { priority?: number } | undefined)?.priority) ?? 0,
})

const hasRequiredAntiAffinity = (pod: KubeObject): boolean => {
  const anti = (pod['spec'] as { affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: ReadonlyArray<unknown> } } } | undefined)
    ?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  return anti !== undefined && anti.length > 0
}

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

/**
 * Builds the view from a state and every pod in it (the caller's scan, so a pass reads the pods
 * once). Cost: O(nodes + pods); the per-pod scheduling work afterwards does not depend on the
 * number of pods.
 *
 * @internal
 */
export const buildSnapshot = (state: ClusterState, pods: Iterable<KubeObject>, exclude = ''): Snapshot => {
  const nodes = listObjects(state.objects, 'Node').map((n) => nodeInfoOf(state, n))
  const byName = new Map(nodes.map((n) => [n.name, n]))
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
  }
  for (const pod of pods) {
    if (!holdsNodeResources(pod)) continue
    const bound = boundPodOf(pod)
    const node = byName.get(bound.nodeName)
    if (bound.uid === exclude && exclude !== '') {
      if (node !== undefined) for (const [k, v] of Object.entries(podRequests(pod))) node.requested[k] = (node.requested[k] ?? 0) - v
      continue
    }
    if (node !== undefined) {
      const [cpu, memory] = nonZeroRequests(pod)
      node.nonZeroCpu += cpu
      node.nonZeroMemory += memory
    }
    if (hasRequiredAntiAffinity(pod)) indexAntiAffinity(snapshot, bound, podInfo(pod).antiAffinity)
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
  for (const k in info.requests) node.requested[k] = (node.requested[k] ?? 0) + (info.requests[k] ?? 0)
  node.nonZeroCpu += info.nonZeroCpu
  node.nonZeroMemory += info.nonZeroMemory
  if (info.hostPorts.length > 0) node.ports = [...portsInUse(snapshot, node), ...info.hostPorts]
  const bound: BoundPod = { uid: info.uid, namespace: info.namespace, labels: info.labels, nodeName: node.name, terminating: false, priority: info.priority }
  push(snapshot.placedByNamespace, info.namespace, bound)
  for (const k in info.labels) push(snapshot.placedByLabel, info.namespace + SEP + k + '=' + (info.labels[k] ?? ''), bound)
  if (info.antiAffinity.length > 0) indexAntiAffinity(snapshot, bound, info.antiAffinity)
}
