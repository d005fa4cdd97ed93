import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { KubeObject } from '../../src/index.js'
import { podsToDelete } from '../../src/controllers/podRanking.js'
import { claimedPods, claimedVictims, claimWritePods, type ReplicaSetPods, type ReplicaSetPodViews, syncReplicaSetPods } from '../../src/controllers/replicaSetPods.js'
import { deleteObject, emptyStore, putObject } from '../../src/store/objectStore.js'
import { longRuns } from '../helpers.js'


const T = Date.parse('2025-01-01T00:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

const replicaSet = (uid: string, namespace: string, selector: unknown, templateLabels: Record<string, string>, deleting: boolean): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: uid, namespace, uid, ...(deleting ? { deletionTimestamp: iso(T) } : {}) },
  spec: { replicas: 2, selector, template: { metadata: { labels: templateLabels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
})

/** Three ReplicaSets: one pinned by a label pair, one by a set expression only (no pair), one in another namespace. */
const replicaSets = (deletingDb: boolean, without: ReadonlyArray<string>): KubeObject[] =>
  [
    replicaSet('web', 'x', { matchLabels: { app: 'web' } }, { app: 'web', tier: 'front' }, false),
    replicaSet('any', 'x', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, { tier: 'front' }, false),
    replicaSet('db', 'y', { matchLabels: { app: 'db' } }, { app: 'db' }, deletingDb),
  ].filter((rs) => !without.includes(rs.metadata.name))

const podOp = fc.record({
  remove: fc.constantFrom(false, false, true),
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'),
  ns: fc.constantFrom('x', 'x', 'x', 'y'),
  // Weighted towards pods the ReplicaSets claim, so views hold several and rank groups tie.
  labels: fc.oneof(fc.constant({ app: 'web', tier: 'front' }), fc.constant({ app: 'web' }), fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db', 'front', 'back'))),
  controller: fc.constantFrom(undefined, 'web', 'web', 'web', 'any', 'db', 'someone-else'),
  phase: fc.constantFrom('Pending', 'Running', 'Running', 'Running', 'Succeeded', 'Failed'),
  ready: fc.boolean(),
  deleting: fc.constantFrom(false, false, false, true),
  node: fc.constantFrom(undefined, 'n1', 'n2'),
  // Ready 0-2 s apart: one log2 bucket, equal or not, where the ranking stops being transitive.
  readyAt: fc.nat(2),
  cost: fc.constantFrom(undefined, '-1', '5'),
  version: fc.nat(3),
})
const rsOp = fc.record({ deletingDb: fc.boolean(), without: fc.subarray(['web', 'any', 'db']) })

type PodOp = Omit<typeof podOp extends fc.Arbitrary<infer T> ? T : never, 'name' | 'labels' | 'controller'> & { readonly name: string; readonly labels: Record<string, string>; readonly controller: string | undefined }

const pod = (o: PodOp): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: o.name,
    namespace: o.ns,
    // uids out of name order, so the ranking's uid tie-break is not the name order again
    uid: `${((o.name.charCodeAt(0) + o.version * 31) * 7919) % 101}/${o.ns}/${o.name}/${o.version}`,
    labels: o.labels,
    creationTimestamp: iso(T),
    ...(o.cost === undefined ? {} : { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } }),
    ...(o.deleting ? { deletionTimestamp: iso(T) } : {}),
    ...(o.controller === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.controller, uid: o.controller, controller: true }] }),
  },
  spec: { containers: [{ name: 'c', image: 'x' }], ...(o.node === undefined ? {} : { nodeName: o.node }) },
  status: { phase: o.phase, conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: iso(T + o.readyAt * 1000) }] },
})

/** Everything a view answers, in a comparable shape. */
const summary = (view: ReplicaSetPods | undefined) =>
  view === undefined
    ? undefined
    : {
        members: [...view.members.keys()].sort(),
        claimed: claimedPods(view).map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
        claimWrites: claimWritePods(view).map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
        counts: [view.claimed, view.ready, view.fullyLabeled],
        related: [...view.relatedOnNode].sort(),
      }

const names = (pods: ReadonlyArray<KubeObject>) => pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)

/** The related pods a view counts, as a list (active, selector-matching, any owner). */
const relatedOf = (view: ReplicaSetPods): KubeObject[] => [...view.members.values()].filter((m) => m.relatedNode !== undefined).map((m) => m.pod)

