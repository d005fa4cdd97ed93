import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { type Action, apply, type ClusterState, createCluster, get, jobController, type KubeObject, list, step } from '../../src/index.js'
import { createFaultDriver, driverAdvance, injectFault } from '../../src/testing/index.js'
import { right } from '../helpers.js'

const T0 = Date.parse('2025-01-01T00:00:00Z')
const FIVE_MINUTES = 5 * 60 * 1000

const job: KubeObject = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'work', namespace: 'default' },
  spec: { completions: 2, parallelism: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
}

const jobPods = (s: ClusterState): KubeObject[] => list(s, 'Pod', { namespace: 'default' }).filter((p) => p.metadata.name.startsWith('work-'))
const podCreates = (actions: ReadonlyArray<Action>): number => actions.filter((a) => a.type === 'create' && a.object.kind === 'Pod').length
const conditions = (s: ClusterState): string[] => {
  const j = get(s, 'Job', 'default', 'work')
  return O.isSome(j) ? (((j.value['status'] as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).map((c) => c.type)) : []
}

describe('Job expectations', () => {
  it('a stale view of its own create makes it wait, not run a second pod past parallelism', () => {
    const before = right(apply(createCluster({ nodes: 2, now: T0, seed: 7 }), job))
    const after = step(before).state
    expect(jobPods(after)).toHaveLength(1)
    const stale: ClusterState = { ...after, objects: before.objects }
    expect(podCreates(jobController.reconcile(stale))).toBe(0)
    // The remembered expectation is what stops it: without memory (a restart) it creates again.
    expect(podCreates(jobController.reconcile({ ...stale, memory: stale.memory.delete(jobController.name) }))).toBe(1)
    // Observing the pod fulfils the expectation, which is then forgotten.
    const observed = jobController.reconcile(after)
    expect(podCreates(observed)).toBe(0)
    expect(observed.filter((a) => a.type === 'remember')).toEqual([{ type: 'remember', by: jobController.name, value: {} }])
  })

  it('a stale view of a deletion makes it wait for the pod to go before counting again', () => {
    // Suspending deletes the active pod (an expected deletion). A view from before the delete
    // still shows the pod active: the controller waits rather than deleting it again.
    let s = step(step(right(apply(createCluster({ nodes: 2, now: T0, seed: 7 }), job))).state).state
    s = right(apply(s, { ...job, spec: { ...(job['spec'] as object), suspend: true } }))
    const beforeDelete = s
    s = step(s).state
    expect(jobPods(s)).toHaveLength(1)
    expect(jobPods(s).every((p) => p.metadata.deletionTimestamp !== undefined)).toBe(true)
    const stale: ClusterState = { ...s, objects: beforeDelete.objects }
    const podDeletes = (actions: ReadonlyArray<Action>): number => actions.filter((a) => a.type === 'delete' && a.ref.kind === 'Pod').length
    expect(podDeletes(jobController.reconcile(stale))).toBe(0)
    expect(podDeletes(jobController.reconcile({ ...stale, memory: stale.memory.delete(jobController.name) }))).toBe(1)
  })

  it('a lost create is retried when the expectations expire, 5 minutes later, and the Job completes', () => {
    const s = right(apply(createCluster({ nodes: 2, now: T0, seed: 7 }), job))
    let d = injectFault(createFaultDriver(s), { type: 'writeFailures', controller: jobController.name, count: 1, reason: 'InternalError' })
    d = right(driverAdvance(d, 60_000))
    expect(jobPods(d.state)).toEqual([])
    expect(jobController.nextWakeup(d.state)).toEqual(O.some(T0 + FIVE_MINUTES))
    d = right(driverAdvance(d, FIVE_MINUTES - 60_000))
    const retried = jobPods(d.state)
    expect(retried).toHaveLength(1)
    expect(Date.parse(retried[0]?.metadata.creationTimestamp ?? '')).toBe(T0 + FIVE_MINUTES)
    d = right(driverAdvance(d, 60_000))
    expect(conditions(d.state)).toContain('Complete')
  })
})
