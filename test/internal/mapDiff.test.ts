import fc from 'fast-check'
import { Map as IMap } from 'immutable'
import { describe, expect, it } from 'vitest'
import { diffMaps } from '../../src/internal/mapDiff.js'

const naive = (a: IMap<string, object>, b: IMap<string, object>) => {
  const out: string[] = []
  for (const [k, v] of a) if (b.get(k) !== v) out.push(k)
  for (const k of b.keys()) if (!a.has(k)) out.push(k)
  return out.sort()
}

describe('diffMaps', () => {
  const op = fc.record({ remove: fc.boolean(), key: fc.integer({ min: 0, max: 3000 }) })
  it('finds exactly the changed keys of two versions, with their before and after values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.array(op, { maxLength: 60 }), fc.boolean(), (size, ops, transient) => {
        const values = new Map<number, object>()
        const value = (k: number) => values.get(k) ?? (values.set(k, { k }), values.get(k) as object)
        let base = IMap<string, object>()
        for (let i = 0; i < size; i++) base = base.set(`k${i}`, value(i))
        const apply = (m: IMap<string, object>) => {
          let out = m
          for (const o of ops) out = o.remove ? out.remove(`k${o.key}`) : out.set(`k${o.key}`, { k: o.key, fresh: true })
          return out
        }
        const next = transient ? base.withMutations(apply) : apply(base)
        const changes = diffMaps(base, next)
        expect(changes.map((c) => c.key).sort()).toEqual(naive(base, next))
        for (const c of changes) {
          expect(c.before).toBe(base.get(c.key))
          expect(c.after).toBe(next.get(c.key))
        }
        // Symmetric: diffing the other way finds the same keys.
        expect(diffMaps(next, base).map((c) => c.key).sort()).toEqual(naive(base, next))
      }),
      { numRuns: 150 },
    )
  })

  it('works on unrelated maps and returns nothing for the same map', () => {
    const a = IMap({ x: { v: 1 }, y: { v: 2 } })
    const b = IMap({ y: a.get('y') as { v: number }, z: { v: 3 } })
    expect(diffMaps(a, b).map((c) => c.key).sort()).toEqual(['x', 'z'])
    expect(diffMaps(a, a)).toEqual([])
  })
})
