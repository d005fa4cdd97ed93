/**
 * One Job's reconcile (upstream `syncJob`, `manageJob` and `trackJobStatusAndRemoveFinalizers`)
 * as a pure function of the observed cluster: the pods to create or delete, the finalizers to
 * remove, the status to write, the events, and the time at which time alone gives the Job more
 * to do (a back-off or the active deadline).
 *
 * Pods carry the `batch.kubernetes.io/job-tracking` finalizer, and finished pods are counted
 * through `status.uncountedTerminatedPods` as upstream does: a finished pod is first recorded in
 * the status, its finalizer is removed only once that record is stored, and it moves to the
 * `succeeded`/`failed` counters once its finalizer is gone. Each step is one controller pass
 * (the next pass sees the previous one's writes), so a count is never lost or made twice, even
 * when a write is refused or the pod is deleted.
 *
 * @module
 */
import { produce } from '../../internal/immer.js'
import type { Job, JobCondition, JobStatus } from '../../objects/job.js'
import type { KubeObject } from '../../objects/object.js'
import { fromLabelSelector, matchesSelector } from '../../objects/selector.js'
import { formatTimestamp, timestampMs } from '../../sim/clock.js'
import { nextString, type Rng } from '../../sim/rng.js'
import { getObject, listObjects, dependentsOf } from '../../store/objectStore.js'
import { MAX_GENERATE_NAME_PREFIX, NAME_SUFFIX_ALPHABET, NAME_SUFFIX_LENGTH } from '../../store/identity.js'
import type { ClusterState } from '../../store/state.js'
import type { Action, EventRecord } from '../controller.js'
import { type Expectation, expectWrites } from '../expectations.js'
import { indexBackoffRemainingMs, jobBackoffRemainingMs, lastFailedPodPerIndex } from './backoff.js'
import { formatIntervals, hasIndex, type Intervals, parseIntervals, totalOf, withIndexes } from './indexes.js'
import {
  byDeletionPreference,
  completionIndex,
  hasTrackingFinalizer,
  indexFailureCount,
  indexIgnoredFailureCount,
  isActivePod,
  isPodFailed,
  isPodReady,
  isTerminatingPod,
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
  JOB_TRACKING_FINALIZER,
  onlyReplaceFailedPods,
  podPhase,
  restartCount,
} from './pods.js'
import { hasBackoffLimitPerIndex, matchPodFailurePolicy, matchSuccessPolicy } from './policies.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The Job controller's name (events' source, actions' `by`). */
export const JOB_CONTROLLER_NAME = 'job-controller'
/** Pods created or deleted per Job per pass at most (upstream `MaxPodCreateDeletePerSync`). */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500
/** The `spec.managedBy` value of Jobs this controller manages (unset means the same). */
const MANAGED_BY = 'kubernetes.io/job-controller'

/** A stored Job (name and uid present). */
export type StoredJob = Job & KubeObject

/** What one pass plans for one Job. */
export interface JobPlan {
  readonly actions: ReadonlyArray<Action>
  /** When time alone gives this Job more to do. */
  readonly wake: number | undefined
  readonly rng: Rng
  /** The expectations set by the pods this pass creates or deletes to manage the Job, if any. */
  readonly expect?: Expectation
}

type Condition = JobCondition & { readonly lastProbeTime?: string; readonly lastTransitionTime?: string }

