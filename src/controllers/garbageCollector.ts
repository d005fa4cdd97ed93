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
import { checkQuietSkip, verifyingQuiescence } from '../sim/quiescence.js'
import { danglingOwnerUids, dependentsOf, gcFinalizingObjects, getByUid, ownerUidsInUse } from '../store/objectStore.js'
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
const danglingFor = (state: ClusterState, ownerUids: Iterable<string>): ReadonlyArray<Action> => {
  const actions: Action[] = []
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
        }
      } else actions.push(withoutOwners(dependent, dead))
    }
  }
  return actions
}

/**
 * Dependents whose owners no longer exist. The store keeps the owner uids that are named and
 * missing (`danglingOwners`), so a pass looks at those owners only, as the real collector works
 * from its graph's events; while verifying, every owner in use is checked too.
 */
const danglingDependents = (state: ClusterState): ReadonlyArray<Action> => {
  const planned = danglingFor(state, danglingOwnerUids(state.objects))
  if (verifyingQuiescence()) {
    const full = danglingFor(state, ownerUidsInUse(state.objects))
    if (JSON.stringify(full) !== JSON.stringify(planned)) checkQuietSkip('garbage collector (owners not checked)', full)
  }
  return planned
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