describe('ReplicaSet pod views', () => {
  it('views patched from pod changes equal views built from the store, after every write and ReplicaSet change', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(podOp, podOp, podOp, podOp, rsOp), { minLength: 10, maxLength: 60 }), (ops) => {
        let store = emptyStore
        let sets = replicaSets(false, [])
        let views: ReplicaSetPodViews | undefined
        for (const o of ops) {
          if ('deletingDb' in o) sets = replicaSets(o.deletingDb, o.without)
          else store = o.remove ? deleteObject(store, { kind: 'Pod', namespace: o.ns, name: o.name }) : putObject(store, pod(o))
          views = syncReplicaSetPods(views, store, sets)
          const fresh = syncReplicaSetPods(undefined, store, sets)
          expect([...views.byUid.keys()].sort()).toEqual([...fresh.byUid.keys()].sort())
          for (const [uid, built] of fresh.byUid) {
            const kept = views.byUid.get(uid)!
            expect(summary(kept)).toEqual(summary(built))
            // Victims depend on the order pods are read in; the kept view reads them as a claim does.
            const now = T + 3_600_000
            for (let count = 1; count < built.claimed; count++)
              expect(names(claimedVictims(kept, kept.relatedOnNode, count, now))).toEqual(names(podsToDelete(claimedPods(built), relatedOf(built), count, now)))
          }
        }
      }),
    )
  })

  it('a claim keeps owned matching pods and adoptable orphans, and writes to orphans and pods it must release', () => {
    let store = emptyStore
    const base = { remove: false, ns: 'x', phase: 'Running', ready: true, deleting: false, node: 'n1', readyAt: 0, cost: undefined, version: 0 } as const
    store = putObject(store, pod({ ...base, name: 'owned', labels: { app: 'web', tier: 'front' }, controller: 'web' }))
    store = putObject(store, pod({ ...base, name: 'orphan', labels: { app: 'web' }, controller: undefined, ready: false }))
    store = putObject(store, pod({ ...base, name: 'strayed', labels: { app: 'db' }, controller: 'web' }))
    store = putObject(store, pod({ ...base, name: 'taken', labels: { app: 'web' }, controller: 'someone-else' }))
    store = putObject(store, pod({ ...base, name: 'done', labels: { app: 'web' }, controller: 'web', phase: 'Succeeded' }))
    const view = syncReplicaSetPods(undefined, store, replicaSets(false, ['any', 'db'])).byUid.get('web')!
    expect(claimedPods(view).map((p) => p.metadata.name)).toEqual(['orphan', 'owned'])
    expect(claimWritePods(view).map((p) => p.metadata.name)).toEqual(['orphan', 'strayed'])
    // claimed, ready, fully labeled (app=web, tier=front)
    expect([view.claimed, view.ready, view.fullyLabeled]).toEqual([2, 1, 1])
    // active pods the selector matches, any owner: owned, orphan, taken
    expect([...view.relatedOnNode]).toEqual([['n1', 3]])
  })
})

