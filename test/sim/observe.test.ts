/**
 * The engine's `observe` hook only reads: settle, advance and runUntil give the same result with
 * or without an observer, and the observer sees every step's state in order.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { advance, applyManifests, type ClusterState, createCluster, list, runUntil, settle, traceEntries } from '../../src/index.js'
import { storedKinds } from '../../src/store/objectStore.js'
import { manifestSet } from '../../src/testing/arbitraries.js'
import { right } from '../helpers.js'

/** Everything observable about a state, as plain data. */
const snapshot = (s: ClusterState) => ({
  now: s.now,
  revision: s.revision,
  rng: s.rng,
  objects: storedKinds(s.objects).map((kind) => list(s, kind)),
  trace: traceEntries(s),
})

const run = (base: ClusterState, durations: ReadonlyArray<number>, observe?: (s: ClusterState) => void) => {
  const options = observe === undefined ? {} : { observe }
  let state = right(settle(base, options))
  for (const ms of durations) state = right(advance(state, ms, options))
  return state
}

describe('engine observe hook', () => {
  it('does not change the result of settle and advance, and sees every state in time order', () => {
    fc.assert(
      fc.property(
        manifestSet('default'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 90_000 }), { maxLength: 3 }),
        (manifests, nodes, seed, durations) => {
          const applied = applyManifests(createCluster({ nodes, seed }), manifests)
          if (E.isLeft(applied)) return
          const plain = run(applied.right, durations)
          const seen: ClusterState[] = []
          const observed = run(applied.right, durations, (s) => seen.push(s))
          expect(snapshot(observed)).toEqual(snapshot(plain))
          expect(seen.length).toBeGreaterThan(0)
          expect(seen.at(-1)).toBe(observed)
          for (let i = 1; i < seen.length; i++) expect(seen[i]!.now).toBeGreaterThanOrEqual(seen[i - 1]!.now)
        },
      ),
      { numRuns: process.env["KUBESIM_LONG"] === undefined ? 12 : 200 },
    )
  })

  it('is called after every step of settle, including the last one that changes nothing', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
    const s = right(applyManifests(createCluster({ nodes: 1 }), [pod]))
    const seen: ClusterState[] = []
    const settled = right(settle(s, { observe: (x) => seen.push(x) }))
    // At least the scheduler's bind, then a pass that changes nothing (the same reference).
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(seen.at(-1)).toBe(settled)
    expect(seen.at(-2)).toBe(settled)
    expect(list(seen[0]!, 'Pod')[0]?.['spec']).toMatchObject({ nodeName: 'node-1' })
  })

  it('sees the intermediate wakeups of advance that the result alone hides', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
    const s = right(applyManifests(createCluster({ nodes: 1 }), [pod]))
    const times: number[] = []
    right(advance(s, '1m', { observe: (x) => times.push(x.now - s.now) }))
    // Bind, then a quiet pass; the kubelet starts the pod one second in (and a quiet pass);
    // nothing is due until the target.
    expect(times).toEqual([0, 0, 1000, 1000, 60_000])
  })

  it('runUntil passes it on and still stops as soon as the predicate holds', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
    const s = right(applyManifests(createCluster({ nodes: 1 }), [pod]))
    const running = (x: ClusterState) => (list(x, 'Pod')[0]?.['status'] as { phase?: string } | undefined)?.phase === 'Running'
    const seen: ClusterState[] = []
    const plain = right(runUntil(s, running))
    const observed = right(runUntil(s, running, { observe: (x) => seen.push(x) }))
    expect(snapshot(observed)).toEqual(snapshot(plain))
    expect(seen.at(-1)).toBe(observed)
  })
})
