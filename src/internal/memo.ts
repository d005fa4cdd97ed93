/**
 * Bounded memo tables for pure functions of a key: a pass formats, parses and checks the same
 * few timestamps, names and images many times.
 *
 * @internal
 * @module
 */

/** How many results a table keeps before it starts over. */
export const MEMO_LIMIT = 4096

/**
 * `f` with its results remembered by key, up to `MEMO_LIMIT` of them (the table is cleared when
 * full). Only for pure `f` whose results callers do not mutate; `undefined` results are not kept.
 *
 * @internal
 */
export const memoised = <K, V>(f: (k: K) => V): ((k: K) => V) => {
  const table = new Map<K, V>()
  return (k) => {
    const hit = table.get(k)
    if (hit !== undefined) return hit
    const v = f(k)
    if (table.size >= MEMO_LIMIT) table.clear()
    table.set(k, v)
    return v
  }
}
