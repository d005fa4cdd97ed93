/**
 * One scheduling attempt, as kube-scheduler's `schedulePod`: filter the nodes (from a rotating
 * start index, stopping once `numFeasibleNodesToFind` nodes pass, as percentageOfNodesToScore
 * does), score the feasible ones, pick the best with a seeded random tie-break; or, when none
 * fits, say why in FitError's shape.
 *
 * @module
 */
import { nextInt, type Rng } from '../sim/rng.js'
import { type FilterRejection, filtersAreResourcesOnly, fitsResources, preFilter, runFilters } from './filters.js'
import { fitErrorMessage, type NodeRejection, PREEMPTION_NO_VICTIMS, PREEMPTION_NOT_HELPFUL } from './fitError.js'
import type { PodInfo } from './podInfo.js'
import { type NodeScores, scoreTotals } from './scores.js'
import { type NodeInfo, type Snapshot } from './snapshot.js'
import { podsOnNode } from '../store/objectStore.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The outcome of one attempt. */
export type ScheduleResult =
  | { readonly type: 'Scheduled'; readonly node: NodeInfo; readonly rng: Rng; readonly processed: number }
  | { readonly type: 'Unschedulable'; readonly message: string; readonly rng: Rng; readonly processed: number }

/** kube-scheduler's message when the cluster has no nodes. */
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods'

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * How many feasible nodes kube-scheduler looks for before it stops filtering, with the adaptive
 * percentageOfNodesToScore: all nodes below 100; else max(5, 50 − nodes/125) percent, at least 100.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { numFeasibleNodesToFind } from 'kubesim'
 * expect(numFeasibleNodesToFind(50)).toBe(50)
 * expect(numFeasibleNodesToFind(1000)).toBe(420)
 * expect(numFeasibleNodesToFind(5000)).toBe(500)
 * ```
 */
export const numFeasibleNodesToFind = (numNodes: number): number => {
  if (numNodes < 100) return numNodes
  const percentage = Math.max(5, 50 - Math.trunc(numNodes / 125))
  return Math.max(100, Math.trunc((numNodes * percentage) / 100))
}

/** Preemption's verdict per rejected node: not helpful, or no lower-priority victims there. */
const preemptionVerdict = (snapshot: Snapshot, info: PodInfo, node: NodeInfo, rejection: FilterRejection): ReadonlyArray<string> => {
  if (rejection.unresolvable) return [PREEMPTION_NOT_HELPFUL]
  const hasVictim = podsOnNode(snapshot.state.objects, node.name).some((p) => (((p['spec'] as { priority?: number } | undefined)?.priority) ?? 0) < info.priority)
  // With lower-priority pods kube-scheduler would try preemption; kubesim does not preempt and
  // reports the filter's reasons instead.
  return hasVictim ? rejection.reasons : [PREEMPTION_NO_VICTIMS]
}

/**
 * The FailedScheduling message when every node rejected the pod.
 *
 * @internal
 */
export const unschedulableMessage = (snapshot: Snapshot, info: PodInfo, rejected: ReadonlyArray<readonly [NodeInfo, FilterRejection]>): string => {
  const rejections: NodeRejection[] = rejected.map(([node, r]) => ({ reasons: r.reasons, preemption: preemptionVerdict(snapshot, info, node, r) }))
  return fitErrorMessage(snapshot.nodes.length, rejections)
}

/** Picks the highest total; ties broken uniformly with the PRNG. @internal */
export const selectHost = (scores: Pick<NodeScores, 'totals'>, rng: Rng): readonly [number, Rng] => {
  let best = -Infinity
  const ties: number[] = []
  const totals = scores.totals
  for (let i = 0; i < totals.length; i++) {
    const t = totals[i] as number
    if (t > best) {
      best = t
      ties.length = 0
      ties.push(i)
    } else if (t === best) ties.push(i)
  }
  if (ties.length <= 1) return [ties[0] ?? 0, rng]
  const [pick, next] = nextInt(rng, ties.length)
  return [ties[pick] ?? 0, next]
}

/**
 * Runs one attempt for a pod over a snapshot: filters from `start`, scores, selects.
 *
 * @internal
 */
export const scheduleOne = (snapshot: Snapshot, info: PodInfo, rng: Rng, start: number): ScheduleResult => {
  const nodes = snapshot.nodes
  const n = nodes.length
  if (n === 0) return { type: 'Unschedulable', message: NO_NODES_MESSAGE, rng, processed: 0 }
  const state = preFilter(snapshot, info)
  const want = numFeasibleNodesToFind(n)
  const feasible: NodeInfo[] = []
  const rejected: Array<readonly [NodeInfo, FilterRejection]> = []
  let processed = 0
  const resourcesOnly = filtersAreResourcesOnly(info, state)
  for (let i = 0; i < n && feasible.length < want; i++) {
    const node = nodes[(start + i) % n]
    if (node === undefined) continue
    processed++
    // The common case, decided without building a rejection; runFilters gives the reasons.
    if (resourcesOnly && !node.unschedulable && node.taints.length === 0 && fitsResources(info, node)) {
      feasible.push(node)
      continue
    }
    const rejection = runFilters(snapshot, info, state, node)
    if (rejection === undefined) feasible.push(node)
    else rejected.push([node, rejection])
  }
  if (feasible.length === 0) return { type: 'Unschedulable', message: unschedulableMessage(snapshot, info, rejected), rng, processed }
  if (feasible.length === 1) return { type: 'Scheduled', node: feasible[0] as NodeInfo, rng, processed }
  const [index, next] = selectHost({ totals: scoreTotals(snapshot, info, feasible) }, rng)
  return { type: 'Scheduled', node: feasible[index] as NodeInfo, rng: next, processed }
}
