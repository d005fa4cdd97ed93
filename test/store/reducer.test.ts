import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyAction, type ClusterState, createCluster, formatApiError, get, type KubeObject, list, settle, traceEntries } from '../../src/index.js'
import type { Action } from '../../src/controllers/controller.js'
import { recordFailure } from '../../src/store/reducer.js'
import { left, right } from '../helpers.js'
import { rebuildStore } from '../../src/store/objectStore.js'

const cm = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { a: '1' },
  ...extra,
})

const createdObject = (s = createCluster(), object: KubeObject = cm('c')) => {
  const applied = right(applyAction(s, { type: 'create', object, by: 'user' }))
  return { state: applied.state, object: applied.object as KubeObject }
}

describe('create', () => {
  it('stamps uid, resourceVersion, generation and creationTimestamp', () => {
    const s = createCluster({ now: '2025-03-04T05:06:07Z' })
    const { state, object } = createdObject(s)
    expect(object.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(object.metadata.resourceVersion).toBe(String(state.revision))
    expect(state.revision).toBe(s.revision + 1)
    expect(object.metadata.generation).toBe(1)
    expect(object.metadata.creationTimestamp).toBe('2025-03-04T05:06:07Z')
  })

  it('ignores client-set uid, timestamps and deletion fields on create', () => {
    const { object } = createdObject(createCluster(), {
      ...cm('c'),
      metadata: { name: 'c', namespace: 'default', uid: 'mine', creationTimestamp: '2000-01-01T00:00:00Z', deletionTimestamp: '2000-01-01T00:00:00Z' },
    })
    expect(object.metadata.uid).not.toBe('mine')
    expect(object.metadata.creationTimestamp).not.toBe('2000-01-01T00:00:00Z')
    expect(object.metadata.deletionTimestamp).toBeUndefined()
  })

  it('generates names from generateName with the vowel-free alphabet, cutting long prefixes to 58', () => {
    const s = createCluster({ seed: 7 })
    const a = createdObject(s, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'web-', namespace: 'default' } } as unknown as KubeObject)
    expect(a.object.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    const long = 'x'.repeat(70)
    const b = createdObject(s, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: long, namespace: 'default' } } as unknown as KubeObject)
    expect(b.object.metadata.name).toHaveLength(63)
    expect(b.object.metadata.name.startsWith('x'.repeat(58))).toBe(true)
  })

  it('draws generated names and uids from the seed: same seed, same names', () => {
    const gen = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'job-', namespace: 'default' } } as unknown as KubeObject
    const one = createdObject(createCluster({ seed: 1 }), gen).object
    const again = createdObject(createCluster({ seed: 1 }), gen).object
    const other = createdObject(createCluster({ seed: 2 }), gen).object
    expect(one.metadata.name).toBe(again.metadata.name)
    expect(one.metadata.uid).toBe(again.metadata.uid)
    expect(one.metadata.uid).not.toBe(other.metadata.uid)
  })

  it('refuses duplicates with AlreadyExists and leaves the state unchanged', () => {
    const { state } = createdObject()
    const err = left(applyAction(state, { type: 'create', object: cm('c'), by: 'user' }))
    expect(err.reason).toBe('AlreadyExists')
    expect(err.message).toBe('configmaps "c" already exists')
  })

  it('refuses objects in a missing namespace', () => {
    const err = left(applyAction(createCluster(), { type: 'create', object: { ...cm('c'), metadata: { name: 'c', namespace: 'shop' } }, by: 'user' }))
    expect(err.reason).toBe('NotFound')
    expect(err.message).toBe('namespaces "shop" not found')
  })

  it('defaults the namespace of namespaced kinds to default and drops it from cluster-scoped ones', () => {
    const s = createCluster()
    const a = right(applyAction(s, { type: 'create', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } as KubeObject, by: 'user' }))
    expect(a.object?.metadata.namespace).toBe('default')
    const ns = right(
      applyAction(s, { type: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: 'default' } } as KubeObject, by: 'user' }),
    )
    expect(ns.object?.metadata.namespace).toBeUndefined()
  })

  it('does not freeze or alias the caller object', () => {
    const input = cm('c')
    const { object } = createdObject(createCluster(), input)
    expect(Object.isFrozen(input)).toBe(false)
    expect(object).not.toBe(input)
    expect(Object.isFrozen(object)).toBe(true)
  })
})

