/**
 * How the StatefulSet and DaemonSet controllers read a pod's health: Ready (condition
 * Ready=True), Running and Ready, Available after minReadySeconds (controller_utils'
 * `IsPodAvailable`), terminating, finished. Timestamps come from the pod's own conditions, so
 * the moment a pod becomes available is computable and a controller can name it as its wakeup.
 *
 * @internal
 * @module
 */
import type { OwnerReference } from '../objects/meta.js'
import type { KubeObject } from '../objects/object.js'
import { timestampMs } from '../sim/clock.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

interface PodView {
  readonly spec?: { readonly nodeName?: string }
  readonly status?: {
    readonly phase?: string
    readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string; readonly lastTransitionTime?: string }>
  }
}

const view = (pod: KubeObject): PodView => pod as unknown as PodView

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/** The pod's phase ('' when unset). @internal */
export const podPhase = (pod: KubeObject): string => view(pod).status?.phase ?? ''

/** The node a pod is bound to ('' when unbound). @internal */
export const podNodeName = (pod: KubeObject): string => view(pod).spec?.nodeName ?? ''

/** Whether the pod has a deletionTimestamp. @internal */
export const isTerminating = (pod: KubeObject): boolean => pod.metadata.deletionTimestamp !== undefined

/** Whether the pod finished (Succeeded or Failed). @internal */
export const isFinished = (pod: KubeObject): boolean => {
  const phase = podPhase(pod)
  return phase === 'Succeeded' || phase === 'Failed'
}

/** The pod's Ready condition, if any. @internal */
export const readyCondition = (pod: KubeObject) => view(pod).status?.conditions?.find((c) => c.type === 'Ready')

/** Condition Ready=True. @internal */
export const isPodReady = (pod: KubeObject): boolean => readyCondition(pod)?.status === 'True'

/** Phase Running and condition Ready=True (the StatefulSet controller's `isRunningAndReady`). @internal */
export const isRunningAndReady = (pod: KubeObject): boolean => podPhase(pod) === 'Running' && isPodReady(pod)

/**
 * When a Ready pod counts as available: its Ready transition plus minReadySeconds (undefined
 * when not Ready). With minReadySeconds 0 a Ready pod is available at once.
 *
 * @internal
 */
export const availableAt = (pod: KubeObject, minReadySeconds: number): number | undefined => {
  const ready = readyCondition(pod)
  if (ready?.status !== 'True') return undefined
  if (minReadySeconds <= 0) return -Infinity
  const since = timestampMs(ready.lastTransitionTime)
  return since === undefined ? -Infinity : since + minReadySeconds * 1000
}

/**
 * Available: Ready, and Ready for longer than minReadySeconds (strictly, as upstream's
 * `IsPodAvailable` compares `readyTime + minReadySeconds < now`).
 *
 * @internal
 */
export const isPodAvailable = (pod: KubeObject, minReadySeconds: number, now: number): boolean => {
  const at = availableAt(pod, minReadySeconds)
  if (at === undefined) return false
  return minReadySeconds <= 0 || at < now
}

/**
 * The earliest moment after `now` at which one of the pods becomes available, for
 * `nextWakeup`; the instant just after `readyTime + minReadySeconds`, since availability is
 * strict.
 *
 * @internal
 */
export const nextAvailability = (pods: Iterable<KubeObject>, minReadySeconds: number, now: number): number | undefined => {
  if (minReadySeconds <= 0) return undefined
  let next: number | undefined
  for (const pod of pods) {
    const at = availableAt(pod, minReadySeconds)
    if (at === undefined || !Number.isFinite(at)) continue
    const wake = at + 1
    if (wake > now && (next === undefined || wake < next)) next = wake
  }
  return next
}

/** The owner reference marked `controller: true`, if any. @internal */
export const controllerRef = (object: KubeObject): OwnerReference | undefined =>
  object.metadata.ownerReferences?.find((r) => r.controller === true)

/** A controller owner reference to `owner`, as `metav1.NewControllerRef` builds it. @internal */
export const newControllerRef = (owner: KubeObject): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
})
