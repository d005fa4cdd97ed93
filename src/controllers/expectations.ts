/**
 * Controller expectations, as upstream's `ControllerExpectations` (pkg/controller/controller_utils.go):
 * after a controller creates or deletes pods for an owner it waits until it has observed those
 * creations and deletions before it counts the owner's pods again, so a cache that lags behind
 * its own writes (stale reads) does not make it create or delete twice. Expectations expire
 * after five minutes (`ExpectationsTimeout`), so a write that never shows up (refused, or
 * created and gone before it was seen) is retried then.
 *
 * Expectations are kept in the controller's memory (the `remember` action), so a crash loses them
 * as a restart does. Upstream counts watch events; a controller here observes states, so it
 * records which pods it expects: the names it created and the uids it deleted. A creation is
 * observed once a pod of that name is in the store; a deletion once the pod is gone or marked
 * for deletion (upstream treats a deletionTimestamp as the delete event, `updatePod`). A refused
 * write is not reported back to a controller here, so it waits for the timeout, where upstream
 * lowers the expectation at once.
 *
 * @internal
 * @module
 */
import { getObject } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action } from './controller.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * How long expectations hold before the controller acts without them (upstream
 * `ExpectationsTimeout`, 5 minutes).
 *
 * @internal
 */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000

/** What one owner still expects to observe. */
export interface Expectation {
  /** Namespace of the pods. */
  readonly namespace: string
  /** Names of pods it created and has not seen yet. */
  readonly adds: ReadonlyArray<string>
  /** Uids of pods it deleted and has not seen go yet. */
  readonly dels: ReadonlyArray<string>
  /** When they were set (virtual ms); lowering keeps it, as `LowerExpectations` does. */
  readonly at: number
}

/**
 * Expectations by owner uid, kept in the controller's memory.
 *
 * @internal
 */
export type Expectations = Readonly<Record<string, Expectation>>

const NONE: Expectations = Object.freeze({})

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The expectations in a controller's memory (none after a restart).
 *
 * @internal
 */
export const expectationsOf = (state: ClusterState, controller: string): Expectations => (state.memory.get(controller) as Expectations | undefined) ?? NONE

/**
 * `SatisfiedExpectations`: nothing pending, or the expectations have expired.
 *
 * @internal
 */
export const isSatisfied = (expectation: Expectation | undefined, now: number): boolean =>
  expectation === undefined || (expectation.adds.length === 0 && expectation.dels.length === 0) || now - expectation.at >= EXPECTATIONS_TIMEOUT_MS

/**
 * When pending expectations expire: a timed transition, part of the controller's next wakeup.
 * Undefined when none are pending or they already expired.
 *
 * @internal
 */
export const expiryOf = (expectation: Expectation | undefined, now: number): number | undefined =>
  expectation === undefined || isSatisfied(expectation, now) ? undefined : expectation.at + EXPECTATIONS_TIMEOUT_MS

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * `CreationObserved` / `DeletionObserved` for what the state shows: the expectation without the
 * pods now observed, the same object when nothing changed, undefined once fulfilled.
 *
 * @internal
 */
export const observe = (expectation: Expectation | undefined, state: ClusterState): Expectation | undefined => {
  if (expectation === undefined) return undefined
  const adds = expectation.adds.filter((name) => getObject(state.objects, { kind: 'Pod', namespace: expectation.namespace, name }) === undefined)
  const dels = expectation.dels.filter((uid) => {
    const ref = state.objects.byUid.get(uid)
    const pod = ref === undefined ? undefined : getObject(state.objects, ref)
    return pod !== undefined && pod.metadata.deletionTimestamp === undefined
  })
  if (adds.length === 0 && dels.length === 0) return undefined
  if (adds.length === expectation.adds.length && dels.length === expectation.dels.length) return expectation
  return { ...expectation, adds, dels }
}

/**
 * `SetExpectations` for the pod writes among `actions`: the names created and the uids deleted
 * (deletes carry the pod's uid as their precondition). Undefined when there are none.
 *
 * @internal
 */
export const expectWrites = (actions: ReadonlyArray<Action>, namespace: string, now: number): Expectation | undefined => {
  const adds: string[] = []
  const dels: string[] = []
  for (const action of actions) {
    if (action.type === 'create' && action.object.kind === 'Pod') adds.push(action.object.metadata.name)
    else if (action.type === 'delete' && action.ref.kind === 'Pod' && action.preconditionUid !== undefined) dels.push(action.preconditionUid)
  }
  return adds.length === 0 && dels.length === 0 ? undefined : { namespace, adds, dels, at: now }
}

/**
 * The `remember` action for new expectations, or none when they equal the remembered ones (a
 * quiet controller stays a fixed point).
 *
 * @internal
 */
export const rememberExpectations = (controller: string, before: Expectations, after: Record<string, Expectation>): ReadonlyArray<Action> => {
  const keys = Object.keys(after)
  const same = keys.length === Object.keys(before).length && keys.every((k) => before[k] === after[k])
  return same ? [] : [{ type: 'remember', by: controller, value: Object.freeze(after) }]
}
