import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { applyAction, type ClusterState, createCluster, get, type KubeObject, remove, settle } from '../../src/index.js'
import { right } from '../helpers.js'

const cm = (name: string, owners: ReadonlyArray<KubeObject> = [], blocking = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'default',
    ...(owners.length === 0
      ? {}
      : {
          ownerReferences: owners.map((o, i) => ({
            apiVersion: o.apiVersion,
            kind: o.kind,
            name: o.metadata.name,
            uid: o.metadata.uid ?? '',
            ...(i === 0 ? { controller: true } : {}),
            ...(blocking ? { blockOwnerDeletion: true } : {}),
          })),
        }),
  },
})

const create = (s: ClusterState, object: KubeObject): [ClusterState, KubeObject] => {
  const applied = right(applyAction(s, { type: 'create', object, by: 'user' }))
  return [applied.state, applied.object as KubeObject]
}

const exists = (s: ClusterState, name: string) => O.isSome(get(s, 'ConfigMap', 'default', name))

const ownerAndChild = (blocking = false) => {
  let s = createCluster()
  let owner: KubeObject
  ;[s, owner] = create(s, cm('owner'))
  ;[s] = create(s, cm('child', [owner], blocking))
  ;[s] = create(s, cm('bystander'))
  return { s, owner }
}

describe('garbage collector', () => {
  it('Background: the owner goes at once and the dependents follow', () => {
    const { s } = ownerAndChild()
    const deleted = right(remove(s, { kind: 'ConfigMap', namespace: 'default', name: 'owner' }, { propagation: 'Background' }))
    expect(exists(deleted, 'owner')).toBe(false)
    expect(exists(deleted, 'child')).toBe(true)
    const settled = right(settle(deleted))
    expect(exists(settled, 'child')).toBe(false)
    expect(exists(settled, 'bystander')).toBe(true)
  })

  it('Foreground: the owner stays, marked, until blocking dependents are gone', () => {
    const { s } = ownerAndChild(true)
    const deleting = right(remove(s, { kind: 'ConfigMap', namespace: 'default', name: 'owner' }, { propagation: 'Foreground' }))
    const marked = get(deleting, 'ConfigMap', 'default', 'owner')
    expect(O.isSome(marked) && marked.value.metadata.finalizers).toEqual(['foregroundDeletion'])
    expect(O.isSome(marked) && marked.value.metadata.deletionTimestamp).toBeTruthy()
    const settled = right(settle(deleting))
    expect(exists(settled, 'child')).toBe(false)
    expect(exists(settled, 'owner')).toBe(false)
    expect(exists(settled, 'bystander')).toBe(true)
  })

  it('a second delete request swaps the propagation finalizers: Foreground then Orphan keeps the dependents', () => {
    const { s } = ownerAndChild(true)
    const ref = { kind: 'ConfigMap', namespace: 'default', name: 'owner' }
    const foreground = right(remove(s, ref, { propagation: 'Foreground' }))
    const orphan = right(remove(foreground, ref, { propagation: 'Orphan' }))
    const marked = get(orphan, 'ConfigMap', 'default', 'owner')
    expect(O.isSome(marked) && marked.value.metadata.finalizers).toEqual(['orphan'])
    const settled = right(settle(orphan))
    expect(exists(settled, 'owner')).toBe(false)
    const child = get(settled, 'ConfigMap', 'default', 'child')
    expect(O.isSome(child) && child.value.metadata.ownerReferences).toBeUndefined()
    // Background drops both: with no other finalizer the owner goes at once.
    const background = right(remove(foreground, ref, { propagation: 'Background' }))
    expect(exists(background, 'owner')).toBe(false)
    // No policy on the second request: nothing changes.
    expect(right(remove(foreground, ref))).toBe(foreground)
  })

  it('Orphan: dependents survive without the owner reference', () => {
    const { s } = ownerAndChild()
    const settled = right(settle(right(remove(s, { kind: 'ConfigMap', namespace: 'default', name: 'owner' }, { propagation: 'Orphan' }))))
    expect(exists(settled, 'owner')).toBe(false)
    const child = get(settled, 'ConfigMap', 'default', 'child')
    expect(O.isSome(child) && child.value.metadata.ownerReferences).toBeUndefined()
  })

  it('deletes dependents whose owner never existed (dangling references)', () => {
    let s = createCluster()
    ;[s] = create(s, cm('orphaned', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', uid: 'no-such-uid' } }]))
    expect(exists(right(settle(s)), 'orphaned')).toBe(false)
  })

  it('keeps a dependent with a live owner and strips only the dead reference', () => {
    let s = createCluster()
    let alive: KubeObject
    ;[s, alive] = create(s, cm('alive'))
    ;[s] = create(s, cm('child', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', uid: 'dead' } }, alive]))
    const settled = right(settle(s))
    const child = get(settled, 'ConfigMap', 'default', 'child')
    expect(O.isSome(child) && child.value.metadata.ownerReferences?.map((r) => r.name)).toEqual(['alive'])
  })

  it('cascades through several levels', () => {
    let s = createCluster()
    let a: KubeObject
    let b: KubeObject
    ;[s, a] = create(s, cm('a'))
    ;[s, b] = create(s, cm('b', [a]))
    ;[s] = create(s, cm('c', [b]))
    const settled = right(settle(right(remove(s, { kind: 'ConfigMap', namespace: 'default', name: 'a' }))))
    expect(['a', 'b', 'c'].map((n) => exists(settled, n))).toEqual([false, false, false])
  })

  it('defaults Job deletion to Orphan with the API server warning', () => {
    // Job's codec is simulated, so use a minimal valid Job.
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    }
    let s = createCluster()
    let created: KubeObject
    ;[s, created] = create(s, job as unknown as KubeObject)
    ;[s] = create(s, cm('child', [created]))
    const applied = right(applyAction(s, { type: 'delete', ref: { kind: 'Job', namespace: 'default', name: 'once' }, by: 'user' }))
    expect(applied.warnings[0]).toContain('child pods are preserved by default when jobs are deleted')
    const settled = right(settle(applied.state))
    expect(O.isNone(get(settled, 'Job', 'default', 'once'))).toBe(true)
    expect(exists(settled, 'child')).toBe(true)
  })
})

describe('namespace lifecycle', () => {
  it('deleting a namespace terminates and removes its contents, then the namespace', () => {
    let s = createCluster()
    ;[s] = create(s, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })
    ;[s] = create(s, { ...cm('x'), metadata: { name: 'x', namespace: 'shop' } })
    const deleting = right(remove(s, { kind: 'Namespace', name: 'shop' }))
    const ns = get(deleting, 'Namespace', undefined, 'shop')
    expect(O.isSome(ns) && (ns.value['status'] as { phase?: string }).phase).toBe('Terminating')
    const blocked = applyAction(deleting, { type: 'create', object: { ...cm('y'), metadata: { name: 'y', namespace: 'shop' } }, by: 'user' })
    expect(blocked._tag === 'Left' && blocked.left.message).toBe(
      'configmaps "y" is forbidden: unable to create new content in namespace shop because it is being terminated',
    )
    const settled = right(settle(deleting))
    expect(O.isNone(get(settled, 'Namespace', undefined, 'shop'))).toBe(true)
    expect(O.isNone(get(settled, 'ConfigMap', 'shop', 'x'))).toBe(true)
  })
})
