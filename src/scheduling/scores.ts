/**
 * kube-scheduler's score plugins with the default profile's weights: TaintToleration 3,
 * NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit (LeastAllocated) 1,
 * NodeResourcesBalancedAllocation 1. Each plugin scores the feasible nodes, normalises to 0–100
 * as the plugin's NormalizeScore does, and the weighted sum picks the node.
 *
 * @module
 */
import { nodeSelectorTermMatches } from './nodeAffinity.js'
import type { PodInfo } from './podInfo.js'
import { matchingPods, type NodeInfo, type Snapshot } from './snapshot.js'
import { spreadCounts } from './filters.js'
import { toleratesTaint } from './taints.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The score plugins and their weights in kube-scheduler's default profile. */
export const SCORE_WEIGHTS = {
  TaintToleration: 3,
  NodeAffinity: 2,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
} as const
/** A score plugin's name. */
export type ScorePlugin = keyof typeof SCORE_WEIGHTS

/** One plugin's scores over the feasible nodes, in their order. */
export interface PluginScores {
  readonly plugin: ScorePlugin
  readonly weight: number
  readonly raw: ReadonlyArray<number>
  readonly normalized: ReadonlyArray<number>
}

/** Every plugin's scores and the weighted totals over the feasible nodes. */
export interface NodeScores {
  readonly plugins: ReadonlyArray<PluginScores>
  readonly totals: ReadonlyArray<number>
}

const MAX = 100

// ---------------------------------------------------------------------------------------------
// normalisation
// ---------------------------------------------------------------------------------------------

/**
 * kube-scheduler's `DefaultNormalizeScore`: scales to 0–100 by the largest score (integer
 * division); `reverse` subtracts from 100 (all 100 when every score is 0).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultNormalizeScore } from 'kubesim'
 * expect(defaultNormalizeScore([0, 1, 3], false)).toEqual([0, 33, 100])
 * expect(defaultNormalizeScore([0, 1, 2], true)).toEqual([100, 50, 0])
 * expect(defaultNormalizeScore([0, 0], true)).toEqual([100, 100])
 * ```
 */
export const defaultNormalizeScore = (scores: ReadonlyArray<number>, reverse: boolean): ReadonlyArray<number> => {
  let max = 0
  for (const s of scores) if (s > max) max = s
  if (max === 0) return reverse ? scores.map(() => MAX) : scores.map(() => 0)
  return scores.map((s) => {
    const scaled = Math.trunc((MAX * s) / max)
    return reverse ? MAX - scaled : scaled
  })
}

// ---------------------------------------------------------------------------------------------
// plugins
// ---------------------------------------------------------------------------------------------

/**
 * NodeResourcesFit LeastAllocated for cpu and memory (weight 1 each), with non-zero request
 * defaults: Σ over resources of (allocatable − requested) × 100 / allocatable, averaged.
 *
 * @internal
 */
export const leastAllocated = (info: PodInfo, node: NodeInfo): number => {
  const cpu = leastAllocatedOne(node.nonZeroCpu + info.nonZeroCpu, node.allocatable['cpu'] ?? 0)
  const memory = leastAllocatedOne(node.nonZeroMemory + info.nonZeroMemory, node.allocatable['memory'] ?? 0)
  return Math.trunc((cpu + memory) / 2)
}

const leastAllocatedOne = (requested: number, allocatable: number): number =>
  allocatable === 0 || requested > allocatable ? 0 : Math.trunc(((allocatable - requested) * MAX) / allocatable)

/**
 * NodeResourcesBalancedAllocation for cpu and memory: (1 − standard deviation of the requested
 * fractions) × 100, using actual requests.
 *
 * @internal
 */
export const balancedAllocation = (info: PodInfo, node: NodeInfo): number => {
  const cpuAlloc = node.allocatable['cpu'] ?? 0
  const memAlloc = node.allocatable['memory'] ?? 0
  // With fewer than two resources to compare the deviation is 0.
  if (cpuAlloc === 0 || memAlloc === 0) return MAX
  const cpu = Math.min(1, ((node.requested['cpu'] ?? 0) + info.cpuRequest) / cpuAlloc)
  const memory = Math.min(1, ((node.requested['memory'] ?? 0) + info.memoryRequest) / memAlloc)
  return Math.trunc((1 - Math.abs((cpu - memory) / 2)) * MAX)
}

