/**
 * Cron schedules exactly as Kubernetes parses them: robfig/cron v3's `ParseStandard` (five
 * fields, month and weekday names, `?`, `@yearly`..`@hourly`, `@every <duration>`, an optional
 * `TZ=`/`CRON_TZ=` prefix) with its error messages, and its `Next` algorithm evaluated in the
 * schedule's time zone (DST gaps skipped, overlaps fired once). croner was not used: it accepts
 * 6- and 7-field specs and `L`/`W`/`#`, reads `?` differently, and words its errors otherwise.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One field's allowed values, and whether it was written as `*`/`?` (robfig's star bit). */
export interface CronField {
  readonly values: ReadonlyArray<number>
  readonly star: boolean
}

/** A parsed schedule: a field spec, or a constant delay (`@every`). */
export type CronSchedule =
  | {
      readonly type: 'spec'
      readonly minute: CronField
      readonly hour: CronField
      readonly dayOfMonth: CronField
      readonly month: CronField
      readonly dayOfWeek: CronField
      /** IANA zone from a `TZ=` prefix; undefined means the controller's zone (UTC here). */
      readonly timeZone?: string
    }
  | { readonly type: 'every'; readonly delayMs: number }

interface Bounds {
  readonly min: number
  readonly max: number
  readonly names?: Readonly<Record<string, number>>
}

const MINUTES: Bounds = { min: 0, max: 59 }
const HOURS: Bounds = { min: 0, max: 23 }
const DOM: Bounds = { min: 1, max: 31 }
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
}
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } }

const range = (min: number, max: number, step = 1): number[] => {
  const out: number[] = []
  for (let i = min; i <= max; i += step) out.push(i)
  return out
}
const all = (b: Bounds): CronField => ({ values: range(b.min, b.max), star: true })
const only = (v: number): CronField => ({ values: [v], star: false })

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

let zoneSet: ReadonlySet<string> | undefined
const supportedZones = (): ReadonlySet<string> => {
  if (zoneSet === undefined) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => ReadonlyArray<string> }
    zoneSet = new Set(['UTC', 'Etc/UTC', ...(typeof intl.supportedValuesOf === 'function' ? intl.supportedValuesOf('timeZone') : [])])
  }
  return zoneSet
}

/**
 * Whether a name is an IANA time zone this runtime knows (`Intl`): the canonical names, plus
 * aliases the runtime's time zone data accepts (`US/Pacific`). `Local` is not a zone here.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isKnownTimeZone } from 'kubesim'
 * expect(isKnownTimeZone('Europe/Paris')).toBe(true)
 * expect(isKnownTimeZone('UTC')).toBe(true)
 * expect(isKnownTimeZone('Mars/Olympus')).toBe(false)
 * ```
 */