interface Finished {
  readonly type: 'Complete' | 'Failed' | 'FailureTarget' | 'SuccessCriteriaMet'
  readonly reason: string
  readonly message: string
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const conditionsOf = (job: Job): ReadonlyArray<Condition> => (job.status?.conditions ?? []) as ReadonlyArray<Condition>

const trueCondition = (job: Job, type: string): Condition | undefined => conditionsOf(job).find((c) => c.type === type && c.status === 'True')

/**
 * Whether a Job has finished: its Complete or Failed condition is True.
 *
 * @internal
 */
export const isJobFinished = (job: Job): boolean => trueCondition(job, 'Complete') !== undefined || trueCondition(job, 'Failed') !== undefined

/** The Job's terminal condition type, if any. */
export const finishedType = (job: Job): 'Complete' | 'Failed' | undefined =>
  trueCondition(job, 'Complete') !== undefined ? 'Complete' : trueCondition(job, 'Failed') !== undefined ? 'Failed' : undefined

/** Whether this controller manages the Job (`spec.managedBy` unset or the built-in value). */
export const isManagedHere = (job: Job): boolean => job.spec.managedBy === undefined || job.spec.managedBy === MANAGED_BY

const controllerUid = (o: KubeObject): string | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true)?.uid

const isIndexed = (job: Job): boolean => job.spec.completionMode === 'Indexed'

const event = (job: StoredJob, type: 'Normal' | 'Warning', reason: string, message: string): Action => {
  const record: EventRecord = {
    involvedObject: { kind: 'Job', apiVersion: 'batch/v1', namespace: job.metadata.namespace ?? 'default', name: job.metadata.name, ...(job.metadata.uid === undefined ? {} : { uid: job.metadata.uid }) },
    type,
    reason,
    message,
  }
  return { type: 'event', event: record, by: JOB_CONTROLLER_NAME }
}

const podRef = (pod: KubeObject) => ({ kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name })

/**
 * A metadata update of a pod. The status is left out: the API server keeps the stored one on a
 * main-resource update anyway, and the kubelet's status (`lastProbeTime: null`) does not pass
 * the pod codec on the way back in.
 */
const podUpdate = (pod: KubeObject, edit: (meta: KubeObject['metadata'] & Record<string, unknown>) => void): Action => {
  const { status: _status, ...rest } = produce(pod, (d) => edit(d.metadata as KubeObject['metadata'] & Record<string, unknown>))
  return { type: 'update', by: JOB_CONTROLLER_NAME, object: rest as KubeObject }
}

// ---------------------------------------------------------------------------------------------
// pods: claiming, creating, deleting
// ---------------------------------------------------------------------------------------------

/**
 * The Job's pods, as upstream's `getPodsForJob`: pods it controls, plus orphans matching its
 * selector (adopted: owner reference and tracking finalizer added), minus controlled pods that
 * no longer match (released).
 */
const claimPods = (state: ClusterState, job: StoredJob): { readonly pods: ReadonlyArray<KubeObject>; readonly actions: ReadonlyArray<Action> } => {
  const uid = job.metadata.uid ?? ''
  const selector = job.spec.selector === undefined ? undefined : fromLabelSelector(job.spec.selector)
  const pods: KubeObject[] = []
  const actions: Action[] = []
  for (const o of dependentsOf(state.objects, uid)) {
    if (o.kind !== 'Pod' || controllerUid(o) !== uid) continue
    if (selector !== undefined && !matchesSelector(selector, o.metadata.labels) && o.metadata.deletionTimestamp === undefined) {
      actions.push(
        podUpdate(o, (m) => {
          const refs = (m.ownerReferences ?? []).filter((r) => r.uid !== uid)
          if (refs.length === 0) delete m.ownerReferences
          else m.ownerReferences = refs
        }),
      )
      continue
    }
    pods.push(o)
  }
  if (selector !== undefined && job.metadata.deletionTimestamp === undefined)
    for (const o of listObjects(state.objects, 'Pod', { namespace: job.metadata.namespace ?? 'default', selector })) {
      if (controllerUid(o) !== undefined || o.metadata.deletionTimestamp !== undefined) continue
      const adopt = (m: KubeObject['metadata']): void => {
        m.ownerReferences = [...(m.ownerReferences ?? []), { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid, controller: true, blockOwnerDeletion: true }]
        if (!(m.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) m.finalizers = [...(m.finalizers ?? []), JOB_TRACKING_FINALIZER]
      }
      actions.push(podUpdate(o, adopt))
      pods.push(produce(o, (d) => adopt(d.metadata)))
    }
  return { pods, actions }
}

/** `<job>-` or `<job>-<index>-`, cut so the prefix stays within 58 characters. */
const generateNameFor = (jobName: string, index: number | undefined): string => {
  if (index === undefined) return `${jobName}-`
  const suffix = `-${index}-`
  const prefix = jobName + suffix
  return prefix.length > MAX_GENERATE_NAME_PREFIX ? jobName.slice(0, MAX_GENERATE_NAME_PREFIX - suffix.length) + suffix : prefix
}

interface IndexCounts {
  readonly failures: number
  readonly ignored: number
}

/** The failure counts the next pod of an index starts from (upstream `getNewIndexFailureCounts`). */
const newIndexFailureCounts = (job: Job, replaced: KubeObject | undefined): IndexCounts => {
  if (replaced === undefined) return { failures: 0, ignored: 0 }
  const failures = indexFailureCount(replaced)
  const ignored = indexIgnoredFailureCount(replaced)
  if (job.spec.podFailurePolicy !== undefined && !matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).counts) return { failures, ignored: ignored + 1 }
  return { failures: failures + 1, ignored }
}

