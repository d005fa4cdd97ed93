/**
 * The CronJob controller (batch/v1), as kube-controller-manager's cronjob v2 controller: at each
 * time the schedule fires (in `spec.timeZone`) it creates a Job named
 * `<cronjob>-<scheduled time in minutes since the epoch>` from the job template, honouring
 * suspend, startingDeadlineSeconds and the concurrency policy, tracks the Jobs it started in
 * `status.active`, and deletes finished Jobs beyond the history limits. Which scheduled time is
 * due follows upstream's `mostRecentScheduleTime` exactly, approximation included. The next
 * wakeup is the next schedule time, so a year of an hourly CronJob costs its 8,760 runs.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { CronJob, CronJobActiveRef } from '../objects/cronJob.js'
import type { Job } from '../objects/job.js'
import { type CronSchedule, isKnownTimeZone, nextScheduleTime, parseCronSchedule } from '../objects/cronSchedule.js'
import type { KubeObject } from '../objects/object.js'
import { formatTimestamp, timestampMs } from '../sim/clock.js'
import { dependentsOf, getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller, EventRecord } from './controller.js'
import { finishedType } from './job/sync.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'cronjob-controller'
/** The annotation a CronJob's Jobs carry: their scheduled time, RFC 3339, in the CronJob's zone. */
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp'

/** More missed start times than this gives the TooManyMissedTimes warning. */
const MANY_MISSED = 100

type StoredCronJob = CronJob & KubeObject

/** Which scheduled time is due, as upstream `mostRecentScheduleTime` reports it. */
export interface ScheduleEvaluation {
  /** The most recent schedule time at or before `now`, if any. */
  readonly mostRecent: O.Option<number>
  /** How many start times were missed: none, a few, or more than 100. */
  readonly missed: 'none' | 'few' | 'many'
  /** The schedule cannot fire twice a second apart (an impossible date such as Feb 31). */
  readonly error?: string
}

/** What the controller remembers: events already reported, per CronJob uid (to report each once). */
type Memory = Readonly<Record<string, ReadonlyArray<string>>>

// ---------------------------------------------------------------------------------------------
// schedule evaluation
// ---------------------------------------------------------------------------------------------

/**
 * Upstream's `mostRecentScheduleTime` (pkg/controller/cronjob/utils.go), times in ms: from
 * `earliest` (the last schedule time or creation, moved up to `now - startingDeadlineSeconds`
 * when deadlines count), t1 = Next(earliest) and t2 = Next(t1); before t1 nothing is due,
 * before t2 t1 is; otherwise the number of missed runs is estimated from the t1-t2 interval
 * and the latest schedule time at or before `now` is searched from just before the estimate.
 * The estimate can miss a slot of an irregular schedule, as upstream's can.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { mostRecentScheduleTime, parseCronSchedule } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const hourly = parseCronSchedule('0 * * * *')
 * if (E.isLeft(hourly)) throw new Error(hourly.left)
 * const t0 = Date.parse('2025-01-01T00:00:00Z')
 * expect(mostRecentScheduleTime(hourly.right, t0, t0 + 30 * 60_000)).toEqual({ mostRecent: O.none, missed: 'none' })
 * expect(mostRecentScheduleTime(hourly.right, t0, t0 + 90 * 60_000)).toEqual({ mostRecent: O.some(t0 + 3_600_000), missed: 'none' })
 * const late = mostRecentScheduleTime(hourly.right, t0, t0 + 200 * 3_600_000)
 * expect(late).toEqual({ mostRecent: O.some(t0 + 200 * 3_600_000), missed: 'many' })
 * ```
 */
export const mostRecentScheduleTime = (schedule: CronSchedule, earliest: number, now: number): ScheduleEvaluation => {
  const t1 = nextScheduleTime(schedule, earliest)
  const t2 = O.isSome(t1) ? nextScheduleTime(schedule, t1.value) : O.none
  if (O.isSome(t1) && now < t1.value) return { mostRecent: O.none, missed: 'none' }
  if (O.isSome(t1) && O.isSome(t2) && now < t2.value) return { mostRecent: t1, missed: 'none' }
  // Go's Next gives the zero time for a spec that never fires; the interval is then 0.
  if (O.isNone(t1) || O.isNone(t2) || Math.round((t2.value - t1.value) / 1000) < 1)
    return { mostRecent: O.none, missed: 'none', error: 'time difference between two schedules is less than 1 second' }
  const interval = Math.round((t2.value - t1.value) / 1000)
  const elapsed = Math.trunc((now - t1.value) / 1000)
  const missedCount = Math.trunc(elapsed / interval) + 1
  const potentialEarliest = t1.value + (missedCount - 2) * interval * 1000
  let mostRecent: number | undefined
  for (let t = nextScheduleTime(schedule, potentialEarliest); O.isSome(t) && t.value <= now; t = nextScheduleTime(schedule, t.value)) mostRecent = t.value
  const missed = missedCount > MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none'
  return { mostRecent: mostRecent === undefined ? O.none : O.some(mostRecent), missed }
}