describe('choosing pods to delete', () => {
  it('ranks the pods of every rank group tied at the best level, not just the first', () => {
    // Two nodes with two pods each: the groups tie on node crowding, and b (on n2) wins on the
    // later rules (ready in the same log2 bucket as a, smaller uid).
    let store = emptyStore
    const base = { remove: false, ns: 'x', labels: { app: 'web' }, controller: 'web', phase: 'Running', ready: true, deleting: false, cost: undefined, version: 0 } as const
    for (const [name, node, readyAt] of [['a', 'n1', 0], ['b', 'n2', 1], ['c', 'n1', 2], ['d', 'n2', 0]] as const) {
      const p = pod({ ...base, name, node, readyAt })
      store = putObject(store, { ...p, metadata: { ...p.metadata, uid: name === 'b' ? '0' : `z${name}` } })
    }
    const view = syncReplicaSetPods(undefined, store, replicaSets(false, ['any', 'db'])).byUid.get('web')!
    expect(view.rankGroups.size).toBe(2)
    const now = T + 3_600_000
    expect(names(claimedVictims(view, view.relatedOnNode, 1, now))).toEqual(['x/b'])
    expect(names(podsToDelete(claimedPods(view), claimedPods(view), 1, now))).toEqual(['x/b'])
  })

  it('the best few, kept in order while scanning, are the first of a full ranking', () => {
    // Ready and creation times in distinct log2 buckets keep the comparator transitive (equal
    // times in one bucket are where upstream's rules stop being a total order).
    const rankedPod = fc.record({
      node: fc.constantFrom('', 'n1', 'n2', 'n3'),
      phase: fc.constantFrom('Pending', 'Running', 'Unknown'),
      ready: fc.boolean(),
      restarts: fc.nat(2),
    })
    fc.assert(
      fc.property(fc.array(rankedPod, { minLength: 34, maxLength: 40 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 1000 }), (specs, count, shift) => {
        const now = T + 10 * 3_600_000
        const ago = (i: number) => iso(now - 2 ** (3 + ((i * 17 + shift) % 41)))
        const pods = specs.map((s, i): KubeObject => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${String(i).padStart(2, '0')}`, namespace: 'x', uid: `u${(i * 7919) % 61}`, creationTimestamp: ago(i + 3) },
          spec: s.node === '' ? {} : { nodeName: s.node },
          status: {
            phase: s.phase,
            conditions: [{ type: 'Ready', status: s.ready ? 'True' : 'False', lastTransitionTime: ago(i) }],
            containerStatuses: [{ restartCount: s.restarts }],
          },
        }))
        // More than 32 victims take the full sort; fewer keep the best few while scanning.
        const fullRanking = podsToDelete(pods, pods, pods.length - 1, now)
        expect(podsToDelete(pods, pods, count, now)).toEqual(fullRanking.slice(0, count))
      }),
    )
  })
})

describe('choosing victims among many claimed pods', () => {
  // Many claimed pods, two nodes equally crowded, and a few cheap pods (no deletion cost) on
  // each: those few are the candidates, ranked on their own. Ready times are crowded into one
  // log2 bucket (equal times fall through to later rules, so read order matters) or spread out
  // (a strict order, where it does not).
  const manyPods = fc.record({
    pairs: fc.integer({ min: 8, max: 20 }),
    cheap: fc.integer({ min: 2, max: 6 }),
    spread: fc.constantFrom(2, 3, 600),
    seed: fc.nat(),
    ready: fc.boolean(),
  })
  it('picks what ranking every claimed pod in name order picks', () => {
    fc.assert(
      fc.property(manyPods, fc.integer({ min: 1, max: 4 }), ({ pairs, cheap, spread, seed, ready }, victims) => {
        let store = emptyStore
        for (let i = 0; i < pairs * 2; i++) {
          const r = (seed + i * 7919) % 104729
          const name = `p${String(i).padStart(2, '0')}`
          const at = T + (r % spread) * 1000
          store = putObject(store, {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name,
              namespace: 'x',
              uid: `${r % 97}-${name}`,
              labels: { app: 'web', tier: 'front' },
              creationTimestamp: iso(ready ? T : at),
              ...(i < cheap ? {} : { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '5' } }),
              ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'web', controller: true }],
            },
            spec: { containers: [{ name: 'c', image: 'x' }], nodeName: `n${(i % 2) + 1}` },
            status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(at) }] },
          })
        }
        const view = syncReplicaSetPods(undefined, store, [replicaSet('web', 'x', { matchLabels: { app: 'web' } }, { app: 'web', tier: 'front' }, false)]).byUid.get('web')!
        const now = T + 3_600_000
        const wanted = Math.min(victims, cheap)
        expect(names(claimedVictims(view, view.relatedOnNode, wanted, now))).toEqual(names(podsToDelete(claimedPods(view), relatedOf(view), wanted, now)))
      }),
      { numRuns: 300 },
    )
  })

  it('keeps picking what the full ranking picks as victims go and pods are rewritten between choices', () => {
    // A scale-down by one at a time, as a maxSurge 1 rollout does: ready pods on three nodes,
    // their ready times distinct or not, each choice followed by the victim's removal or by a
    // pod's readiness being rewritten, the views kept up to date from the store each time.
    // readyAt -1: Ready without a transition time, which ranks as the newest.
    const rounds = fc.array(fc.record({ rewrite: fc.boolean(), which: fc.nat(), readyAt: fc.integer({ min: -1, max: 4 }) }), { minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 24 }), fc.constantFrom(1, 5, 1000), fc.nat(), rounds, (count, spread, seed, steps) => {
        const pod = (i: number, readyAt: number): KubeObject => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `p${String(i).padStart(2, '0')}`,
            namespace: 'x',
            uid: `${(seed + i * 7919) % 101}-${i}`,
            labels: { app: 'web' },
            creationTimestamp: iso(T),
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'web', controller: true }],
          },
          spec: { containers: [{ name: 'c', image: 'x' }], nodeName: `n${(i % 3) + 1}` },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', ...(readyAt < 0 ? {} : { lastTransitionTime: iso(T + readyAt * 1000) }) }] },
        })
        const rs = [replicaSet('web', 'x', { matchLabels: { app: 'web' } }, { app: 'web' }, false)]
        let store = emptyStore
        const alive = new Set<number>()
        for (let i = 0; i < count; i++) {
          store = putObject(store, pod(i, ((seed >> i % 16) + i * 31) % spread))
          alive.add(i)
        }
        let views = syncReplicaSetPods(undefined, store, rs)
        let round = 0
        for (const step of steps) {
          // Time moves between choices, so the pods' log2 buckets of time since ready shift.
          const now = T + 1_000_000 + 60_000 * 2 ** round++
          const view = views.byUid.get('web')!
          if (view.claimed < 2) break
          const [victim] = claimedVictims(view, view.relatedOnNode, 1, now)
          expect(victim?.metadata.name).toBe(podsToDelete(claimedPods(view), relatedOf(view), 1, now)[0]?.metadata.name)
          const ids = [...alive]
          if (step.rewrite) {
            const i = ids[step.which % ids.length]!
            store = putObject(store, pod(i, step.readyAt < 0 ? -1 : step.readyAt % spread))
          } else {
            const i = Number(victim!.metadata.name.slice(1))
            store = deleteObject(store, { kind: 'Pod', namespace: 'x', name: victim!.metadata.name })
            alive.delete(i)
          }
          views = syncReplicaSetPods(views, store, rs)
        }
      }),
      { numRuns: longRuns(200) },
    )
  })
})
