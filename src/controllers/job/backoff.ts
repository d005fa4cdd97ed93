/**
 * Pod re-creation back-off after failures (upstream's backoff_utils.go): 10 s after the first
 * failure since the last success, doubling with each further failure, capped at 10 minutes
 * (`DefaultJobPodFailureBackOff`, `MaxJobPodFailureBackOff` in job_controller.go; the public
 * docs still say six minutes). Upstream keeps the failure count in memory; kubesim derives it
 * from the Job's pods each pass, which gives the same answer while the pods exist and survives
 * a controller restart.
 *
 * @module
 */
import type { Job } from '../../objects/job.js'
import type { KubeObject } from '../../objects/object.js'
import { completionIndex, indexFailureCount, isPodFailed, podFinishTime, podPhase } from './pods.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The first re-creation delay after a pod failure (upstream `DefaultJobPodFailureBackOff`). */
export const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS = 10_000
/** The longest re-creation delay (upstream `MaxJobPodFailureBackOff`, 10 minutes in code). */
export const MAX_JOB_POD_FAILURE_BACKOFF_MS = 600_000

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * The re-creation delay after `failures` consecutive failures (since the last success): 0 for
 * none, then 10 s doubling, capped at 10 minutes.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { jobPodFailureBackoffMs } from 'kubesim'
 * expect([0, 1, 2, 3, 6, 7, 8, 20].map(jobPodFailureBackoffMs))
 *   .toEqual([0, 10000, 20000, 40000, 320000, 600000, 600000, 600000])
 * ```
 */
export const jobPodFailureBackoffMs = (failures: number): number => {
  if (failures <= 0) return 0
  let delay = DEFAULT_JOB_POD_FAILURE_BACKOFF_MS
  for (let i = 1; i < failures; i++) {
    delay *= 2
    if (delay >= MAX_JOB_POD_FAILURE_BACKOFF_MS) return MAX_JOB_POD_FAILURE_BACKOFF_MS
  }
  return delay
}

/** Time left before a new pod may be created: the delay minus the time since the last failure. */
const remaining = (failures: number, lastFailure: number, now: number): number => {
  const delay = jobPodFailureBackoffMs(failures)
  return delay === 0 ? 0 : Math.max(0, delay - (now - lastFailure))
}

/**
 * The Job-wide back-off left at `now`: failures finished after the last success count, and the
 * clock runs from the latest of them.
 */
export const jobBackoffRemainingMs = (job: Job, pods: ReadonlyArray<KubeObject>, now: number): number => {
  let lastSuccess = -Infinity
  for (const p of pods) if (podPhase(p) === 'Succeeded') lastSuccess = Math.max(lastSuccess, podFinishTime(p))
  let failures = 0
  let lastFailure = -Infinity
  for (const p of pods)
    if (isPodFailed(p, job)) {
      const t = podFinishTime(p)
      if (t > lastSuccess) {
        failures++
        lastFailure = Math.max(lastFailure, t)
      }
    }
  return remaining(failures, lastFailure, now)
}

/** The latest failed pod of each index (the one whose failure count the next pod inherits). */
export const lastFailedPodPerIndex = (job: Job, pods: ReadonlyArray<KubeObject>): ReadonlyMap<number, KubeObject> => {
  const out = new Map<number, KubeObject>()
  for (const p of pods) {
    const index = completionIndex(p)
    if (index === undefined || !isPodFailed(p, job)) continue
    const current = out.get(index)
    if (current === undefined || podFinishTime(p) > podFinishTime(current) || (podFinishTime(p) === podFinishTime(current) && indexFailureCount(p) > indexFailureCount(current)))
      out.set(index, p)
  }
  return out
}

/** The back-off left for one index (backoffLimitPerIndex), from its latest failed pod. */
export const indexBackoffRemainingMs = (lastFailed: KubeObject | undefined, failures: number, now: number): number =>
  lastFailed === undefined ? 0 : remaining(failures, podFinishTime(lastFailed), now)
