/**
 * The scheduler: binds pending pods (no nodeName, schedulerName `default-scheduler` or unset, not
 * being deleted) to nodes, one pass at a time, in kube-scheduler's queue order (priority, then
 * creation time, then namespace/name). Each pod is filtered, scored and bound; the pass keeps a
 * running account of what it placed, so two pods never overcommit a node. A pod no node can take
 * gets PodScheduled=False (reason Unschedulable) and a FailedScheduling event, and is retried
 * only when the store's `schedulingEpoch` moves (a node changed, a pod released resources), as
 * kube-scheduler's unschedulable queue waits for cluster events.
 *
 * Cost: a pass that finds the revision and epoch it last saw returns at once. Otherwise it reads
 * the pending pods from the store's index of unbound pods and builds a snapshot of the nodes
 * from indices (O(nodes), see `buildSnapshot`); each pod then costs O(sampled nodes + the pods
 * its own affinity and spread rules select), never a scan of every pod.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { KubeObject } from '../objects/object.js'
import { podInfo, type PodInfo } from '../scheduling/podInfo.js'
import { scheduleOne } from '../scheduling/scheduleOne.js'
import { assumePod, buildSnapshot } from '../scheduling/snapshot.js'
import { formatTimestamp } from '../sim/clock.js'
import { forkRng } from '../sim/rng.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The scheduler's name, its schedulerName and its event source. */
export const SCHEDULER_NAME = 'default-scheduler'

/** What the scheduler remembers between passes (kept in `ClusterState.memory`). */
export interface SchedulerMemory {
  /** The revision and epoch the last full look saw. */
  readonly revision: number
  readonly epoch: number
  /** Unschedulable pending pods: uid -> the epoch of their last attempt. */
  readonly attempts: ReadonlyMap<string, number>
  /** Where the next pod's node search starts (kube-scheduler's nextStartNodeIndex). */
  readonly nextStartNodeIndex: number
}

