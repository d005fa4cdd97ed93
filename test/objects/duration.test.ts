import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { humanDuration as formatDuration } from '../../src/io/age.js'
import { parseDuration } from '../../src/objects/duration.js'

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * S],
    ['5m', 5 * M],
    ['1h', H],
    ['365d', 365 * D],
    ['1h30m', H + 30 * M],
    ['500ms', 500],
    ['2d12h', 2 * D + 12 * H],
    ['1.5h', 1.5 * H],
    ['.5s', 500],
    ['1000us', 1],
    ['1000µs', 1],
    ['1000μs', 1],
    ['1000000ns', 1],
    ['0', 0],
    ['+10s', 10 * S],
    [' 10s ', 10 * S],
  ])('parses %s', (input, ms) => {
    expect(parseDuration(input)).toEqual(E.right(ms))
  })
  it('takes numbers as milliseconds', () => {
    expect(parseDuration(1500)).toEqual(E.right(1500))
    expect(parseDuration(0)).toEqual(E.right(0))
  })
  it('rejects negatives', () => {
    expect(parseDuration('-5s')).toEqual(E.left('invalid duration "-5s": must not be negative'))
    expect(parseDuration(-1)).toEqual(E.left('invalid duration -1: must not be negative'))
  })
  it('rejects garbage with a clear message', () => {
    expect(parseDuration('5x')).toEqual(E.left('invalid duration "5x": unknown unit "x" (use ns, us, ms, s, m, h or d)'))
    expect(parseDuration('1500')).toEqual(E.left('invalid duration "1500": missing unit (ns, us, ms, s, m, h or d)'))
    expect(parseDuration('abc')).toEqual(E.left("invalid duration \"abc\": expected a number followed by a unit (ns, us, ms, s, m, h or d), e.g. '90s' or '1h30m'"))
    expect(E.isLeft(parseDuration(''))).toBe(true)
    expect(E.isLeft(parseDuration('1h 30m'))).toBe(true)
    expect(E.isLeft(parseDuration('s'))).toBe(true)
    expect(E.isLeft(parseDuration(Number.POSITIVE_INFINITY))).toBe(true)
    expect(E.isLeft(parseDuration(Number.NaN))).toBe(true)
  })
  it('never throws and is additive over concatenation', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseDuration(s)))
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (h, m) => {
        expect(parseDuration(`${h}h${m}m`)).toEqual(E.right(h * H + m * M))
      }),
    )
  })
})

describe('humanDuration (HumanDuration), as durations print', () => {
  it.each([
    [-5 * S, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [90 * S, '90s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [5 * M + 30 * S, '5m30s'],
    [10 * M, '10m'],
    [125 * M, '125m'],
    [3 * H, '3h'],
    [3 * H + 20 * M, '3h20m'],
    [8 * H, '8h'],
    [30 * H, '30h'],
    [48 * H, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [8 * D, '8d'],
    [365 * D, '365d'],
    [730 * D, '2y'],
    [760 * D, '2y30d'],
    [8 * 365 * D, '8y'],
    [10 * 365 * D + 100 * D, '10y'],
  ])('%d ms prints as %s', (ms, out) => {
    expect(formatDuration(ms)).toBe(out)
  })
  it('round-trips through parseDuration for whole-second ages', () => {
    fc.assert(
      fc.property(fc.nat(10 * 365 * 24 * 3600), (secs) => {
        const text = formatDuration(secs * S)
        if (/y/.test(text)) return
        const back = parseDuration(text)
        expect(E.isRight(back) && back.right).toBeLessThanOrEqual(secs * S)
      }),
    )
  })
})
