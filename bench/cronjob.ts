/**
 * CronJob over a simulated year (issue 6): a `*\/1 * * * *` CronJob whose Jobs' pods run 30 s,
 * under each concurrency policy (Allow, Forbid, Replace), with the default controllers on one
 * node. A year is 525,600 schedule times. Reports the wall time and the heap held afterwards per
 * policy, and checks the run: one Job per minute (Allow, Replace) or per two minutes at most
 * (Forbid never overlaps; 30 s runs fit in a minute, so it runs every minute too), history
 * within the limits. KUBESIM_BENCH_CRON_DAYS shortens the simulated span (default 365);
 * KUBESIM_BENCH_CRON_POLICIES picks policies (comma-separated). Run: `npx tsx bench/cronjob.ts`
 * or `npm run bench -- cronjob`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { advance, apply, type ClusterState, createCluster, list, settle, traceEntries } from '../src/index.js'
import { heapMiB, report, type Measurement } from './harness.js'

const DAYS = Number(process.env['KUBESIM_BENCH_CRON_DAYS'] ?? 365)
const POLICIES = (process.env['KUBESIM_BENCH_CRON_POLICIES'] ?? 'Allow,Forbid,Replace').split(',')

const cronJob = (policy: string) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'every-minute', namespace: 'default' },
  spec: {
    schedule: '*/1 * * * *',
    concurrencyPolicy: policy,
    jobTemplate: {
      spec: {
        template: {
          metadata: { annotations: { 'kubesim.dev/run-duration': '30s' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'busybox' }] },
        },
      },
    },
  },
})

const unwrap = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left).slice(0, 500))
  return e.right
}

const measurements: Measurement[] = []
for (const policy of POLICIES) {
  let s: ClusterState = createCluster({ nodes: 1, seed: 1, traceRetention: 'none', now: '2025-01-01T00:00:00Z' })
  s = unwrap(settle(unwrap(apply(s, cronJob(policy)))))
  const heapBefore = heapMiB()
  const start = process.hrtime.bigint()
  const heaps: number[] = []
  // Advance a day at a time so the heap can be sampled; the engine visits every wakeup anyway.
  for (let day = 0; day < DAYS; day++) {
    s = unwrap(advance(s, '1d'))
    if (day % Math.max(1, Math.floor(DAYS / 8)) === 0) heaps.push(heapMiB())
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const heapAfter = heapMiB()
  const cj = list(s, 'CronJob')[0]
  const status = (cj?.['status'] ?? {}) as { lastScheduleTime?: string }
  const jobs = list(s, 'Job').length
  const events = list(s, 'Event').length
  const runs = DAYS * 24 * 60
  console.log(`${policy}: ${runs} schedule times in ${seconds.toFixed(1)} s (${((seconds * 1e6) / runs).toFixed(0)} µs per run); lastScheduleTime ${status.lastScheduleTime}; ${jobs} Jobs kept; ${events} Event objects; heap ${heapBefore.toFixed(0)} -> ${heapAfter.toFixed(0)} MiB (samples ${heaps.map((h) => h.toFixed(0)).join(', ')})`)
  if (traceEntries(s).length !== 0) throw new Error('trace retention none expected')
  measurements.push(
    { name: `${policy}: wall time for ${DAYS} days (${runs} runs)`, value: seconds, unit: 's', target: DAYS === 365 ? '<= 3 s' : `<= ${((3 * DAYS) / 365).toFixed(3)} s (pro rata)` },
    { name: `${policy}: time per run`, value: (seconds * 1e6) / runs, unit: 'µs', target: '<= 5.7 µs' },
    { name: `${policy}: heap held after ${DAYS} days`, value: heapAfter, unit: 'MiB' },
  )
}
report('cronjob', measurements)