interface PodCondition {
  readonly type: string
  readonly status: string
  readonly reason?: string
  readonly message?: string
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const isPending = (pod: KubeObject): boolean => {
  const spec = pod['spec'] as { readonly nodeName?: string; readonly schedulerName?: string } | undefined
  if (pod.metadata.deletionTimestamp !== undefined) return false
  if (spec?.nodeName !== undefined && spec.nodeName !== '') return false
  const phase = (pod['status'] as { readonly phase?: string } | undefined)?.phase
  if (phase === 'Succeeded' || phase === 'Failed') return false
  return spec?.schedulerName === undefined || spec.schedulerName === '' || spec.schedulerName === SCHEDULER_NAME
}

const scheduledCondition = (pod: KubeObject): PodCondition | undefined =>
  ((pod['status'] as { readonly conditions?: ReadonlyArray<PodCondition> } | undefined)?.conditions ?? []).find((c) => c.type === 'PodScheduled')

/** A pending pod with its queue-order keys computed once (a sort compares each many times). */
interface Queued {
  readonly info: PodInfo
  readonly created: string
  readonly key: string
}

/** kube-scheduler's active queue order: priority desc, then creation time, then namespace/name. */
const queueOrder = (a: Queued, b: Queued): number => {
  if (a.info.priority !== b.info.priority) return b.info.priority - a.info.priority
  if (a.created !== b.created) return a.created < b.created ? -1 : 1
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

const memoryOf = (state: ClusterState): SchedulerMemory | undefined => {
  const m = state.memory.get(SCHEDULER_NAME) as SchedulerMemory | undefined
  return m !== undefined && typeof m === 'object' && m.attempts instanceof Map ? m : undefined
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const unschedulableStatus = (pod: KubeObject, message: string, now: string): KubeObject => {
  const status = (pod['status'] ?? {}) as Record<string, unknown>
  const conditions = ((status['conditions'] as ReadonlyArray<PodCondition> | undefined) ?? []).filter((c) => c.type !== 'PodScheduled')
  return {
    ...pod,
    status: {
      ...status,
      phase: (status['phase'] as string | undefined) ?? 'Pending',
      conditions: [...conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: now }],
    },
  }
}

const involved = (info: PodInfo) => ({ kind: 'Pod', namespace: info.namespace, name: info.name, uid: info.uid, apiVersion: 'v1' })

/**
 * Plans one scheduling pass: a `bind` and a Scheduled event per placed pod, a PodScheduled=False
 * status and a FailedScheduling event per pod that fits nowhere (only when the message changed),
 * and a `remember` of the scheduler's memory.
 *
 * @internal
 */
export const reconcileScheduler = (state: ClusterState): ReadonlyArray<Action> => {
  const memory = memoryOf(state)
  const epoch = state.objects.schedulingEpoch
  if (memory !== undefined && memory.revision === state.revision && memory.epoch === epoch) return []

  // The queue comes from the store's index of unbound pods; only pods not yet tried in this
  // epoch are attempted.
  const queue: Queued[] = []
  const attempts = new Map<string, number>()
  const pods = state.objects.kinds.get('Pod')
  // The index is a set: read it in key order, so `attempts` is filled in the same order every time.
  for (const key of [...state.objects.unbound].sort()) {
    const pod = pods?.get(key)
    if (pod === undefined || !isPending(pod)) continue
    const uid = pod.metadata.uid ?? ''
    const tried = memory?.attempts.get(uid)
    if (tried === epoch) attempts.set(uid, tried)
    else {
      const info = podInfo(pod)
      queue.push({ info, created: pod.metadata.creationTimestamp ?? '', key: info.namespace + '/' + info.name })
    }
  }
  const remember = (nextStartNodeIndex: number): Action => ({
    type: 'remember',
    by: SCHEDULER_NAME,
    value: { revision: state.revision, epoch, attempts, nextStartNodeIndex } satisfies SchedulerMemory,
  })
  if (queue.length === 0) {
    // Nothing to do and nothing worth remembering: stay silent, so a quiet cluster is a fixed point.
    if (attempts.size === (memory?.attempts.size ?? 0)) return []
    return [remember(memory?.nextStartNodeIndex ?? 0)]
  }

  queue.sort(queueOrder)
  const snapshot = buildSnapshot(state)
  const now = formatTimestamp(state.now)
  const actions: Action[] = []
  let rng = forkRng(state.rng, SCHEDULER_NAME)
  let start = memory?.nextStartNodeIndex ?? 0
  for (const { info } of queue) {
    const result = scheduleOne(snapshot, info, rng, start)
    rng = result.rng
    start = snapshot.nodes.length === 0 ? 0 : (start + result.processed) % snapshot.nodes.length
    if (result.type === 'Scheduled') {
      assumePod(snapshot, info, result.node)
      actions.push(
        { type: 'bind', by: SCHEDULER_NAME, ref: { kind: 'Pod', namespace: info.namespace, name: info.name }, nodeName: result.node.name, preconditionUid: info.uid },
        {
          type: 'event',
          by: SCHEDULER_NAME,
          viaEventsApi: true,
          event: { involvedObject: involved(info), type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${info.namespace}/${info.name} to ${result.node.name}` },
        },
      )
      continue
    }
    attempts.set(info.uid, epoch)
    const current = scheduledCondition(info.pod)
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === result.message) continue
    actions.push(
      { type: 'updateStatus', by: SCHEDULER_NAME, object: unschedulableStatus(info.pod, result.message, now) },
      { type: 'event', by: SCHEDULER_NAME, viaEventsApi: true, event: { involvedObject: involved(info), type: 'Warning', reason: 'FailedScheduling', message: result.message } },
    )
  }
  actions.push(remember(start))
  return actions
}

/**
 * The default scheduler as a controller. It has no timed work: it acts when pods or nodes change.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, createCluster, defaultControllers, get, scheduler, settle } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster({ nodes: 2, controllers: [...defaultControllers, scheduler] })
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
 * const applied = applyManifests(s, [pod])
 * if (E.isLeft(applied)) throw new Error('apply failed')
 * const settled = settle(applied.right)
 * if (E.isLeft(settled)) throw new Error('did not settle')
 * const bound = get(settled.right, 'Pod', 'default', 'web')
 * expect(O.isSome(bound) && (bound.value['spec'] as { nodeName?: string }).nodeName).toMatch(/^node-[12]$/)
 * ```
 */
export const scheduler: Controller = {
  name: SCHEDULER_NAME,
  watches: ['Pod', 'Node', 'Namespace', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'],
  reconcile: reconcileScheduler,
  nextWakeup: () => O.none,
}