describe('update', () => {
  it('bumps resourceVersion, and generation only when the spec changes', () => {
    const { state, object } = createdObject(createCluster(), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
      data: { a: '1' },
    })
    const labelled = right(applyAction(state, { type: 'update', object: { ...object, metadata: { ...object.metadata, labels: { x: 'y' } } }, by: 'user' }))
    expect(labelled.object?.metadata.generation).toBe(1)
    expect(Number(labelled.object?.metadata.resourceVersion)).toBeGreaterThan(Number(object.metadata.resourceVersion))
    const changed = right(applyAction(labelled.state, { type: 'update', object: { ...(labelled.object as KubeObject), data: { a: '2' } }, by: 'user' }))
    expect(changed.object?.metadata.generation).toBe(2)
  })

  it('returns the same state for an update that changes nothing', () => {
    const { state, object } = createdObject()
    const same = right(applyAction(state, { type: 'update', object, by: 'user' }))
    expect(same.outcome).toBe('unchanged')
    expect(same.state).toBe(state)
  })

  it('refuses a stale resourceVersion with a Conflict', () => {
    const { state, object } = createdObject()
    const first = right(applyAction(state, { type: 'update', object: { ...object, data: { a: '2' } }, by: 'a' }))
    const err = left(applyAction(first.state, { type: 'update', object: { ...object, data: { a: '3' } }, by: 'b' }))
    expect(err.reason).toBe('Conflict')
    expect(formatApiError(err)).toBe(
      'Error from server (Conflict): Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    )
  })

  it('keeps the server-owned metadata whatever the client sends', () => {
    const { state, object } = createdObject()
    const next = right(
      applyAction(state, {
        type: 'update',
        object: { ...object, metadata: { ...object.metadata, uid: undefined, creationTimestamp: '1999-01-01T00:00:00Z', resourceVersion: undefined } } as unknown as KubeObject,
        by: 'user',
      }),
    )
    expect(next.object?.metadata.uid).toBe(object.metadata.uid)
    expect(next.object?.metadata.creationTimestamp).toBe(object.metadata.creationTimestamp)
  })

  it('refuses updates of missing objects with NotFound', () => {
    expect(left(applyAction(createCluster(), { type: 'update', object: cm('nope'), by: 'user' })).reason).toBe('NotFound')
  })
})

describe('updateStatus', () => {
  it('changes only status and does not bump generation', () => {
    const { state, object } = createdObject(createCluster(), {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default' },
      spec: { size: 1 },
    })
    const next = right(applyAction(state, { type: 'updateStatus', object: { ...object, spec: { size: 9 }, status: { ok: true } }, by: 'ctl' }))
    expect(next.object?.['status']).toEqual({ ok: true })
    expect(next.object?.['spec']).toEqual({ size: 1 })
    expect(next.object?.metadata.generation).toBe(1)
  })
})

