import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { KubeObject } from '../../src/index.js'
import { fromLabelSelector, matchesSelector } from '../../src/index.js'
import { beginBatch, deleteObject, dependentsOf, emptyStore, endBatch, listObjects, type ObjectStore, podsOnNode, putObject, rebuildStore } from '../../src/store/objectStore.js'

const pod = (
  name: string,
  ns: string,
  labels: Record<string, string>,
  node: string | undefined,
  owner: string | undefined,
  uid: string,
  anti = false,
  deleting = false,
  finalizer?: string,
  cpu?: string,
  phase?: string,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: ns,
    uid,
    labels,
    ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    ...(finalizer === undefined ? {} : { finalizers: [finalizer] }),
    ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner }] }),
  },
  ...(phase === undefined ? {} : { status: { phase } }),
  spec: {
    containers: [{ name: 'c', image: 'x', ...(cpu === undefined ? {} : { resources: { requests: { cpu } } }) }],
    ...(node === undefined ? {} : { nodeName: node }),
    ...(anti ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }] } } } : {}),
  },
})

const op = fc.record({
  remove: fc.boolean(),
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  ns: fc.constantFrom('x', 'y'),
  labels: fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db')),
  node: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
  // Owners absent from the store, or pods of the same store (whose uids the writes below derive).
  owner: fc.option(fc.constantFrom('rs1', 'rs2', 'x/a/u1', 'y/b/u2', 'x/c/u1'), { nil: undefined }),
  uid: fc.constantFrom('u1', 'u2', 'u3'),
  anti: fc.boolean(),
  deleting: fc.boolean(),
  finalizer: fc.constantFrom(undefined, 'orphan', 'foregroundDeletion', 'example.com/keep'),
  cpu: fc.constantFrom(undefined, '250m', '2'),
  phase: fc.constantFrom(undefined, 'Running', 'Succeeded'),
})

/** Per-node totals without the all-zero ones, as plain data. */
const nonZeroTotals = (totals: { toJS: () => unknown }): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(totals.toJS() as Record<string, Record<string, number> | number[]>)
      .filter(([, amounts]) => Object.values(amounts).some((v) => v !== 0))
      .map(([node, amounts]) => [node, Array.isArray(amounts) ? amounts : Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== 0))]),
  )

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

