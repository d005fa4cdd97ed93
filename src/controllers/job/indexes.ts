/**
 * Completion indexes of Indexed Jobs as upstream's `orderedIntervals`: sorted, disjoint runs of
 * indexes, read from and written to the compact text of `status.completedIndexes` and
 * `status.failedIndexes` (`"0,4,5,10-12"`).
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One run of indexes, inclusive. */
export interface Interval {
  readonly first: number
  readonly last: number
}

/** Sorted, disjoint, non-adjacent runs. */
export type Intervals = ReadonlyArray<Interval>

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * Parses an interval list as upstream's `parseIndexesFromString`: indexes at or above
 * `completions` are dropped (a run is cut at `completions - 1`), and a corrupt fragment
 * ("1-foo") is skipped.
 */
export const parseIntervals = (text: string | undefined, completions: number): Intervals => {
  if (text === undefined || text === '') return []
  const out: Interval[] = []
  for (const fragment of text.split(',')) {
    const limits = fragment.split('-')
    if (limits.length > 2 || !limits.every((l) => /^[0-9]+$/.test(l))) continue
    const first = Number(limits[0])
    if (first >= completions) break
    const last = Math.min(Number(limits[1] ?? limits[0]), completions - 1)
    const previous = out[out.length - 1]
    if (previous !== undefined && first <= previous.last + 1) out[out.length - 1] = { first: previous.first, last: Math.max(previous.last, last) }
    else out.push({ first, last })
  }
  return out
}

/** Intervals from any set of indexes. */
export const intervalsOf = (indexes: Iterable<number>): Intervals => {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b)
  const out: Interval[] = []
  for (const i of sorted) {
    const previous = out[out.length - 1]
    if (previous !== undefined && i === previous.last + 1) out[out.length - 1] = { first: previous.first, last: i }
    else out.push({ first: i, last: i })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** How many indexes the intervals hold. */
export const totalOf = (intervals: Intervals): number => intervals.reduce((n, i) => n + i.last - i.first + 1, 0)

/** Whether an index is in the intervals. */
export const hasIndex = (intervals: Intervals, index: number): boolean => intervals.some((i) => index >= i.first && index <= i.last)

/** The union of intervals and extra indexes. */
export const withIndexes = (intervals: Intervals, indexes: Iterable<number>): Intervals => {
  const all: number[] = [...indexes]
  for (const i of intervals) for (let x = i.first; x <= i.last; x++) all.push(x)
  return intervalsOf(all)
}

/**
 * The text form: runs of 3 or more as `a-b`, runs of 2 as `a,b`, singles as `a`, joined by
 * commas (upstream's `orderedIntervals.String`).
 */
export const formatIntervals = (intervals: Intervals): string =>
  intervals
    .map((i) => (i.first === i.last ? `${i.first}` : i.last === i.first + 1 ? `${i.first},${i.last}` : `${i.first}-${i.last}`))
    .join(',')

/** How many indexes of `rule` are also in `succeeded` (upstream's `matchSucceededIndexesRule` count). */
export const overlapCount = (rule: Intervals, succeeded: Intervals): number => {
  let n = 0
  for (const r of rule) for (const s of succeeded) n += Math.max(0, Math.min(r.last, s.last) - Math.max(r.first, s.first) + 1)
  return n
}
