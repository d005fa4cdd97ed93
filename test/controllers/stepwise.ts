/** Runs the engine one controller pass at a time, checking an invariant after every pass. */
import * as O from 'fp-ts/lib/Option.js'
import { expect } from 'vitest'
import { type ClusterState, nextWakeup, step } from '../../src/index.js'

export type Check = (s: ClusterState) => void

/** Settles at the current time, step by step, calling `check` after each pass. */
export const settleChecked = (state: ClusterState, check: Check, maxSteps = 2000): ClusterState => {
  let s = state
  for (let i = 0; i < maxSteps; i++) {
    const r = step(s)
    s = r.state
    check(s)
    if (!r.changed) return s
  }
  expect.fail(`did not settle within ${maxSteps} steps`)
}

/** Like `advance`, but checks the invariant after every pass; stops early once `done` holds. */
export const advanceChecked = (state: ClusterState, ms: number, check: Check, done: (s: ClusterState) => boolean = () => false): ClusterState => {
  const target = state.now + ms
  let s = settleChecked(state, check)
  while (!done(s)) {
    const wake = nextWakeup(s)
    if (O.isNone(wake) || wake.value > target) break
    s = settleChecked({ ...s, now: wake.value }, check)
  }
  if (done(s) || s.now === target) return s
  return settleChecked({ ...s, now: target }, check)
}
