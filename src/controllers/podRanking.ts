/**
 * Which pods a ReplicaSet deletes first when it has too many: upstream's `ActivePodsWithRanks`
 * order (unassigned, pending, not ready, lower pod-deletion-cost, more crowded node, more
 * recently ready, more restarts, newer). The facts ranking reads of a pod are computed once per
 * pod version; choosing a few victims keeps only the best few in order instead of sorting every
 * pod, since a rolling update deletes one pod at a time from ReplicaSets of thousands.
 *
 * @internal
 * @module
 */
import type { KubeObject } from '../objects/object.js'
import { timestampMs } from '../sim/clock.js'
import { isFinished, isPodReady, isTerminating, podNodeName, podPhase, readyCondition } from './podReadiness.js'
import { byPodName } from './replicaSetPods.js'

interface RestartCounts {
  readonly status?: {
    readonly containerStatuses?: ReadonlyArray<{ readonly restartCount?: number }>
    readonly initContainerStatuses?: ReadonlyArray<{ readonly restartCount?: number }>
  }
}

const restartsView = (pod: KubeObject): RestartCounts => pod as unknown as RestartCounts

/**
 * The pod annotation that orders pods for scale-down: an int32, lower cost goes first (default 0).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { POD_DELETION_COST_ANNOTATION } from 'kubesim'
 * expect(POD_DELETION_COST_ANNOTATION).toBe('controller.kubernetes.io/pod-deletion-cost')
 * ```
 */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost'

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 }

/** What ranking reads of a pod, computed once per pod version. */
export interface Ranked {
  readonly pod: KubeObject
  readonly node: string
  readonly phase: number
  readonly ready: boolean
  readonly cost: number
  /** Ready transition time, 0 when unknown. */
  readonly readyTime: number
  readonly restarts: number
  readonly sidecarRestarts: number
  /** creationTimestamp, 0 when unknown. */
  readonly created: number
  readonly uid: string
  /**
   * Scratch for the ranking in progress (`ranking`, the one it was filled for): the pod's node
   * count and time buckets, worked out once per ranking rather than on every comparison (a
   * scale-down by one compares thousands of pods against the best so far).
   */
  ranking: object | undefined
  nodeRank: number
  readyBucket: number
  createdBucket: number
}

const deletionCost = (pod: KubeObject): number => {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION]
  if (raw === undefined || !/^[+-]?[0-9]+$/.test(raw)) return 0
  const n = Number(raw)
  return n >= -2147483648 && n <= 2147483647 ? n : 0
}

const maxRestarts = (list: ReadonlyArray<{ readonly restartCount?: number }> | undefined): number =>
  (list ?? []).reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0)

/** Time in nanoseconds, as Go's logarithmic bucketing sees it. */
const bucket = (t: number, now: number): number => {
  const d = (now - t) * 1e6
  return d > 0 ? Math.floor(Math.log2(d)) : -1
}

/** `afterOrZero`: a zero time counts as the newest. */
const afterOrZero = (a: number, b: number): boolean => (a === 0 || b === 0 ? a === 0 : a > b)

const readyBucketOf = (r: Ranked, now: number): number => (Number.isNaN(r.readyBucket) ? (r.readyBucket = bucket(r.readyTime, now)) : r.readyBucket)
const createdBucketOf = (r: Ranked, now: number): number => (Number.isNaN(r.createdBucket) ? (r.createdBucket = bucket(r.created, now)) : r.createdBucket)

const compareTimes = (a: Ranked, b: Ranked, ta: number, tb: number, bucketOf: (r: Ranked, now: number) => number, now: number): number => {
  if (ta === tb) return 0
  if (ta === 0 || tb === 0) return afterOrZero(ta, tb) ? -1 : 1
  const diff = bucketOf(a, now) - bucketOf(b, now)
  if (diff === 0) return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0
  return diff < 0 ? -1 : 1
}

/**
 * `ActivePodsWithRanks.Less` as a comparator: the best candidates for deletion first. Ties end
 * in name order, as upstream's stable sort leaves the name-sorted pods a claim returns, so the
 * order is total and any subset can be ranked without sorting the rest.
 */
const rankOrder = (now: number, onNode: ReadonlyMap<string, number>) => {
  const ranking = {}
  const prepare = (r: Ranked): void => {
    if (r.ranking === ranking) return
    r.ranking = ranking
    r.nodeRank = onNode.get(r.node) ?? 0
    r.readyBucket = Number.NaN
    r.createdBucket = Number.NaN
  }
  return (a: Ranked, b: Ranked): number => {
    if (a.node !== b.node && (a.node === '' || b.node === '')) return a.node === '' ? -1 : 1
    if (a.phase !== b.phase) return a.phase - b.phase
    if (a.ready !== b.ready) return a.ready ? 1 : -1
    if (a.cost !== b.cost) return a.cost - b.cost
    prepare(a)
    prepare(b)
    if (a.nodeRank !== b.nodeRank) return b.nodeRank - a.nodeRank
    return afterCrowding(a, b, now)
  }
}