const COMPLETION_INDEX_ENV = {
  name: 'JOB_COMPLETION_INDEX',
  valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']` } },
}

/** A pod from the Job's template, as `CreatePodsWithGenerateName` would send it. */
const podFor = (job: StoredJob, name: string, index: number | undefined, counts: IndexCounts | undefined): KubeObject => {
  const template = job.spec.template
  const meta = template.metadata ?? {}
  const labels: Record<string, string> = { ...(meta.labels ?? {}) }
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) }
  const spec: Record<string, unknown> = { ...((template.spec ?? {}) as Record<string, unknown>) }
  if (index !== undefined) {
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(index)
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = String(index)
    spec['hostname'] = `${job.metadata.name}-${index}`
    const withEnv = (containers: unknown): unknown =>
      Array.isArray(containers)
        ? containers.map((c: { env?: ReadonlyArray<{ name: string }> }) =>
            (c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV.name) ? c : { ...c, env: [...(c.env ?? []), COMPLETION_INDEX_ENV] },
          )
        : containers
    spec['containers'] = withEnv(spec['containers'])
    if (spec['initContainers'] !== undefined) spec['initContainers'] = withEnv(spec['initContainers'])
  }
  if (counts !== undefined) {
    annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(counts.failures)
    if (counts.ignored > 0) annotations[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(counts.ignored)
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: generateNameFor(job.metadata.name, index),
      namespace: job.metadata.namespace ?? 'default',
      ...(Object.keys(labels).length === 0 ? {} : { labels }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
      finalizers: [...(meta.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec,
  }
}

/** Draws a free name for a generateName prefix from the controller's stream. */
const drawName = (state: ClusterState, rng: Rng, prefix: string, namespace: string, taken: Set<string>): readonly [string, Rng] => {
  let current = rng
  let name = ''
  for (let attempt = 0; attempt < 8; attempt++) {
    const [suffix, next] = nextString(current, NAME_SUFFIX_ALPHABET, NAME_SUFFIX_LENGTH)
    current = next
    name = prefix.slice(0, MAX_GENERATE_NAME_PREFIX) + suffix
    if (!taken.has(name) && getObject(state.objects, { kind: 'Pod', namespace, name }) === undefined) break
  }
  taken.add(name)
  return [name, current]
}

/** Pods to delete when there are too many (upstream `activePodsForRemoval`). */
const activePodsForRemoval = (job: Job, active: ReadonlyArray<KubeObject>, atLeast: number): ReadonlyArray<KubeObject> => {
  const remove: KubeObject[] = []
  let left: KubeObject[] = [...active]
  if (isIndexed(job)) {
    const completions = job.spec.completions ?? 0
    const byIndex = new Map<number, KubeObject[]>()
    left = []
    for (const p of active) {
      const ix = completionIndex(p)
      if (ix === undefined || ix >= completions) remove.push(p)
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p])
    }
    for (const group of byIndex.values()) {
      const sorted = [...group].sort(byDeletionPreference)
      // Keep the most advanced pod of a duplicated index.
      remove.push(...sorted.slice(0, -1))
      left.push(...sorted.slice(-1))
    }
  }
  if (remove.length < atLeast) remove.push(...[...left].sort(byDeletionPreference).slice(0, atLeast - remove.length))
  return remove
}

/** The lowest indexes that are neither active, succeeded nor failed (upstream `firstPendingIndexes`). */
const firstPendingIndexes = (count: number, completions: number, nonPending: ReadonlySet<number>): ReadonlyArray<number> => {
  const out: number[] = []
  for (let i = 0; i < completions && out.length < count; i++) if (!nonPending.has(i)) out.push(i)
  return out
}

// ---------------------------------------------------------------------------------------------
// conditions and status
// ---------------------------------------------------------------------------------------------

const condition = (type: string, status: string, reason: string, message: string, now: number): Condition => ({
  type,
  status,
  lastProbeTime: formatTimestamp(now),
  lastTransitionTime: formatTimestamp(now),
  reason,
  message,
})

/** Upstream `ensureJobConditionStatus`: replace a condition that differs, add a new one unless it would be False. */
const ensureCondition = (list: ReadonlyArray<Condition>, type: string, status: string, reason: string, message: string, now: number): { readonly list: ReadonlyArray<Condition>; readonly changed: boolean } => {
  const i = list.findIndex((c) => c.type === type)
  const existing = list[i]
  if (existing !== undefined) {
    if (existing.status === status && existing.reason === reason && existing.message === message) return { list, changed: false }
    return { list: list.map((c, j) => (j === i ? condition(type, status, reason, message, now) : c)), changed: true }
  }
  if (status === 'False') return { list, changed: false }
  return { list: [...list, condition(type, status, reason, message, now)], changed: true }
}

/** Whether the API server's stored status equals the one planned (key order and absent keys aside). */
const sameStatus = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        )
      : v

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** Removes the tracking finalizer (the reducer removes the pod if nothing else holds it). */
const withoutTrackingFinalizer = (pod: KubeObject): Action =>
  podUpdate(pod, (m) => {
    const rest = (m.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER)
    if (rest.length === 0) delete m.finalizers
    else m.finalizers = rest
  })

