/**
 * Controllers and the actions they plan. A controller is a pure reconcile function: it reads the
 * state it observes and returns actions for the API reducer to apply, plus the time at which
 * time alone will give it more to do. It never writes the store itself.
 *
 * @module
 */
import type * as O from 'fp-ts/lib/Option.js'
import { none, some } from 'fp-ts/lib/Option.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { ClusterState } from '../store/state.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** How deleting an owner treats its dependents. */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan'

/** An Event to record about an object, deduplicated like client-go's event recorder. */
export interface EventRecord {
  readonly involvedObject: ObjectRef & { readonly uid?: string; readonly apiVersion?: string }
  readonly type: 'Normal' | 'Warning'
  readonly reason: string
  readonly message: string
}

/** A write a controller (or a user) asks the API reducer to make. */
export type Action =
  | { readonly type: 'create'; readonly object: KubeObject; readonly by: string }
  | { readonly type: 'update'; readonly object: KubeObject; readonly by: string }
  | { readonly type: 'updateStatus'; readonly object: KubeObject; readonly by: string }
  | {
      readonly type: 'delete'
      readonly ref: ObjectRef
      readonly by: string
      readonly propagation?: PropagationPolicy
      readonly gracePeriodSeconds?: number
      /** Refuse with a Conflict unless the stored object still has this uid. */
      readonly preconditionUid?: string
    }
  | {
      readonly type: 'event'
      readonly event: EventRecord
      readonly by: string
      /**
       * Recorded through events.k8s.io/v1 (kube-scheduler's recorder), which has no spam filter
       * or aggregation: the Event skips client-go's correlator (see `correlateEvent`).
       */
      readonly viaEventsApi?: boolean
    }
  /**
   * Assigns a pending pod to a node, as the `pods/binding` subresource does: sets
   * spec.nodeName and the PodScheduled condition in one write.
   */
  | { readonly type: 'bind'; readonly ref: ObjectRef; readonly nodeName: string; readonly by: string; readonly preconditionUid?: string }
  /**
   * Replaces the controller's in-memory state (a work queue, the last epoch it saw), kept in
   * `ClusterState.memory` under its name. Not an API write: no resourceVersion, no trace entry,
   * and a controller crash fault may wipe it, as a restart loses a real controller's memory.
   */
  | { readonly type: 'remember'; readonly value: unknown; readonly by: string }

/** A simulated component. */
export interface Controller {
  readonly name: string
  /** Desired minus actual, as actions. Empty when there is nothing to do now. */
  readonly reconcile: (state: ClusterState) => ReadonlyArray<Action>
  /** The earliest virtual time after `state.now` at which time alone gives it work, if any. */
  readonly nextWakeup: (state: ClusterState) => O.Option<number>
  /**
   * The kinds whose objects this controller reads, as an informer's watch list. Optional: when
   * given, the engine skips a pass while none of these kinds, the controller's memory and the
   * configuration changed since a pass that found nothing to do, until its `nextWakeup`; so a
   * quiet controller costs nothing per step. A controller that declares it must depend on
   * nothing else (the random stream may only choose among actions it would take anyway).
   */
  readonly watches?: ReadonlyArray<string>
}

/** What a controller plans for one state: its actions now, and its next timed work. */
export interface Plan {
  readonly actions: ReadonlyArray<Action>
  /** The earliest time after which it has timed work (ignored unless after `state.now`). */
  readonly next: number | undefined
}

/**
 * A controller from a planning function, planned once per state: the engine asks for
 * `reconcile` and `nextWakeup` of the same state, and a state never changes. Internal: the
 * built-in controllers that plan everything in one pass share it.
 *
 * @internal
 */
export const plannedController = (name: string, plan: (state: ClusterState) => Plan, watches?: ReadonlyArray<string>): Controller => {
  const plans = new WeakMap<ClusterState, Plan>()
  const planned = (state: ClusterState): Plan => {
    const cached = plans.get(state)
    if (cached !== undefined) return cached
    const fresh = plan(state)
    plans.set(state, fresh)
    return fresh
  }
  return {
    name,
    ...(watches === undefined ? {} : { watches }),
    reconcile: (state) => planned(state).actions,
    nextWakeup: (state) => {
      const next = planned(state).next
      return next === undefined || next <= state.now ? none : some(next)
    },
  }
}
