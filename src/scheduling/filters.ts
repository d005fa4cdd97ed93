/**
 * kube-scheduler's filter plugins, in the default profile's order: NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, PodTopologySpread and
 * InterPodAffinity. A node must pass all of them; the first that rejects it gives the reasons,
 * with Kubernetes' own reason strings. `preFilter` computes, once per pod, what the affinity and
 * spread filters need (topology counts), as the plugins' PreFilter extension points do.
 *
 * @module
 */
import { matchesSelector } from '../objects/selector.js'
import { nodeSelectorMatches, nodeSelectorTermsMatch } from './nodeAffinity.js'
import { hostPortsConflict, type PodInfo, type SpreadConstraint } from './podInfo.js'
import { antiAffinityAgainst, matchingPods, namespaceLabelsOf, type NodeInfo, portsInUse, type Snapshot } from './snapshot.js'
import { isTolerated, TAINT_UNSCHEDULABLE, toleratesTaint } from './taints.js'
import { volumeBindingRejection } from './volumeBinding.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Why a filter rejected a node. `unresolvable`: preemption cannot help (UnschedulableAndUnresolvable). */
export interface FilterRejection {
  readonly plugin: FilterPlugin
  readonly reasons: ReadonlyArray<string>
  readonly unresolvable: boolean
}

/** The filter plugins, in the order they run. */
export const FILTER_PLUGINS = [
  'NodeUnschedulable',
  'NodeName',
  'TaintToleration',
  'NodeAffinity',
  'NodePorts',
  'NodeResourcesFit',
  'VolumeBinding',
  'PodTopologySpread',
  'InterPodAffinity',
] as const
/** A filter plugin's name. */
export type FilterPlugin = (typeof FILTER_PLUGINS)[number]

/** Kubernetes' reason strings. */
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable'
export const REASON_NODE_NAME = "node(s) didn't match the requested node name"
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"
export const REASON_TOO_MANY_PODS = 'Too many pods'
export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints"
export const REASON_SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules"
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"

/** Topology counts for one spread constraint: matching pods per domain among eligible nodes. */
export interface SpreadCounts {
  readonly constraint: SpreadConstraint
  readonly counts: ReadonlyMap<string, number>
  /** The smallest count over the eligible domains (0 when fewer domains than minDomains). */
  readonly min: number
  readonly selfMatch: number
}

/** What the affinity and spread filters precompute for one pod (their PreFilter state). */
export interface PreFilterState {
  /** `topologyKey \0 value` -> pods matching every required affinity term there. */
  readonly affinityCounts: ReadonlyMap<string, number>
  readonly matchesOwnAffinity: boolean
  /** `topologyKey \0 value` -> pods matching some required anti-affinity term there. */
  readonly antiAffinityCounts: ReadonlyMap<string, number>
  /** `topologyKey \0 value` -> existing pods whose required anti-affinity selects this pod. */
  readonly existingAntiAffinity: ReadonlyMap<string, number>
  readonly hardSpread: ReadonlyArray<SpreadCounts>
  /** VolumeBinding's PreFilter verdict: why no node can take the pod's claims, if so. */
  readonly volumeBinding: string | undefined
}

const SEP = '\u0000'

// ---------------------------------------------------------------------------------------------
// pre-filter
// ---------------------------------------------------------------------------------------------

const bump = (map: Map<string, number>, key: string, by = 1): void => {
  map.set(key, (map.get(key) ?? 0) + by)
}

/** Whether a node passes the pod's nodeSelector and required node affinity. */
export const matchesNodeSelection = (info: PodInfo, node: NodeInfo): boolean =>
  nodeSelectorMatches(info.nodeSelector, node.labels) && (info.requiredNodeTerms === undefined || nodeSelectorTermsMatch(info.requiredNodeTerms, node))

