/**
 * The garbage collector: deletes dependents whose owners are gone (Background propagation and
 * dangling references), deletes the dependents of owners being deleted in the Foreground and
 * releases the owner once they are gone, and strips the owner reference from the dependents of
 * owners deleted with Orphan before releasing the owner.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import { produce } from '../internal/immer.js'
import type { KubeObject } from '../objects/object.js'
import { diffMaps } from '../internal/mapDiff.js'
import { checkQuietSkip, verifyingQuiescence } from '../sim/quiescence.js'
import { dependentsOf, gcFinalizingObjects, getByUid, type ObjectStore, ownerUidsInUse } from '../store/objectStore.js'
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'

const NAME = 'garbage-collector'

const refOfObject = (o: KubeObject) => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

const withoutFinalizer = (owner: KubeObject, finalizer: string): Action => ({
  type: 'update',
  by: NAME,
  object: produce(owner, (draft) => {
    draft.metadata.finalizers = (draft.metadata.finalizers ?? []).filter((f) => f !== finalizer)
  }),
})

const withoutOwners = (dependent: KubeObject, uids: ReadonlySet<string>): Action => ({
  type: 'update',
  by: NAME,
  object: produce(dependent, (draft) => {
    const kept = (draft.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid))
    if (kept.length === 0) delete draft.metadata.ownerReferences
    else draft.metadata.ownerReferences = kept
  }),
})

/** Owners being deleted with Orphan or Foreground propagation. */
const finalizingOwners = (state: ClusterState): ReadonlyArray<Action> => {
  const actions: Action[] = []
  for (const owner of gcFinalizingObjects(state.objects)) {
    const finalizers = owner.metadata.finalizers ?? []
    const uid = owner.metadata.uid ?? ''
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      const dependents = dependentsOf(state.objects, uid)
      if (dependents.length === 0) actions.push(withoutFinalizer(owner, ORPHAN_FINALIZER))
      else for (const d of dependents) actions.push(withoutOwners(d, new Set([uid])))
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      const dependents = dependentsOf(state.objects, uid)
      const blocking = dependents.filter((d) =>
        (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true),
      )
      for (const d of dependents)
        if (d.metadata.deletionTimestamp === undefined)
          actions.push({ type: 'delete', by: NAME, ref: refOfObject(d), propagation: 'Foreground', ...(d.metadata.uid === undefined ? {} : { preconditionUid: d.metadata.uid }) })
      if (blocking.length === 0) actions.push(withoutFinalizer(owner, FOREGROUND_FINALIZER))
    }
  }
  return actions
}

/** The dependents of owners that no longer exist: delete them, or strip the dead references. */
const danglingFor = (state: ClusterState, ownerUids: Iterable<string>): { readonly actions: ReadonlyArray<Action>; readonly acted: ReadonlySet<string> } => {
  const actions: Action[] = []
  const acted = new Set<string>()
  const handled = new Set<string>()
  for (const ownerUid of ownerUids) {
    if (getByUid(state.objects, ownerUid) !== undefined) continue
    for (const dependent of dependentsOf(state.objects, ownerUid)) {
      const uid = dependent.metadata.uid ?? ''
      if (handled.has(uid)) continue
      handled.add(uid)
      const refs = dependent.metadata.ownerReferences ?? []
      const dead = new Set(refs.filter((r) => getByUid(state.objects, r.uid) === undefined).map((r) => r.uid))
      if (dead.size === refs.length) {
        if (dependent.metadata.deletionTimestamp === undefined) {
          actions.push({ type: 'delete', by: NAME, ref: refOfObject(dependent), preconditionUid: uid })
          acted.add(ownerUid)
        }
      } else {
        actions.push(withoutOwners(dependent, dead))
        acted.add(ownerUid)
      }
    }
  }
  return { actions, acted }
}

/**
 * The previous pass: the uid and owner indices it saw and the owners it acted on. A reference
 * can only dangle once its owner goes or a dependent names it, so the next pass checks the
 * owners whose uid vanished or whose dependents changed since (and retries the ones it acted
 * on, in case the writes were refused), as the real collector works from its graph's events.
 */
let previousPass: { readonly byUid: ObjectStore['byUid']; readonly byOwner: ObjectStore['byOwner']; readonly acted: ReadonlySet<string> } | undefined

const ownersToCheck = (state: ClusterState): ReadonlyArray<string> | undefined => {
  const last = previousPass
  if (last === undefined) return undefined
  const candidates = new Set(last.acted)
  for (const change of diffMaps(last.byUid, state.objects.byUid)) if (change.after === undefined) candidates.add(change.key)
  for (const change of diffMaps(last.byOwner, state.objects.byOwner)) if (change.after !== undefined) candidates.add(change.key)
  return [...candidates].filter((uid) => state.objects.byOwner.has(uid)).sort()
}

/** Dependents whose owners no longer exist. */
const danglingDependents = (state: ClusterState): ReadonlyArray<Action> => {
  const candidates = ownersToCheck(state)
  const planned = danglingFor(state, candidates ?? ownerUidsInUse(state.objects))
  previousPass = { byUid: state.objects.byUid, byOwner: state.objects.byOwner, acted: planned.acted }
  if (candidates !== undefined && verifyingQuiescence()) {
    const full = danglingFor(state, ownerUidsInUse(state.objects)).actions
    if (JSON.stringify(full) !== JSON.stringify(planned.actions)) checkQuietSkip('garbage collector (owners not checked)', full)
  }
  return planned.actions
}

/**
 * The garbage collector controller (ownerReferences; Background, Foreground and Orphan
 * propagation; dangling references).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { garbageCollector, createCluster } from 'kubesim'
 * expect(garbageCollector.reconcile(createCluster())).toEqual([])
 * ```
 */
export const garbageCollector: Controller = {
  name: NAME,
  reconcile: (state) => [...finalizingOwners(state), ...danglingDependents(state)],
  nextWakeup: () => O.none,
}
