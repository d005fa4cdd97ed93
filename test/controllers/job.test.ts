import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  advance,
  apply,
  type ClusterState,
  createCluster,
  get,
  jobPodFailureBackoffMs,
  type KubeObject,
  list,
  nextWakeup,
  remove,
  settle,
  traceEntries,
} from '../../src/index.js'
import { right } from '../helpers.js'

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

interface Cond { type: string; status: string; reason?: string; message?: string }
interface JobStatus {
  active?: number
  ready?: number
  terminating?: number
  succeeded?: number
  failed?: number
  startTime?: string
  completionTime?: string
  completedIndexes?: string
  failedIndexes?: string
  conditions?: Cond[]
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] }
}

const T0 = Date.parse('2025-01-01T00:00:00Z')

const jobManifest = (name: string, spec: Record<string, unknown> = {}, podAnnotations: Record<string, string> = {}, restartPolicy = 'Never'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default' },
  spec: {
    ...spec,
    template: {
      metadata: { annotations: podAnnotations },
      spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox' }] },
    },
  },
})

const start = (...objects: KubeObject[]): ClusterState => {
  let s = createCluster({ nodes: 2, now: T0, seed: 7 })
  for (const o of objects) s = right(apply(s, o))
  return right(settle(s))
}

const jobOf = (s: ClusterState, name = 'j'): KubeObject => {
  const j = get(s, 'Job', 'default', name)
  if (O.isNone(j)) return expect.fail(`no Job ${name}`)
  return j.value
}
const statusOf = (s: ClusterState, name = 'j'): JobStatus => (jobOf(s, name)['status'] ?? {}) as JobStatus
const conditionTypes = (s: ClusterState, name = 'j'): string[] => (statusOf(s, name).conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type)
const podsOf = (s: ClusterState, name = 'j'): KubeObject[] =>
  list(s, 'Pod', { namespace: 'default' }).filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name) as KubeObject[]
const isFinished = (s: ClusterState, name = 'j'): boolean => conditionTypes(s, name).some((t) => t === 'Complete' || t === 'Failed')

/** Visits every wakeup up to `horizon` ms, calling `check` on each settled state. */
const walk = (s0: ClusterState, horizon: number, check: (s: ClusterState) => void): ClusterState => {
  let s = s0
  check(s)
  for (let i = 0; i < 10_000; i++) {
    const wake = nextWakeup(s)
    if (O.isNone(wake) || wake.value > s0.now + horizon) break
    s = right(advance(s, wake.value - s.now))
    check(s)
  }
  return s
}

const podCreations = (s: ClusterState): number[] => traceEntries(s).filter((e) => e.by === 'job-controller' && e.op === 'create' && e.kind === 'Pod').map((e) => e.time - T0)

// ---------------------------------------------------------------------------------------------
// unit tests
// ---------------------------------------------------------------------------------------------

