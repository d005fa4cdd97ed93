/**
 * Checked mode: advance a cluster one engine step at a time and check invariants after every
 * step, stopping at the first step that breaks one. The result is the same state `advance`
 * reaches (the same steps in the same order); only the checking is added.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { parseDuration } from '../objects/duration.js'
import { type Duration, nextWakeup, step } from '../sim/engine.js'
import type { ClusterState } from '../store/state.js'
import { CORE_INVARIANTS, checkInvariants, type Invariant, type Violation } from './invariants.js'

/** Why a checked run stopped early. */
export interface CheckedFailure {
  readonly reason: 'InvariantViolated' | 'NotSettled' | 'BadDuration'
  readonly message: string
  readonly violations: ReadonlyArray<Violation>
  /** The state before the failing step, and after it. */
  readonly previous: ClusterState
  readonly state: ClusterState
  /** Engine steps taken, including the failing one. */
  readonly steps: number
}

/** Options for `advanceChecked`. */
export interface CheckedOptions {
  readonly invariants?: ReadonlyArray<Invariant>
  /** Steps at one instant before giving up as not settling (default 10,000, as `settle`). */
  readonly maxStepsPerInstant?: number
}

/**
 * Advances virtual time like `advance`, checking every invariant after every step.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests } from 'kubesim'
 * import { advanceChecked } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const pods = [1, 2, 3].map((i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1500m' } } }] } }))
 * const s = applyManifests(createCluster({ nodes: 2 }), pods)
 * const run = E.isRight(s) ? advanceChecked(s.right, '1m') : s
 * expect(E.isRight(run)).toBe(true)
 * ```
 */
export const advanceChecked = (state: ClusterState, duration: Duration, options: CheckedOptions = {}): E.Either<CheckedFailure, ClusterState> => {
  const invariants = options.invariants ?? CORE_INVARIANTS
  const maxSteps = options.maxStepsPerInstant ?? 10_000
  const ms = parseDuration(duration)
  if (E.isLeft(ms)) return E.left({ reason: 'BadDuration', message: ms.left, violations: [], previous: state, state, steps: 0 })
  const target = state.now + ms.right
  let current = state
  let steps = 0
  let atInstant = 0
  for (;;) {
    const result = step(current)
    if (result.state !== current) {
      steps++
      atInstant++
      const violations = checkInvariants(result.state, current, invariants)
      if (violations.length > 0)
        return E.left({ reason: 'InvariantViolated', message: `${violations.length} invariant violation(s) at step ${steps}`, violations, previous: current, state: result.state, steps })
      if (atInstant > maxSteps)
        return E.left({ reason: 'NotSettled', message: `did not settle within ${maxSteps} steps`, violations: [], previous: current, state: result.state, steps })
      current = result.state
      // As `settle`: only object changes keep the instant going.
      if (result.changed) continue
    }
    const wake = nextWakeup(current)
    const next = O.isSome(wake) && wake.value <= target ? wake.value : target
    if (next <= current.now) return E.right(current)
    current = { ...current, now: next }
    atInstant = 0
  }
}
