import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deepFreeze } from '../../src/internal/immer.js'
import { fromLabelSelector, type LabelSelector, matchesSelector } from '../../src/objects/selector.js'

const key = fc.constantFrom('app', 'tier', 'env', 'zone')
const value = fc.constantFrom('web', 'db', 'fe', 'prod', 'a')
const labelSelector: fc.Arbitrary<LabelSelector> = fc.record(
  {
    matchLabels: fc.dictionary(key, value, { maxKeys: 3 }),
    matchExpressions: fc.array(
      fc.record({ key, operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bogus'), values: fc.array(value, { maxLength: 3 }) }, { requiredKeys: ['key', 'operator'] }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
)
const labels = fc.dictionary(key, value, { maxKeys: 4 })

describe('fromLabelSelector', () => {
  it('compiles a frozen selector once, to what a fresh copy compiles to', () => {
    fc.assert(
      fc.property(labelSelector, fc.array(labels, { maxLength: 5 }), (selector, sets) => {
        const frozen = deepFreeze(structuredClone(selector))
        const first = fromLabelSelector(frozen)
        expect(fromLabelSelector(frozen)).toBe(first)
        expect(first).toEqual(fromLabelSelector(structuredClone(selector)))
        for (const l of sets) expect(matchesSelector(first, l)).toBe(matchesSelector(fromLabelSelector(structuredClone(selector)), l))
      }),
    )
  })

  it('compiles a selector that can still change every time', () => {
    const selector: { matchLabels: Record<string, string> } = { matchLabels: { app: 'web' } }
    expect(matchesSelector(fromLabelSelector(selector), { app: 'web' })).toBe(true)
    selector.matchLabels['app'] = 'db'
    expect(matchesSelector(fromLabelSelector(selector), { app: 'web' })).toBe(false)
    // Frozen outside, open inside: still compiled afresh.
    const shallow = Object.freeze({ matchLabels: { app: 'web' } as Record<string, string> })
    expect(matchesSelector(fromLabelSelector(shallow), { app: 'web' })).toBe(true)
    shallow.matchLabels['app'] = 'db'
    expect(matchesSelector(fromLabelSelector(shallow), { app: 'web' })).toBe(false)
  })
})
