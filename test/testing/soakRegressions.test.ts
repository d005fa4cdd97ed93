import { describe, expect, it } from 'vitest'
import { ALL_INVARIANTS, type ConvergenceOptions, DEPLOYMENT_AVAILABILITY, type FaultSchedule, runSchedule } from '../../src/testing/index.js'

/**
 * Fault schedules the soak benchmark (bench/soak.ts: 10 nodes, 5 workloads, fast-check seed 42)
 * found failing, replayed as explicit examples: each must now converge with every invariant
 * checked after every controller pass.
 */

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `${app}:1`, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } })

/** The soak's five workloads: two Deployments with Services, a StatefulSet, a DaemonSet, a Job. */
const workloads: ReadonlyArray<unknown> = [
  ...['app0', 'app1'].flatMap((app) => [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app } }, template: template(app) } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: 'default' }, spec: { selector: { app }, ports: [{ port: 80 }] } },
  ]),
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'app2', namespace: 'default' }, spec: { replicas: 2, serviceName: 'app2', selector: { matchLabels: { app: 'app2' } }, template: template('app2') } },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'app3', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'app3' } }, template: template('app3') } },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'app4', namespace: 'default' }, spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
]

const options: ConvergenceOptions = {
  cluster: { nodes: 10, seed: 1, traceRetention: 'none' },
  allowStuckOrderedRollout: true,
  allowUnreachableStatefulPods: true,
  invariants: [...ALL_INVARIANTS, DEPLOYMENT_AVAILABILITY],
  checkEvery: 'pass',
}

const sts = { kind: 'StatefulSet', name: 'app2', namespace: 'default' }

const replay = (schedule: FaultSchedule) => {
  const run = runSchedule(workloads, schedule, options)
  return { ok: run.ok, failure: run.failure === undefined ? undefined : `${run.failure.phase}: ${run.failure.message} ${JSON.stringify(run.failure.violations)}` }
}

describe('soak regressions', () => {
  it('run 95: a Job controller reading 4-step-old state does not run 2 pods with parallelism 1 (I8; Job expectations)', () => {
    const schedule: FaultSchedule = [
      { type: 'staleReads', controller: 'job-controller', lag: 4, passes: 3 },
      { type: 'advance', ms: 140_000 },
      { type: 'killPod', pick: 32 },
    ]
    expect(replay(schedule)).toEqual({ ok: true, failure: undefined })
  })

  it('run 580: EndpointSlice writes refused 5 times are retried, so every ready pod is listed (L7; a failed sync is requeued)', () => {
    const schedule: FaultSchedule = [
      { type: 'writeFailures', controller: 'endpointslice-controller', count: 5, reason: 'InternalError' },
      { type: 'advance', ms: 150_000 },
    ]
    expect(replay(schedule)).toEqual({ ok: true, failure: undefined })
  })

  it('run 124: a DaemonSet controller reading 1-step-old state does not put two pods on a node (I7; DaemonSet expectations)', () => {
    const schedule: FaultSchedule = [
      { type: 'dropObservations', controller: 'kubelet', passes: 4 },
      { type: 'killPod', pick: 14 },
      { type: 'crash', controller: 'namespace-controller', keep: 1 },
      { type: 'shrinkNode', node: 'node-10', percent: 75 },
      { type: 'staleReads', controller: 'daemonset-controller', lag: 1, passes: 3 },
      { type: 'advance', ms: 58_000 },
    ]
    expect(replay(schedule)).toEqual({ ok: true, failure: undefined })
  })

  it('run 55: Foreground then Orphan delete of a StatefulSet, then a scale, settles (no revision create/collect livelock)', () => {
    const schedule: FaultSchedule = [
      { type: 'failNode', node: 'node-4' },
      { type: 'delete', ref: sts, propagation: 'Foreground' },
      { type: 'delete', ref: sts, propagation: 'Orphan' },
      { type: 'scale', ref: sts, replicas: 5 },
      { type: 'scale', ref: { kind: 'Deployment', name: 'app0', namespace: 'default' }, replicas: 0 },
      { type: 'advance', ms: 281_000 },
    ]
    expect(replay(schedule)).toEqual({ ok: true, failure: undefined })
  })

  it('run 159: Foreground delete of a StatefulSet settles, with other faults around it', () => {
    const schedule: FaultSchedule = [
      { type: 'delete', ref: { kind: 'DaemonSet', name: 'app3', namespace: 'default' }, propagation: 'Orphan' },
      { type: 'delete', ref: sts, propagation: 'Foreground' },
      { type: 'clockJump', ms: 2_803_000 },
      { type: 'staleReads', controller: 'deployment-controller', lag: 3, passes: 2 },
      { type: 'advance', ms: 208_000 },
    ]
    expect(replay(schedule)).toEqual({ ok: true, failure: undefined })
  })
})
