import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { type Action, advance, applyAction, applyManifests, type ClusterState, createCluster, get, type KubeObject, list, remove, scale, settle, statefulSetController } from '../../src/index.js'
import { right } from '../helpers.js'

const T0 = Date.UTC(2025, 0, 1)
const REF = { kind: 'StatefulSet', namespace: 'default', name: 'web' }

const web: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
  },
}

const names = (s: ClusterState, kind: string) => list(s, kind, { namespace: 'default' }).map((o) => o.metadata.name)
const revisionWrites = (actions: ReadonlyArray<Action>) =>
  actions.filter((a) => (a.type === 'create' || a.type === 'update') && a.object.kind === 'ControllerRevision')
const running = (): ClusterState => right(advance(right(applyManifests(createCluster({ now: T0, nodes: 2, seed: 1 }), [web])), '30s'))

describe('StatefulSet deletion', () => {
  it('a Foreground delete settles: pods, revisions and then the set go (no revision re-created every pass)', () => {
    const s0 = running()
    expect(names(s0, 'Pod')).toEqual(['web-0', 'web-1'])
    const deleting = right(remove(s0, REF, { propagation: 'Foreground' }))
    // Before the fix this instant never settled: the controller re-created the revision the
    // garbage collector had just collected.
    const settled = right(settle(deleting))
    expect(names(settled, 'ControllerRevision')).toEqual([])
    const later = right(advance(settled, '1m'))
    expect(names(later, 'Pod')).toEqual([])
    expect(O.isNone(get(later, 'StatefulSet', 'default', 'web'))).toBe(true)
  })

  it('a set being deleted writes no ControllerRevision, though it would re-create a missing one otherwise', () => {
    const s0 = running()
    const [revision] = names(s0, 'ControllerRevision')
    const withoutRevision = (s: ClusterState): ClusterState =>
      right(applyAction(s, { type: 'delete', by: 'user', ref: { kind: 'ControllerRevision', namespace: 'default', name: revision ?? '' } })).state
    expect(revisionWrites(statefulSetController.reconcile(withoutRevision(s0)))).toHaveLength(1)
    const deleting = withoutRevision(right(remove(s0, REF, { propagation: 'Foreground' })))
    expect(revisionWrites(statefulSetController.reconcile(deleting))).toEqual([])
  })

  it('Foreground, then an Orphan delete request, then a scale: settles, the set is gone and its dependents are orphaned', () => {
    let s = running()
    s = right(remove(s, REF, { propagation: 'Foreground' }))
    // The second request swaps foregroundDeletion for orphan, as upstream's API server does.
    s = right(remove(s, REF, { propagation: 'Orphan' }))
    s = right(scale(s, REF, 5))
    s = right(settle(s))
    s = right(advance(s, '2m'))
    expect(O.isNone(get(s, 'StatefulSet', 'default', 'web'))).toBe(true)
    const revisions = list(s, 'ControllerRevision', { namespace: 'default' })
    expect(revisions.length).toBeGreaterThan(0)
    expect(revisions.map((r) => r.metadata.ownerReferences)).toEqual(revisions.map(() => undefined))
  })
})
