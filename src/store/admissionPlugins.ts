/**
 * Mutating admission plugins the API server runs on create, after defaulting and validation:
 * DefaultTolerationSeconds gives every pod 300 s tolerations for the not-ready and unreachable
 * NoExecute taints, unless it already tolerates them.
 *
 * @module
 */
import { deepFreeze } from '../internal/immer.js'
import type { KubeObject } from '../objects/object.js'
import { type TolerationLike, withDefaultTolerations } from '../scheduling/taints.js'

/**
 * Runs the mutating admission plugins on an object being created.
 *
 * @internal
 */
export const admitOnCreate = (object: KubeObject): KubeObject => {
  if (object.kind !== 'Pod') return object
  const spec = object['spec'] as { readonly tolerations?: ReadonlyArray<TolerationLike> } | undefined
  const tolerations = withDefaultTolerations(spec?.tolerations)
  if (tolerations === spec?.tolerations || (spec?.tolerations === undefined && tolerations.length === 0)) return object
  // Spread rather than a draft: the rest of the pod is shared as it is, not copied and compared.
  return deepFreeze({ ...object, spec: { ...(spec as Record<string, unknown>), tolerations: tolerations.map((t) => ({ ...t })) } })
}
