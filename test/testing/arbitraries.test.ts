import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { applyManifests } from '../../src/store/api.js'
import { createCluster } from '../../src/store/cluster.js'
import { list } from '../../src/store/api.js'
import type { KubeObject } from '../../src/objects/object.js'
import {
  applicationManifests,
  behaviourAnnotations,
  cronJobManifest,
  cpuQuantity,
  daemonSetManifest,
  deploymentWithStrategy,
  ingressManifest,
  jobWithPolicies,
  memoryQuantity,
  nodeOptionsList,
  podManifest,
  replicaSetManifest,
  secretManifest,
  serviceOfAnyType,
  statefulSetManifest,
} from '../../src/testing/arbitraries/kinds.js'
import { configMapManifest, deploymentManifest, jobManifest, manifestSet, serviceManifest } from '../../src/testing/arbitraries.js'
import { parseQuantity } from '../../src/objects/quantity.js'
import { formatApiError } from '../../src/validation/apiError.js'

// One cluster for every sample: applyManifests is pure, so each sample starts from the same state.
const base = createCluster({ nodes: 1 })

const accepts = (objects: ReadonlyArray<KubeObject>): void => {
  const result = applyManifests(base, objects)
  if (E.isLeft(result)) throw new Error(`${result.left.map(formatApiError).join('\n')}\n${JSON.stringify(objects, null, 1)}`)
}

const perKind: ReadonlyArray<readonly [string, fc.Arbitrary<KubeObject>]> = [
  ['pod', podManifest('default')],
  ['deployment', deploymentWithStrategy('default')],
  ['replicaset', replicaSetManifest('default')],
  ['statefulset', statefulSetManifest('default')],
  ['daemonset', daemonSetManifest('default')],
  ['job', jobWithPolicies('default')],
  ['cronjob', cronJobManifest('default')],
  ['service', serviceOfAnyType('default')],
  ['ingress', ingressManifest('default')],
  ['secret', secretManifest('default')],
  ['configmap', configMapManifest('default')],
  ['simple deployment', deploymentManifest('default')],
  ['simple service', serviceManifest('default')],
  ['simple job', jobManifest('default')],
]

describe('every arbitrary produces values the codecs and validation accept', () => {
  for (const [name, arb] of perKind)
    it(name, () => {
      fc.assert(fc.property(arb, (object) => accepts([object])), { numRuns: 60, seed: 42 })
    })

  it('manifest sets', () => {
    fc.assert(fc.property(manifestSet('default'), accepts), { numRuns: 40, seed: 42 })
  })

  it('application manifests (a namespace, workloads of every kind, their Services)', () => {
    fc.assert(fc.property(applicationManifests(), accepts), { numRuns: 40, seed: 42 })
  })

  it('application Services select their workloads', () => {
    fc.assert(
      fc.property(applicationManifests(), (objects) => {
        for (const svc of objects.filter((o) => o.kind === 'Service')) {
          const selector = (svc['spec'] as { selector?: Record<string, string> }).selector
          if (selector === undefined) continue
          const workload = objects.find((o) => o.kind !== 'Service' && o.metadata.name === svc.metadata.name)
          const labels = (workload?.['spec'] as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels
          expect(labels).toMatchObject(selector)
        }
      }),
      { numRuns: 30, seed: 7 },
    )
  })

  it('quantities parse', () => {
    fc.assert(fc.property(cpuQuantity(), memoryQuantity(), (cpu, mem) => E.isRight(parseQuantity(cpu)) && E.isRight(parseQuantity(mem))), { numRuns: 200, seed: 1 })
  })

  it('behaviour annotations are accepted on pods', () => {
    fc.assert(
      fc.property(behaviourAnnotations({ terminating: true }), behaviourAnnotations(), (a, b) =>
        accepts([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', annotations: { ...a, ...b } }, spec: { containers: [{ name: 'c', image: 'x' }] } }]),
      ),
      { numRuns: 30, seed: 1 },
    )
  })

  it('node specs create clusters with those nodes', () => {
    fc.assert(
      fc.property(nodeOptionsList({ maxNodes: 5 }), (nodes) => {
        const state = createCluster({ nodes })
        expect(list(state, 'Node').map((n) => n.metadata.name)).toEqual(nodes.map((n) => n.name))
      }),
      { numRuns: 30, seed: 1 },
    )
  })
})
