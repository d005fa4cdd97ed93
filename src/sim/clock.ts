/**
 * Virtual time: timestamps as Kubernetes writes them (RFC 3339, whole seconds, UTC) and the
 * parsing of user-supplied start times. The clock itself is `ClusterState.now`; nothing here
 * reads the host's clock.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { memoised } from '../internal/memo.js'

/** The default start of virtual time: 2025-01-01T00:00:00Z. */
export const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 1)

/**
 * Formats virtual time as Kubernetes' `metav1.Time`: RFC 3339 in UTC, whole seconds.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatTimestamp } from 'kubesim'
 * expect(formatTimestamp(Date.UTC(2025, 0, 1, 12, 30, 5, 999))).toBe('2025-01-01T12:30:05Z')
 * ```
 */
export const formatTimestamp = (ms: number): string => {
  const second = Math.floor(ms / 1000)
  if (second === lastFormatted.second) return lastFormatted.text
  const text = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
  lastFormatted = { second, text }
  return text
}

// Controllers stamp many objects with the same second, and read back the same few timestamps.
let lastFormatted: { readonly second: number; readonly text: string } = { second: Number.NaN, text: '' }

/**
 * Parses a timestamp written by Kubernetes (or any ISO 8601 date-time) to ms since the epoch.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseTimestamp } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(parseTimestamp('2025-01-01T00:00:10Z')).toEqual(E.right(Date.UTC(2025, 0, 1, 0, 0, 10)))
 * expect(E.isLeft(parseTimestamp('yesterday'))).toBe(true)
 * ```
 */
export const parseTimestamp = (text: string): E.Either<string, number> => parseMemoised(text)

const parseTimestampText = (text: string): E.Either<string, number> => {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text))
    return E.left(`invalid timestamp ${JSON.stringify(text)}: expected RFC 3339, e.g. 2025-01-01T00:00:00Z`)
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? E.right(ms) : E.left(`invalid timestamp ${JSON.stringify(text)}`)
}
const parseMemoised = memoised(parseTimestampText)

/**
 * Reads a timestamp field of an object, `undefined` when absent or malformed.
 *
 * @internal
 */
export const timestampMs = (text: unknown): number | undefined => {
  if (typeof text !== 'string') return undefined
  const parsed = parseTimestamp(text)
  return E.isRight(parsed) ? parsed.right : undefined
}
