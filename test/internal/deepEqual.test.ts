import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deepEqual, deepEqualExcept } from '../../src/internal/deepEqual.js'

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v

describe('deepEqual', () => {
  it('agrees with comparing key-sorted JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(deepEqual(a, b)).toBe(JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)))
        expect(deepEqual(a, JSON.parse(JSON.stringify(a)) as unknown)).toBe(true)
      }),
    )
  })

  it('ignores key order and undefined-valued keys, but not array order', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true)
    expect(deepEqual({ a: 1, x: undefined }, { a: 1 })).toBe(true)
    expect(deepEqual([1, 2], [2, 1])).toBe(false)
    expect(deepEqual({ a: [] }, { a: {} })).toBe(false)
  })

  it('deepEqualExcept skips the named top-level keys', () => {
    expect(deepEqualExcept({ spec: 1, status: 2 }, { spec: 1, status: 3 }, ['status'])).toBe(true)
    expect(deepEqualExcept({ spec: 1 }, { spec: 1, extra: 2 }, ['status'])).toBe(false)
  })
})
