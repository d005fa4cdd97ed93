/**
 * Faults and node operations as pure functions of the cluster state: a node's kubelet stops
 * (`failNode`) or comes back (`recoverNode`), nodes are cordoned, uncordoned, drained or
 * deleted. Each returns the new state, or the API error and the state untouched; the
 * controllers then react as Kubernetes' would (see `nodeLifecycle`).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { KUBELET_STOPPED_ANNOTATION } from '../controllers/nodeLifecycle.js'
import { produce } from '../internal/immer.js'
import { kindInfo, type KindInfo } from '../objects/kinds.js'
import type { KubeObject } from '../objects/object.js'
import { getObject, podsOnNode } from '../store/objectStore.js'
import { applyAction } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, badRequestError, notFoundError } from '../validation/apiError.js'
import { formatTimestamp } from './clock.js'

const USER = 'user'

const findNode = (state: ClusterState, name: string): E.Either<ApiError, KubeObject> => {
  const node = getObject(state.objects, { kind: 'Node', name })
  return node === undefined ? E.left(notFoundError(kindInfo('Node') as KindInfo, name)) : E.right(node)
}

const updateNode = (state: ClusterState, name: string, edit: (node: Record<string, unknown> & { metadata: Record<string, unknown> }) => void, by = USER): E.Either<ApiError, ClusterState> => {
  const node = findNode(state, name)
  if (E.isLeft(node)) return node
  const next = produce(node.right, (draft) => edit(draft as never))
  const result = applyAction(state, { type: 'update', object: next, by })
  return E.isLeft(result) ? result : E.right(result.right.state)
}

/**
 * Stops a node's kubelet: heartbeats stop now, and after the 50 s grace period the node lifecycle
 * controller marks it Unknown, taints it unreachable and evicts its pods after their
 * tolerationSeconds (300 s by default).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, failNode, advance, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const failed = failNode(createCluster({ nodes: 2 }), 'node-1')
 * const later = E.isRight(failed) ? advance(failed.right, '60s') : failed
 * const node = E.isRight(later) ? get(later.right, 'Node', undefined, 'node-1') : O.none
 * const ready = O.isSome(node) ? (node.value['status'] as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === 'Ready') : undefined
 * expect(ready?.status).toBe('Unknown')
 * ```
 */
export const failNode = (state: ClusterState, name: string): E.Either<ApiError, ClusterState> =>
  updateNode(state, name, (node) => {
    const annotations = (node.metadata['annotations'] ??= {}) as Record<string, string>
    if (annotations[KUBELET_STOPPED_ANNOTATION] === undefined) annotations[KUBELET_STOPPED_ANNOTATION] = formatTimestamp(state.now)
  }, 'fault-injector')

/**
 * Restarts a node's kubelet: it posts Ready again and the node lifecycle controller removes the
 * not-ready and unreachable taints.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, failNode, recoverNode, advance, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster({ nodes: 1 })
 * const down = E.chain((x: typeof s) => advance(x, '2m'))(failNode(s, 'node-1'))
 * const up = E.isRight(down) ? E.chain((x: typeof s) => advance(x, '1s'))(recoverNode(down.right, 'node-1')) : down
 * const node = E.isRight(up) ? get(up.right, 'Node', undefined, 'node-1') : O.none
 * expect(O.isSome(node) && (node.value['spec'] as { taints?: unknown[] }).taints).toBeUndefined()
 * ```
 */
export const recoverNode = (state: ClusterState, name: string): E.Either<ApiError, ClusterState> =>
  updateNode(state, name, (node) => {
    const annotations = node.metadata['annotations'] as Record<string, string> | undefined
    if (annotations !== undefined) {
      delete annotations[KUBELET_STOPPED_ANNOTATION]
      if (Object.keys(annotations).length === 0) delete node.metadata['annotations']
    }
  }, 'fault-injector')

/**
 * Marks a node unschedulable, like `kubectl cordon`.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, cordon, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = cordon(createCluster({ nodes: 1 }), 'node-1')
 * const node = E.isRight(s) ? get(s.right, 'Node', undefined, 'node-1') : O.none
 * expect(O.isSome(node) && (node.value['spec'] as { unschedulable?: boolean }).unschedulable).toBe(true)
 * ```
 */
export const cordon = (state: ClusterState, name: string): E.Either<ApiError, ClusterState> =>
  updateNode(state, name, (node) => {
    ;((node['spec'] ??= {}) as Record<string, unknown>)['unschedulable'] = true
  })

/**
 * Makes a node schedulable again, like `kubectl uncordon`.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, cordon, uncordon, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = E.chain((x: ReturnType<typeof createCluster>) => uncordon(x, 'node-1'))(cordon(createCluster({ nodes: 1 }), 'node-1'))
 * const node = E.isRight(s) ? get(s.right, 'Node', undefined, 'node-1') : O.none
 * expect(O.isSome(node) && (node.value['spec'] as { unschedulable?: boolean }).unschedulable).toBeUndefined()
 * ```
 */
export const uncordon = (state: ClusterState, name: string): E.Either<ApiError, ClusterState> =>
  updateNode(state, name, (node) => {
    const spec = node['spec'] as Record<string, unknown> | undefined
    if (spec !== undefined) delete spec['unschedulable']
  })

const isDaemonPod = (pod: KubeObject): boolean => (pod.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.kind === 'DaemonSet')