describe('delete', () => {
  it('removes an object without finalizers at once', () => {
    const { state } = createdObject()
    const next = right(applyAction(state, { type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'c' }, by: 'user' }))
    expect(next.outcome).toBe('deleted')
    expect(O.isNone(get(next.state, 'ConfigMap', 'default', 'c'))).toBe(true)
  })

  it('keeps an object with finalizers until they are removed', () => {
    const { state } = createdObject(createCluster(), { ...cm('c'), metadata: { name: 'c', namespace: 'default', finalizers: ['example.com/hold'] } })
    const deleting = right(applyAction(state, { type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'c' }, by: 'user' }))
    expect(deleting.outcome).toBe('deleting')
    const held = deleting.object as KubeObject
    expect(held.metadata.deletionTimestamp).toBeDefined()
    const released = right(applyAction(deleting.state, { type: 'update', object: { ...held, metadata: { ...held.metadata, finalizers: [] } }, by: 'ctl' }))
    expect(released.outcome).toBe('deleted')
    expect(O.isNone(get(released.state, 'ConfigMap', 'default', 'c'))).toBe(true)
  })

  it('refuses a delete whose uid precondition does not hold', () => {
    const { state } = createdObject()
    const err = left(applyAction(state, { type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'c' }, preconditionUid: 'other', by: 'gc' }))
    expect(err.reason).toBe('Conflict')
  })

  it('protects the default, kube-system and kube-public namespaces', () => {
    const err = left(applyAction(createCluster(), { type: 'delete', ref: { kind: 'Namespace', name: 'default' }, by: 'user' }))
    expect(err.message).toBe('namespaces "default" is forbidden: this namespace may not be deleted')
  })

  it('deletes unscheduled pods at once and scheduled pods gracefully', () => {
    const pod = (name: string, nodeName?: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], ...(nodeName === undefined ? {} : { nodeName }) },
    })
    let s = createCluster({ nodes: 1, now: '2025-01-01T00:00:00Z' })
    s = right(applyAction(s, { type: 'create', object: pod('free'), by: 'user' })).state
    s = right(applyAction(s, { type: 'create', object: pod('bound', 'node-1'), by: 'user' })).state
    s = right(applyAction(s, { type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'free' }, by: 'user' })).state
    expect(O.isNone(get(s, 'Pod', 'default', 'free'))).toBe(true)
    const graceful = right(applyAction(s, { type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'bound' }, by: 'user' }))
    expect(graceful.outcome).toBe('deleting')
    expect(graceful.object?.metadata.deletionTimestamp).toBe('2025-01-01T00:00:30Z')
    expect(graceful.object?.metadata.deletionGracePeriodSeconds).toBe(30)
  })
})

describe('events', () => {
  it('records Events and deduplicates repeats by incrementing count', () => {
    const s = createCluster()
    const event = {
      involvedObject: { kind: 'Service', namespace: 'default', name: 'kubernetes' },
      type: 'Normal' as const,
      reason: 'Tested',
      message: 'hello',
    }
    const once = right(applyAction(s, { type: 'event', event, by: 'tester' }))
    const twice = right(applyAction({ ...once.state, now: once.state.now + 5000 }, { type: 'event', event, by: 'tester' }))
    const events = list(twice.state, 'Event', { namespace: 'default' })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ reason: 'Tested', message: 'hello', count: 2, type: 'Normal' })
    expect(traceEntries(twice.state).filter((e) => e.op === 'event')).toHaveLength(2)
  })
})

describe('trace', () => {
  it('records who did what, and respects the retention limit', () => {
    let s = createCluster({ traceRetention: 3 })
    for (let i = 0; i < 5; i++) s = right(applyAction(s, { type: 'create', object: cm(`c${i}`), by: 'user' })).state
    const entries = traceEntries(s)
    expect(entries.map((e) => e.name)).toEqual(['c2', 'c3', 'c4'])
    expect(s.trace.dropped).toBeGreaterThan(0)
    const none = createCluster({ traceRetention: 'none' })
    expect(traceEntries(none)).toEqual([])
  })

  it("without retention counts exactly the entries it would have kept (writes, warnings, Events, refusals)", () => {
    const actions: Action[] = [
      { type: 'create', object: cm('a'), by: 'user' },
      // An unknown field: the create also traces a warning.
      { type: 'create', object: { ...cm('b'), extra: 1 } as unknown as KubeObject, by: 'user' },
      { type: 'create', object: cm('a'), by: 'user' },
      { type: 'event', event: { involvedObject: { kind: 'ConfigMap', namespace: 'default', name: 'a' }, type: 'Normal', reason: 'R', message: 'm' }, by: 'user' },
      { type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'a' }, by: 'user' },
    ]
    const run = (retention: 'all' | 'none'): ClusterState =>
      actions.reduce((s, action) => {
        const r = applyAction(s, action)
        return E.isRight(r) ? r.right.state : recordFailure(s, action, r.left)
      }, createCluster({ traceRetention: retention }))
    const kept = traceEntries(run('all'))
    expect(kept.slice(-6).map((e) => [e.op, e.result])).toEqual([
      ['create', 'ok'],
      ['create', 'ok'],
      ['warning', 'ok'],
      ['create', 'AlreadyExists'],
      ['event', 'ok'],
      ['delete', 'ok'],
    ])
    expect(run('none').trace.dropped).toBe(kept.length)
  })
})