const toleratesHardTaints = (info: PodInfo, node: NodeInfo): boolean =>
  node.taints.every((t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || isTolerated(info.tolerations, t))

/**
 * Matching pods per topology domain for spread constraints, over the nodes that carry every
 * constraint's key (and match the pod's node selection under nodeAffinityPolicy Honor).
 *
 * @internal
 */
export const spreadCounts = (snapshot: Snapshot, info: PodInfo, constraints: ReadonlyArray<SpreadConstraint>): ReadonlyArray<SpreadCounts> => {
  if (constraints.length === 0) return []
  return constraints.map((constraint) => {
    const eligible = new Set<string>()
    const counts = new Map<string, number>()
    for (const node of snapshot.nodes) {
      if (!constraints.every((c) => Object.prototype.hasOwnProperty.call(node.labels, c.topologyKey))) continue
      if (constraint.honorNodeAffinity && !matchesNodeSelection(info, node)) continue
      if (constraint.honorTaints && !toleratesHardTaints(info, node)) continue
      eligible.add(node.name)
      const value = node.labels[constraint.topologyKey] ?? ''
      if (!counts.has(value)) counts.set(value, 0)
    }
    for (const pod of matchingPods(snapshot, { all: false, names: new Set([info.namespace]) }, constraint.selector)) {
      if (pod.terminating || !eligible.has(pod.nodeName)) continue
      const value = snapshot.byName.get(pod.nodeName)?.labels[constraint.topologyKey]
      if (value !== undefined) bump(counts, value)
    }
    let min = counts.size < constraint.minDomains ? 0 : Infinity
    for (const c of counts.values()) min = Math.min(min, c)
    if (min === Infinity) min = 0
    const selfMatch = constraint.selector !== undefined && matchesSelector(constraint.selector, info.labels) ? 1 : 0
    return { constraint, counts, min, selfMatch }
  })
}

/**
 * Computes the per-pod state the InterPodAffinity and PodTopologySpread filters need. Cost grows
 * with the pods the pod's terms select (label index lookups), not with every pod.
 *
 * @internal
 */
export const preFilter = (snapshot: Snapshot, info: PodInfo): PreFilterState => {
  const affinityCounts = new Map<string, number>()
  const first = info.affinity[0]
  if (first !== undefined) {
    for (const pod of matchingPods(snapshot, first.namespaces, first.selector)) {
      const node = snapshot.byName.get(pod.nodeName)
      if (node === undefined) continue
      if (!info.affinity.every((t) => t.selector !== undefined && matchingNamespace(snapshot, t, pod.namespace) && matchesSelector(t.selector, pod.labels))) continue
      for (const t of info.affinity) {
        const value = node.labels[t.topologyKey]
        if (value !== undefined) bump(affinityCounts, t.topologyKey + SEP + value)
      }
    }
  }
  const antiAffinityCounts = new Map<string, number>()
  for (const t of info.antiAffinity)
    for (const pod of matchingPods(snapshot, t.namespaces, t.selector)) {
      const value = snapshot.byName.get(pod.nodeName)?.labels[t.topologyKey]
      if (value !== undefined) bump(antiAffinityCounts, t.topologyKey + SEP + value)
    }
  const existingAntiAffinity = new Map<string, number>()
  for (const owner of antiAffinityAgainst(snapshot, info)) {
    const value = snapshot.byName.get(owner.pod.nodeName)?.labels[owner.term.topologyKey]
    if (value !== undefined) bump(existingAntiAffinity, owner.term.topologyKey + SEP + value)
  }
  const matchesOwnAffinity = info.affinity.every((t) => t.selector !== undefined && matchingNamespace(snapshot, t, info.namespace) && matchesSelector(t.selector, info.labels))
  return {
    affinityCounts,
    matchesOwnAffinity,
    antiAffinityCounts,
    existingAntiAffinity,
    hardSpread: spreadCounts(snapshot, info, info.spread.filter((c) => c.hard)),
    volumeBinding: volumeBindingRejection(snapshot.state, info.pod),
  }
}

const matchingNamespace = (snapshot: Snapshot, term: PodInfo['affinity'][number], namespace: string): boolean => {
  if (term.namespaces.all) return true
  if (term.namespaces.names.has(namespace)) return true
  const selector = term.namespaces.selector
  return selector !== undefined && matchesSelector(selector, namespaceLabelsOf(snapshot, namespace))
}

// ---------------------------------------------------------------------------------------------
// filters
// ---------------------------------------------------------------------------------------------

const reject = (plugin: FilterPlugin, reasons: ReadonlyArray<string>, unresolvable: boolean): FilterRejection => ({ plugin, reasons, unresolvable })

/**
 * Runs every filter on one node; `undefined` when the node passes them all.
 *
 * @internal
 */
export const runFilters = (snapshot: Snapshot, info: PodInfo, state: PreFilterState, node: NodeInfo): FilterRejection | undefined => {
  // VolumeBinding rejects in its PreFilter, before any other filter, the same way on every node.
  if (state.volumeBinding !== undefined) return reject('VolumeBinding', [state.volumeBinding], true)
  // NodeUnschedulable
  if (node.unschedulable && !isTolerated(info.tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }))
    return reject('NodeUnschedulable', [REASON_UNSCHEDULABLE], true)
  // NodeName
  if (info.nodeName !== '' && info.nodeName !== node.name) return reject('NodeName', [REASON_NODE_NAME], true)
  // TaintToleration: the first NoSchedule/NoExecute taint no toleration matches.
  for (const taint of node.taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue
    let tolerated = false
    for (const t of info.tolerations) if (toleratesTaint(t, taint)) { tolerated = true; break }
    if (!tolerated) return reject('TaintToleration', [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], true)
  }
  // NodeAffinity
  if ((info.nodeSelector !== undefined || info.requiredNodeTerms !== undefined) && !matchesNodeSelection(info, node))
    return reject('NodeAffinity', [REASON_NODE_AFFINITY], true)
  // NodePorts
  if (info.hostPorts.length > 0) {
    const used = portsInUse(snapshot, node)
    if (info.hostPorts.some((p) => used.some((u) => hostPortsConflict(p, u)))) return reject('NodePorts', [REASON_NODE_PORTS], false)
  }
  // NodeResourcesFit
  const fit = insufficientResources(info, node)
  if (fit !== undefined) return reject('NodeResourcesFit', fit, false)
  // PodTopologySpread (DoNotSchedule)
  for (const spread of state.hardSpread) {
    const value = node.labels[spread.constraint.topologyKey]
    if (value === undefined) return reject('PodTopologySpread', [REASON_SPREAD_MISSING_LABEL], true)
    if ((spread.counts.get(value) ?? 0) + spread.selfMatch - spread.min > spread.constraint.maxSkew) return reject('PodTopologySpread', [REASON_SPREAD], false)
  }
  // InterPodAffinity
  if (info.affinity.length > 0) {
    let podsExist = true
    for (const t of info.affinity) {
      const value = node.labels[t.topologyKey]
      if (value === undefined) return reject('InterPodAffinity', [REASON_AFFINITY], true)
      if ((state.affinityCounts.get(t.topologyKey + SEP + value) ?? 0) <= 0) podsExist = false
    }
    // The first pod of a group that has affinity to itself may go anywhere its topology exists.
    if (!podsExist && !(state.affinityCounts.size === 0 && state.matchesOwnAffinity)) return reject('InterPodAffinity', [REASON_AFFINITY], true)
  }
  for (const t of info.antiAffinity) {
    const value = node.labels[t.topologyKey]
    if (value !== undefined && (state.antiAffinityCounts.get(t.topologyKey + SEP + value) ?? 0) > 0) return reject('InterPodAffinity', [REASON_ANTI_AFFINITY], false)
  }
  if (state.existingAntiAffinity.size > 0)
    for (const key in node.labels)
      if ((state.existingAntiAffinity.get(key + SEP + (node.labels[key] ?? '')) ?? 0) > 0) return reject('InterPodAffinity', [REASON_EXISTING_ANTI_AFFINITY], false)
  return undefined
}

