/**
 * Skipping quiet controllers. A controller that declares `watches` is a pure function of those
 * kinds' objects, its memory, the configuration and the clock; once a pass of it found nothing
 * to do, it will find nothing to do again until one of those inputs changes or its own
 * `nextWakeup` comes. The engine remembers that pass here and answers for the controller
 * meanwhile, as an informer-driven controller sleeps until an event or a requeue fires.
 *
 * The memo is a cache of a pure function, keyed by the controller object and compared by
 * reference against the state, so it never changes a result; it only saves the work.
 *
 * @internal
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { Action, Controller } from '../controllers/controller.js'
import type { ClusterState } from '../store/state.js'

/** A pass that planned nothing, and what it read. */
interface QuietPass {
  /** The state it saw (kept to compute its next wakeup lazily). */
  readonly state: ClusterState
  readonly kinds: ReadonlyArray<unknown>
  readonly memory: unknown
  /** The next wakeup from `state`: undefined until asked, null for none. */
  wake: number | null | undefined
}

const NOTHING: ReadonlyArray<Action> = []
const quietPasses = new WeakMap<Controller, QuietPass>()
let verifying = false

/**
 * Turns on checking that every skipped pass really had nothing to do (the controller runs anyway
 * and a planned action throws). The test suite turns it on with KUBESIM_VERIFY_QUIET=1 to catch
 * a controller whose `watches` or `nextWakeup` leave something out.
 *
 * @internal
 */
export const verifyQuiescence = (on: boolean): void => {
  verifying = on
}

/**
 * Whether skipped work is being checked (see `verifyQuiescence`): controllers that skip quiet
 * objects inside a pass (the ReplicaSet and Deployment controllers) check their skips too.
 *
 * @internal
 */
export const verifyingQuiescence = (): boolean => verifying

/**
 * Throws when work skipped as quiet would have planned actions (only while verifying).
 *
 * @internal
 */
export const checkQuietSkip = (what: string, planned: ReadonlyArray<Action>): void => {
  if (planned.length > 0) throw new Error(`${what} was skipped as quiet but plans ${JSON.stringify(planned).slice(0, 600)}`)
}

const checkSkipped = (controller: Controller, state: ClusterState, pass: QuietPass): void => {
  const actions = controller.reconcile(state)
  if (actions.length > 0) {
    const changed = (controller.watches ?? []).filter((kind, i) => state.objects.kinds.get(kind) !== pass.kinds[i])
    throw new Error(
      `${controller.name} was skipped at ${state.now} (quiet since ${pass.state.now}, wake ${String(pass.wake)}, changed watched kinds: ${changed.join(',') || 'none'}) but plans ${JSON.stringify(actions).slice(0, 600)}`,
    )
  }
}

const watchedKinds = (watches: ReadonlyArray<string>, state: ClusterState): unknown[] => watches.map((kind) => state.objects.kinds.get(kind))

const wakeOf = (controller: Controller, pass: QuietPass): number | null => {
  if (pass.wake === undefined) {
    const wake = controller.nextWakeup(pass.state)
    pass.wake = O.isSome(wake) && wake.value > pass.state.now ? wake.value : null
  }
  return pass.wake
}

/** Whether the remembered quiet pass still answers for `state`. */
const stillQuiet = (controller: Controller, watches: ReadonlyArray<string>, pass: QuietPass, state: ClusterState): boolean => {
  const seen = pass.state
  if (seen === state) return true
  if (state.config !== seen.config || state.now < seen.now) return false
  if (state.memory !== seen.memory && state.memory.get(controller.name) !== pass.memory) return false
  if (state.objects !== seen.objects) {
    for (let i = 0; i < watches.length; i++) if (state.objects.kinds.get(watches[i] as string) !== pass.kinds[i]) return false
  }
  if (state.now === seen.now) return true
  const wake = wakeOf(controller, pass)
  return wake === null || state.now < wake
}

/**
 * The controller's actions for `state`, or none without running it when it declared `watches`
 * and nothing it watches changed since a pass that found nothing to do.
 *
 * @internal
 */
export const reconcileUnlessQuiet = (controller: Controller, state: ClusterState): ReadonlyArray<Action> => {
  const watches = controller.watches
  if (watches === undefined) return controller.reconcile(state)
  const pass = quietPasses.get(controller)
  if (pass !== undefined && stillQuiet(controller, watches, pass, state)) {
    if (verifying) checkSkipped(controller, state, pass)
    return NOTHING
  }
  const actions = controller.reconcile(state)
  if (actions.length === 0) {
    quietPasses.set(controller, { state, kinds: watchedKinds(watches, state), memory: state.memory.get(controller.name), wake: undefined })
  } else if (pass !== undefined) {
    quietPasses.delete(controller)
  }
  return actions
}

/**
 * The controller's next wakeup for `state`, answered from its quiet pass when that still holds.
 *
 * @internal
 */
export const nextWakeupUnlessQuiet = (controller: Controller, state: ClusterState): O.Option<number> => {
  const watches = controller.watches
  if (watches !== undefined) {
    const pass = quietPasses.get(controller)
    if (pass !== undefined && stillQuiet(controller, watches, pass, state)) {
      const wake = wakeOf(controller, pass)
      const answer = wake === null ? O.none : O.some(wake)
      if (verifying) {
        const fresh = controller.nextWakeup(state)
        if (O.isSome(fresh) !== O.isSome(answer) || (O.isSome(fresh) && O.isSome(answer) && fresh.value !== answer.value))
          throw new Error(`${controller.name}'s remembered wakeup ${String(wake)} at ${state.now} differs from ${JSON.stringify(fresh)}`)
      }
      return answer
    }
  }
  return controller.nextWakeup(state)
}
