/**
 * Which owners' pods changed between two versions of the Pod map: the work list of a
 * controller that plans only the owners something happened to, as an informer's pod events
 * enqueue only the controller of the pod that changed. Computed by diffing the persistent maps
 * (src/internal/mapDiff.ts), so it costs the changes, not the number of pods.
 *
 * @internal
 * @module
 */
import type { Map as IMap } from 'immutable'
import { diffMaps, type MapChange } from '../internal/mapDiff.js'
import type { KubeObject } from '../objects/object.js'

/** Owners touched by pod changes, or `everything` when the change is too broad to list. */
export interface PodChanges {
  /** Every owner must be planned: no previous map, or most pods changed. */
  readonly everything: boolean
  /** uids of controllers of pods that were added, changed or removed (before or after). */
  readonly owners: ReadonlySet<string>
  /** Namespaces with a changed pod that has no controller: any owner there may adopt it. */
  readonly orphanNamespaces: ReadonlySet<string>
}

const EVERYTHING: PodChanges = { everything: true, owners: new Set(), orphanNamespaces: new Set() }
const NOTHING: PodChanges = { everything: false, owners: new Set(), orphanNamespaces: new Set() }

/**
 * The uid in the owner reference with `controller: true`, if any.
 *
 * @internal
 */
export const controllerUid = (pod: KubeObject): string | undefined => {
  const refs = pod.metadata.ownerReferences
  if (refs === undefined) return undefined
  for (const ref of refs) if (ref.controller === true) return ref.uid
  return undefined
}

/**
 * The owners whose pods differ between `before` and `after`.
 *
 * @internal
 */
export const podChangesSince = (before: IMap<string, KubeObject> | undefined, after: IMap<string, KubeObject> | undefined): PodChanges => {
  if (before === after) return NOTHING
  if (before === undefined || after === undefined) return EVERYTHING
  return podChangesFrom(diffMaps(before, after), Math.max(before.size, after.size))
}

/**
 * As `podChangesSince`, from a diff already taken of maps whose larger holds `size` pods.
 *
 * @internal
 */
export const podChangesFrom = (changes: ReadonlyArray<MapChange<string, KubeObject>>, size: number): PodChanges => {
  if (changes.length === 0) return NOTHING
  // Past a quarter of the pods, planning everything costs about the same and is simpler.
  if (changes.length * 4 > size) return EVERYTHING
  const owners = new Set<string>()
  const orphanNamespaces = new Set<string>()
  for (const change of changes) {
    for (const pod of [change.before, change.after]) {
      if (pod === undefined) continue
      const uid = controllerUid(pod)
      if (uid !== undefined) owners.add(uid)
      else orphanNamespaces.add(pod.metadata.namespace ?? 'default')
    }
  }
  return { everything: false, owners, orphanNamespaces }
}

/**
 * Whether an owner must be planned again given the pod changes.
 *
 * @internal
 */
export const ownerTouched = (changes: PodChanges, owner: KubeObject): boolean =>
  changes.everything || changes.owners.has(owner.metadata.uid ?? '') || changes.orphanNamespaces.has(owner.metadata.namespace ?? 'default')
