/**
 * The discrete-event engine. `step` runs every controller once, in registry order, applying each
 * controller's actions through the API reducer before the next controller looks. `settle`
 * steps until nothing changes at the current time; `advance` then jumps virtual time from one
 * controller wakeup to the next, so simulating a year costs the events in it, not the seconds.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { Action } from '../controllers/controller.js'
import { parseDuration } from '../objects/duration.js'
import { beginBatch, endBatch } from '../store/objectStore.js'
import { applyAction, recordFailure } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import { nextWakeupUnlessQuiet, reconcileUnlessQuiet } from './quiescence.js'
import { nextUint32 } from './rng.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The outcome of one pass of every controller. */
export interface StepResult {
  readonly state: ClusterState
  /** Actions the reducer applied (including writes that changed nothing). */
  readonly applied: number
  /** Actions the reducer refused (conflicts, validation failures); recorded in the trace. */
  readonly failed: number
  /** Whether any object changed. */
  readonly changed: boolean
}

/** `settle` gave up: controllers were still changing objects after `maxSteps` passes. */
export interface NotSettled {
  readonly reason: 'NotSettled'
  readonly message: string
  readonly steps: number
  /** The state reached when it gave up. */
  readonly state: ClusterState
}

/** `runUntil` gave up: the predicate did not hold within the time or step budget. */
export interface Timeout {
  readonly reason: 'Timeout'
  readonly message: string
  /** The state reached when it gave up. */
  readonly state: ClusterState
}

/** Budgets for `settle`, and an optional observer of every intermediate state. */
export interface SettleOptions {
  /** Passes of every controller before giving up (default 10,000). */
  readonly maxSteps?: number
  /**
   * Called with the state after every step (also `advance`'s and `runUntil`'s, at every
   * wakeup), so a recorder such as `timelineRecorder` sees each intermediate state. It only
   * reads: the states are immutable and the result is the same with or without it.
   */
  readonly observe?: (state: ClusterState) => void
}

/** Budgets for `runUntil`. */
export interface RunUntilOptions extends SettleOptions {
  /** How much virtual time may pass (default 1 hour): a duration string or ms. */
  readonly timeout?: string | number
}

/** A duration: ms, or a string such as `90s`, `5m`, `1h30m`, `365d`. */
export type Duration = string | number

const DEFAULT_MAX_STEPS = 10_000

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Applies one controller pass's actions in order. They share one write batch: nobody reads the
 * states between them, so the store's collections are updated in place and sealed once at the end.
 */
const applyAll = (state: ClusterState, actions: ReadonlyArray<Action>): { state: ClusterState; applied: number; failed: number } => {
  let current: ClusterState = { ...state, objects: beginBatch(state.objects) }
  let applied = 0
  let failed = 0
  for (const action of actions) {
    const result = applyAction(current, action)
    if (E.isRight(result)) {
      current = result.right.state
      applied++
    } else {
      current = recordFailure(current, action, result.left)
      failed++
    }
  }
  return { state: { ...current, objects: endBatch(state.objects, current.objects) }, applied, failed }
}

/**
 * Runs every controller once against the current state, applying each one's actions before
 * the next runs. Returns the same state reference when no controller had anything to do.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, step } from 'kubesim'
 * const s = createCluster()
 * expect(step(s).state).toBe(s)
 * ```
 */
export const step = (state: ClusterState): StepResult => {
  let current = state
  let applied = 0
  let failed = 0
  for (const controller of state.config.controllers) {
    const actions = reconcileUnlessQuiet(controller, current)
    if (actions.length === 0) continue
    const result = applyAll(current, actions)
    // Each pass that acted consumes one draw, so the next pass of any controller sees a new stream.
    current = { ...result.state, rng: nextUint32(result.state.rng)[1] }
    applied += result.applied
    failed += result.failed
  }
  // Only object changes count as progress: a controller updating its memory (or retrying a
  // refused write) at the same time does not keep `settle` going.
  const changed = current.objects !== state.objects
  if (!changed && failed === 0 && current.memory === state.memory) return { state, applied, failed, changed }
  return { state: current, applied, failed, changed }
}