describe('object store indices', () => {
  it('incremental indices equal indices rebuilt from scratch, after any sequence of writes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let store = emptyStore
        for (const o of ops) {
          // uids must be unique per object in a real store: derive one from the key and a version
          const uid = `${o.ns}/${o.name}/${o.uid}`
          store = o.remove
            ? deleteObject(store, { kind: 'Pod', namespace: o.ns, name: o.name })
            : putObject(store, pod(o.name, o.ns, o.labels, o.node, o.owner, uid, o.anti, o.deleting, o.finalizer, o.cpu, o.phase))
        }
        const rebuilt = rebuildStore(store)
        expect(store.byLabel.equals(rebuilt.byLabel)).toBe(true)
        expect(store.byOwner.equals(rebuilt.byOwner)).toBe(true)
        expect(store.danglingOwners.equals(rebuilt.danglingOwners)).toBe(true)
        expect([...store.danglingOwners].sort()).toEqual([...store.byOwner.keys()].filter((uid) => !store.byUid.has(uid)).sort())
        expect(store.byNamespace.equals(rebuilt.byNamespace)).toBe(true)
        expect(store.podsByNode.equals(rebuilt.podsByNode)).toBe(true)
        expect(store.byUid.toJS()).toEqual(rebuilt.byUid.toJS())
        expect(store.deleting.equals(rebuilt.deleting)).toBe(true)
        expect(store.gcFinalizing.equals(rebuilt.gcFinalizing)).toBe(true)
        expect(store.antiAffinityPods.equals(rebuilt.antiAffinityPods)).toBe(true)
        expect(store.unbound.equals(rebuilt.unbound)).toBe(true)
        // A node whose pods all went keeps a zero total; readers take absent as zero.
        expect(nonZeroTotals(store.nodeUsage)).toEqual(nonZeroTotals(rebuilt.nodeUsage))
        expect(nonZeroTotals(store.nodeNonZero)).toEqual(nonZeroTotals(rebuilt.nodeNonZero))
      }),
    )
  })

  it('lists Events by namespace (and selector) as a full scan does, though the namespace index leaves them out', () => {
    const event = fc.record({ remove: fc.boolean(), name: fc.constantFrom('a', 'b', 'c'), ns: fc.constantFrom('x', 'y'), labels: fc.dictionary(fc.constantFrom('app'), fc.constantFrom('web', 'db')) })
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), fc.option(fc.constantFrom({ app: 'web' }, {}), { nil: undefined }), (ops, match) => {
        let store = emptyStore
        const selector = match === undefined ? undefined : fromLabelSelector({ matchLabels: match })
        for (const o of ops) {
          store = o.remove
            ? deleteObject(store, { kind: 'Event', namespace: o.ns, name: o.name })
            : putObject(store, { apiVersion: 'v1', kind: 'Event', metadata: { name: o.name, namespace: o.ns, uid: `${o.ns}/${o.name}`, labels: o.labels }, reason: 'R' })
          for (const ns of ['x', 'y']) {
            const expected = [...(store.kinds.get('Event')?.values() ?? [])]
              .filter((e) => e.metadata.namespace === ns && (selector === undefined || matchesSelector(selector, e.metadata.labels)))
              .map((e) => e.metadata.name)
              .sort()
            expect(listObjects(store, 'Event', { namespace: ns, ...(selector === undefined ? {} : { selector }) }).map((e) => e.metadata.name)).toEqual(expected)
          }
        }
        expect(store.byNamespace.some((_, key) => key.startsWith('Event'))).toBe(false)
      }),
    )
  })

  it('equality-selector queries agree with a full scan after every write (the intersections are memoised per index set)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db')), (ops, match) => {
        let store = emptyStore
        const selector = fromLabelSelector({ matchLabels: match })
        for (const o of ops) {
          store = o.remove
            ? deleteObject(store, { kind: 'Pod', namespace: o.ns, name: o.name })
            : putObject(store, pod(o.name, o.ns, o.labels, o.node, o.owner, `${o.ns}/${o.name}/${o.uid}`))
          for (const ns of ['x', 'y']) {
            const expected = [...(store.kinds.get('Pod')?.values() ?? [])]
              .filter((p) => p.metadata.namespace === ns && matchesSelector(selector, p.metadata.labels))
              .map((p) => p.metadata.name)
              .sort()
            expect(listObjects(store, 'Pod', { namespace: ns, selector }).map((p) => p.metadata.name)).toEqual(expected)
          }
        }
      }),
    )
  })

  it('indexed queries agree with a full scan', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.constantFrom('x', 'y'), fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db')), (ops, ns, match) => {
        let store = emptyStore
        for (const o of ops) store = putObject(store, pod(o.name, o.ns, o.labels, o.node, o.owner, `${o.ns}/${o.name}`))
        const selector = fromLabelSelector({ matchLabels: match })
        const all = [...(store.kinds.get('Pod')?.values() ?? [])]
        const expected = all
          .filter((p) => p.metadata.namespace === ns && matchesSelector(selector, p.metadata.labels))
          .map((p) => p.metadata.name)
          .sort()
        expect(listObjects(store, 'Pod', { namespace: ns, selector }).map((p) => p.metadata.name)).toEqual(expected)
        for (const node of ['n1', 'n2'])
          expect(podsOnNode(store, node).map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(
            all
              .filter((p) => (p['spec'] as { nodeName?: string }).nodeName === node)
              .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
              .sort(),
          )
        for (const owner of ['rs1', 'rs2'])
          expect(dependentsOf(store, owner).length).toBe(all.filter((p) => p.metadata.ownerReferences?.[0]?.uid === owner).length)
      }),
    )
  })

  it('a write batch gives the same store as writing one by one, and changes no value made before it', () => {
    const event = (name: string, ns: string, second: number): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns, uid: `${ns}/${name}/event` },
      lastTimestamp: `2025-01-01T00:00:${String(second).padStart(2, '0')}Z`,
    })
    const write = (store: ObjectStore, o: Op & { readonly event: boolean; readonly second: number }): ObjectStore => {
      if (o.event) return o.remove ? deleteObject(store, { kind: 'Event', namespace: o.ns, name: o.name }) : putObject(store, event(o.name, o.ns, o.second))
      const uid = `${o.ns}/${o.name}/${o.uid}`
      return o.remove ? deleteObject(store, { kind: 'Pod', namespace: o.ns, name: o.name }) : putObject(store, pod(o.name, o.ns, o.labels, o.node, o.owner, uid, o.anti, o.deleting, o.finalizer, o.cpu, o.phase))
    }
    // Every field as plain data, so a later in-place change to a collection would show.
    const snapshot = (store: ObjectStore): unknown =>
      Object.fromEntries(Object.entries(store).map(([field, value]) => [field, typeof value === 'object' && value !== null && 'toJS' in value ? (value as { toJS(): unknown }).toJS() : value]))
    const batchedOp = fc.record({ op, event: fc.boolean(), second: fc.integer({ min: 0, max: 59 }) }).map(({ op: o, event: e, second }) => ({ ...o, event: e, second }))
    fc.assert(
      fc.property(fc.array(fc.array(batchedOp, { maxLength: 12 }), { maxLength: 5 }), (batches) => {
        let plain = emptyStore
        let batched = emptyStore
        const before: Array<readonly [ObjectStore, unknown]> = []
        for (const ops of batches) {
          before.push([batched, snapshot(batched)])
          let open = beginBatch(batched)
          for (const o of ops) {
            plain = write(plain, o)
            open = write(open, o)
          }
          const sealed = endBatch(batched, open)
          if (ops.length === 0) expect(sealed).toBe(batched)
          expect(sealed.batch).toBeUndefined()
          batched = sealed
          expect(snapshot(batched)).toEqual(snapshot(plain))
        }
        // Writing to the sealed store afterwards copies, as to any persistent value.
        const last = snapshot(batched)
        write(batched, { remove: false, name: 'd', ns: 'x', labels: { app: 'web' }, node: 'n1', owner: 'rs1', uid: 'u1', anti: true, deleting: true, finalizer: 'orphan', cpu: '2', phase: 'Running', event: false, second: 0 })
        write(batched, { remove: false, name: 'd', ns: 'x', labels: {}, node: undefined, owner: undefined, uid: 'u1', anti: false, deleting: false, finalizer: undefined, cpu: undefined, phase: undefined, event: true, second: 0 })
        expect(snapshot(batched)).toEqual(last)
        for (const [store, seen] of before) expect(snapshot(store)).toEqual(seen)
      }),
    )
  })
})
