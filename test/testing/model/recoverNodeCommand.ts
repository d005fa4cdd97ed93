import type fc from 'fast-check'
import { recoverNode } from '../../../src/sim/faults.js'
import { checkConverged, type Model, type Real, right } from './model.js'

/** A failed node's kubelet comes back. */
export class RecoverNodeCommand implements fc.Command<Model, Real> {
  constructor(readonly node: string) {}
  check = (model: Readonly<Model>): boolean => model.down.has(this.node)
  run(model: Model, real: Real): void {
    real.state = right(recoverNode(real.state, this.node), this.toString())
    model.down.delete(this.node)
    checkConverged(model, real)
  }
  toString = (): string => `recoverNode(${this.node})`
}
