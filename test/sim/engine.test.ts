import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  advance,
  apply,
  applyManifests,
  type ClusterState,
  type Controller,
  createCluster,
  defaultControllers,
  forkRng,
  get,
  list,
  nextInt,
  remove,
  runUntil,
  settle,
  step,
  traceEntries,
} from '../../src/index.js'
import { left, right } from '../helpers.js'

/** Creates a ConfigMap named after the tick every `periodMs`, from the cluster's start. */
const ticker = (periodMs: number, start: number): Controller => {
  const due = (s: ClusterState) => Math.floor((s.now - start) / periodMs)
  return {
    name: 'ticker',
    reconcile: (s) => {
      const n = due(s)
      const name = `tick-${n}`
      return O.isSome(get(s, 'ConfigMap', 'default', name))
        ? []
        : [{ type: 'create', by: 'ticker', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } } }]
    },
    nextWakeup: (s) => O.some(start + (due(s) + 1) * periodMs),
  }
}

describe('engine', () => {
  it('step returns the same state when no controller acts', () => {
    const s = createCluster()
    expect(step(s).state).toBe(s)
    expect(step(s).changed).toBe(false)
  })

  it('advance visits every wakeup in order and stops at the target time', () => {
    const base = createCluster()
    const s = createCluster({ controllers: [...defaultControllers, ticker(10_000, base.now)] })
    const later = right(advance(s, '35s'))
    expect(later.now).toBe(s.now + 35_000)
    expect(list(later, 'ConfigMap').map((c) => c.metadata.name)).toEqual(['tick-0', 'tick-1', 'tick-2', 'tick-3'])
    const creates = traceEntries(later).filter((e) => e.by === 'ticker')
    expect(creates.map((e) => e.time - s.now)).toEqual([0, 10_000, 20_000, 30_000])
  })

  it('a year of hourly wakeups costs the wakeups, not the seconds', () => {
    const base = createCluster()
    const s = createCluster({ controllers: [ticker(3_600_000, base.now)], traceRetention: 'none' })
    const later = right(advance(s, '365d'))
    expect(list(later, 'ConfigMap')).toHaveLength(365 * 24 + 1)
  })

  it('runUntil stops as soon as the predicate holds, or times out with the state reached', () => {
    const base = createCluster()
    const s = createCluster({ controllers: [ticker(10_000, base.now)] })
    const reached = right(runUntil(s, (x) => list(x, 'ConfigMap').length >= 3))
    expect(reached.now).toBe(s.now + 20_000)
    const timedOut = left(runUntil(s, (x) => list(x, 'ConfigMap').length >= 100, { timeout: '30s' }))
    expect(timedOut.reason).toBe('Timeout')
    expect(list(timedOut.state, 'ConfigMap')).toHaveLength(4)
  })

  it('settle reports controllers that never stop changing objects', () => {
    let counter = 0
    const restless: Controller = {
      name: 'restless',
      reconcile: () => [{ type: 'create', by: 'restless', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${counter++}`, namespace: 'default' } } }],
      nextWakeup: () => O.none,
    }
    const result = settle(createCluster({ controllers: [restless] }), { maxSteps: 5 })
    expect(E.isLeft(result) && result.left.reason).toBe('NotSettled')
  })

  it('refused controller writes are traced and do not stop the pass', () => {
    const bad: Controller = {
      name: 'bad',
      reconcile: (s) =>
        list(s, 'ConfigMap').length > 0
          ? []
          : [
              { type: 'create', by: 'bad', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } } },
              { type: 'create', by: 'bad', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'good', namespace: 'default' } } },
            ],
      nextWakeup: () => O.none,
    }
    const settled = right(settle(createCluster({ controllers: [bad] })))
    expect(list(settled, 'ConfigMap').map((c) => c.metadata.name)).toEqual(['good'])
    expect(traceEntries(settled).find((e) => e.name === 'Bad_Name')?.result).toBe('Invalid')
  })

  it('rejects malformed durations', () => {
    expect(left(advance(createCluster(), 'soon')).reason).toBe('Timeout')
  })
})

/** A random user session: applies with generated names, deletes, and time passing. */
const command = fc.oneof(
  fc.record({ op: fc.constant('create' as const), prefix: fc.constantFrom('a-', 'b-'), labels: fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('x', 'y')) }),
  fc.record({ op: fc.constant('delete' as const), index: fc.nat(20), propagation: fc.constantFrom('Background' as const, 'Foreground' as const, 'Orphan' as const) }),
  fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 120 }) }),
)

const run = (seed: number, commands: ReadonlyArray<Record<string, unknown>>): ClusterState => {
  let s = createCluster({ seed, traceRetention: 'all', controllers: [...defaultControllers, randomLabeller] })
  for (const c of commands as ReadonlyArray<{ op: string } & Record<string, unknown>>) {
    if (c.op === 'create') {
      const owner = list(s, 'ConfigMap')[0]
      const next = applyManifests(s, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          generateName: c['prefix'],
          labels: c['labels'],
          ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid }] }),
        },
      })
      if (E.isRight(next)) s = next.right
    } else if (c.op === 'delete') {
      const all = list(s, 'ConfigMap')
      const target = all[(c['index'] as number) % Math.max(1, all.length)]
      if (target !== undefined) {
        const next = remove(s, { kind: 'ConfigMap', namespace: 'default', name: target.metadata.name }, { propagation: c['propagation'] as 'Background' })
        if (E.isRight(next)) s = next.right
      }
    } else {
      const next = advance(s, (c['seconds'] as number) * 1000)
      if (E.isRight(next)) s = next.right
    }
  }
  return s
}

/** A controller that uses its forked random stream to label ConfigMaps. */
const randomLabeller: Controller = {
  name: 'labeller',
  reconcile: (s) => {
    const target = list(s, 'ConfigMap').find((c) => c.metadata.labels?.['lucky'] === undefined)
    if (target === undefined) return []
    const [n] = nextInt(forkRng(s.rng, 'labeller'), 1000)
    return [{ type: 'update', by: 'labeller', object: { ...target, metadata: { ...target.metadata, labels: { ...target.metadata.labels, lucky: String(n) } } } }]
  },
  nextWakeup: () => O.none,
}

const fingerprint = (s: ClusterState): string =>
  JSON.stringify({ trace: traceEntries(s), objects: list(s, 'ConfigMap'), rng: s.rng, now: s.now, revision: s.revision })

describe('determinism', () => {
  it('same seed and same inputs give the same trace and state, byte for byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.array(command, { maxLength: 25 }), (seed, commands) => {
        expect(fingerprint(run(seed, commands))).toBe(fingerprint(run(seed, commands)))
      }),
      { numRuns: 60 },
    )
  })

  it('different seeds give different generated names', () => {
    const commands = [{ op: 'create', prefix: 'a-', labels: {} }]
    expect(list(run(1, commands), 'ConfigMap')[0]?.metadata.name).not.toBe(list(run(2, commands), 'ConfigMap')[0]?.metadata.name)
  })
})

describe('apply is idempotent', () => {
  it('applying the same manifest twice leaves the same state', () => {
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }
    const once = right(apply(createCluster(), manifest))
    expect(right(apply(once, manifest))).toBe(once)
  })
})

describe('controller memory', () => {
  it('remember stores a value per controller without changing objects or settling forever', () => {
    const counter: Controller = {
      name: 'counter',
      reconcile: (s) => {
        const seen = (s.memory.get('counter') as number | undefined) ?? 0
        return seen >= 3 ? [] : [{ type: 'remember', by: 'counter', value: seen + 1 }]
      },
      nextWakeup: () => O.none,
    }
    const s = createCluster({ controllers: [counter] })
    const first = step(s)
    expect(first.changed).toBe(false)
    expect(first.state.memory.get('counter')).toBe(1)
    expect(right(settle(s)).memory.get('counter')).toBe(1)
  })
})
