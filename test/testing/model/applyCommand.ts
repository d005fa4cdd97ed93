import type fc from 'fast-check'
import { applyManifests } from '../../../src/store/api.js'
import { checkConverged, deploymentManifest, type Model, type Real, right } from './model.js'

/** `kubectl apply` of a Deployment: creates it, or replaces its replicas and image. */
export class ApplyCommand implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly replicas: number,
    readonly image: string,
  ) {}
  check = (): boolean => true
  run(model: Model, real: Real): void {
    real.state = right(applyManifests(real.state, deploymentManifest(this.name, this.replicas, this.image)), this.toString())
    model.deployments.set(this.name, { replicas: this.replicas, image: this.image })
    checkConverged(model, real)
  }
  toString = (): string => `apply(${this.name}, ${this.replicas}, ${this.image})`
}