/**
 * Cordons a node and evicts its pods, like `kubectl drain --ignore-daemonsets`: DaemonSet pods
 * stay; every other pod is deleted gracefully (PodDisruptionBudgets are not simulated).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, drain, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = drain(createCluster({ nodes: 1 }), 'node-1')
 * const node = E.isRight(s) ? get(s.right, 'Node', undefined, 'node-1') : O.none
 * expect(O.isSome(node) && (node.value['spec'] as { unschedulable?: boolean }).unschedulable).toBe(true)
 * ```
 */
export const drain = (state: ClusterState, name: string): E.Either<ApiError, ClusterState> => {
  const cordoned = cordon(state, name)
  if (E.isLeft(cordoned)) return cordoned
  let current = cordoned.right
  for (const pod of podsOnNode(current.objects, name)) {
    if (isDaemonPod(pod) || pod.metadata.deletionTimestamp !== undefined) continue
    const evicted = applyAction(current, { type: 'delete', by: USER, ref: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name } })
    if (E.isLeft(evicted)) return evicted
    current = evicted.right.state
  }
  return E.right(current)
}

/**
 * Deletes a Node object; the pod garbage collector then deletes the pods bound to it.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, deleteNode, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = deleteNode(createCluster({ nodes: 2 }), 'node-2')
 * expect(E.isRight(s) && O.isNone(get(s.right, 'Node', undefined, 'node-2'))).toBe(true)
 * ```
 */
export const deleteNode = (state: ClusterState, name: string): E.Either<ApiError, ClusterState> => {
  const result = applyAction(state, { type: 'delete', by: USER, ref: { kind: 'Node', name } })
  return E.isLeft(result) ? result : E.right(result.right.state)
}

type StatusRecord = Record<string, unknown>

/** Turns every running container of a status list into one that exited now with `exitCode`. */
const exitRunning = (statuses: unknown, exitCode: number, now: string): { readonly list: unknown; readonly killed: number } => {
  if (!Array.isArray(statuses)) return { list: statuses, killed: 0 }
  let killed = 0
  const list = (statuses as StatusRecord[]).map((c) => {
    const running = (c['state'] as StatusRecord | undefined)?.['running'] as StatusRecord | undefined
    if (running === undefined) return c
    killed++
    const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: running['startedAt'], finishedAt: now }
    return { ...c, state: { terminated }, ready: false, started: false }
  })
  return { list, killed }
}

/**
 * Kills a pod's running containers: each exits now with `exitCode` (137 by default, as after
 * SIGKILL), as the container runtime would report it. The kubelet then does what it does with
 * any exit: restart per `restartPolicy` (with CrashLoopBackOff), or end the pod Succeeded /
 * Failed. A pod that is missing, has no running container, or sits on a node whose kubelet is
 * stopped (nobody would report the exit) is an error and the state is untouched.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, apply, advance, killPod, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }
 * const running = E.flatMap((s: ReturnType<typeof createCluster>) => advance(s, '5s'))(apply(createCluster({ nodes: 1 }), pod))
 * const killed = E.flatMap((s: ReturnType<typeof createCluster>) => killPod(s, { namespace: 'default', name: 'web' }, 137))(running)
 * const after = E.flatMap((s: ReturnType<typeof createCluster>) => advance(s, '1s'))(killed)
 * const status = E.isRight(after) ? get(after.right, 'Pod', 'default', 'web') : O.none
 * const web = O.isSome(status) ? (status.value['status'] as { containerStatuses: { restartCount: number; lastState: { terminated?: { exitCode: number } } }[] }).containerStatuses[0] : undefined
 * expect(web?.restartCount).toBe(1)
 * expect(web?.lastState.terminated?.exitCode).toBe(137)
 * ```
 */
export const killPod = (state: ClusterState, ref: { readonly namespace?: string | undefined; readonly name: string }, exitCode = 137): E.Either<ApiError, ClusterState> => {
  const namespace = ref.namespace ?? 'default'
  const pod = getObject(state.objects, { kind: 'Pod', namespace, name: ref.name })
  if (pod === undefined) return E.left(notFoundError(kindInfo('Pod') as KindInfo, ref.name, namespace))
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)
    return E.left(badRequestError(`exit code must be an integer between 0 and 255, got ${exitCode}`))
  const nodeName = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName
  const node = nodeName === undefined ? undefined : getObject(state.objects, { kind: 'Node', name: nodeName })
  if (node?.metadata.annotations?.[KUBELET_STOPPED_ANNOTATION] !== undefined)
    return E.left(badRequestError(`cannot kill pod "${ref.name}": the kubelet on node "${nodeName ?? ''}" is stopped`))
  const status = (pod['status'] ?? {}) as StatusRecord
  const now = formatTimestamp(state.now)
  const init = exitRunning(status['initContainerStatuses'], exitCode, now)
  const app = exitRunning(status['containerStatuses'], exitCode, now)
  if (init.killed + app.killed === 0) return E.left(badRequestError(`cannot kill pod "${ref.name}": it has no running containers`))
  const next = {
    ...pod,
    status: { ...status, ...(init.killed > 0 ? { initContainerStatuses: init.list } : {}), ...(app.killed > 0 ? { containerStatuses: app.list } : {}) },
  }
  const result = applyAction(state, { type: 'updateStatus', object: next, by: 'fault-injector' })
  return E.isLeft(result) ? result : E.right(result.right.state)
}
