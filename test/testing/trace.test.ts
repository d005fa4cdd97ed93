import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { step } from '../../src/sim/engine.js'
import { traceEntries } from '../../src/sim/trace.js'
import { applyManifests, remove } from '../../src/store/api.js'
import { createCluster } from '../../src/store/cluster.js'
import type { ClusterState } from '../../src/store/state.js'
import { diffObjects, diffStates, explainAction, explainStep, formatExplanation, replay, type ReplayInput } from '../../src/testing/trace.js'

const deployment = (name: string, replicas: number, image = 'nginx:1.27') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
})

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

describe('diffStates', () => {
  it('reports added, removed and changed objects with field paths', () => {
    const a = right(applyManifests(createCluster(), [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'default' }, data: { x: '1' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: 'default' } }]))
    const b = right(applyManifests(a, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'default' }, data: { x: '2', y: '3' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'new', namespace: 'default' }, stringData: { p: 'q' } }]))
    const removed = right(remove(b, { kind: 'ConfigMap', namespace: 'default', name: 'gone' }))
    const diff = diffStates(a, removed, { ignore: ['metadata.resourceVersion', 'metadata.managedFields', 'metadata.annotations', 'metadata.generation'] })
    expect(diff.map((d) => [d.change, d.object])).toEqual([
      ['removed', 'ConfigMap default/gone'],
      ['changed', 'ConfigMap default/keep'],
      ['added', 'Secret default/new'],
    ])
    expect(diff[1]?.fields).toEqual([
      { path: 'data.x', before: '1', after: '2' },
      { path: 'data.y', after: '3' },
    ])
    expect(diffStates(removed, a).map((d) => [d.change, d.object])).toContainEqual(['removed', 'Secret default/new'])
    expect(diffStates(a, a)).toEqual([])
  })

  it('a diff with no ignored fields is empty exactly when the states hold equal objects', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (x, y) => {
        const s = right(applyManifests(createCluster({ nodes: 1 }), deployment('web', x)))
        const t = right(applyManifests(s, deployment('web', y)))
        const changed = diffStates(s, t).find((d) => d.object === 'Deployment default/web')
        expect(changed?.fields.some((f) => f.path === 'spec.replicas') ?? false).toBe(x !== y)
      }),
      { numRuns: 16 },
    )
  })

  it('diffObjects walks arrays by index', () => {
    expect(diffObjects({ a: [1, 2] }, { a: [1, 3, 4] })).toEqual([
      { path: 'a[1]', before: 2, after: 3 },
      { path: 'a[2]', after: 4 },
    ])
  })
})

describe('replay', () => {
  const inputs: ReadonlyArray<ReplayInput> = [
    { apply: deployment('web', 3) },
    { advance: '20s' },
    { scale: { kind: 'Deployment', namespace: 'default', name: 'web' }, replicas: 1 },
    { failNode: 'node-1' },
    { advance: '2m' },
    { recoverNode: 'node-1' },
    { advance: '30s' },
  ]

  it('the same seed and inputs give the identical trace and objects', () => {
    const a = right(replay({ cluster: { nodes: 2 }, inputs }, 11))
    const b = right(replay({ cluster: { nodes: 2 }, inputs }, 11))
    expect(traceEntries(b)).toEqual(traceEntries(a))
    expect(diffStates(a, b)).toEqual([])
    expect(b.now).toBe(a.now)
  })

  it('reproduces a run made by hand with the same seed', () => {
    const byHand = (seed: number): ClusterState => {
      let s = createCluster({ nodes: 2, seed })
      s = right(applyManifests(s, deployment('web', 2)))
      return s
    }
    const replayed = right(replay({ cluster: { nodes: 2 }, inputs: [{ apply: deployment('web', 2) }] }, 5))
    expect(traceEntries(replayed)).toEqual(traceEntries(byHand(5)))
  })

  it('different seeds can give different pod names', () => {
    const names = (seed: number) => [...right(replay({ cluster: { nodes: 1 }, inputs: inputs.slice(0, 2) }, seed)).objects.kinds.get('Pod')?.keys() ?? []]
    expect(names(1)).not.toEqual(names(2))
  })

  it('reports the failing input', () => {
    const failed = replay({ inputs: [{ advance: '1s' }, { failNode: 'nope' }] }, 0)
    expect(E.isLeft(failed) && failed.left.index).toBe(1)
    expect(E.isLeft(failed) && failed.left.message).toMatch(/nope/)
  })
})

describe('explain', () => {
  it('explains a ReplicaSet creating pods from its desired and observed counts', () => {
    const s = right(applyManifests(createCluster({ nodes: 1 }), deployment('web', 2)))
    // Step 1: the Deployment controller creates the ReplicaSet.
    const first = explainStep(s)
    const rsCreate = first.find((x) => x.controller === 'deployment-controller' && x.actionType === 'create')
    expect(rsCreate?.object).toMatch(/^ReplicaSet default\/web-/)
    expect(rsCreate?.facts.join('\n')).toMatch(/owner Deployment default\/web \(spec\.replicas=2/)
    // The ReplicaSet controller runs after it in the same step and creates the pods.
    const podCreates = first.filter((x) => x.controller === 'replicaset-controller' && x.actionType === 'create')
    expect(podCreates.length).toBe(2)
    expect(podCreates[0]?.facts).toContain('the owner had 0 Pod(s)')
    expect(podCreates[0]?.object).toMatch(/^Pod default\/web-/)
    expect(formatExplanation(podCreates[0]!)).toMatch(/^replicaset-controller: create Pod default\/web-.* \(ok\)\n {2}- owner ReplicaSet/)
  })

  it('explainStep runs the same step as the engine', () => {
    const s = right(applyManifests(createCluster({ nodes: 2 }), deployment('web', 3)))
    let current = s
    for (let i = 0; i < 6; i++) {
      const after = step(current).state
      const entries = traceEntries(after).slice(traceEntries(current).length)
      const explained = explainStep(current)
      expect(explained.map((x) => [x.controller, x.actionType, x.result])).toEqual(entries.filter((e) => e.op !== 'warning').map((e) => [e.by, e.op, e.result]))
      current = after
    }
  })

  it('explains steps of clusters that keep no trace', () => {
    const s = right(applyManifests(createCluster({ nodes: 1, traceRetention: 'none' }), deployment('web', 1)))
    const objects = explainStep(s).map((x) => x.object)
    expect(objects.some((o) => /^Pod default\/web-[a-z0-9]+-[a-z0-9]{5}$/.test(o))).toBe(true)
    expect(traceEntries(s)).toEqual([])
  })

  it('explainAction finds the scheduler binding and the node it saw', () => {
    const s = right(applyManifests(createCluster({ nodes: 1 }), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '500m' } } }] } }))
    const entry = traceEntries(step(s).state).find((e) => e.op === 'bind')
    expect(entry).toBeDefined()
    const why = explainAction(s, entry!)
    expect(O.isSome(why)).toBe(true)
    if (O.isSome(why)) {
      expect(why.value.controller).toBe('default-scheduler')
      expect(why.value.facts.join('\n')).toMatch(/node node-1: Ready=True/)
      expect(why.value.facts.join('\n')).toMatch(/500m/)
    }
    // A user's write is not any controller's doing.
    const userEntry = traceEntries(s).at(-1)!
    expect(O.isNone(explainAction(s, userEntry))).toBe(true)
  })
})