describe('settled state', () => {
  it('a fresh cluster is a fixed point of settle', () => {
    const s = createCluster({ nodes: 2 })
    const settled = settle(s)
    expect(E.isRight(settled) && settled.right).toBe(s)
  })
})

/** An index as plain data with sets sorted, so equal indices compare equal whatever their order. */
const sortedJs = (index: { toJS: () => unknown }): unknown => {
  const sort = (value: unknown): unknown =>
    Array.isArray(value) ? [...value].sort() : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sort(v)])) : value
  return sort(index.toJS())
}

describe('store indices under the reducer', () => {
  // Every write path tells the store which version it read (create: none; update, delete,
  // events, bindings: the stored one); indices kept that way must equal a rebuild.
  const podNamed = (name: string, labels: Record<string, string>, finalizers: string[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels, ...(finalizers.length === 0 ? {} : { finalizers }) },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100m' } } }] },
  })
  const op = fc.record({
    kind: fc.constantFrom('create', 'relabel', 'bind', 'event', 'delete', 'unfinalize'),
    name: fc.constantFrom('a', 'b', 'c'),
    label: fc.constantFrom('web', 'db'),
    finalized: fc.boolean(),
  })
  it('equal a rebuild from the objects after any sequence of writes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        let s = createCluster({ nodes: 2 })
        for (const o of ops) {
          const current = O.toUndefined(get(s, 'Pod', 'default', o.name))
          const action =
            o.kind === 'create'
              ? { type: 'create' as const, object: podNamed(o.name, { app: o.label }, o.finalized ? ['example.com/hold'] : []), by: 'user' }
              : current === undefined
                ? undefined
                : o.kind === 'relabel'
                  ? { type: 'update' as const, object: { ...current, metadata: { ...current.metadata, labels: { app: o.label } } }, by: 'user' }
                  : o.kind === 'bind'
                    ? { type: 'bind' as const, ref: { kind: 'Pod', namespace: 'default', name: o.name }, nodeName: 'node-1', by: 'scheduler' }
                    : o.kind === 'event'
                      ? { type: 'event' as const, event: { involvedObject: { kind: 'Pod', namespace: 'default', name: o.name }, type: 'Normal' as const, reason: 'Poked', message: 'poked' }, by: 'test' }
                      : o.kind === 'delete'
                        ? { type: 'delete' as const, ref: { kind: 'Pod', namespace: 'default', name: o.name }, by: 'user' }
                        : { type: 'update' as const, object: { ...current, metadata: { ...current.metadata, finalizers: [] } }, by: 'user' }
          if (action === undefined) continue
          const r = applyAction(s, action)
          if (E.isRight(r)) s = r.right.state
          const rebuilt = rebuildStore(s.objects)
          for (const index of ['byUid', 'byLabel', 'byNamespace', 'podsByNode', 'deleting', 'unbound'] as const)
            expect([index, sortedJs(s.objects[index])]).toEqual([index, sortedJs(rebuilt[index])])
        }
      }),
    )
  })
})