describe('Job controller: completion', () => {
  it('runs completions pods, parallelism at a time, then SuccessCriteriaMet and Complete', () => {
    const s = right(advance(start(jobManifest('j', { completions: 3, parallelism: 2 })), '1m'))
    const status = statusOf(s)
    expect(status).toMatchObject({ succeeded: 3, ready: 0, terminating: 0, uncountedTerminatedPods: {}, startTime: '2025-01-01T00:00:00Z', completionTime: '2025-01-01T00:00:22Z' })
    expect(status.active).toBeUndefined()
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ])
    // Two pods at t=0, the third when the first ones finish (1 s start + 10 s run).
    expect(podCreations(s)).toEqual([0, 0, 11_000])
  })

  it('names and labels its pods and tracks them with the finalizer until counted', () => {
    const s0 = start(jobManifest('pi'))
    const [pod] = podsOf(s0, 'pi')
    const uid = jobOf(s0, 'pi').metadata.uid
    expect(pod?.metadata.name).toMatch(/^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(pod?.metadata.generateName).toBe('pi-')
    expect(pod?.metadata.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'pi', 'batch.kubernetes.io/controller-uid': uid, 'job-name': 'pi', 'controller-uid': uid })
    expect(pod?.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking'])
    expect(pod?.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid, controller: true, blockOwnerDeletion: true }])
    const done = right(advance(s0, '30s'))
    expect(podsOf(done, 'pi').map((p) => p.metadata.finalizers)).toEqual([undefined])
    const events = list(done, 'Event').map((e) => `${e['reason'] as string}: ${e['message'] as string}`)
    expect(events).toContain(`SuccessfulCreate: Created pod: ${pod?.metadata.name ?? ''}`)
    expect(events).toContain('Completed: Job completed')
  })

  it('work queue (completions unset): completes once a pod succeeded and none is active', () => {
    const s = right(advance(start(jobManifest('j', { parallelism: 3 })), '1m'))
    expect(jobOf(s)['spec']).not.toHaveProperty('completions')
    expect(statusOf(s).succeeded).toBe(3)
    expect(conditionTypes(s)).toEqual(['SuccessCriteriaMet', 'Complete'])
  })

  it('Indexed: one pod per index with annotation, label, hostname and env; completedIndexes', () => {
    const s0 = start(jobManifest('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }))
    const pods = podsOf(s0, 'idx').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    expect(pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'])).toEqual(['0', '1', '2', '3'])
    expect(pods.map((p) => p.metadata.labels?.['batch.kubernetes.io/job-completion-index'])).toEqual(['0', '1', '2', '3'])
    expect(pods.map((p) => (p['spec'] as { hostname: string }).hostname)).toEqual(['idx-0', 'idx-1', 'idx-2', 'idx-3'])
    expect(pods[0]?.metadata.name).toMatch(/^idx-0-[a-z0-9]{5}$/)
    expect((pods[0]?.['spec'] as { containers: { env: unknown[] }[] }).containers[0]?.env).toEqual([
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ])
    const s = right(advance(s0, '1m'))
    expect(statusOf(s, 'idx')).toMatchObject({ completedIndexes: '0-3', succeeded: 4 })
    expect(conditionTypes(s, 'idx')).toContain('Complete')
  })
})

describe('Job controller: failure', () => {
  it('fails with BackoffLimitExceeded after backoffLimit + 1 failed pods, with 10 s doubling back-off', () => {
    const s = right(advance(start(jobManifest('j', { backoffLimit: 2 }, { 'kubesim.dev/exit-code': '1' })), '10m'))
    expect(statusOf(s).failed).toBe(3)
    expect(conditionTypes(s)).toEqual(['FailureTarget', 'Failed'])
    expect(statusOf(s).conditions?.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' })
    // Each pod fails 11 s after creation; re-creation waits 10 s, then 20 s.
    expect(podCreations(s)).toEqual([0, 21_000, 52_000])
    expect(list(s, 'Event').some((e) => e['reason'] === 'BackoffLimitExceeded' && e['type'] === 'Warning')).toBe(true)
  })

  it('back-off is 10 s doubling, capped at 10 minutes (upstream MaxJobPodFailureBackOff)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(jobPodFailureBackoffMs)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000])
  })

  it('restartPolicy OnFailure counts container restarts against backoffLimit', () => {
    const s = right(advance(start(jobManifest('j', { backoffLimit: 2 }, { 'kubesim.dev/exit-code': '1' }, 'OnFailure')), '10m'))
    expect(conditionTypes(s)).toContain('Failed')
    expect(statusOf(s).conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded')
    expect(podCreations(s)).toHaveLength(1)
  })

  it('activeDeadlineSeconds: DeadlineExceeded and the running pod is deleted', () => {
    const s = right(advance(start(jobManifest('j', { activeDeadlineSeconds: 5 }, { 'kubesim.dev/run-duration': '1h' })), '1m'))
    expect(statusOf(s).conditions?.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' })
    expect(statusOf(s).failed).toBe(1)
    expect(podsOf(s)).toEqual([])
  })

  it('podFailurePolicy FailJob fails at once with the upstream message; Ignore does not count', () => {
    const failJob = jobManifest('fj', { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } }, { 'kubesim.dev/exit-code': '42' })
    const s = right(advance(start(failJob), '1m'))
    const pod = traceEntries(s).find((e) => e.op === 'create' && e.kind === 'Pod')?.name ?? ''
    expect(statusOf(s, 'fj').conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      reason: 'PodFailurePolicy',
      message: `Container main for pod default/${pod} failed with exit code 42 matching FailJob rule at index 0`,
    })
    const ignore = jobManifest('ig', { backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] } }, { 'kubesim.dev/exit-code': '3' })
    const t = right(advance(start(ignore), '2m'))
    expect(isFinished(t, 'ig')).toBe(false)
    expect(statusOf(t, 'ig').failed).toBeUndefined()
    expect(podCreations(t).length).toBeGreaterThan(3)
  })

  it('backoffLimitPerIndex: a failing index is marked failed, the others complete, then FailedIndexes', () => {
    const job = jobManifest('pi', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1 })
    // Index 1 always fails.
    const behaviour = (pod: KubeObject) => (pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '1' ? { exitCode: 1 } : {})
    let s = right(settle(right(apply(createCluster({ nodes: 2, now: T0, seed: 7, behaviour }), job))))
    s = right(advance(s, '10m'))
    const status = statusOf(s, 'pi')
    expect(status).toMatchObject({ completedIndexes: '0,2', failedIndexes: '1' })
    expect(status.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'FailedIndexes', message: 'Job has failed indexes' })
    const index1 = traceEntries(s).filter((e) => e.op === 'create' && e.kind === 'Pod' && e.name.startsWith('pi-1-'))
    expect(index1).toHaveLength(2)
  })
})

