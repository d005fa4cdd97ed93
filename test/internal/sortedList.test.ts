import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SortedList } from '../../src/internal/sortedList.js'

interface Item {
  readonly key: number
  readonly version: number
}
const byKey = (a: Item, b: Item): number => a.key - b.key

describe('SortedList', () => {
  it('holds what a sorted array holds, in order, after any inserts, removes and replaces', () => {
    const op = fc.record({ kind: fc.constantFrom('insert', 'remove', 'replace', 'removeStale'), key: fc.integer({ min: 0, max: 600 }) })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
        const list = new SortedList<Item>(byKey)
        const model = new Map<number, Item>()
        let version = 0
        for (const { kind, key } of ops) {
          const held = model.get(key)
          if (kind === 'insert' && held === undefined) {
            const item = { key, version: version++ }
            list.insert(item)
            model.set(key, item)
          } else if (kind === 'remove') {
            expect(list.remove(held ?? { key, version: -1 })).toBe(held !== undefined)
            model.delete(key)
          } else if (kind === 'replace') {
            const item = { key, version: version++ }
            expect(list.replace(held ?? { key, version: -1 }, item)).toBe(held !== undefined)
            if (held !== undefined) model.set(key, item)
          } else if (kind === 'removeStale' && held !== undefined) {
            // An equal item that is not the one held is not removed.
            expect(list.remove({ key, version: -1 })).toBe(false)
          }
          expect(list.length).toBe(model.size)
        }
        const expected = [...model.values()].sort(byKey)
        expect(list.toArray()).toEqual(expected)
        expect([...list]).toEqual(expected)
        expect(list.filter((item) => item.key % 2 === 0)).toEqual(expected.filter((item) => item.key % 2 === 0))
      }),
      { numRuns: 60 },
    )
  })

  it('keeps order across chunk splits (ascending and descending inserts)', () => {
    const list = new SortedList<Item>(byKey)
    for (let i = 0; i < 1000; i++) list.insert({ key: i * 2, version: 0 })
    for (let i = 999; i >= 0; i--) list.insert({ key: i * 2 + 1, version: 0 })
    expect(list.toArray().map((item) => item.key)).toEqual(Array.from({ length: 2000 }, (_, i) => i))
  })
})
