import { describe, expect, it } from 'vitest'
import { baselineFrom, compare, formatTable, type GuardBaseline, type GuardRun, ratiosOf } from '../../bench/guardCompare.js'

const run = (calibrationMs: number, s1: number, s2: number): GuardRun => ({
  calibrationMs,
  metrics: [
    { name: 's1', microsPerPod: s1 },
    { name: 's2', microsPerPod: s2 },
  ],
})
const baseline = baselineFrom([run(500, 600, 800), run(400, 500, 700), run(600, 700, 900)], 'test machine', '2026-01-01')

describe('bench guard comparison', () => {
  it('stores the median ratio per metric', () => {
    // ratios: s1 1.2, 1.25, 1.1667 -> median 1.2; s2 1.6, 1.75, 1.5 -> median 1.6
    expect(baseline.ratios['s1']).toBeCloseTo(1.2, 6)
    expect(baseline.ratios['s2']).toBeCloseTo(1.6, 6)
    expect(baseline.runs).toBe(3)
    expect(baseline.calibrationMs).toBe(500)
  })

  it('passes the same cost on a machine twice as slow (the calibration scales with it)', () => {
    const rows = compare(run(1000, 1200, 1600), baseline)
    expect(rows.every((r) => r.ok)).toBe(true)
    expect(rows.map((r) => r.factor)).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)])
  })

  it('passes up to 3x and fails beyond, per metric', () => {
    expect(compare(run(500, 600 * 3, 800), baseline).every((r) => r.ok)).toBe(true)
    const rows = compare(run(500, 600 * 3.1, 800), baseline)
    expect(rows.map((r) => r.ok)).toEqual([false, true])
    expect(rows[0]?.why).toMatch(/regressed 3\.10x > 3x/)
    expect(formatTable(rows, 500)).toMatch(/FAIL: regressed/)
  })

  it('cannot pass vacuously: a metric missing on either side, or a non-positive time, fails', () => {
    const onlyS1: GuardRun = { calibrationMs: 500, metrics: [{ name: 's1', microsPerPod: 600 }] }
    expect(compare(onlyS1, baseline).find((r) => r.name === 's2')).toMatchObject({ ok: false, why: 'not measured' })
    const noBaseline: GuardBaseline = { ...baseline, ratios: { s1: 1.2 } }
    expect(compare(run(500, 600, 800), noBaseline).find((r) => r.name === 's2')?.ok).toBe(false)
    expect(compare(run(500, 0, 800), baseline)[0]?.ok).toBe(false)
    expect(compare(run(500, Number.NaN, 800), baseline)[0]?.ok).toBe(false)
    expect(() => ratiosOf(run(0, 600, 800))).toThrow(/calibration/)
  })
})
