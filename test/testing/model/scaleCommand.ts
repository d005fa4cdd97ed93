import type fc from 'fast-check'
import { scale } from '../../../src/store/api.js'
import { checkConverged, type Model, NAMESPACE, type Real, right } from './model.js'

/** `kubectl scale deployment`: only for a Deployment that exists. */
export class ScaleCommand implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly replicas: number,
  ) {}
  check = (model: Readonly<Model>): boolean => model.deployments.has(this.name)
  run(model: Model, real: Real): void {
    real.state = right(scale(real.state, { kind: 'Deployment', namespace: NAMESPACE, name: this.name }, this.replicas), this.toString())
    const current = model.deployments.get(this.name)
    if (current !== undefined) model.deployments.set(this.name, { ...current, replicas: this.replicas })
    checkConverged(model, real)
  }
  toString = (): string => `scale(${this.name}, ${this.replicas})`
}
