import type fc from 'fast-check'
import { killPod } from '../../../src/sim/faults.js'
import { checkConverged, livePods, type Model, NAMESPACE, type Real, right } from './model.js'

/** A container of one of a Deployment's pods dies (exit 137); the model does not change. */
export class KillPodCommand implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly index: number,
  ) {}
  check = (model: Readonly<Model>): boolean => model.deployments.has(this.name)
  run(model: Model, real: Real): void {
    // Only pods with a running container whose kubelet is up: killPod refuses a pod on a failed
    // node (its kubelet is stopped; its pods may still show Running until it is marked
    // unreachable) and a pod whose containers were just killed (still Running, restarting).
    const pods = livePods(real.state, this.name).filter((p) => {
      const status = p['status'] as { phase?: string; containerStatuses?: ReadonlyArray<{ state?: { running?: unknown } }> } | undefined
      return (
        (status?.phase ?? 'Pending') === 'Running' &&
        (status?.containerStatuses ?? []).some((c) => c.state?.running !== undefined) &&
        !model.down.has((p['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '')
      )
    })
    const pod = pods[this.index % Math.max(1, pods.length)]
    if (pod !== undefined) real.state = right(killPod(real.state, { namespace: NAMESPACE, name: pod.metadata.name }), this.toString())
    checkConverged(model, real)
  }
  toString = (): string => `killPod(${this.name}, #${this.index})`
}
