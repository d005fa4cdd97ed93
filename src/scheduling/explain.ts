/**
 * `explainScheduling`: what kube-scheduler would decide for one pod, node by node: the filter
 * that rejects each node and why, each score plugin's raw and normalised score and the weighted
 * total for the feasible nodes, and the message the scheduler would post. Like
 * kube-scheduler-simulator's per-plugin view, but a pure function of the state.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { ObjectRef } from '../objects/object.js'
import { getObject } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { type FilterPlugin, preFilter, runFilters } from './filters.js'
import { podInfo } from './podInfo.js'
import { NO_NODES_MESSAGE, unschedulableMessage } from './scheduleOne.js'
import { type ScorePlugin, scoreNodes } from './scores.js'
import { buildSnapshot, type NodeInfo } from './snapshot.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One score plugin's verdict on one node. */
export interface PluginScore {
  readonly plugin: ScorePlugin
  readonly weight: number
  readonly raw: number
  readonly normalized: number
}

/** One node's verdict. */
export interface NodeExplanation {
  readonly node: string
  readonly feasible: boolean
  /** The filter that rejected the node, when one did. */
  readonly filter?: FilterPlugin
  readonly reasons: ReadonlyArray<string>
  /** Score plugins in profile order (feasible nodes only). */
  readonly scores: ReadonlyArray<PluginScore>
  /** Σ weight × normalized (feasible nodes only). */
  readonly total?: number
}

/** The whole explanation. */
export interface SchedulingExplanation {
  readonly pod: ObjectRef
  /** Every node, sorted by name. */
  readonly nodes: ReadonlyArray<NodeExplanation>
  /** The feasible nodes with the highest total (the scheduler picks one at random). */
  readonly bestNodes: ReadonlyArray<string>
  /** The Scheduled or FailedScheduling message the scheduler would post. */
  readonly message: string
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Explains, for every node, whether a pod can go there and how it scores. An already bound pod
 * is explained as if it were pending, with its own requests taken off its node. Every node is
 * evaluated (no percentageOfNodesToScore sampling), so a sampled pass of the scheduler may pick
 * among fewer nodes. None when the pod does not exist.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, createCluster, explainScheduling } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster({ nodes: [{ name: 'big', capacity: { cpu: '8' } }, { name: 'small', capacity: { cpu: '1' } }] })
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2' } } }] } }
 * const applied = applyManifests(s, [pod])
 * if (E.isLeft(applied)) throw new Error('apply failed')
 * const explained = explainScheduling(applied.right, { kind: 'Pod', namespace: 'default', name: 'web' })
 * if (O.isNone(explained)) throw new Error('no pod')
 * expect(explained.value.nodes.map((n) => [n.node, n.feasible, n.reasons])).toEqual([['big', true, []], ['small', false, ['Insufficient cpu']]])
 * expect(explained.value.message).toBe('Successfully assigned default/web to big')
 * ```
 */
export const explainScheduling = (state: ClusterState, ref: ObjectRef): O.Option<SchedulingExplanation> => {
  const podRef = { kind: 'Pod', namespace: ref.namespace ?? 'default', name: ref.name }
  const pod = getObject(state.objects, podRef)
  if (pod === undefined) return O.none
  const snapshot = buildSnapshot(state, pod.metadata.uid ?? '')
  const info = { ...podInfo(pod), nodeName: '' }
  const pre = preFilter(snapshot, info)
  const verdicts = snapshot.nodes.map((node) => [node, runFilters(snapshot, info, pre, node)] as const)
  const feasible: NodeInfo[] = verdicts.filter(([, r]) => r === undefined).map(([n]) => n)
  const scores = feasible.length === 0 ? undefined : scoreNodes(snapshot, info, feasible)
  const index = new Map(feasible.map((n, i) => [n.name, i]))
  const nodes = verdicts.map(([node, rejection]): NodeExplanation => {
    if (rejection !== undefined) return { node: node.name, feasible: false, filter: rejection.plugin, reasons: rejection.reasons, scores: [] }
    const i = index.get(node.name) ?? 0
    return {
      node: node.name,
      feasible: true,
      reasons: [],
      scores: (scores?.plugins ?? []).map((p) => ({ plugin: p.plugin, weight: p.weight, raw: p.raw[i] ?? 0, normalized: p.normalized[i] ?? 0 })),
      total: scores?.totals[i] ?? 0,
    }
  })
  const best = Math.max(...nodes.map((n) => n.total ?? -Infinity))
  const bestNodes = nodes.filter((n) => n.total === best).map((n) => n.node)
  const message =
    snapshot.nodes.length === 0
      ? NO_NODES_MESSAGE
      : bestNodes[0] !== undefined
        ? `Successfully assigned ${podRef.namespace}/${podRef.name} to ${bestNodes[0]}`
        : unschedulableMessage(
            snapshot,
            info,
            verdicts.flatMap(([node, r]) => (r === undefined ? [] : [[node, r] as const])),
          )
  return O.some({ pod: podRef, nodes, bestNodes, message })
}