describe('Job controller: success policy, suspend, deletion, TTL', () => {
  it('successPolicy: SuccessCriteriaMet with reason SuccessPolicy, the rest are deleted, then Complete', () => {
    const job = jobManifest('sp', { completions: 3, parallelism: 3, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0' }] } })
    let s = start(job)
    // Index 0 finishes fast; the others run for an hour.
    for (const p of podsOf(s, 'sp'))
      if (p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] !== '0')
        s = right(apply(s, { ...p, metadata: { ...p.metadata, annotations: { ...p.metadata.annotations, 'kubesim.dev/run-duration': '1h' } }, status: undefined }))
    s = right(advance(s, '1m'))
    expect(statusOf(s, 'sp').conditions?.map((c) => [c.type, c.reason, c.message])).toEqual([
      ['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0'],
      ['Complete', 'SuccessPolicy', 'Matched rules at index 0'],
    ])
    expect(statusOf(s, 'sp').completedIndexes).toBe('0')
    expect(podsOf(s, 'sp').filter((p) => p.metadata.deletionTimestamp === undefined && (p['status'] as { phase: string }).phase === 'Running')).toEqual([])
  })

  it('suspend deletes the active pods (Suspended), resume resets startTime (Resumed)', () => {
    let s = start(jobManifest('j', {}, { 'kubesim.dev/run-duration': '1h' }))
    s = right(advance(s, '5s'))
    s = right(apply(s, { ...jobOf(s), spec: { ...(jobOf(s)['spec'] as object), suspend: true }, status: undefined }))
    s = right(advance(s, '10s'))
    expect(podsOf(s)).toEqual([])
    expect(statusOf(s).conditions?.find((c) => c.type === 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended', message: 'Job suspended' })
    s = right(advance(s, '1m'))
    s = right(apply(s, { ...jobOf(s), spec: { ...(jobOf(s)['spec'] as object), suspend: false }, status: undefined }))
    s = right(settle(s))
    expect(statusOf(s).conditions?.find((c) => c.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed', message: 'Job resumed' })
    expect(statusOf(s).startTime).toBe('2025-01-01T00:01:15Z')
    expect(podsOf(s).filter((p) => p.metadata.deletionTimestamp === undefined)).toHaveLength(1)
    const reasons = list(s, 'Event').map((e) => e['reason'])
    expect(reasons).toEqual(expect.arrayContaining(['Suspended', 'Resumed', 'SuccessfulDelete']))
  })

  it('a Job created suspended has no startTime and no pods', () => {
    const s = right(advance(start(jobManifest('j', { suspend: true })), '1m'))
    expect(statusOf(s).startTime).toBeUndefined()
    expect(podsOf(s)).toEqual([])
  })

  it('deleting a Job without a policy orphans its pods (their tracking finalizer is released)', () => {
    let s = start(jobManifest('j', {}, { 'kubesim.dev/run-duration': '1h' }))
    const [pod] = podsOf(s)
    s = right(remove(s, { kind: 'Job', namespace: 'default', name: 'j' }))
    s = right(settle(s))
    expect(O.isNone(get(s, 'Job', 'default', 'j'))).toBe(true)
    const kept = get(s, 'Pod', 'default', pod?.metadata.name ?? '')
    expect(O.isSome(kept) && kept.value.metadata.ownerReferences).toBeUndefined()
    expect(O.isSome(kept) && kept.value.metadata.finalizers).toBeUndefined()
  })

  it('deleting with Background removes the pods (finalizer released, no pod stuck)', () => {
    let s = start(jobManifest('j', {}, { 'kubesim.dev/run-duration': '1h' }))
    s = right(remove(s, { kind: 'Job', namespace: 'default', name: 'j' }, { propagation: 'Background' }))
    s = right(advance(s, '1m'))
    expect(podsOf(s)).toEqual([])
  })

  it('ttlSecondsAfterFinished deletes the finished Job and its pods', () => {
    const s = right(advance(start(jobManifest('j', { ttlSecondsAfterFinished: 30 })), '35s'))
    expect(O.isSome(get(s, 'Job', 'default', 'j'))).toBe(true)
    const later = right(advance(s, '10s'))
    expect(O.isNone(get(later, 'Job', 'default', 'j'))).toBe(true)
    expect(podsOf(later)).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------

const jobArb = fc.record({
  completions: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  parallelism: fc.integer({ min: 1, max: 3 }),
  backoffLimit: fc.integer({ min: 0, max: 3 }),
  exitCode: fc.constantFrom('0', '0', '1'),
  indexed: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
})

describe('Job controller: properties', () => {
  it('converges to Complete or Failed; never more than parallelism active; counters monotone; nothing after the end', () => {
    fc.assert(
      fc.property(jobArb, (g) => {
        const indexed = g.indexed && g.completions !== undefined
        const spec = { parallelism: g.parallelism, backoffLimit: g.backoffLimit, ...(g.completions === undefined ? {} : { completions: g.completions }), ...(indexed ? { completionMode: 'Indexed' } : {}) }
        let s = createCluster({ nodes: 2, now: T0, seed: g.seed })
        s = right(settle(right(apply(s, jobManifest('j', spec, { 'kubesim.dev/exit-code': g.exitCode })))))
        let lastFailed = 0
        let lastSucceeded = 0
        let podsAtEnd: number | undefined
        const indexSucceeded = new Map<string, number>()
        s = walk(s, 2 * 3_600_000, (st) => {
          const status = statusOf(st)
          const activePods = podsOf(st).filter((p) => p.metadata.deletionTimestamp === undefined && !['Succeeded', 'Failed'].includes((p['status'] as { phase?: string } | undefined)?.phase ?? ''))
          expect(activePods.length).toBeLessThanOrEqual(g.parallelism)
          expect(status.active ?? 0).toBeLessThanOrEqual(g.parallelism)
          if (g.completions !== undefined) expect(status.succeeded ?? 0).toBeLessThanOrEqual(g.completions)
          expect(status.failed ?? 0).toBeGreaterThanOrEqual(lastFailed)
          expect(status.succeeded ?? 0).toBeGreaterThanOrEqual(lastSucceeded)
          lastFailed = status.failed ?? 0
          lastSucceeded = status.succeeded ?? 0
          const created = podCreations(st).length
          if (podsAtEnd !== undefined) expect(created).toBe(podsAtEnd)
          else if (isFinished(st)) podsAtEnd = created
          expect(conditionTypes(st).filter((t) => t === 'Complete' || t === 'Failed').length).toBeLessThanOrEqual(1)
          // Failed exactly when failures exceed backoffLimit.
          if (!conditionTypes(st).includes('Complete')) expect(conditionTypes(st).includes('FailureTarget')).toBe((status.failed ?? 0) > g.backoffLimit)
          if (indexed)
            for (const p of podsOf(st))
              if ((p['status'] as { phase?: string } | undefined)?.phase === 'Succeeded') indexSucceeded.set(p.metadata.uid ?? '', Number(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']))
        })
        expect(isFinished(s)).toBe(true)
        const status = statusOf(s)
        if (g.exitCode === '1') {
          // Failed once failures exceed backoffLimit: backoffLimit + 1 failed pods, or a few more
          // when parallel pods fail together (upstream counts them in the same sync too).
          expect(conditionTypes(s)).toContain('Failed')
          expect(status.failed ?? 0).toBeGreaterThan(g.backoffLimit)
          expect(status.failed ?? 0).toBeLessThanOrEqual(g.backoffLimit + g.parallelism)
          if (g.parallelism === 1) expect(status.failed).toBe(g.backoffLimit + 1)
        } else {
          expect(conditionTypes(s)).toContain('Complete')
          expect(status.succeeded).toBe(g.completions ?? g.parallelism)
        }
        if (indexed) {
          const indexes = [...indexSucceeded.values()].sort()
          expect(new Set(indexes).size).toBe(indexes.length)
        }
        expect(status.uncountedTerminatedPods).toEqual({})
        expect(podsOf(s).every((p) => p.metadata.finalizers === undefined)).toBe(true)
      }),
      { numRuns: 25 },
    )
  })

  it('is deterministic: the same seed and inputs give the same trace', () => {
    const run = (): unknown => {
      const s = right(advance(start(jobManifest('j', { completions: 5, parallelism: 2, backoffLimit: 6 }, { 'kubesim.dev/exit-code': '0' })), '5m'))
      return traceEntries(s).map((e) => [e.time, e.by, e.op, e.kind, e.name, e.result])
    }
    expect(run()).toEqual(run())
  })

  it('settles to a fixed point (same reference) once the Job is finished', () => {
    const s = right(advance(start(jobManifest('j')), '1m'))
    const again = settle(s)
    expect(E.isRight(again) && again.right).toBe(s)
    // The only timed work left is the expiry of its Events, an hour on.
    expect(O.isSome(nextWakeup(s)) && nextWakeup(s)).toEqual(O.some(T0 + 60 * 60_000))
    expect(O.isNone(nextWakeup(right(advance(s, '2h'))))).toBe(true)
  })
})
