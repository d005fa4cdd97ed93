import type fc from 'fast-check'
import { advanceInvariantChecked, checkConverged, type Model, type Real } from './model.js'

/** Virtual time passes, with every invariant checked after every engine step. */
export class AdvanceCommand implements fc.Command<Model, Real> {
  constructor(readonly seconds: number) {}
  check = (): boolean => true
  run(model: Model, real: Real): void {
    real.state = advanceInvariantChecked(real.state, `${this.seconds}s`)
    checkConverged(model, real)
  }
  toString = (): string => `advance(${this.seconds}s)`
}
