import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CronSchedule, isKnownTimeZone, nextScheduleTime, parseCronSchedule } from '../../src/objects/cronSchedule.js'

const parse = (spec: string): CronSchedule => {
  const r = parseCronSchedule(spec)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
const next = (spec: string, after: string): string | undefined => {
  const n = nextScheduleTime(parse(spec), Date.parse(after))
  return O.isSome(n) ? new Date(n.value).toISOString() : undefined
}

describe('parseCronSchedule errors (robfig/cron v3 ParseStandard wording)', () => {
  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 * * * * *', 'expected exactly 5 fields, found 6: [0 * * * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 5d', 'failed to parse duration @every 5d: time: unknown unit "d" in duration "5d"'],
    ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
    ['TZ=Mars/Base * * * * *', 'provided bad location Mars/Base: unknown time zone Mars/Base'],
    ['0 0 L * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
  ])('%j -> %s', (spec, message) => {
    expect(parseCronSchedule(spec)).toEqual(E.left(message))
  })
  it('accepts names, ?, lists, ranges, steps and descriptors', () => {
    for (const spec of ['0 9 * JAN-mar MON-FRI', '*/5 * ? * *', '0,30 8-18/2 1,15 * *', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@every 1h30m', 'CRON_TZ=Europe/Paris 0 3 * * *'])
      expect(E.isRight(parseCronSchedule(spec))).toBe(true)
  })
  it('records the TZ prefix', () => {
    const s = parse('TZ=America/New_York 0 3 * * *')
    expect(s.type === 'spec' && s.timeZone).toBe('America/New_York')
  })
  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      parseCronSchedule(s)
    }))
  })
})

describe('nextScheduleTime', () => {
  it('finds the next minute match strictly after the time', () => {
    expect(next('*/15 * * * *', '2024-01-01T00:07:59.500Z')).toBe('2024-01-01T00:15:00.000Z')
    expect(next('*/15 * * * *', '2024-01-01T00:15:00.000Z')).toBe('2024-01-01T00:30:00.000Z')
    expect(next('30 2 * * *', '2024-01-01T03:00:00Z')).toBe('2024-01-02T02:30:00.000Z')
  })
  it('ORs day-of-month and day-of-week when both are restricted, ANDs otherwise', () => {
    // 2024-01-01 is a Monday.
    expect(next('0 0 15 * mon', '2024-01-01T00:00:00Z')).toBe('2024-01-08T00:00:00.000Z')
    expect(next('0 0 * * mon', '2024-01-02T00:00:00Z')).toBe('2024-01-08T00:00:00.000Z')
    expect(next('0 0 15 * *', '2024-01-02T00:00:00Z')).toBe('2024-01-15T00:00:00.000Z')
    // A step over the whole range clears the star bit, so */2 in dom makes it OR again.
    expect(next('0 0 */2 * mon', '2024-01-01T00:00:00Z')).toBe('2024-01-03T00:00:00.000Z')
  })
  it('handles descriptors and @every', () => {
    expect(next('@weekly', '2024-01-03T00:00:00Z')).toBe('2024-01-07T00:00:00.000Z')
    expect(next('@yearly', '2024-06-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z')
    expect(next('@every 90s', '2024-01-01T00:00:00.700Z')).toBe('2024-01-01T00:01:30.000Z')
    expect(next('@every 10ms', '2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:01.000Z')
  })
  it('finds leap days and gives none for impossible dates', () => {
    expect(next('0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z')
    expect(next('0 0 31 2 *', '2024-01-01T00:00:00Z')).toBeUndefined()
    expect(next('0 0 30 2 *', '2024-01-01T00:00:00Z')).toBeUndefined()
  })
  it('evaluates in the schedule time zone', () => {
    expect(next('TZ=Europe/Paris 0 3 * * *', '2024-01-01T00:00:00Z')).toBe('2024-01-01T02:00:00.000Z')
    expect(next('TZ=Asia/Kolkata 0 0 * * *', '2024-01-01T00:00:00Z')).toBe('2024-01-01T18:30:00.000Z')
  })
  it('follows robfig across DST (vectors from robfig/cron spec_test.go, New York 2012)', () => {
    // Spring forward: 02:30 does not exist on 2012-03-11, so that day is skipped.
    expect(next('TZ=America/New_York 30 2 11 Mar *', '2012-03-11T05:00:00Z')).toBe('2013-03-11T06:30:00.000Z')
    expect(next('TZ=America/New_York 0 * * * *', '2012-03-11T05:00:00Z')).toBe('2012-03-11T06:00:00.000Z')
    expect(next('TZ=America/New_York 0 * * * *', '2012-03-11T06:00:00Z')).toBe('2012-03-11T07:00:00.000Z')
    // Fall back: 01:30 happens twice and robfig fires at both.
    expect(next('TZ=America/New_York 30 1 04 Nov *', '2012-11-04T05:45:00Z')).toBe('2012-11-04T06:30:00.000Z')
    expect(next('TZ=America/New_York 0 * * * *', '2012-11-04T05:00:00Z')).toBe('2012-11-04T06:00:00.000Z')
    expect(next('TZ=America/New_York 30 2 04 Nov *', '2012-11-04T04:00:00Z')).toBe('2012-11-04T07:30:00.000Z')
  })
  it('law: the next time matches the spec and is strictly later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 4_000_000_000_000 }), (m, h, after) => {
        const n = nextScheduleTime(parse(`${m} ${h} * * *`), after)
        if (O.isNone(n)) return false
        const d = new Date(n.value)
        return n.value > after && d.getUTCMinutes() === m && d.getUTCHours() === h && d.getUTCSeconds() === 0 && n.value - after <= 86_400_000
      }),
      { numRuns: 200 },
    )
  })
  it('returns none for a non-finite time', () => expect(nextScheduleTime(parse('* * * * *'), Number.NaN)).toEqual(O.none))
})

describe('isKnownTimeZone', () => {
  it('knows IANA names and UTC, not Local or junk', () => {
    expect(isKnownTimeZone('America/New_York')).toBe(true)
    expect(isKnownTimeZone('Etc/UTC')).toBe(true)
    expect(isKnownTimeZone('Local')).toBe(false)
    expect(isKnownTimeZone('Not/AZone')).toBe(false)
    expect(isKnownTimeZone('')).toBe(false)
  })
})