/**
 * Whether the pod's filters reduce, on any node, to NodeUnschedulable, TaintToleration and
 * NodeResourcesFit: no nodeName, node selection, host ports, hard spread constraints or inter-pod
 * affinity terms of its own, and no existing pod's anti-affinity selects it. Such a pod passes
 * a schedulable, untainted node exactly when `fitsResources` holds, which the scheduler checks
 * first (most pods are like this, and most nodes pass).
 *
 * @internal
 */
export const filtersAreResourcesOnly = (info: PodInfo, state: PreFilterState): boolean =>
  info.nodeName === '' &&
  info.nodeSelector === undefined &&
  info.requiredNodeTerms === undefined &&
  info.hostPorts.length === 0 &&
  state.hardSpread.length === 0 &&
  info.affinity.length === 0 &&
  info.antiAffinity.length === 0 &&
  state.existingAntiAffinity.size === 0 &&
  state.volumeBinding === undefined

/**
 * Whether a node can hold a pod's requests: `insufficientResources` is undefined, without
 * building the reasons. cpu and memory, nearly always the only requests, are read by name
 * (a read by a computed name costs several times more in the hot loop).
 *
 * @internal
 */
export const fitsResources = (info: PodInfo, node: NodeInfo): boolean => {
  const requested = node.requested
  const allocatable = node.allocatable
  if ((requested['pods'] ?? 0) + 1 > (allocatable['pods'] ?? 0)) return false
  // A zero request never fails the check, as requestedNames leaves it out.
  const cpu = info.cpuRequest
  if (cpu > 0 && cpu > (allocatable['cpu'] ?? 0) - (requested['cpu'] ?? 0)) return false
  const memory = info.memoryRequest
  if (memory > 0 && memory > (allocatable['memory'] ?? 0) - (requested['memory'] ?? 0)) return false
  const others = info.otherRequestedNames
  for (let i = 0; i < others.length; i++) {
    const name = others[i] as string
    if ((info.requests[name] ?? 0) > (allocatable[name] ?? 0) - (requested[name] ?? 0)) return false
  }
  return true
}

/**
 * NodeResourcesFit: the reasons a node cannot hold a pod's requests ("Too many pods",
 * "Insufficient cpu", ...), or undefined when it can.
 *
 * @internal
 */
export const insufficientResources = (info: PodInfo, node: NodeInfo): ReadonlyArray<string> | undefined => {
  let reasons: string[] | undefined
  if ((node.requested['pods'] ?? 0) + 1 > (node.allocatable['pods'] ?? 0)) reasons = [REASON_TOO_MANY_PODS]
  for (const name of info.requestedNames) {
    const want = info.requests[name] ?? 0
    if (want > (node.allocatable[name] ?? 0) - (node.requested[name] ?? 0)) (reasons ??= []).push(`Insufficient ${name}`)
  }
  return reasons
}
