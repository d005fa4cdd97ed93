import type fc from 'fast-check'
import { failNode } from '../../../src/sim/faults.js'
import { checkConverged, type Model, NODES, type Real, right } from './model.js'

/** A node's kubelet stops; at least one node always stays up, so the model stays satisfiable. */
export class FailNodeCommand implements fc.Command<Model, Real> {
  constructor(readonly node: string) {}
  check = (model: Readonly<Model>): boolean => !model.down.has(this.node) && model.down.size < NODES.length - 1
  run(model: Model, real: Real): void {
    real.state = right(failNode(real.state, this.node), this.toString())
    model.down.add(this.node)
    checkConverged(model, real)
  }
  toString = (): string => `failNode(${this.node})`
}
