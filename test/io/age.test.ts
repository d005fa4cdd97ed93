import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ageSince, humanDuration } from '../../src/io/age.js'

const s = 1000
const m = 60 * s
const h = 60 * m
const d = 24 * h

describe('humanDuration (k8s.io/apimachinery duration.HumanDuration)', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [-1, '0s'],
    [0, '0s'],
    [999, '0s'],
    [45 * s, '45s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [5 * m + 30 * s, '5m30s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 20 * m, '3h20m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [6 * d + 5 * h, '6d5h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [3 * 365 * d + 120 * d, '3y120d'],
    [8 * 365 * d + 100 * d, '8y'],
    [Number.NaN, '<invalid>'],
    [Number.POSITIVE_INFINITY, '292y'],
    [Number.NEGATIVE_INFINITY, '<invalid>'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected)
  })

  it('is total and short', () => {
    fc.assert(
      fc.property(fc.double(), (ms) => {
        const out = humanDuration(ms)
        expect(out).toMatch(/^(<invalid>|\d+[smhdy](\d+[smhd])?)$/)
      }),
    )
  })
})

describe('ageSince', () => {
  const now = Date.parse('2024-01-01T00:10:00Z')
  it('reads RFC 3339 timestamps', () => {
    expect(ageSince('2024-01-01T00:00:00Z', now)).toBe('10m')
    expect(ageSince('2023-12-31T00:10:00Z', now)).toBe('24h')
  })
  it('prints <unknown> for a missing or unparseable timestamp', () => {
    expect(ageSince(undefined, now)).toBe('<unknown>')
    expect(ageSince('', now)).toBe('<unknown>')
    expect(ageSince('yesterday', now)).toBe('<unknown>')
    expect(ageSince({}, now)).toBe('<unknown>')
  })
  it('never throws', () => {
    fc.assert(fc.property(fc.anything(), fc.double(), (t, n) => typeof ageSince(t, n) === 'string'))
  })
})