/** The rules after node crowding (ready time, restarts, creation, name), for pods alike in the ones before. */
const afterCrowding = (a: Ranked, b: Ranked, now: number): number => {
  if (a.ready && b.ready) {
    const c = compareTimes(a, b, a.readyTime, b.readyTime, readyBucketOf, now)
    if (c !== 0) return c
  }
  if (a.restarts !== b.restarts) return b.restarts - a.restarts
  if (a.sidecarRestarts !== b.sidecarRestarts) return b.sidecarRestarts - a.sidecarRestarts
  const c = compareTimes(a, b, a.created, b.created, createdBucketOf, now)
  return c !== 0 ? c : byPodName(a.pod, b.pod)
}

/**
 * The one pod to delete first among candidates the ranking cannot tell apart before its time
 * rules (the same node emptiness, phase, readiness, deletion cost and node crowding: tied rank
 * groups), read in name order: what `selectVictims` picks for one victim, without the rules
 * every candidate passes alike. A rolling update by one pod deletes this way thousands of times.
 *
 * @internal
 */
export const firstOfTied = <C>(candidates: Iterable<C>, rankedOf: (candidate: C) => Ranked, now: number): KubeObject | undefined => {
  const ranking = {}
  let best: Ranked | undefined
  for (const candidate of candidates) {
    const r = rankedOf(candidate)
    // The time buckets are worked out once per choice, as `rankOrder` does.
    if (r.ranking !== ranking) {
      r.ranking = ranking
      r.readyBucket = Number.NaN
      r.createdBucket = Number.NaN
    }
    if (best === undefined || afterCrowding(r, best, now) < 0) best = r
  }
  return best?.pod
}

const rankCache = new WeakMap<KubeObject, Ranked>()

/** The facts the first ranking rules read (node, phase, readiness, deletion cost): cheap, no timestamps. */
export interface RankClass {
  readonly node: string
  readonly phase: number
  readonly ready: boolean
  readonly cost: number
}

/**
 * The first ranking rules' facts of `pod`: pods alike in these are told apart only by node
 * crowding and the later rules.
 *
 * @internal
 */
export const rankClassOf = (pod: KubeObject): RankClass => {
  return { node: podNodeName(pod), phase: PHASE_ORDINAL[podPhase(pod)] ?? 0, ready: isPodReady(pod), cost: deletionCost(pod) }
}

/**
 * What ranking reads of `pod`, memoised per (frozen) pod version.
 *
 * @internal
 */
export const rankPod = (pod: KubeObject): Ranked => {
  const cached = rankCache.get(pod)
  if (cached !== undefined) return cached
  const v = restartsView(pod)
  const { node, phase, ready, cost } = rankClassOf(pod)
  const ranked: Ranked = {
    pod,
    node,
    phase,
    ready,
    cost,
    readyTime: ready ? (timestampMs(readyCondition(pod)?.lastTransitionTime) ?? 0) : 0,
    restarts: maxRestarts(v.status?.containerStatuses),
    sidecarRestarts: maxRestarts(v.status?.initContainerStatuses),
    created: timestampMs(pod.metadata.creationTimestamp) ?? 0,
    uid: pod.metadata.uid ?? '',
    ranking: undefined,
    nodeRank: 0,
    readyBucket: Number.NaN,
    createdBucket: Number.NaN,
  }
  if (Object.isFrozen(pod)) rankCache.set(pod, ranked)
  return ranked
}

/**
 * Active pods per node among `related`.
 *
 * @internal
 */
export const activeOnNode = (related: Iterable<KubeObject>): Map<string, number> => {
  const onNode = new Map<string, number>()
  for (const pod of related) {
    if (isFinished(pod) || isTerminating(pod)) continue
    const node = podNodeName(pod)
    onNode.set(node, (onNode.get(node) ?? 0) + 1)
  }
  return onNode
}

/**
 * Past this many victims a full sort beats keeping the best few in order.
 *
 * @internal
 */
export const SELECT_BY_INSERTION = 32

/**
 * The `count` best-ranked candidates (count below their number), best first. `rankedOf` gives a
 * candidate's ranking facts, or undefined to pass over it.
 *
 * @internal
 */
export const selectVictims = <C>(candidates: Iterable<C>, rankedOf: (candidate: C) => Ranked | undefined, onNode: ReadonlyMap<string, number>, count: number, now: number): KubeObject[] => {
  const order = rankOrder(now, onNode)
  const best: Ranked[] = []
  if (count > SELECT_BY_INSERTION) {
    for (const candidate of candidates) {
      const ranked = rankedOf(candidate)
      if (ranked !== undefined) best.push(ranked)
    }
    return best.sort(order).slice(0, count).map((r) => r.pod)
  }
  for (const candidate of candidates) {
    const ranked = rankedOf(candidate)
    if (ranked === undefined) continue
    if (best.length === count) {
      if (order(ranked, best[count - 1]!) >= 0) continue
      best.pop()
    }
    let i = best.length
    best.push(ranked)
    while (i > 0 && order(best[i - 1]!, ranked) > 0) {
      best[i] = best[i - 1]!
      i--
    }
    best[i] = ranked
  }
  return best.map((r) => r.pod)
}

/**
 * The first `count` pods to delete from `pods`, in upstream's order (no sorting when all go).
 *
 * @internal
 */
export const podsToDelete = (
  pods: ReadonlyArray<KubeObject>,
  related: ReadonlyArray<KubeObject>,
  count: number,
  now: number,
): ReadonlyArray<KubeObject> => {
  if (count >= pods.length) return pods.slice(0, count)
  return selectVictims(pods, rankPod, activeOnNode(related), count, now)
}