/** TaintToleration: how many PreferNoSchedule taints the pod does not tolerate. @internal */
export const intolerablePreferNoSchedule = (info: PodInfo, node: NodeInfo): number => {
  let count = 0
  for (const taint of node.taints) {
    if (taint.effect !== 'PreferNoSchedule') continue
    if (!info.tolerations.some((t) => (t.effect === undefined || t.effect === '' || t.effect === 'PreferNoSchedule') && toleratesTaint(t, taint))) count++
  }
  return count
}

/** NodeAffinity: the summed weights of the preferred terms the node matches. @internal */
export const preferredNodeAffinity = (info: PodInfo, node: NodeInfo): number => {
  let sum = 0
  for (const term of info.preferredNodeTerms) if (term.weight !== 0 && nodeSelectorTermMatches(term.preference, node)) sum += term.weight
  return sum
}

/** InterPodAffinity preferred terms: `topologyKey` -> value -> ± weight per matching pod there. @internal */
const interPodTopologyScores = (snapshot: Snapshot, info: PodInfo): Map<string, Map<string, number>> => {
  const out = new Map<string, Map<string, number>>()
  const add = (terms: PodInfo['preferredAffinity'], sign: number): void => {
    for (const t of terms) {
      if (t.weight === 0) continue
      for (const pod of matchingPods(snapshot, t.namespaces, t.selector)) {
        const value = snapshot.byName.get(pod.nodeName)?.labels[t.topologyKey]
        if (value === undefined) continue
        let byValue = out.get(t.topologyKey)
        if (byValue === undefined) out.set(t.topologyKey, (byValue = new Map()))
        byValue.set(value, (byValue.get(value) ?? 0) + sign * t.weight)
      }
    }
  }
  add(info.preferredAffinity, 1)
  add(info.preferredAntiAffinity, -1)
  return out
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * The weighted totals `scoreNodes` would give, without its per-plugin detail. When the pod has
 * no preferred node or pod affinity terms and no ScheduleAnyway spread constraints, those
 * plugins score every node alike (NodeAffinity 0, PodTopologySpread 100, InterPodAffinity 0),
 * so only TaintToleration, NodeResourcesFit and BalancedAllocation are computed per node, with
 * no intermediate arrays; otherwise this is `scoreNodes(...).totals`.
 *
 * @internal
 */
export const scoreTotals = (snapshot: Snapshot, info: PodInfo, feasible: ReadonlyArray<NodeInfo>): number[] => {
  if (info.preferredNodeTerms.length > 0 || info.preferredAffinity.length > 0 || info.preferredAntiAffinity.length > 0 || info.spread.some((c) => !c.hard))
    return [...scoreNodes(snapshot, info, feasible).totals]
  const n = feasible.length
  // TaintToleration normalises by the largest count of intolerable PreferNoSchedule taints.
  let taintRaw: number[] | undefined
  let taintMax = 0
  for (let i = 0; i < n; i++) {
    const node = feasible[i] as NodeInfo
    if (node.taints.length === 0) continue
    const raw = intolerablePreferNoSchedule(info, node)
    if (raw === 0) continue
    taintRaw ??= new Array<number>(n).fill(0)
    taintRaw[i] = raw
    if (raw > taintMax) taintMax = raw
  }
  const constant = SCORE_WEIGHTS.NodeAffinity * 0 + SCORE_WEIGHTS.PodTopologySpread * MAX + SCORE_WEIGHTS.InterPodAffinity * 0
  const totals = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const node = feasible[i] as NodeInfo
    const taint = taintMax === 0 ? MAX : MAX - Math.trunc((MAX * (taintRaw?.[i] ?? 0)) / taintMax)
    totals[i] = SCORE_WEIGHTS.TaintToleration * taint + constant + SCORE_WEIGHTS.NodeResourcesFit * leastAllocated(info, node) + SCORE_WEIGHTS.NodeResourcesBalancedAllocation * balancedAllocation(info, node)
  }
  return totals
}