/**
 * Plans one Job at `state.now`. Jobs that are finished, or managed by another controller, have
 * nothing to do. With its expectations not yet satisfied (`satisfied` false: pods it created or
 * deleted are not all observed yet) it neither creates nor deletes pods to manage the Job, nor
 * declares it finished, and only counts and writes the status, as upstream's `syncJob`.
 */
export const syncJob = (state: ClusterState, job: StoredJob, rngIn: Rng, satisfied = true): JobPlan => {
  if (isJobFinished(job) || !isManagedHere(job)) return { actions: [], wake: undefined, rng: rngIn }
  if (job.spec.completionMode !== undefined && job.spec.completionMode !== 'NonIndexed' && job.spec.completionMode !== 'Indexed')
    return { actions: [], wake: undefined, rng: rngIn }
  const now = state.now
  let rng = rngIn
  const spec = job.spec
  const indexed = isIndexed(job)
  const completions = spec.completions
  const parallelism = spec.parallelism ?? 1
  const backoffLimit = spec.backoffLimit ?? 6
  const suspended = spec.suspend === true
  const deleting = job.metadata.deletionTimestamp !== undefined
  const perIndex = hasBackoffLimitPerIndex(job)
  const status: JobStatus = job.status ?? {}
  const claimed = claimPods(state, job)
  const pods = claimed.pods
  const actions: Action[] = [...claimed.actions]
  const podActions: Action[] = []
  const events: Action[] = []
  let wake: number | undefined
  const wakeAt = (t: number): void => {
    if (t > now && (wake === undefined || t < wake)) wake = t
  }

  // Counting (upstream getNewFinishedPods + cleanUncountedPodsWithoutFinalizers).
  const byUid = new Map(pods.map((p) => [p.metadata.uid ?? '', p]))
  const observedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? [])
  const observedFailed = new Set(status.uncountedTerminatedPods?.failed ?? [])
  let succeededCount = status.succeeded ?? 0
  let failedCount = status.failed ?? 0
  const uncountedSucceeded = new Set<string>()
  const uncountedFailed = new Set<string>()
  for (const uid of observedSucceeded) {
    const p = byUid.get(uid)
    if (p === undefined || !hasTrackingFinalizer(p)) succeededCount++
    else uncountedSucceeded.add(uid)
  }
  for (const uid of observedFailed) {
    const p = byUid.get(uid)
    if (p === undefined || !hasTrackingFinalizer(p)) failedCount++
    else uncountedFailed.add(uid)
  }
  const validIndex = (p: KubeObject): boolean => {
    if (!indexed) return true
    const ix = completionIndex(p)
    return ix !== undefined && ix < (completions ?? 0)
  }
  const fresh = pods.filter(hasTrackingFinalizer)
  const newSucceeded = fresh.filter((p) => !observedSucceeded.has(p.metadata.uid ?? '') && validIndex(p) && podPhase(p) === 'Succeeded')
  const newFailed = fresh.filter((p) => !observedFailed.has(p.metadata.uid ?? '') && validIndex(p) && isPodFailed(p, job))
  const policy = spec.podFailurePolicy
  const counted = (p: KubeObject): boolean => matchPodFailurePolicy(policy, p).counts
  let succeeded = succeededCount + newSucceeded.length + uncountedSucceeded.size
  const failed = failedCount + newFailed.filter(counted).length + uncountedFailed.size

  let active = pods.filter(isActivePod)
  /** Pods created in this pass: active from now on, though not in the store yet. */
  let created = 0
  let terminating = pods.filter(isTerminatingPod).length
  let ready = active.filter(isPodReady).length
  let startTime = status.startTime
  if (startTime === undefined && !suspended) startTime = formatTimestamp(now)

  // Indexes (Indexed mode).
  const prevSucceededIndexes: Intervals = indexed ? parseIntervals(status.completedIndexes, completions ?? 0) : []
  let succeededIndexes: Intervals = prevSucceededIndexes
  let failedIndexes: Intervals | undefined
  if (indexed) {
    succeededIndexes = withIndexes(
      prevSucceededIndexes,
      fresh.filter((p) => podPhase(p) === 'Succeeded' && validIndex(p)).map((p) => completionIndex(p) ?? 0),
    )
    succeeded = totalOf(succeededIndexes)
    if (perIndex) {
      const limit = spec.backoffLimitPerIndex ?? 0
      const prev = parseIntervals(status.failedIndexes, completions ?? 0)
      const newly: number[] = []
      for (const p of pods) {
        if (!validIndex(p) || !isPodFailed(p, job)) continue
        const m = matchPodFailurePolicy(policy, p)
        if (m.action === 'FailIndex' || (m.counts && indexFailureCount(p) >= limit)) newly.push(completionIndex(p) ?? 0)
      }
      failedIndexes = withIndexes(prev, newly)
    }
  }

  // The end state (upstream order: previous interim conditions, pod failure policy, backoff
  // limit, active deadline, per-index limits, success policy).
  let finished: Finished | undefined
  const scm = trueCondition(job, 'SuccessCriteriaMet')
  if (scm !== undefined) finished = { type: 'SuccessCriteriaMet', reason: scm.reason ?? '', message: scm.message ?? '' }
  if (finished === undefined) {
    const target = trueCondition(job, 'FailureTarget')
    if (target !== undefined) finished = { type: 'Failed', reason: target.reason ?? '', message: target.message ?? '' }
    else if (policy !== undefined)
      for (const p of pods) {
        if (!isPodFailed(p, job)) continue
        const message = matchPodFailurePolicy(policy, p).failJobMessage
        if (message !== undefined) {
          finished = { type: 'FailureTarget', reason: 'PodFailurePolicy', message }
          break
        }
      }
  }
  if (finished === undefined) {
    const restarts = spec.template.spec?.restartPolicy === 'OnFailure' ? pods.filter((p) => ['Running', 'Pending'].includes(podPhase(p))).reduce((n, p) => n + restartCount(p), 0) : 0
    const pastOnFailure = spec.template.spec?.restartPolicy === 'OnFailure' && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit)
    const start = timestampMs(startTime)
    const deadline = spec.activeDeadlineSeconds !== undefined && start !== undefined && !suspended ? start + spec.activeDeadlineSeconds * 1000 : undefined
    if (failed > backoffLimit || pastOnFailure) finished = { type: 'FailureTarget', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }
    else if (deadline !== undefined && now >= deadline) finished = { type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }
    else if (deadline !== undefined) wakeAt(deadline)
  }
  if (indexed && perIndex && finished === undefined && failedIndexes !== undefined) {
    const failedTotal = totalOf(failedIndexes)
    if (spec.maxFailedIndexes !== undefined && failedTotal > spec.maxFailedIndexes)
      finished = { type: 'FailureTarget', reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' }
    else if (failedTotal > 0 && failedTotal + totalOf(succeededIndexes) >= (completions ?? 0))
      finished = { type: 'FailureTarget', reason: 'FailedIndexes', message: 'Job has failed indexes' }
  }
  if (indexed && finished === undefined) {
    const message = matchSuccessPolicy(spec.successPolicy, completions ?? 0, succeededIndexes)
    if (message !== undefined) finished = { type: 'SuccessCriteriaMet', reason: 'SuccessPolicy', message }
  }

  let conditions: ReadonlyArray<Condition> = conditionsOf(job)
  const deletePods = (toDelete: ReadonlyArray<KubeObject>): void => {
    for (const p of toDelete.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC)) {
      podActions.push({ type: 'delete', by: JOB_CONTROLLER_NAME, ref: podRef(p), ...(p.metadata.uid === undefined ? {} : { preconditionUid: p.metadata.uid }) })
      events.push(event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`))
      if (isPodReady(p)) ready--
      terminating++
    }
    const gone = new Set(toDelete.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC))
    active = active.filter((p) => !gone.has(p))
  }

  let managed: ReadonlyArray<Action> = []
  if (finished !== undefined) {
    deletePods(active)
    // Pods created a moment ago may not be observed yet: the Job is not declared finished until
    // its expectations are satisfied (upstream clears finishedCondition then).
    if (!satisfied) finished = undefined
  } else {
    const manageCalled = !deleting && satisfied
    if (manageCalled) {
      const before = podActions.length
      // manageJob
      if (suspended) deletePods(activePodsForRemoval(job, active, active.length))
      else {
        let wantActive: number
        if (completions === undefined) wantActive = succeeded > 0 ? active.length : parallelism
        else wantActive = Math.max(0, Math.min(completions - succeeded, parallelism))
        const toDelete = activePodsForRemoval(job, active, Math.max(0, active.length - wantActive))
        if (toDelete.length > 0) deletePods(toDelete)
        else {
          let diff = wantActive - (onlyReplaceFailedPods(job) ? terminating : 0) - active.length
          if (diff > 0) {
            const remaining = perIndex ? 0 : jobBackoffRemainingMs(job, pods, now)
            if (remaining > 0) wakeAt(now + remaining)
            else {
              diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
              let indexes: ReadonlyArray<number | undefined> = Array.from({ length: diff }, () => undefined)
              const lastFailed = perIndex ? lastFailedPodPerIndex(job, pods) : new Map<number, KubeObject>()
              if (indexed) {
                const nonPending = new Set<number>()
                for (const i of succeededIndexes) for (let x = i.first; x <= i.last; x++) nonPending.add(x)
                for (const i of failedIndexes ?? []) for (let x = i.first; x <= i.last; x++) nonPending.add(x)
                for (const p of active) {
                  const ix = completionIndex(p)
                  if (ix !== undefined) nonPending.add(ix)
                }
                let candidates = firstPendingIndexes(diff, completions ?? 0, nonPending)
                if (perIndex) {
                  const ready: number[] = []
                  let soonest: number | undefined
                  for (const ix of candidates) {
                    const last = lastFailed.get(ix)
                    const failures = last === undefined ? 0 : indexFailureCount(last) + indexIgnoredFailureCount(last) + 1
                    const left = indexBackoffRemainingMs(last, failures, now)
                    if (left === 0) ready.push(ix)
                    else soonest = soonest === undefined ? left : Math.min(soonest, left)
                  }
                  if (ready.length === 0 && soonest !== undefined) wakeAt(now + soonest)
                  candidates = ready
                }
                indexes = candidates
              }
              const taken = new Set<string>()
              const namespace = job.metadata.namespace ?? 'default'
              for (const ix of indexes) {
                const [name, next] = drawName(state, rng, generateNameFor(job.metadata.name, ix), namespace, taken)
                rng = next
                const counts = perIndex && ix !== undefined ? newIndexFailureCounts(job, lastFailed.get(ix)) : undefined
                podActions.push({ type: 'create', by: JOB_CONTROLLER_NAME, object: podFor(job, name, ix, counts) })
                events.push(event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`))
              }
              created = indexes.length
            }
          }
        }
      }
      managed = podActions.slice(before)
    }
    const activeNow = active.length + created
    const complete = completions === undefined ? succeeded > 0 && activeNow === 0 : succeeded >= completions && activeNow === 0
    if (complete) finished = { type: 'SuccessCriteriaMet', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }
    // Suspended and resumed conditions change only in a pass that managed the pods.
    else if (manageCalled) {
      if (suspended) {
        const r = ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)
        conditions = r.list
        if (r.changed) events.push(event(job, 'Normal', 'Suspended', 'Job suspended'))
      } else {
        const r = ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)
        conditions = r.list
        if (r.changed) {
          events.push(event(job, 'Normal', 'Resumed', 'Job resumed'))
          startTime = formatTimestamp(now)
        }
      }
    }
  }

  // trackJobStatusAndRemoveFinalizers
  const finalizerRemovals: Action[] = []
  const newSucceededIndexes: number[] = []
  const sorted = indexed ? [...fresh].sort((a, b) => (completionIndex(a) ?? -1) - (completionIndex(b) ?? -1)) : fresh
  const scmFinished = finished?.type === 'SuccessCriteriaMet'
  for (const p of sorted) {
    const uid = p.metadata.uid ?? ''
    const considerFailed = isPodFailed(p, job)
    if (!(deleting || finished !== undefined || podPhase(p) === 'Succeeded' || considerFailed)) continue
    let stored: boolean
    if (podPhase(p) === 'Succeeded' && !observedFailed.has(uid)) {
      if (indexed) {
        const ix = completionIndex(p)
        stored = !(ix !== undefined && ix < (completions ?? 0) && !hasIndex(prevSucceededIndexes, ix))
        if (!stored && ix !== undefined) newSucceededIndexes.push(ix)
      } else {
        stored = observedSucceeded.has(uid)
        if (!stored) uncountedSucceeded.add(uid)
      }
    } else if (considerFailed || (finished !== undefined && !scmFinished)) {
      if (observedFailed.has(uid) || !validIndex(p)) stored = true
      else if (policy !== undefined && !matchPodFailurePolicy(policy, p).counts) stored = true
      else {
        uncountedFailed.add(uid)
        stored = false
      }
    } else stored = true
    // A pod's finalizer goes only once the status that counts it is stored.
    if (stored) finalizerRemovals.push(withoutTrackingFinalizer(p))
  }
  const nextStatus: Record<string, unknown> = { ...status }
  if (indexed) {
    succeededIndexes = withIndexes(succeededIndexes, newSucceededIndexes)
    succeededCount = totalOf(succeededIndexes)
    nextStatus['completedIndexes'] = formatIntervals(succeededIndexes)
    if (failedIndexes !== undefined) nextStatus['failedIndexes'] = formatIntervals(failedIndexes)
  }
  if (finished?.type === 'FailureTarget') {
    if (trueCondition(job, 'FailureTarget') === undefined) conditions = [...conditions, condition('FailureTarget', 'True', finished.reason, finished.message, now)]
    finished = { ...finished, type: 'Failed' }
  }
  if (finished?.type === 'SuccessCriteriaMet') {
    if (scm === undefined) conditions = [...conditions, condition('SuccessCriteriaMet', 'True', finished.reason, finished.message, now)]
    finished = { ...finished, type: 'Complete' }
  }
  const uncountedLeft = uncountedSucceeded.size + uncountedFailed.size
  let completionTime = status.completionTime
  // Finished only once every tracked pod is counted and released (this pass releases the rest).
  const finishing = finished !== undefined && uncountedLeft === 0 && terminating === 0 && finalizerRemovals.length === fresh.length
  if (finishing && finished !== undefined) {
    conditions = ensureCondition(conditions, finished.type, 'True', finished.reason, finished.message, now).list
    if (finished.type === 'Complete') {
      completionTime = formatTimestamp(now)
      if (completions !== undefined && succeededCount > completions)
        events.push(event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached'))
      events.push(event(job, 'Normal', 'Completed', 'Job completed'))
    } else events.push(event(job, 'Warning', finished.reason, finished.message))
  }
  const writeCount = (key: 'succeeded' | 'failed', n: number): void => {
    if (n > 0) nextStatus[key] = n
    else delete nextStatus[key]
  }
  writeCount('succeeded', succeededCount)
  writeCount('failed', failedCount)
  if (active.length + created > 0) nextStatus['active'] = active.length + created
  else delete nextStatus['active']
  nextStatus['ready'] = Math.max(0, ready)
  nextStatus['terminating'] = terminating
  nextStatus['uncountedTerminatedPods'] = {
    ...(uncountedSucceeded.size === 0 ? {} : { succeeded: [...uncountedSucceeded] }),
    ...(uncountedFailed.size === 0 ? {} : { failed: [...uncountedFailed] }),
  }
  if (conditions.length > 0) nextStatus['conditions'] = conditions
  if (startTime !== undefined) nextStatus['startTime'] = startTime
  if (completionTime !== undefined) nextStatus['completionTime'] = completionTime
  if (!sameStatus(nextStatus, job.status)) actions.push(...podActions, ...finalizerRemovals, { type: 'updateStatus', by: JOB_CONTROLLER_NAME, object: { ...job, status: nextStatus } })
  else actions.push(...podActions, ...finalizerRemovals)
  actions.push(...events)
  const expect = expectWrites(managed, job.metadata.namespace ?? 'default', now)
  return { actions, wake, rng, ...(expect === undefined ? {} : { expect }) }
}

/**
 * Pods still held by the tracking finalizer whose Job is gone (deleted with Background
 * propagation) while they are being deleted: upstream's orphan-pod handling releases them.
 */
export const orphanFinalizerRemovals = (state: ClusterState): ReadonlyArray<Action> => {
  const actions: Action[] = []
  for (const uid of state.objects.deleting) {
    const ref = state.objects.byUid.get(uid)
    if (ref === undefined || ref.kind !== 'Pod') continue
    const pod = getObject(state.objects, ref)
    if (pod === undefined || !hasTrackingFinalizer(pod)) continue
    const owner = controllerUid(pod)
    const job = owner === undefined ? undefined : state.objects.byUid.get(owner)
    if (job === undefined || job.kind !== 'Job') actions.push(withoutTrackingFinalizer(pod))
  }
  return actions
}
