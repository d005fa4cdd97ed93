/**
 * Deployment revisions and the annotations that carry them: each ReplicaSet a Deployment owns
 * records its revision (`deployment.kubernetes.io/revision`), the revisions it held before a
 * rollback (`revision-history`), and the Deployment size it was last scaled for
 * (`desired-replicas`, `max-replicas`), which proportional scaling reads back.
 *
 * @module
 */
import type { KubeObject } from '../../objects/object.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * The revision annotation on Deployments and their ReplicaSets.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { REVISION_ANNOTATION } from 'kubesim'
 * expect(REVISION_ANNOTATION).toBe('deployment.kubernetes.io/revision')
 * ```
 */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision'
/**
 * Earlier revisions of a ReplicaSet that was rolled back to (comma-separated).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { REVISION_HISTORY_ANNOTATION } from 'kubesim'
 * expect(REVISION_HISTORY_ANNOTATION).toBe('deployment.kubernetes.io/revision-history')
 * ```
 */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history'
/**
 * The Deployment's spec.replicas when a ReplicaSet was last scaled.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { DESIRED_REPLICAS_ANNOTATION } from 'kubesim'
 * expect(DESIRED_REPLICAS_ANNOTATION).toBe('deployment.kubernetes.io/desired-replicas')
 * ```
 */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas'
/**
 * spec.replicas + maxSurge when a ReplicaSet was last scaled.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { MAX_REPLICAS_ANNOTATION } from 'kubesim'
 * expect(MAX_REPLICAS_ANNOTATION).toBe('deployment.kubernetes.io/max-replicas')
 * ```
 */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas'
/**
 * The annotation `kubectl rollout history` shows as CHANGE-CAUSE.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { CHANGE_CAUSE_ANNOTATION } from 'kubesim'
 * expect(CHANGE_CAUSE_ANNOTATION).toBe('kubernetes.io/change-cause')
 * ```
 */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause'
/**
 * The pod template annotation `kubectl rollout restart` sets.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { RESTARTED_AT_ANNOTATION } from 'kubesim'
 * expect(RESTARTED_AT_ANNOTATION).toBe('kubectl.kubernetes.io/restartedAt')
 * ```
 */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt'

/** Deployment annotations the controller does not copy to ReplicaSets (nor kubectl back on undo). */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
])

/** The controller's limit on the revision-history annotation, in characters. */
export const MAX_REVISION_HISTORY_CHARS = 2000

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const parseInt64 = (text: string | undefined): number | undefined =>
  text !== undefined && /^[+-]?[0-9]+$/.test(text) ? Number(text) : undefined

/**
 * A ReplicaSet's (or Deployment's) revision: the annotation as a number, 0 when absent, and
 * `undefined` when it does not parse (upstream's `Revision` error).
 *
 * @internal
 */
export const revisionOf = (object: KubeObject | { readonly metadata: { readonly annotations?: Readonly<Record<string, string>> } }): number | undefined => {
  const raw = object.metadata.annotations?.[REVISION_ANNOTATION]
  if (raw === undefined) return 0
  return parseInt64(raw)
}

/**
 * An integer annotation (desired-replicas, max-replicas), `undefined` when absent or malformed.
 *
 * @internal
 */
export const intAnnotation = (annotations: Readonly<Record<string, string>> | undefined, key: string): number | undefined => {
  const n = parseInt64(annotations?.[key])
  return n === undefined || n < -2147483648 || n > 2147483647 ? undefined : n
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * `SetNewReplicaSetAnnotations` (the revision part): raises a ReplicaSet's revision to
 * `newRevision` when it is lower, and when the ReplicaSet already had a revision (a rollback),
 * appends the old one to revision-history, dropping the oldest entries to fit `limit` characters.
 * Mutates `annotations`; returns whether it changed anything.
 *
 * @internal
 */
export const raiseRevision = (annotations: Record<string, string>, newRevision: number, limit = MAX_REVISION_HISTORY_CHARS): boolean | undefined => {
  const oldText = annotations[REVISION_ANNOTATION]
  const had = oldText !== undefined
  const old = oldText === undefined || oldText === '' ? 0 : parseInt64(oldText)
  if (old === undefined) return undefined
  if (!(old < newRevision)) return false
  annotations[REVISION_ANNOTATION] = String(newRevision)
  if (had && oldText !== undefined) {
    const history = annotations[REVISION_HISTORY_ANNOTATION] ?? ''
    const oldRevisions = history.split(',')
    if ((oldRevisions[0] ?? '').length === 0) annotations[REVISION_HISTORY_ANNOTATION] = oldText
    else {
      let total = history.length + oldText.length + 1
      let start = 0
      while (total > limit && start < oldRevisions.length) {
        total -= (oldRevisions[start] ?? '').length + 1
        start++
      }
      if (total <= limit) annotations[REVISION_HISTORY_ANNOTATION] = [...oldRevisions.slice(start), oldText].join(',')
    }
  }
  return true
}
