/**
 * Durations as people write them (`90s`, `5m`, `1h30m`, `365d`): Go's `time.ParseDuration`
 * syntax plus a `d` unit for days, parsed to milliseconds of virtual time; and ages printed the
 * way kubectl prints them (apimachinery's `HumanDuration`: `45s`, `5m30s`, `3h20m`, `2d5h`).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}
const UNITS = 'ns, us, ms, s, m, h or d'

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * Parses a duration to milliseconds. Strings use Go's syntax (a sequence of decimal numbers,
 * each with a unit: `ns us µs ms s m h`) plus `d` for 24 hours; numbers are milliseconds.
 * Negative, non-finite and malformed input is rejected with a message.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseDuration } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(parseDuration('1h30m')).toEqual(E.right(5_400_000))
 * expect(parseDuration('365d')).toEqual(E.right(31_536_000_000))
 * expect(parseDuration(250)).toEqual(E.right(250))
 * expect(E.isLeft(parseDuration('-5s'))).toBe(true)
 * ```
 */
export const parseDuration = (input: string | number): E.Either<string, number> => {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return E.left(`invalid duration ${String(input)}: must be a finite number of milliseconds`)
    if (input < 0) return E.left(`invalid duration ${String(input)}: must not be negative`)
    return E.right(input)
  }
  if (typeof input !== 'string') return E.left('invalid duration: expected a string or a number of milliseconds')
  const quoted = JSON.stringify(input)
  let s = input.trim()
  if (s.startsWith('-')) return E.left(`invalid duration ${quoted}: must not be negative`)
  if (s.startsWith('+')) s = s.slice(1)
  if (s === '0') return E.right(0)
  if (s === '')
    return E.left(`invalid duration ${quoted}: expected a number followed by a unit (${UNITS}), e.g. '90s' or '1h30m'`)
  const part = /^([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/
  let total = 0
  while (s.length > 0) {
    const m = part.exec(s)
    const num = m?.[1] ?? ''
    const unit = m?.[2] ?? ''
    if (m === null || num === '' || num === '.') {
      if (/^[0-9.]+$/.test(s)) return E.left(`invalid duration ${quoted}: missing unit (${UNITS})`)
      return E.left(`invalid duration ${quoted}: expected a number followed by a unit (${UNITS}), e.g. '90s' or '1h30m'`)
    }
    const factor = MS_PER_UNIT[unit]
    if (factor === undefined) return E.left(`invalid duration ${quoted}: unknown unit ${JSON.stringify(unit)} (use ${UNITS})`)
    total += Number(num) * factor
    s = s.slice(m[0].length)
  }
  if (!Number.isFinite(total)) return E.left(`invalid duration ${quoted}: too large`)
  return E.right(total)
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