/** The schedule the controller parses: `TZ=<zone> <schedule>` when spec.timeZone is a known zone. */
const scheduleText = (cj: CronJob): string => {
  const { schedule, timeZone } = cj.spec
  if (schedule.includes('TZ') || timeZone === undefined || !isKnownTimeZone(timeZone)) return schedule
  return `TZ=${timeZone} ${schedule}`
}

// A pure memo: parsing is a function of the text alone.
const parsedSchedules = new Map<string, E.Either<string, CronSchedule>>()
const parseSchedule = (cj: CronJob): E.Either<string, CronSchedule> => {
  const text = scheduleText(cj)
  let parsed = parsedSchedules.get(text)
  if (parsed === undefined) {
    if (parsedSchedules.size > 1000) parsedSchedules.clear()
    parsed = parseCronSchedule(text)
    parsedSchedules.set(text, parsed)
  }
  return parsed
}

// A pure memo: the evaluation is a function of the schedule, `earliest` and `now`.
const evaluations = new Map<string, ScheduleEvaluation>()
const evaluate = (cj: CronJob, schedule: CronSchedule, earliest: number, now: number): ScheduleEvaluation => {
  const key = `${scheduleText(cj)}|${earliest}|${now}`
  let r = evaluations.get(key)
  if (r === undefined) {
    if (evaluations.size > 1000) evaluations.clear()
    r = mostRecentScheduleTime(schedule, earliest, now)
    evaluations.set(key, r)
  }
  return r
}

const earliestOf = (cj: StoredCronJob): number =>
  timestampMs(cj.status?.lastScheduleTime) ?? timestampMs(cj.metadata.creationTimestamp) ?? 0

/**
 * Upstream `nextScheduleTimeDuration`, as an absolute time, without its 100 ms margin for clock
 * skew: a virtual clock has none, and a slot acted on at the slot itself is then a function of
 * the time alone, not of whether some other wakeup happened to land on it first.
 */
const requeueAt = (cj: StoredCronJob, schedule: CronSchedule, now: number): number | undefined => {
  const earliest = earliestOf(cj)
  const r = mostRecentScheduleTime(schedule, earliest, now)
  const from = r.error !== undefined ? now : O.isSome(r.mostRecent) ? r.mostRecent.value : r.missed === 'none' ? earliest : now
  const next = nextScheduleTime(schedule, from)
  return O.isSome(next) ? next.value : undefined
}

// ---------------------------------------------------------------------------------------------
// formatting
// ---------------------------------------------------------------------------------------------

const two = (n: number): string => String(n).padStart(2, '0')

const zoneFormatters = new Map<string, Intl.DateTimeFormat>()

