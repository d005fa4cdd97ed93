/**
 * The simulation's log: every action the API reducer applied or refused, with its author and the
 * virtual time, plus warnings. Retention is configurable so that a simulated year does not hold
 * millions of entries. Traces are plain data: two runs with the same seed and inputs produce
 * equal traces.
 *
 * @module
 */
import { List } from 'immutable'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** How many trace entries to keep: none, all, or the most recent N. */
export type TraceRetention = 'none' | 'all' | number

/** One applied (or refused) write, an Event, or a warning. */
export interface TraceEntry {
  /** Virtual time, ms since the epoch. */
  readonly time: number
  /** Who asked: a controller's name, or `user`. */
  readonly by: string
  readonly op: 'create' | 'update' | 'updateStatus' | 'delete' | 'bind' | 'remember' | 'event' | 'warning'
  readonly kind: string
  readonly namespace?: string
  readonly name: string
  /** `ok`, or the API error reason when the reducer refused the write. */
  readonly result: 'ok' | 'Invalid' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Forbidden' | 'BadRequest' | 'InternalError'
  /** The resourceVersion the write produced, when it produced one. */
  readonly resourceVersion?: string
  /** Error text, Event reason and message, or warning text. */
  readonly message?: string
}

/** The trace: entries in order, and how many were dropped by retention. */
export interface Trace {
  readonly entries: List<TraceEntry>
  readonly dropped: number
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/** An empty trace. */
export const emptyTrace: Trace = { entries: List(), dropped: 0 }

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Appends entries under a retention policy.
 *
 * @internal
 */
export const appendTrace = (trace: Trace, added: ReadonlyArray<TraceEntry>, retention: TraceRetention): Trace => {
  if (added.length === 0 || retention === 'none') {
    return added.length === 0 ? trace : { entries: trace.entries, dropped: trace.dropped + added.length }
  }
  const entries = trace.entries.concat(added)
  if (retention === 'all' || entries.size <= retention) return { entries, dropped: trace.dropped }
  const excess = entries.size - retention
  return { entries: entries.skip(excess).toList(), dropped: trace.dropped + excess }
}

/**
 * The trace's entries as an array, oldest first.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, traceEntries } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const applied = applyManifests(createCluster(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } })
 * const entries = E.isRight(applied) ? traceEntries(applied.right) : []
 * expect(entries.at(-1)).toMatchObject({ op: 'create', kind: 'ConfigMap', name: 'c', by: 'user', result: 'ok' })
 * ```
 */
export const traceEntries = (state: { readonly trace: Trace }): ReadonlyArray<TraceEntry> => state.trace.entries.toArray()