export const isKnownTimeZone = (name: string): boolean => {
  if (name === '' || name === 'Local') return false
  if (supportedZones().has(name)) return true
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/** Go's strconv.Atoi error text, as robfig wraps it. */
const mustParseInt = (expr: string): E.Either<string, number> => {
  if (!/^[+-]?[0-9]+$/.test(expr))
    return E.left(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`)
  const big = BigInt(expr)
  if (big > 9223372036854775807n || big < -9223372036854775808n)
    return E.left(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`)
  const n = Number(big)
  return n < 0 ? E.left(`negative number (${expr.startsWith('+') ? n : big.toString()}) not allowed: ${expr}`) : E.right(n)
}

const parseIntOrName = (expr: string, b: Bounds): E.Either<string, number> => {
  const named = b.names?.[expr.toLowerCase()]
  return named !== undefined ? E.right(named) : mustParseInt(expr)
}

const getRange = (expr: string, b: Bounds): E.Either<string, CronField> => {
  const rangeAndStep = expr.split('/')
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-')
  const singleDigit = lowAndHigh.length === 1
  let start: number
  let end: number
  let star = false
  const low = lowAndHigh[0] ?? ''
  if (low === '*' || low === '?') {
    start = b.min
    end = b.max
    star = true
  } else {
    const s = parseIntOrName(low, b)
    if (E.isLeft(s)) return s
    start = s.right
    if (lowAndHigh.length === 1) end = start
    else if (lowAndHigh.length === 2) {
      const e = parseIntOrName(lowAndHigh[1] ?? '', b)
      if (E.isLeft(e)) return e
      end = e.right
    } else return E.left(`too many hyphens: ${expr}`)
  }
  let step: number
  if (rangeAndStep.length === 1) step = 1
  else if (rangeAndStep.length === 2) {
    const s = mustParseInt(rangeAndStep[1] ?? '')
    if (E.isLeft(s)) return s
    step = s.right
    if (singleDigit) end = b.max
    if (step > 1) star = false
  } else return E.left(`too many slashes: ${expr}`)
  if (start < b.min) return E.left(`beginning of range (${start}) below minimum (${b.min}): ${expr}`)
  if (end > b.max) return E.left(`end of range (${end}) above maximum (${b.max}): ${expr}`)
  if (start > end) return E.left(`beginning of range (${start}) beyond end of range (${end}): ${expr}`)
  if (step === 0) return E.left(`step of range should be a positive number: ${expr}`)
  return E.right({ values: range(start, end, step), star })
}

const getField = (field: string, b: Bounds): E.Either<string, CronField> => {
  const values = new Set<number>()
  let star = false
  for (const expr of field.split(',').filter((s) => s !== '')) {
    const r = getRange(expr, b)
    if (E.isLeft(r)) return r
    r.right.values.forEach((v) => values.add(v))
    star = star || r.right.star
  }
  return E.right({ values: [...values].sort((x, y) => x - y), star })
}

const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }

