/**
 * Human-readable durations as kubectl prints them in AGE, DURATION and LAST SEEN columns. The
 * rules follow `k8s.io/apimachinery/pkg/util/duration.HumanDuration`: about two significant
 * figures, from `45s` through `5m30s`, `3h20m` and `6d5h` up to `3y120d`.
 *
 * @module
 */
import { timestampMs } from '../sim/clock.js'

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
/** Go's maximum time.Duration (2^63-1 ns), in whole milliseconds. */
const MAX_DURATION_MS = 9_223_372_036_854

/**
 * Renders a duration in milliseconds as kubectl does in its AGE column. Negative durations down
 * to -1s print `0s` (clock skew between machines); anything earlier is `<invalid>`, and so is
 * NaN. Durations saturate at Go's maximum (about 292 years), as `time.Since` does.
 *
 * @category cli-output
 * @since 0.1.0
 * @example
 * ```ts
 * import { humanDuration } from 'kubesim'
 * expect(humanDuration(45_000)).toBe('45s')
 * expect(humanDuration(330_000)).toBe('5m30s')
 * expect(humanDuration(3 * 3_600_000 + 20 * 60_000)).toBe('3h20m')
 * expect(humanDuration(30 * 3_600_000)).toBe('30h')
 * expect(humanDuration(6 * 86_400_000 + 5 * 3_600_000)).toBe('6d5h')
 * expect(humanDuration(-5_000)).toBe('<invalid>')
 * ```
 */
export const humanDuration = (ms: number): string => {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return '<invalid>'
  // Go's time.Duration saturates at about 292 years (time.Since clamps to it).
  const clamped = Math.min(ms, MAX_DURATION_MS)
  // Go's int(d.Seconds()) truncates toward zero, so -1.9s counts as -1s.
  const seconds = Math.trunc(clamped / SECOND)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.trunc(clamped / MINUTE)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 180) return `${minutes}m`
  const hours = Math.trunc(clamped / HOUR)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`
  const years = Math.trunc(hours / 24 / 365)
  if (hours < 24 * 365 * 8) {
    const d = Math.trunc(hours / 24) % 365
    return d === 0 ? `${years}y` : `${years}y${d}d`
  }
  return `${years}y`
}

/**
 * The age of a timestamp at `now`, as kubectl's `translateTimestampSince`: `<unknown>` when the
 * timestamp is missing or unparseable.
 *
 * @category cli-output
 * @since 0.1.0
 * @example
 * ```ts
 * import { ageSince } from 'kubesim'
 * const now = Date.parse('2024-01-01T00:10:00Z')
 * expect(ageSince('2024-01-01T00:00:00Z', now)).toBe('10m')
 * expect(ageSince(undefined, now)).toBe('<unknown>')
 * ```
 */
export const ageSince = (timestamp: unknown, now: number): string => {
  const t = timestampMs(timestamp)
  return t === undefined ? '<unknown>' : humanDuration(now - t)
}

