import type fc from 'fast-check'
import { produce } from 'immer'
import * as O from 'fp-ts/lib/Option.js'
import { apply, get } from '../../../src/store/api.js'
import { checkConverged, type Model, NAMESPACE, type Real, right } from './model.js'

/** `kubectl set image`: edits the stored Deployment's template, starting a rollout. */
export class SetImageCommand implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly image: string,
  ) {}
  check = (model: Readonly<Model>): boolean => model.deployments.has(this.name)
  run(model: Model, real: Real): void {
    const stored = get(real.state, 'Deployment', NAMESPACE, this.name)
    if (O.isNone(stored)) throw new Error(`${this.toString()}: the Deployment is missing`)
    const edited = produce(stored.value, (d) => {
      ;(d as unknown as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0]!.image = this.image
    })
    real.state = right(apply(real.state, edited), this.toString())
    const current = model.deployments.get(this.name)
    if (current !== undefined) model.deployments.set(this.name, { ...current, image: this.image })
    checkConverged(model, real)
  }
  toString = (): string => `setImage(${this.name}, ${this.image})`
}
