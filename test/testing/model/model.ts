/**
 * The model of the Deployment model-based suite: per Deployment only the desired replica count
 * and image, plus which nodes are down. It predicts what the cluster converges to (that many
 * running, ready pods of that image, none on a down node) and nothing about how it gets there,
 * so it stays far simpler than the controllers it checks.
 */
import * as E from 'fp-ts/lib/Either.js'
import { expect } from 'vitest'
import type { KubeObject } from '../../../src/objects/object.js'
import { advance } from '../../../src/sim/engine.js'
import { listObjects } from '../../../src/store/objectStore.js'
import type { ClusterState } from '../../../src/store/state.js'
import { advanceChecked } from '../../../src/testing/checked.js'
import { formatViolation } from '../../../src/testing/invariants.js'
import { ALL_INVARIANTS } from '../../../src/testing/workloadInvariants.js'

export const NAMESPACE = 'default'
export const NODES = ['node-1', 'node-2', 'node-3']
export const NAMES = ['web', 'api']
export const IMAGES = ['nginx:1.26', 'nginx:1.27', 'busybox:1.36']

export interface DeploymentModel {
  readonly replicas: number
  readonly image: string
}

export interface Model {
  deployments: Map<string, DeploymentModel>
  down: Set<string>
}

export interface Real {
  state: ClusterState
}

export const deploymentManifest = (name: string, replicas: number, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
  },
})

export const right = <A>(result: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(result)) throw new Error(`${what}: ${JSON.stringify(result.left, (k, v: unknown) => (k === 'state' || k === 'previous' ? undefined : v))}`)
  return result.right
}

/** Advances with every invariant checked after every step. */
export const advanceInvariantChecked = (state: ClusterState, duration: string): ClusterState => {
  const run = advanceChecked(state, duration, { invariants: ALL_INVARIANTS })
  if (E.isLeft(run)) throw new Error(`${run.left.message}\n${run.left.violations.map(formatViolation).join('\n')}`)
  return run.right
}

const isTerminating = (pod: KubeObject): boolean => pod.metadata.deletionTimestamp !== undefined

export const livePods = (state: ClusterState, app: string): KubeObject[] =>
  listObjects(state.objects, 'Pod', { namespace: NAMESPACE }).filter((p) => p.metadata.labels?.['app'] === app && !isTerminating(p))

const isReady = (pod: KubeObject): boolean =>
  (pod['status'] as { conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/**
 * Long enough for anything the model predicts: a dead node's pods are evicted after the 40 s
 * node grace period plus the 300 s default not-ready toleration, then replaced and started.
 */
export const CONVERGENCE = '10m'

/** Lets a copy of the system converge and checks it against the model. */
export const checkConverged = (model: Model, real: Real): void => {
  // A handful of passes settle any instant of these small clusters; a controller still acting
  // after 200 is livelocked, and saying so early keeps the suite fast.
  const state = right(advance(real.state, CONVERGENCE, { maxSteps: 200 }), 'converge')
  for (const [name, want] of model.deployments) {
    const pods = livePods(state, name)
    const summary = pods.map((p) => `${p.metadata.name}@${String((p['spec'] as { nodeName?: string }).nodeName)}`)
    expect(pods.length, `${name} pods ${summary.join(', ')}`).toBe(want.replicas)
    for (const pod of pods) {
      const spec = pod['spec'] as { nodeName?: string; containers: ReadonlyArray<{ image: string }> }
      expect(spec.containers[0]?.image, `${pod.metadata.name} image`).toBe(want.image)
      expect(model.down.has(spec.nodeName ?? ''), `${pod.metadata.name} on down node ${spec.nodeName}`).toBe(false)
      expect(isReady(pod), `${pod.metadata.name} ready`).toBe(true)
    }
    const deployment = listObjects(state.objects, 'Deployment', { namespace: NAMESPACE }).find((d) => d.metadata.name === name)
    // Counts are omitempty in the API, so a zero count is an absent field.
    const status = (deployment?.['status'] ?? {}) as Record<string, number | undefined>
    const counts = { replicas: status['replicas'] ?? 0, updatedReplicas: status['updatedReplicas'] ?? 0, availableReplicas: status['availableReplicas'] ?? 0 }
    expect(counts, `${name} status`).toEqual({ replicas: want.replicas, updatedReplicas: want.replicas, availableReplicas: want.replicas })
  }
}
