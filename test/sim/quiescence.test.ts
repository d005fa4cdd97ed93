import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { afterEach, describe, expect, it } from 'vitest'
import { advance, apply, type ClusterState, type Controller, createCluster, list, settle, step } from '../../src/index.js'
import { verifyQuiescence } from '../../src/sim/quiescence.js'
import { right } from '../helpers.js'

/** Labels every ConfigMap `seen=true`; counts its passes; wakes at a fixed time. */
const labeller = (calls: { n: number }, wakeAt?: number): Controller => ({
  name: 'labeller',
  watches: ['ConfigMap'],
  reconcile: (s) => {
    calls.n++
    return list(s, 'ConfigMap')
      .filter((c) => c.metadata.labels?.['seen'] !== 'true')
      .map((c) => ({ type: 'update' as const, by: 'labeller', object: { ...c, metadata: { ...c.metadata, labels: { ...c.metadata.labels, seen: 'true' } } } }))
  },
  nextWakeup: (s) => (wakeAt !== undefined && wakeAt > s.now ? O.some(wakeAt) : O.none),
})

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } })

describe('quiet controllers', () => {
  afterEach(() => verifyQuiescence(process.env['KUBESIM_VERIFY_QUIET'] !== '0'))

  it('are not run again while nothing they watch changes', () => {
    verifyQuiescence(false) // the check would run every skipped pass
    const calls = { n: 0 }
    let s = createCluster({ controllers: [labeller(calls)] })
    s = right(settle(right(apply(s, configMap('a')))))
    const settled = calls.n
    // Unwatched kinds, the clock and steps alone do not wake it.
    s = right(apply(s, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'default' } }))
    s = right(advance(s, '1h'))
    expect(step(s).state).toBe(s)
    expect(calls.n).toBe(settled)
    // A watched kind changing does.
    s = right(settle(right(apply(s, configMap('b')))))
    expect(calls.n).toBeGreaterThan(settled)
    expect(list(s, 'ConfigMap').map((c) => c.metadata.labels?.['seen'])).toEqual(['true', 'true'])
  })

  it('run again at their own wakeup', () => {
    verifyQuiescence(false)
    const calls = { n: 0 }
    const base = createCluster()
    let s = createCluster({ controllers: [labeller(calls, base.now + 60_000)] })
    s = right(settle(s))
    const before = calls.n
    s = right(advance(s, '30s'))
    expect(calls.n).toBe(before)
    s = right(advance(s, '30s'))
    expect(calls.n).toBe(before + 1)
  })

  it('the check catches a controller whose watches leave something out', () => {
    verifyQuiescence(true)
    // It reads Secrets but declares only ConfigMaps: a new Secret is missed while it is skipped.
    const blind: Controller = {
      name: 'blind',
      watches: ['ConfigMap'],
      reconcile: (s: ClusterState) =>
        list(s, 'Secret').some((x) => x.metadata.name === 'go') && list(s, 'ConfigMap').length === 0
          ? [{ type: 'create', by: 'blind', object: configMap('made') }]
          : [],
      nextWakeup: () => O.none,
    }
    let s = right(settle(createCluster({ controllers: [blind] })))
    s = right(apply(s, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'go', namespace: 'default' } }))
    expect(() => step(s)).toThrow(/blind was skipped/)
    verifyQuiescence(false)
    expect(E.isRight(settle(s)) && list(step(s).state, 'ConfigMap')).toEqual([])
  })
})
