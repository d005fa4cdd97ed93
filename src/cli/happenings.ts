/**
 * `kubesim advance`: what happened while virtual time passed, as a timeline of events (like
 * `kubectl get events --watch`) and a summary of the Jobs started, completed and failed.
 *
 * @module
 */
import { humanDuration } from '../io/age.js'
import { listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { TraceEntry } from '../sim/trace.js'
import { formatColumns } from '../io/columns.js'

/** Collects the trace entries written while an engine run is observed, whatever the retention. */
export const traceCollector = (start: ClusterState): { readonly observe: (state: ClusterState) => void; readonly entries: () => ReadonlyArray<TraceEntry> } => {
  const collected: TraceEntry[] = []
  let seen = start.trace.dropped + start.trace.entries.size
  return {
    observe: (state) => {
      const total = state.trace.dropped + state.trace.entries.size
      if (total === seen) return
      const firstNew = Math.max(0, seen - state.trace.dropped)
      for (let i = firstNew; i < state.trace.entries.size; i++) {
        const entry = state.trace.entries.get(i)
        if (entry !== undefined) collected.push(entry)
      }
      seen = total
    },
    entries: () => collected,
  }
}

interface JobSummary {
  readonly started: number
  readonly complete: number
  readonly failed: number
  readonly running: number
}

const jobsSince = (state: ClusterState, since: number): JobSummary => {
  let started = 0
  let complete = 0
  let failed = 0
  for (const job of listObjects(state.objects, 'Job')) {
    const created = Date.parse(job.metadata.creationTimestamp ?? '')
    if (!(created >= since)) continue
    started++
    const conditions = ((job['status'] as { conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined)?.conditions ?? [])
    if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) complete++
    else if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) failed++
  }
  return { started, complete, failed, running: started - complete - failed }
}

/**
 * The report printed by `kubesim advance`: one row per Event recorded in the window (time since
 * the start, type, reason, object, message), then a count by reason and the Jobs created in the
 * window (those already deleted by history limits are not counted).
 */
export const formatHappenings = (entries: ReadonlyArray<TraceEntry>, start: number, end: ClusterState): string => {
  const events = entries.filter((e) => e.op === 'event' && e.result === 'ok')
  const rows = events.map((e) => {
    const text = e.message ?? ''
    const m = /^(Normal|Warning) ([^:]+): ([\s\S]*)$/.exec(text)
    const object = `${e.kind.toLowerCase()}/${e.name}`
    return [`+${humanDuration(e.time - start)}`, m?.[1] ?? '', m?.[2] ?? '', e.namespace === undefined ? object : `${e.namespace}/${object}`, m?.[3] ?? text]
  })
  const byReason = new Map<string, number>()
  for (const row of rows) byReason.set(row[2] ?? '', (byReason.get(row[2] ?? '') ?? 0) + 1)
  const jobs = jobsSince(end, start)
  const lines = [
    rows.length === 0 ? 'No events.\n' : formatColumns([['TIME', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ...rows]),
    '',
    `Virtual time: +${humanDuration(end.now - start)}; ${events.length} event${events.length === 1 ? '' : 's'}${
      byReason.size === 0 ? '' : ` (${[...byReason].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r, n]) => `${r} ${n}`).join(', ')})`
    }.`,
    `Jobs created: ${jobs.started} (${jobs.complete} complete, ${jobs.failed} failed, ${jobs.running} not finished).`,
  ]
  return lines.join('\n') + '\n'
}
