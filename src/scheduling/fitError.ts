/**
 * The message of an unschedulable pod, in kube-scheduler's `FitError` shape: how many nodes
 * failed for each reason (reasons sorted as strings, as `sort.Strings` sorts "count reason"),
 * then what preemption found:
 * `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One node's rejection, as the message counts it. */
export interface NodeRejection {
  readonly reasons: ReadonlyArray<string>
  /** Preemption's verdict for the node (e.g. "Preemption is not helpful for scheduling"). */
  readonly preemption: ReadonlyArray<string>
}

/** kube-scheduler's preemption reasons. */
export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling'
export const PREEMPTION_NO_VICTIMS = 'No preemption victims found for incoming pod'

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const histogram = (lists: ReadonlyArray<ReadonlyArray<string>>): string => {
  const counts = new Map<string, number>()
  for (const reasons of lists) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1)
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`)
  // Go's sort.Strings: byte order.
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return parts.join(', ')
}

/**
 * Formats the FailedScheduling message for a pod no node can take.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { fitErrorMessage } from 'kubesim'
 * const message = fitErrorMessage(3, [
 *   { reasons: ['node(s) had untolerated taint {dedicated: gpu}'], preemption: ['Preemption is not helpful for scheduling'] },
 *   { reasons: ['Insufficient cpu'], preemption: ['No preemption victims found for incoming pod'] },
 *   { reasons: ['Insufficient cpu'], preemption: ['No preemption victims found for incoming pod'] },
 * ])
 * expect(message).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.')
 * ```
 */
export const fitErrorMessage = (numNodes: number, rejections: ReadonlyArray<NodeRejection>): string => {
  let message = `0/${numNodes} nodes are available`
  const filters = histogram(rejections.map((r) => r.reasons))
  message += filters === '' ? ':' : `: ${filters}.`
  const preemption = histogram(rejections.map((r) => r.preemption))
  message += ` preemption: 0/${numNodes} nodes are available${preemption === '' ? '.' : `: ${preemption}.`}`
  return message
}