/** RFC 3339 in a zone, as Go's `t.In(loc).Format(time.RFC3339)` (a zero offset prints `Z`). */
const formatInZone = (ms: number, zone: string | undefined): string => {
  if (zone === undefined || zone === 'UTC' || zone === 'Etc/UTC') return formatTimestamp(ms)
  let f = zoneFormatters.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    zoneFormatters.set(zone, f)
  }
  const parts: Record<string, number> = {}
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const y = parts['year'] ?? 1970
  const wall = Date.UTC(y, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, (parts['hour'] ?? 0) % 24, parts['minute'] ?? 0, parts['second'] ?? 0)
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000)
  const sign = offsetMin < 0 ? '-' : '+'
  const abs = Math.abs(offsetMin)
  const offset = offsetMin === 0 ? 'Z' : `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
  return `${String(y).padStart(4, '0')}-${two(parts['month'] ?? 1)}-${two(parts['day'] ?? 1)}T${two((parts['hour'] ?? 0) % 24)}:${two(parts['minute'] ?? 0)}:${two(parts['second'] ?? 0)}${offset}`
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Go's `time.RFC1123Z` in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
const formatRfc1123Z = (ms: number): string => {
  const d = new Date(ms)
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

// ---------------------------------------------------------------------------------------------
// one CronJob
// ---------------------------------------------------------------------------------------------

interface CronPlan {
  readonly actions: ReadonlyArray<Action>
  readonly reported: ReadonlyArray<string> | undefined
}

const controllerUid = (o: KubeObject): string | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true)?.uid

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Job name for a scheduled time: `<cronjob>-<minutes since the epoch>`. */
const jobName = (cj: CronJob & KubeObject, scheduled: number): string => `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`

/** The Job a CronJob creates for a scheduled time (upstream `getJobFromTemplate2`). */
const jobFor = (cj: StoredCronJob, scheduled: number): KubeObject => {
  const meta = cj.spec.jobTemplate.metadata ?? {}
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj, scheduled),
      namespace: cj.metadata.namespace ?? 'default',
      ...(meta.labels === undefined ? {} : { labels: { ...meta.labels } }),
      annotations: { ...(meta.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, cj.spec.timeZone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: cj.spec.jobTemplate.spec,
  }
}

const byStartTime = (a: KubeObject, b: KubeObject): number => {
  const sa = timestampMs((a['status'] as { startTime?: string } | undefined)?.startTime)
  const sb = timestampMs((b['status'] as { startTime?: string } | undefined)?.startTime)
  if (sa === undefined && sb !== undefined) return 1
  if (sa !== undefined && sb === undefined) return -1
  if (sa === sb) return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
  return (sa ?? 0) - (sb ?? 0)
}

const syncCronJob = (state: ClusterState, cj: StoredCronJob, jobs: ReadonlyArray<KubeObject>, reportedBefore: ReadonlyArray<string>): CronPlan => {
  const now = state.now
  const namespace = cj.metadata.namespace ?? 'default'
  const uid = cj.metadata.uid ?? ''
  const actions: Action[] = []
  const events: Action[] = []
  let reported = reportedBefore
  const emit = (type: 'Normal' | 'Warning', reason: string, message: string, onceKey?: string): void => {
    if (onceKey !== undefined) {
      const key = `${reason}/${onceKey}`
      if (reported.includes(key)) return
      reported = [...reported.slice(-7), key]
    }
    const record: EventRecord = { involvedObject: { kind: 'CronJob', apiVersion: 'batch/v1', namespace, name: cj.metadata.name, uid }, type, reason, message }
    events.push({ type: 'event', event: record, by: NAME })
  }
  let active: CronJobActiveRef[] = [...(cj.status?.active ?? [])]
  let lastScheduleTime = cj.status?.lastScheduleTime
  let lastSuccessfulTime = cj.status?.lastSuccessfulTime
  const inActive = (job: KubeObject): number => active.findIndex((r) => (r.uid !== undefined ? r.uid === job.metadata.uid : r.name === job.metadata.name))

  // 1. status.active against the Jobs that exist.
  for (const job of jobs) {
    const i = inActive(job)
    const finished = finishedType(job as unknown as Job)
    if (i < 0 && finished === undefined) emit('Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`, job.metadata.uid ?? job.metadata.name)
    else if (i >= 0 && finished !== undefined) {
      active = active.filter((_, j) => j !== i)
      emit('Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, status: ${finished}`)
    } else if (i >= 0 && active[i]?.uid === undefined) {
      // The ref was written when the Job was created, before the API server gave it a uid.
      active = active.map((r, j) => (j === i ? { ...r, uid: job.metadata.uid ?? '', resourceVersion: job.metadata.resourceVersion ?? '' } : r))
    }
    if (finished === 'Complete') {
      const completed = (job['status'] as { completionTime?: string } | undefined)?.completionTime
      const at = timestampMs(completed)
      if (completed !== undefined && at !== undefined && (lastSuccessfulTime === undefined || at > (timestampMs(lastSuccessfulTime) ?? 0))) lastSuccessfulTime = completed
    }
  }
  const alive = new Set(jobs.map((j) => j.metadata.uid))
  for (const ref of [...active]) {
    const exists = ref.uid !== undefined ? alive.has(ref.uid) : jobs.some((j) => j.metadata.name === ref.name)
    if (exists) continue
    emit('Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`)
    active = active.filter((r) => r !== ref)
  }

  // 2-7. Whether to start a Job now.
  const create = ((): void => {
    if (cj.metadata.deletionTimestamp !== undefined) return
    const tz = cj.spec.timeZone
    if (tz !== undefined && !isKnownTimeZone(tz)) {
      emit('Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`, tz)
      return
    }
    if (cj.spec.suspend === true) return
    const parsed = parseSchedule(cj)
    if (E.isLeft(parsed)) {
      emit('Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${parsed.left}`, cj.spec.schedule)
      return
    }
    const schedule = parsed.right
    const sds = cj.spec.startingDeadlineSeconds
    let earliest = timestampMs(lastScheduleTime) ?? timestampMs(cj.metadata.creationTimestamp) ?? 0
    if (sds !== undefined) earliest = Math.max(earliest, now - sds * 1000)
    const r = evaluate(cj, schedule, earliest, now)
    if (O.isNone(r.mostRecent) || r.mostRecent.value > now) {
      if (r.error !== undefined) emit('Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${r.error}`, cj.spec.schedule)
      return
    }
    const scheduled = r.mostRecent.value
    const slot = String(scheduled)
    if (r.missed === 'many') emit('Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew', slot)
    if (sds !== undefined && scheduled + sds * 1000 < now) {
      emit('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRfc1123Z(scheduled)}`, slot)
      return
    }
    const name = jobName(cj, scheduled)
    if (active.some((ref) => ref.name === name && (ref.namespace ?? namespace) === namespace) || timestampMs(lastScheduleTime) === scheduled) return
    const policy = cj.spec.concurrencyPolicy ?? 'Allow'
    if (policy === 'Forbid' && active.length > 0) {
      emit('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid', slot)
      return
    }
    if (policy === 'Replace')
      for (const ref of active) {
        const job = getObject(state.objects, { kind: 'Job', namespace: ref.namespace ?? namespace, name: ref.name ?? '' })
        if (job === undefined) continue
        actions.push({ type: 'delete', by: NAME, ref: { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name }, propagation: 'Background', ...(job.metadata.uid === undefined ? {} : { preconditionUid: job.metadata.uid }) })
        emit('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`)
        active = active.filter((a) => a !== ref)
      }
    const existing = getObject(state.objects, { kind: 'Job', namespace, name })
    if (existing !== undefined) {
      // Created before (the status write was lost): take it back into active if it is ours.
      if (controllerUid(existing) !== uid || inActive(existing) >= 0) return
      active = [...active, { kind: 'Job', namespace, name, uid: existing.metadata.uid ?? '', apiVersion: 'batch/v1', resourceVersion: existing.metadata.resourceVersion ?? '' }]
    } else {
      actions.push({ type: 'create', by: NAME, object: jobFor(cj, scheduled) })
      emit('Normal', 'SuccessfulCreate', `Created job ${name}`)
      active = [...active, { kind: 'Job', namespace, name, apiVersion: 'batch/v1' }]
    }
    lastScheduleTime = formatTimestamp(scheduled)
  })
  create()

  // 9. History limits: delete the oldest finished Jobs beyond them.
  const finishedJobs = (type: 'Complete' | 'Failed') =>
    jobs.filter((j) => j.metadata.deletionTimestamp === undefined && finishedType(j as unknown as Job) === type).sort(byStartTime)
  const limits: ReadonlyArray<readonly ['Complete' | 'Failed', number | undefined]> = [
    ['Complete', cj.spec.successfulJobsHistoryLimit],
    ['Failed', cj.spec.failedJobsHistoryLimit],
  ]
  for (const [type, limit] of limits) {
    if (limit === undefined) continue
    const list = finishedJobs(type)
    for (const job of list.slice(0, Math.max(0, list.length - limit))) {
      actions.push({ type: 'delete', by: NAME, ref: { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name }, propagation: 'Background', ...(job.metadata.uid === undefined ? {} : { preconditionUid: job.metadata.uid }) })
      emit('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`)
      active = active.filter((r) => r.uid !== job.metadata.uid)
    }
  }

  const status = {
    ...(cj.status ?? {}),
    ...(active.length === 0 ? { active: undefined } : { active }),
    lastScheduleTime,
    lastSuccessfulTime,
  }
  const cleaned = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined))
  if (!sameJson(cleaned, cj.status ?? {}) && !(Object.keys(cleaned).length === 0 && cj.status === undefined))
    actions.push({ type: 'updateStatus', by: NAME, object: { ...cj, status: cleaned } })
  return { actions: [...actions, ...events], reported: reported === reportedBefore ? undefined : reported }
}

// ---------------------------------------------------------------------------------------------
// the controller
// ---------------------------------------------------------------------------------------------

const plans = new WeakMap<ClusterState, ReadonlyArray<Action>>()
const wakeups = new WeakMap<ClusterState, number | undefined>()

/** A CronJob pass that had nothing to do, and what it looked at: the same inputs give nothing again. */
interface Idle {
  readonly now: number
  readonly jobs: ReadonlyArray<KubeObject>
  readonly reported: ReadonlyArray<string> | undefined
}
// Memos keyed by the (immutable) CronJob object: most passes of a settle see it unchanged.
const idle = new WeakMap<KubeObject, Idle>()
const requeues = new WeakMap<KubeObject, { readonly now: number; readonly at: number | undefined }>()

const sameList = (a: ReadonlyArray<KubeObject>, b: ReadonlyArray<KubeObject>): boolean => a.length === b.length && a.every((x, i) => x === b[i])

const ownedJobs = (state: ClusterState, cj: KubeObject): ReadonlyArray<KubeObject> => {
  const uid = cj.metadata.uid ?? ''
  return dependentsOf(state.objects, uid).filter((o) => o.kind === 'Job' && controllerUid(o) === uid)
}

const planCronJobs = (state: ClusterState): ReadonlyArray<Action> => {
  const cached = plans.get(state)
  if (cached !== undefined) return cached
  const memory = (state.memory.get(NAME) ?? {}) as Memory
  const actions: Action[] = []
  let nextMemory: Record<string, ReadonlyArray<string>> | undefined
  const cronJobs = listObjects(state.objects, 'CronJob') as ReadonlyArray<StoredCronJob>
  for (const cj of cronJobs) {
    const uid = cj.metadata.uid ?? ''
    const jobs = ownedJobs(state, cj)
    const was = idle.get(cj)
    if (was !== undefined && was.now === state.now && was.reported === memory[uid] && sameList(was.jobs, jobs)) continue
    const plan = syncCronJob(state, cj, jobs, memory[uid] ?? [])
    actions.push(...plan.actions)
    if (plan.reported !== undefined) (nextMemory ??= { ...memory })[uid] = plan.reported
    else if (plan.actions.length === 0) idle.set(cj, { now: state.now, jobs, reported: memory[uid] })
  }
  if (nextMemory !== undefined) {
    const live = new Set(cronJobs.map((c) => c.metadata.uid ?? ''))
    actions.push({ type: 'remember', by: NAME, value: Object.freeze(Object.fromEntries(Object.entries(nextMemory).filter(([k]) => live.has(k)))) })
  }
  plans.set(state, actions)
  return actions
}

const nextCronWakeup = (state: ClusterState): number | undefined => {
  if (wakeups.has(state)) return wakeups.get(state)
  let next: number | undefined
  for (const cj of listObjects(state.objects, 'CronJob') as ReadonlyArray<StoredCronJob>) {
    if (cj.spec.suspend === true || cj.metadata.deletionTimestamp !== undefined) continue
    let memo = requeues.get(cj)
    if (memo === undefined || memo.now !== state.now) {
      const parsed = parseSchedule(cj)
      memo = { now: state.now, at: E.isLeft(parsed) ? undefined : requeueAt(cj, parsed.right, state.now) }
      requeues.set(cj, memo)
    }
    const at = memo.at
    if (at !== undefined && at > state.now && (next === undefined || at < next)) next = at
  }
  wakeups.set(state, next)
  return next
}

/**
 * The CronJob controller. Each pass, per CronJob: drops finished or vanished Jobs from
 * `status.active` (events SawCompletedJob, MissingJob) and records `lastSuccessfulTime`;
 * unless the CronJob is suspended or being deleted, finds the most recent due schedule time
 * (`mostRecentScheduleTime`, with startingDeadlineSeconds), warns on more than 100 missed
 * times (TooManyMissedTimes, and still starts the latest), skips a time past its deadline
 * (MissSchedule), applies the concurrency policy (Forbid: JobAlreadyActive; Replace: deletes
 * the running Jobs), creates the Job `<cronjob>-<minutes since epoch>` with the
 * `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation (SuccessfulCreate), and sets
 * `status.active` and `lastScheduleTime`; then deletes the oldest finished Jobs beyond the
 * history limits (SuccessfulDelete). Repeating warnings are reported once per scheduled time.
 * `nextWakeup` is the next schedule time.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, list } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cj = {
 *   apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' },
 *   spec: { schedule: '*\/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
 * }
 * const s = applyManifests(createCluster({ nodes: 1, now: '2025-01-01T00:00:00Z' }), [cj])
 * const later = E.isRight(s) ? advance(s.right, '1h') : s
 * const jobs = E.isRight(later) ? list(later.right, 'Job').map((j) => j.metadata.name) : []
 * // Runs at 00:05 ... 01:00 (minutes since the epoch in the names): the three most recent
 * // successful Jobs are kept, and the 01:00 run is still going.
 * expect(jobs).toEqual(['tick-28928205', 'tick-28928210', 'tick-28928215', 'tick-28928220'])
 * ```
 */
export const cronJobController: Controller = {
  name: NAME,
  watches: ['CronJob', 'Job'],
  reconcile: planCronJobs,
  nextWakeup: (state) => {
    const next = nextCronWakeup(state)
    return next === undefined || next <= state.now ? O.none : O.some(next)
  },
}
