import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deepFreeze } from '../../src/internal/immer.js'
import { frozenJsonCopy } from '../../src/internal/jsonCopy.js'

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown

const isDeepFrozen = (value: unknown): boolean =>
  value === null || typeof value !== 'object' || (Object.isFrozen(value) && Object.values(value).every(isDeepFrozen))

// JSON-ish values, including what a round trip changes: undefined, NaN, -0, Infinity, holes.
const loose = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, undefined, Number.NaN, -0, Number.POSITIVE_INFINITY, 0, 1.5, '', 'x', '__proto__'),
    fc.string(),
    fc.integer(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', '1', '__proto__', 'toString'), tie('value'), { maxKeys: 4 }),
  ),
})).value

describe('frozenJsonCopy', () => {
  it('gives what a JSON round trip gives, deep-frozen, with or without a previous version', () => {
    fc.assert(
      fc.property(loose, loose, fc.boolean(), (value, previous, freezePrevious) => {
        const prev = freezePrevious ? deepFreeze(previous) : previous
        const copied = frozenJsonCopy(value, prev)
        if (value === undefined) return
        expect(JSON.stringify(copied)).toBe(JSON.stringify(value))
        expect(copied).toStrictEqual(roundTrip(value))
        expect(isDeepFrozen(copied)).toBe(true)
      }),
    )
  })

  it('gives the round trip when the value holds frozen subtrees of the previous version, clean or not', () => {
    fc.assert(
      fc.property(loose, loose, (shared, other) => {
        const frozen = deepFreeze(shared)
        const previous = deepFreeze({ x: frozen, y: [frozen, other] })
        const value = { x: frozen, y: [frozen, 1], z: frozen }
        const copied = frozenJsonCopy(value, previous)
        expect(copied).toStrictEqual(roundTrip(value))
        expect(isDeepFrozen(copied)).toBe(true)
      }),
    )
  })

  it('reuses clean stored subtrees the value still holds, and copies the changed path', () => {
    const stored = deepFreeze(roundTrip({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', state: { running: {} } }] })) as Record<string, unknown>
    const next = { ...stored, phase: 'Succeeded' }
    const copied = frozenJsonCopy(next, stored) as Record<string, unknown>
    expect(copied).not.toBe(next)
    expect(copied['conditions']).toBe(stored['conditions'])
    expect(copied['containerStatuses']).toBe(stored['containerStatuses'])
    expect(copied).toStrictEqual(roundTrip(next))
  })

  it('does not reuse a frozen subtree a round trip would change', () => {
    const stored = deepFreeze({ a: { b: undefined, c: 1 }, d: [Number.NaN] })
    const copied = frozenJsonCopy({ ...stored }, stored) as Record<string, unknown>
    expect(copied['a']).not.toBe(stored.a)
    expect(copied).toStrictEqual({ a: { c: 1 }, d: [null] })
  })

  it('falls back to the real round trip for values that are not plain data', () => {
    const when = new Date(Date.UTC(2025, 0, 1))
    expect(frozenJsonCopy({ at: when, n: 2n === 2n ? 1 : 0 }, undefined)).toStrictEqual({ at: '2025-01-01T00:00:00.000Z', n: 1 })
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    expect(() => frozenJsonCopy(cyclic, undefined)).toThrow(TypeError)
  })
})