/** Go's time.ParseDuration, in nanoseconds (as a float; exact enough for cron delays). */
const parseGoDuration = (input: string): E.Either<string, number> => {
  const quoted = JSON.stringify(input)
  let s = input
  let sign = 1
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1
    s = s.slice(1)
  }
  if (s === '0') return E.right(0)
  if (s === '') return E.left(`time: invalid duration ${quoted}`)
  let total = 0
  while (s !== '') {
    const num = /^([0-9]*)(\.([0-9]*))?/.exec(s)
    const whole = num?.[1] ?? ''
    const frac = num?.[3] ?? ''
    if (whole === '' && frac === '') return E.left(`time: invalid duration ${quoted}`)
    s = s.slice(num?.[0].length ?? 0)
    const unit = /^[^0-9.]*/.exec(s)?.[0] ?? ''
    if (unit === '') return E.left(`time: missing unit in duration ${quoted}`)
    const scale = UNIT_NS[unit]
    if (scale === undefined) return E.left(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`)
    s = s.slice(unit.length)
    total += Number(`${whole === '' ? '0' : whole}.${frac === '' ? '0' : frac}`) * scale
  }
  return E.right(sign * total)
}

const parseDescriptor = (descriptor: string, timeZone: string | undefined): E.Either<string, CronSchedule> => {
  const spec = (minute: CronField, hour: CronField, dom: CronField, month: CronField, dow: CronField): CronSchedule => ({
    type: 'spec',
    minute,
    hour,
    dayOfMonth: dom,
    month,
    dayOfWeek: dow,
    ...(timeZone === undefined ? {} : { timeZone }),
  })
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return E.right(spec(only(0), only(0), only(1), only(1), all(DOW)))
    case '@monthly':
      return E.right(spec(only(0), only(0), only(1), all(MONTHS), all(DOW)))
    case '@weekly':
      return E.right(spec(only(0), only(0), all(DOM), all(MONTHS), only(0)))
    case '@daily':
    case '@midnight':
      return E.right(spec(only(0), only(0), all(DOM), all(MONTHS), all(DOW)))
    case '@hourly':
      return E.right(spec(only(0), all(HOURS), all(DOM), all(MONTHS), all(DOW)))
    default:
      break
  }
  if (descriptor.startsWith('@every ')) {
    const d = parseGoDuration(descriptor.slice('@every '.length))
    if (E.isLeft(d)) return E.left(`failed to parse duration ${descriptor}: ${d.left}`)
    const ns = Math.max(d.right, 1e9)
    return E.right({ type: 'every', delayMs: Math.floor(ns / 1e9) * 1000 })
  }
  return E.left(`unrecognized descriptor: ${descriptor}`)
}

/**
 * Parses a schedule as robfig/cron v3 `ParseStandard` does, with its error text (which the API
 * server returns as `spec.schedule: Invalid value: ...: <error>`).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseCronSchedule } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(E.isRight(parseCronSchedule('*\/5 * * * mon-fri'))).toBe(true)
 * expect(E.isRight(parseCronSchedule('@hourly'))).toBe(true)
 * expect(parseCronSchedule('61 * * * *')).toEqual(E.left('end of range (61) above maximum (59): 61'))
 * expect(parseCronSchedule('* * * *')).toEqual(E.left('expected exactly 5 fields, found 4: [* * * *]'))
 * ```
 */
export const parseCronSchedule = (input: string): E.Either<string, CronSchedule> => {
  if (input.length === 0) return E.left('empty spec string')
  let spec = input
  let timeZone: string | undefined
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ')
    const eq = spec.indexOf('=')
    // robfig slices up to the first space; without one Go would panic, we report it instead.
    const name = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space)
    if (space < 0 || (name !== 'Local' && name !== '' && !isKnownTimeZone(name)))
      return E.left(`provided bad location ${name}: unknown time zone ${name}`)
    timeZone = name === 'Local' || name === '' ? undefined : name
    spec = spec.slice(space).trim()
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, timeZone)
  const fields = spec.split(/[\s]+/).filter((f) => f !== '')
  if (fields.length !== 5) return E.left(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`)
  const bounds = [MINUTES, HOURS, DOM, MONTHS, DOW]
  const parsed: CronField[] = []
  for (let i = 0; i < 5; i++) {
    const f = getField(fields[i] ?? '', bounds[i] ?? MINUTES)
    if (E.isLeft(f)) return f
    parsed.push(f.right)
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parsed as [CronField, CronField, CronField, CronField, CronField]
  return E.right({ type: 'spec', minute, hour, dayOfMonth, month, dayOfWeek, ...(timeZone === undefined ? {} : { timeZone }) })
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

interface Wall {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly weekday: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const formatter = (zone: string): Intl.DateTimeFormat => {
  let f = formatters.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    formatters.set(zone, f)
  }
  return f
}

/** The wall clock of an instant in a zone. */
const wallOf = (ms: number, zone: string): Wall => {
  if (zone === 'UTC') {
    const d = new Date(ms)
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    }
  }
  const parts: Record<string, string> = {}
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value
  const rawYear = Number(parts['year'])
  const year = parts['era'] === 'BC' ? 1 - rawYear : rawYear
  const month = Number(parts['month'])
  const day = Number(parts['day'])
  const midnight = new Date(0)
  midnight.setUTCFullYear(year, month - 1, day)
  return {
    year,
    month,
    day,
    hour: Number(parts['hour']) % 24,
    minute: Number(parts['minute']),
    second: Number(parts['second']),
    weekday: midnight.getUTCDay(),
  }
}

/** Wall clock read as if it were UTC, in ms (normalising overflowing fields like Go's Date). */
const wallAsUtc = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => {
  const date = new Date(0)
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, 0)
  return date.getTime()
}

const offsetAt = (ms: number, zone: string): number => {
  if (zone === 'UTC') return 0
  const w = wallOf(ms, zone)
  return wallAsUtc(w.year, w.month, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000
}

/** Go's time.Date in a zone: a wall time in a gap or overlap resolves as Go resolves it. */
const dateIn = (y: number, mo: number, d: number, h: number, mi: number, s: number, zone: string): number => {
  const wall = wallAsUtc(y, mo, d, h, mi, s)
  const first = offsetAt(wall, zone)
  const utc = wall - first
  const second = offsetAt(utc, zone)
  return second === first ? utc : wall - second
}

const has = (field: CronField, v: number): boolean => field.values.includes(v)

const dayMatches = (s: Extract<CronSchedule, { type: 'spec' }>, w: Wall): boolean => {
  const domMatch = has(s.dayOfMonth, w.day)
  const dowMatch = has(s.dayOfWeek, w.weekday)
  return s.dayOfMonth.star || s.dayOfWeek.star ? domMatch && dowMatch : domMatch || dowMatch
}

/**
 * The first activation strictly after `afterMs` (epoch milliseconds), at second 0, computed in
 * the schedule's zone as robfig/cron's `Next`; `None` when the spec can never fire (`30 0 31 2 *`)
 * within five years. `@every d` fires `d` after `afterMs` (sub-second part dropped).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseCronSchedule, nextScheduleTime } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = parseCronSchedule('30 2 * * *')
 * if (E.isLeft(s)) throw new Error(s.left)
 * const next = nextScheduleTime(s.right, Date.parse('2024-01-01T03:00:00Z'))
 * expect(next).toEqual(O.some(Date.parse('2024-01-02T02:30:00Z')))
 * ```
 */
export const nextScheduleTime = (schedule: CronSchedule, afterMs: number): O.Option<number> => {
  if (!Number.isFinite(afterMs)) return O.none
  if (schedule.type === 'every') return O.some(Math.floor(afterMs / 1000) * 1000 + schedule.delayMs)
  const zone = schedule.timeZone ?? 'UTC'
  let t = Math.floor(afterMs / 1000) * 1000 + 1000
  let added = false
  const yearLimit = wallOf(t, zone).year + 5
  // The loop mirrors robfig's labelled WRAP loop; each pass either returns or wraps.
  for (let guard = 0; guard < 10_000; guard++) {
    let w = wallOf(t, zone)
    if (w.year > yearLimit) return O.none
    let wrapped = false
    while (!has(schedule.month, w.month)) {
      if (!added) {
        added = true
        t = dateIn(w.year, w.month, 1, 0, 0, 0, zone)
        w = wallOf(t, zone)
      }
      t = dateIn(w.year, w.month + 1, w.day, w.hour, w.minute, w.second, zone)
      w = wallOf(t, zone)
      if (w.month === 1) {
        wrapped = true
        break
      }
    }
    if (wrapped) continue
    while (!dayMatches(schedule, w)) {
      if (!added) {
        added = true
        t = dateIn(w.year, w.month, w.day, 0, 0, 0, zone)
        w = wallOf(t, zone)
      }
      t = dateIn(w.year, w.month, w.day + 1, w.hour, w.minute, w.second, zone)
      w = wallOf(t, zone)
      // Notice if the hour is no longer midnight due to DST.
      if (w.hour !== 0) {
        t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000
        w = wallOf(t, zone)
      }
      if (w.day === 1) {
        wrapped = true
        break
      }
    }
    if (wrapped) continue
    while (!has(schedule.hour, w.hour)) {
      if (!added) {
        added = true
        t = dateIn(w.year, w.month, w.day, w.hour, 0, 0, zone)
        w = wallOf(t, zone)
      }
      t += 3_600_000
      w = wallOf(t, zone)
      if (w.hour === 0) {
        wrapped = true
        break
      }
    }
    if (wrapped) continue
    while (!has(schedule.minute, w.minute)) {
      if (!added) {
        added = true
        t = Math.floor(t / 60_000) * 60_000
        w = wallOf(t, zone)
      }
      t += 60_000
      w = wallOf(t, zone)
      if (w.minute === 0) {
        wrapped = true
        break
      }
    }
    if (wrapped) continue
    while (w.second !== 0) {
      if (!added) {
        added = true
        t = Math.floor(t / 1000) * 1000
      }
      t += 1000
      w = wallOf(t, zone)
      if (w.second === 0) {
        wrapped = true
        break
      }
    }
    if (wrapped) continue
    return O.some(t)
  }
  return O.none
}