/**
 * Steps until no controller changes any object at the current virtual time.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, settle } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = createCluster()
 * const settled = settle(s)
 * expect(E.isRight(settled) && settled.right).toBe(s)
 * ```
 */
export const settle = (state: ClusterState, options: SettleOptions = {}): E.Either<NotSettled, ClusterState> => {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
  const observe = options.observe
  let current = state
  for (let steps = 0; steps < maxSteps; steps++) {
    const result = step(current)
    current = result.state
    if (observe !== undefined) observe(current)
    if (!result.changed) return E.right(current)
  }
  return E.left({
    reason: 'NotSettled',
    message: `controllers were still changing objects after ${maxSteps} steps at ${new Date(current.now).toISOString()}`,
    steps: maxSteps,
    state: current,
  })
}

/**
 * The earliest time after `now` at which some controller has timed work, if any.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, nextWakeup } from 'kubesim'
 * import * as O from 'fp-ts/lib/Option.js'
 * expect(O.isNone(nextWakeup(createCluster()))).toBe(true)
 * ```
 */
export const nextWakeup = (state: ClusterState): O.Option<number> => {
  let earliest: number | undefined
  for (const controller of state.config.controllers) {
    const wake = nextWakeupUnlessQuiet(controller, state)
    if (O.isSome(wake) && wake.value > state.now && (earliest === undefined || wake.value < earliest)) earliest = wake.value
  }
  return earliest === undefined ? O.none : O.some(earliest)
}

const settleOrLast = (state: ClusterState, options: SettleOptions): E.Either<NotSettled, ClusterState> => settle(state, options)

const toMs = (duration: Duration): E.Either<string, number> => parseDuration(duration)

/**
 * Advances virtual time by a duration, visiting every controller wakeup in order and settling
 * at each. Returns Left when the duration is malformed or the controllers never settle.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, advance } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = createCluster({ now: '2025-01-01T00:00:00Z' })
 * const later = advance(s, '90s')
 * expect(E.isRight(later) && later.right.now).toBe(Date.UTC(2025, 0, 1, 0, 1, 30))
 * ```
 */
export const advance = (
  state: ClusterState,
  duration: Duration,
  options: SettleOptions = {},
): E.Either<NotSettled | Timeout, ClusterState> => {
  const ms = toMs(duration)
  if (E.isLeft(ms)) return E.left({ reason: 'Timeout', message: ms.left, state })
  const target = state.now + ms.right
  return runTo(state, target, () => false, options)
}

const runTo = (
  state: ClusterState,
  target: number,
  done: (s: ClusterState) => boolean,
  options: SettleOptions,
): E.Either<NotSettled | Timeout, ClusterState> => {
  let settled = settleOrLast(state, options)
  if (E.isLeft(settled)) return settled
  let current = settled.right
  while (!done(current)) {
    const wake = nextWakeup(current)
    if (O.isNone(wake) || wake.value > target) break
    settled = settleOrLast({ ...current, now: wake.value }, options)
    if (E.isLeft(settled)) return settled
    current = settled.right
  }
  if (done(current)) return E.right(current)
  if (current.now === target) return E.right(current)
  settled = settleOrLast({ ...current, now: target }, options)
  return settled
}

/**
 * Runs the simulation until a predicate holds, checking after each settle. Left with the
 * state reached when the predicate still fails after `timeout` of virtual time.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, runUntil } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = createCluster()
 * expect(E.isRight(runUntil(s, (x) => x.now >= s.now))).toBe(true)
 * const never = runUntil(s, () => false, { timeout: '1m' })
 * expect(E.isLeft(never) && never.left.reason).toBe('Timeout')
 * ```
 */
export const runUntil = (
  state: ClusterState,
  predicate: (state: ClusterState) => boolean,
  options: RunUntilOptions = {},
): E.Either<NotSettled | Timeout, ClusterState> => {
  const ms = toMs(options.timeout ?? '1h')
  if (E.isLeft(ms)) return E.left({ reason: 'Timeout', message: ms.left, state })
  const target = state.now + ms.right
  const result = runTo(state, target, predicate, options)
  if (E.isLeft(result)) return result
  return predicate(result.right)
    ? result
    : E.left({ reason: 'Timeout', message: `condition not met within ${String(options.timeout ?? '1h')} of virtual time`, state: result.right })
}
