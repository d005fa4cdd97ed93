/**
 * The Job controller and the TTL-after-finished controller (batch/v1). The Job controller runs
 * each Job's pods to completion: `parallelism` at a time until `completions` succeed (or every
 * index, in Indexed mode), re-creating failed pods after a back-off (10 s doubling, capped at
 * 10 minutes), failing the Job past `backoffLimit`, `activeDeadlineSeconds`, the per-index
 * limits or a FailJob pod-failure rule, and completing it when its success policy is met. The
 * per-Job logic lives in `./job/`; this module runs it over every Job, keeps each Job's
 * expectations of its pod writes (`./expectations.ts`) in the controller's memory, and names
 * the next time time alone gives any Job work.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { KubeObject } from '../objects/object.js'
import { timestampMs } from '../sim/clock.js'
import { forkRng } from '../sim/rng.js'
import { dependentsOf, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'
import { type Expectation, expectationsOf, expiryOf, isSatisfied, observe, rememberExpectations } from './expectations.js'
import { finishedType, isJobFinished, JOB_CONTROLLER_NAME, orphanFinalizerRemovals, type StoredJob, syncJob } from './job/sync.js'

export {
  JOB_TRACKING_FINALIZER,
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
} from './job/pods.js'
export { DEFAULT_JOB_POD_FAILURE_BACKOFF_MS, MAX_JOB_POD_FAILURE_BACKOFF_MS, jobPodFailureBackoffMs } from './job/backoff.js'
export { JOB_CONTROLLER_NAME } from './job/sync.js'

// ---------------------------------------------------------------------------------------------
// the Job controller
// ---------------------------------------------------------------------------------------------

interface Plan {
  readonly actions: ReadonlyArray<Action>
  readonly next: number | undefined
}

// Memoised per state identity: the engine asks for reconcile and nextWakeup of the same state.
const plans = new WeakMap<ClusterState, Plan>()

/**
 * A Job pass that had nothing to do, and what it looked at (the Job object is the key, its
 * dependents and its expectations), so an unchanged Job at the same time is not planned again.
 * Orphan adoption is the one input this does not see; a new orphan is adopted once the Job or
 * its pods next change.
 */
interface Idle {
  readonly now: number
  readonly pods: ReadonlyArray<KubeObject>
  readonly expectation: Expectation | undefined
  readonly wake: number | undefined
}
const idle = new WeakMap<KubeObject, Idle>()
const sameList = (a: ReadonlyArray<KubeObject>, b: ReadonlyArray<KubeObject>): boolean => a.length === b.length && a.every((x, i) => x === b[i])

const planJobs = (state: ClusterState): Plan => {
  const cached = plans.get(state)
  if (cached !== undefined) return cached
  const actions: Action[] = [...orphanFinalizerRemovals(state)]
  let next: number | undefined
  const wakeAt = (t: number | undefined): void => {
    if (t !== undefined && (next === undefined || t < next)) next = t
  }
  let rng = forkRng(state.rng, JOB_CONTROLLER_NAME)
  const memory = expectationsOf(state, JOB_CONTROLLER_NAME)
  const expectations: Record<string, Expectation> = {}
  for (const job of listObjects(state.objects, 'Job') as ReadonlyArray<StoredJob>) {
    if (isJobFinished(job)) continue
    const uid = job.metadata.uid ?? ''
    const observed = observe(memory[uid], state)
    const satisfied = isSatisfied(observed, state.now)
    const pods = dependentsOf(state.objects, uid)
    const was = idle.get(job)
    let kept: Expectation | undefined
    if (was !== undefined && was.now === state.now && was.expectation === observed && sameList(was.pods, pods)) {
      wakeAt(was.wake)
      kept = satisfied ? undefined : observed
    } else {
      const plan = syncJob(state, job, rng, satisfied)
      rng = plan.rng
      actions.push(...plan.actions)
      if (plan.actions.length === 0) idle.set(job, { now: state.now, pods, expectation: observed, wake: plan.wake })
      wakeAt(plan.wake)
      // New pod writes replace the expectations (SetExpectations); expired ones are dropped.
      kept = plan.expect ?? (satisfied ? undefined : observed)
    }
    if (kept !== undefined) {
      expectations[uid] = kept
      wakeAt(expiryOf(kept, state.now))
    }
  }
  actions.push(...rememberExpectations(JOB_CONTROLLER_NAME, memory, expectations))
  const plan: Plan = { actions, next }
  plans.set(state, plan)
  return plan
}

