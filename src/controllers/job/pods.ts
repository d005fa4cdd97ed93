/**
 * How the Job controller reads its pods: which are active, terminating, succeeded or failed
 * (as upstream's `isPodFailed` and `CountTerminatingPods`), their completion index, when they
 * finished, and which to delete first when there are too many.
 *
 * @module
 */
import type { Job } from '../../objects/job.js'
import type { KubeObject } from '../../objects/object.js'
import { timestampMs } from '../../sim/clock.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The finalizer that keeps a finished pod until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking'
/** Annotation and label carrying an Indexed Job pod's completion index. */
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index'
/** Annotation counting the failures of an index so far (backoffLimitPerIndex). */
export const JOB_INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count'
/** Annotation counting the ignored failures of an index so far (backoffLimitPerIndex). */
export const JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count'

interface ContainerStatusLike {
  readonly name?: string
  readonly restartCount?: number
  readonly ready?: boolean
  readonly state?: { readonly terminated?: { readonly exitCode?: number; readonly finishedAt?: string } }
}
interface PodStatusLike {
  readonly phase?: string
  readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string; readonly lastTransitionTime?: string }>
  readonly containerStatuses?: ReadonlyArray<ContainerStatusLike>
  readonly initContainerStatuses?: ReadonlyArray<ContainerStatusLike>
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/** The pod's status, as far as the Job controller reads it. */
export const podStatus = (pod: KubeObject): PodStatusLike => (pod['status'] ?? {}) as PodStatusLike

/** The pod's phase (Pending when unset). */
export const podPhase = (pod: KubeObject): string => podStatus(pod).phase ?? 'Pending'

/** Whether the pod is in a terminal phase. */
export const isFinishedPhase = (pod: KubeObject): boolean => {
  const phase = podPhase(pod)
  return phase === 'Succeeded' || phase === 'Failed'
}

/**
 * The kubelet is done with a deleted pod: it deleted it with grace 0, and only finalizers keep
 * it. (Upstream's kubelet would also have set phase Failed; kubesim's kubelet does not, so the
 * Job controller treats this state as Failed.)
 */
export const kubeletDone = (pod: KubeObject): boolean =>
  pod.metadata.deletionTimestamp !== undefined && (pod.metadata.deletionGracePeriodSeconds ?? 0) <= 0

/** Upstream's active pod: not terminal and not being deleted. */
export const isActivePod = (pod: KubeObject): boolean => !isFinishedPhase(pod) && pod.metadata.deletionTimestamp === undefined

/** A pod being deleted whose containers have not finished yet. */
export const isTerminatingPod = (pod: KubeObject): boolean =>
  pod.metadata.deletionTimestamp !== undefined && !isFinishedPhase(pod) && !kubeletDone(pod)

/** Whether the Job replaces pods only once they have failed (podReplacementPolicy Failed). */
export const onlyReplaceFailedPods = (job: Job): boolean => job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined

/**
 * Upstream's `isPodFailed`: phase Failed, or (unless the Job replaces only failed pods) being
 * deleted without having succeeded.
 */
export const isPodFailed = (pod: KubeObject, job: Job): boolean => {
  const phase = podPhase(pod)
  if (phase === 'Failed') return true
  if (phase === 'Succeeded') return false
  if (kubeletDone(pod)) return true
  return !onlyReplaceFailedPods(job) && pod.metadata.deletionTimestamp !== undefined
}

/** Whether the pod still carries the tracking finalizer. */
export const hasTrackingFinalizer = (pod: KubeObject): boolean => (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)

const indexFrom = (value: string | undefined): number | undefined => (value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined)

/** The pod's completion index, or undefined when it has none or it is corrupt. */
export const completionIndex = (pod: KubeObject): number | undefined => indexFrom(pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION])

/** The failure count of the pod's index recorded on it (backoffLimitPerIndex), 0 when absent. */
export const indexFailureCount = (pod: KubeObject): number => indexFrom(pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT_ANNOTATION]) ?? 0

/** The ignored failure count of the pod's index recorded on it, 0 when absent. */
export const indexIgnoredFailureCount = (pod: KubeObject): number =>
  indexFrom(pod.metadata.annotations?.[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]) ?? 0

/** Whether the pod's Ready condition is True. */
export const isPodReady = (pod: KubeObject): boolean => (podStatus(pod).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')

/** The sum of container restarts (init and regular), for restartPolicy OnFailure. */
export const restartCount = (pod: KubeObject): number => {
  const s = podStatus(pod)
  let n = 0
  for (const c of [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])]) n += c.restartCount ?? 0
  return n
}

/**
 * When the pod finished (upstream's `getFinishedTime`): the latest container finishedAt, else
 * the Ready=False transition, else the deletion time minus the grace period, else creation.
 */
export const podFinishTime = (pod: KubeObject): number => {
  const s = podStatus(pod)
  let latest: number | undefined
  for (const c of [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])]) {
    const t = timestampMs(c.state?.terminated?.finishedAt)
    if (t !== undefined && (latest === undefined || t > latest)) latest = t
  }
  if (latest !== undefined) return latest
  const readyFalse = (s.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'False')
  const readyAt = timestampMs(readyFalse?.lastTransitionTime)
  if (readyAt !== undefined) return readyAt
  const deleted = timestampMs(pod.metadata.deletionTimestamp)
  if (deleted !== undefined) return deleted - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000
  return timestampMs(pod.metadata.creationTimestamp) ?? 0
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const phaseRank = (pod: KubeObject): number => {
  const phase = podPhase(pod)
  return phase === 'Pending' ? 0 : phase === 'Unknown' ? 1 : 2
}
const isAssigned = (pod: KubeObject): boolean => {
  const node = (pod['spec'] as { readonly nodeName?: string } | undefined)?.nodeName
  return typeof node === 'string' && node !== ''
}

/**
 * Sorts pods so that the ones to delete first come first, as upstream's `ActivePods` order:
 * unassigned before assigned, Pending before Unknown before Running, not ready before ready,
 * more restarts first, newer first; the name breaks ties.
 */
export const byDeletionPreference = (a: KubeObject, b: KubeObject): number =>
  Number(isAssigned(a)) - Number(isAssigned(b)) ||
  phaseRank(a) - phaseRank(b) ||
  Number(isPodReady(a)) - Number(isPodReady(b)) ||
  restartCount(b) - restartCount(a) ||
  (timestampMs(b.metadata.creationTimestamp) ?? 0) - (timestampMs(a.metadata.creationTimestamp) ?? 0) ||
  (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0)