const constant = (length: number, value: number): number[] => new Array<number>(length).fill(value)

/**
 * Scores feasible nodes with every plugin, normalises and weighs them.
 *
 * @internal
 */
export const scoreNodes = (snapshot: Snapshot, info: PodInfo, feasible: ReadonlyArray<NodeInfo>): NodeScores => {
  const n = feasible.length
  const plugins: PluginScores[] = []
  const addPlugin = (plugin: ScorePlugin, raw: ReadonlyArray<number>, normalized: ReadonlyArray<number>): void => {
    plugins.push({ plugin, weight: SCORE_WEIGHTS[plugin], raw, normalized })
  }

  // TaintToleration
  const taintRaw = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const node = feasible[i] as NodeInfo
    taintRaw[i] = node.taints.length === 0 ? 0 : intolerablePreferNoSchedule(info, node)
  }
  addPlugin('TaintToleration', taintRaw, defaultNormalizeScore(taintRaw, true))

  // NodeAffinity
  const affinityRaw = info.preferredNodeTerms.length === 0 ? constant(n, 0) : feasible.map((node) => preferredNodeAffinity(info, node))
  addPlugin('NodeAffinity', affinityRaw, defaultNormalizeScore(affinityRaw, false))

  // PodTopologySpread (ScheduleAnyway)
  const soft = info.spread.filter((c) => !c.hard)
  if (soft.length === 0) addPlugin('PodTopologySpread', constant(n, 0), constant(n, MAX))
  else {
    const counts = spreadCounts(snapshot, info, soft)
    const weights = counts.map((c) => {
      const domains = new Set<string>()
      for (const node of feasible) {
        const v = node.labels[c.constraint.topologyKey]
        if (v !== undefined) domains.add(v)
      }
      return Math.log(domains.size + 2)
    })
    const ignored = feasible.map((node) => soft.some((c) => node.labels[c.topologyKey] === undefined))
    const raw = feasible.map((node, i) => {
      if (ignored[i] === true) return 0
      let score = 0
      counts.forEach((c, j) => {
        const count = c.counts.get(node.labels[c.constraint.topologyKey] ?? '') ?? 0
        score += count * (weights[j] ?? 0) + (c.constraint.maxSkew - 1)
      })
      return Math.round(score)
    })
    let min = Infinity
    let max = 0
    raw.forEach((s, i) => {
      if (ignored[i] === true) return
      if (s < min) min = s
      if (s > max) max = s
    })
    const normalized = raw.map((s, i) => (ignored[i] === true ? 0 : max === 0 ? MAX : Math.trunc((MAX * (max + min - s)) / max)))
    addPlugin('PodTopologySpread', raw, normalized)
  }

  // InterPodAffinity (preferred terms of the incoming pod)
  if (info.preferredAffinity.length === 0 && info.preferredAntiAffinity.length === 0) addPlugin('InterPodAffinity', constant(n, 0), constant(n, 0))
  else {
    const topology = interPodTopologyScores(snapshot, info)
    const raw = feasible.map((node) => {
      let sum = 0
      for (const [key, byValue] of topology) {
        const v = node.labels[key]
        if (v !== undefined) sum += byValue.get(v) ?? 0
      }
      return sum
    })
    let min = Infinity
    let max = -Infinity
    for (const s of raw) {
      if (s < min) min = s
      if (s > max) max = s
    }
    const diff = max - min
    addPlugin('InterPodAffinity', raw, raw.map((s) => (diff > 0 ? Math.trunc((MAX * (s - min)) / diff) : 0)))
  }

  // NodeResourcesFit and BalancedAllocation score 0–100 already.
  const fit = new Array<number>(n)
  const balanced = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const node = feasible[i] as NodeInfo
    fit[i] = leastAllocated(info, node)
    balanced[i] = balancedAllocation(info, node)
  }
  addPlugin('NodeResourcesFit', fit, fit)
  addPlugin('NodeResourcesBalancedAllocation', balanced, balanced)

  const totals = new Array<number>(n).fill(0)
  for (const p of plugins) for (let i = 0; i < n; i++) totals[i] = (totals[i] ?? 0) + (p.normalized[i] ?? 0) * p.weight
  return { plugins, totals }
}