/**
 * The Job controller (batch/v1 Jobs), as kube-controller-manager's: completions and
 * parallelism (completions unset is a work queue), NonIndexed and Indexed modes (completion
 * index annotation and label, `JOB_COMPLETION_INDEX`, hostname `<job>-<index>`), backoffLimit
 * (failed pods; container restarts with restartPolicy OnFailure), pod re-creation back-off,
 * backoffLimitPerIndex and maxFailedIndexes, podFailurePolicy, successPolicy,
 * activeDeadlineSeconds, suspend and resume, the interim SuccessCriteriaMet/FailureTarget
 * conditions and the terminal Complete/Failed ones, and status counters. Pods are named
 * `<job>-<5 random chars>` (`<job>-<index>-<5 chars>` when Indexed) from the seeded PRNG and
 * carry the `batch.kubernetes.io/job-tracking` finalizer until they are counted. Events:
 * SuccessfulCreate, SuccessfulDelete, Completed, Suspended, Resumed, and the failure reasons.
 * After creating or deleting pods it waits until it has observed them (expectations, forgotten
 * on a crash) or five minutes pass, so a stale view never runs more than parallelism pods.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const job = {
 *   apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' },
 *   spec: { completions: 3, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
 * }
 * const s = applyManifests(createCluster({ nodes: 1 }), [job])
 * const later = E.isRight(s) ? advance(s.right, '1m') : s
 * const stored = E.isRight(later) ? get(later.right, 'Job', 'default', 'pi') : O.none
 * const status = O.isSome(stored) ? (stored.value['status'] as { succeeded?: number; conditions?: { type: string }[] }) : {}
 * expect(status.succeeded).toBe(3)
 * expect(status.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete'])
 * ```
 */
export const jobController: Controller = {
  name: JOB_CONTROLLER_NAME,
  watches: ['Job', 'Pod'],
  reconcile: (state) => planJobs(state).actions,
  nextWakeup: (state) => {
    const next = planJobs(state).next
    return next === undefined || next <= state.now ? O.none : O.some(next)
  },
}

// ---------------------------------------------------------------------------------------------
// the TTL-after-finished controller
// ---------------------------------------------------------------------------------------------

const TTL_NAME = 'ttl-after-finished-controller'

/** When a finished Job with a TTL may be deleted: its terminal condition's transition + TTL. */
const expiry = (job: StoredJob): number | undefined => {
  const ttl = job.spec.ttlSecondsAfterFinished
  const type = finishedType(job)
  if (ttl === undefined || type === undefined || job.metadata.deletionTimestamp !== undefined) return undefined
  const finishedAt = timestampMs(job.status?.conditions?.find((c) => c.type === type && c.status === 'True')?.lastTransitionTime)
  return finishedAt === undefined ? undefined : finishedAt + ttl * 1000
}

const expiredJobs = (state: ClusterState): ReadonlyArray<KubeObject> =>
  (listObjects(state.objects, 'Job') as ReadonlyArray<StoredJob>).filter((job) => {
    const at = expiry(job)
    return at !== undefined && at <= state.now
  })

/**
 * The TTL-after-finished controller: deletes a finished Job (Complete or Failed) once
 * `ttlSecondsAfterFinished` has passed since its terminal condition, with Foreground
 * propagation so its pods go first, as upstream's ttlafterfinished controller does.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const job = {
 *   apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' },
 *   spec: { ttlSecondsAfterFinished: 60, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
 * }
 * const s = applyManifests(createCluster({ nodes: 1 }), [job])
 * const at30s = E.isRight(s) ? advance(s.right, '30s') : s
 * expect(E.isRight(at30s) && O.isSome(get(at30s.right, 'Job', 'default', 'once'))).toBe(true)
 * const at2m = E.isRight(at30s) ? advance(at30s.right, '90s') : at30s
 * expect(E.isRight(at2m) && O.isNone(get(at2m.right, 'Job', 'default', 'once'))).toBe(true)
 * ```
 */
export const ttlAfterFinishedController: Controller = {
  name: TTL_NAME,
  watches: ['Job'],
  reconcile: (state) =>
    expiredJobs(state).map(
      (job): Action => ({
        type: 'delete',
        by: TTL_NAME,
        ref: { kind: 'Job', namespace: job.metadata.namespace ?? 'default', name: job.metadata.name },
        propagation: 'Foreground',
        ...(job.metadata.uid === undefined ? {} : { preconditionUid: job.metadata.uid }),
      }),
    ),
  nextWakeup: (state) => {
    let next: number | undefined
    for (const job of listObjects(state.objects, 'Job') as ReadonlyArray<StoredJob>) {
      const at = expiry(job)
      if (at !== undefined && at > state.now && (next === undefined || at < next)) next = at
    }
    return next === undefined ? O.none : O.some(next)
  },
}
