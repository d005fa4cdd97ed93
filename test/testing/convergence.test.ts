import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseScenario, runScenario } from '../../src/index.js'
import {
  checkConvergence,
  type ConvergenceOptions,
  type FaultSchedule,
  livenessViolations,
  runSchedule,
  scheduleToScenario,
} from '../../src/testing/index.js'

const LONG = process.env['KUBESIM_LONG'] === '1'

const tpl = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `${app}:1` }] } })
const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: tpl('web') } }
const webService = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }
const db = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: tpl('db') } }
const agent = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: tpl('agent') } }
const once = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' }, spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }
const ALL = [web, webService, db, agent, once]

const dbRef = { kind: 'StatefulSet', name: 'db', namespace: 'default' }

/** The documented upstream exceptions, opted into explicitly. */
const EXCEPTIONS: ConvergenceOptions = { allowStuckOrderedRollout: true, allowUnreachableStatefulPods: true }

describe('checkConvergence', () => {
  it('every workload kind converges under random faults (ESR), checked after every pass', () => {
    const options: ConvergenceOptions = { ...EXCEPTIONS, seed: 2, numRuns: LONG ? 300 : 3, maxCommands: 6 }
    const result = checkConvergence(ALL, options)
    expect(result.ok ? 'ok' : result.counterexample.report).toBe('ok')
  })

  it('controllers run in seeded random orders reach the same properties', () => {
    const options: ConvergenceOptions = { ...EXCEPTIONS, seed: 4, numRuns: LONG ? 300 : 3, maxCommands: 5, shuffleControllers: true }
    const result = checkConvergence(ALL, options)
    expect(result.ok ? 'ok' : result.counterexample.report).toBe('ok')
  })

  it('checking once per step instead of per pass runs the same simulation', () => {
    const schedule: FaultSchedule = [{ type: 'advance', ms: 20_000 }, { type: 'setImage', ref: { kind: 'Deployment', name: 'web', namespace: 'default' }, container: 'web', image: 'web:2' }]
    const perPass = runSchedule([web, webService], schedule, { budgetMs: 120_000, stableMs: 30_000 })
    const perStep = runSchedule([web, webService], schedule, { budgetMs: 120_000, stableMs: 30_000, checkEvery: 'step' })
    expect(perPass.ok && perStep.ok).toBe(true)
    expect(perStep.steps).toBe(perPass.steps)
    expect(perStep.state.revision).toBe(perPass.state.revision)
  })

  it('stale reads do not make the DaemonSet controller create a second pod per node (expectations)', () => {
    const run = runSchedule([agent], [{ type: 'staleReads', controller: 'daemonset-controller', lag: 1, passes: 2 }, { type: 'advance', ms: 1000 }])
    expect(run.failure).toBeUndefined()
    expect(run.ok).toBe(true)
  })

  it('the StatefulSet rollback trap fails unless the documented exception is allowed', () => {
    const schedule: FaultSchedule = [
      { type: 'advance', ms: 60_000 },
      { type: 'neverReady', ref: dbRef, broken: true },
      { type: 'setImage', ref: dbRef, container: 'db', image: 'db:2' },
      { type: 'advance', ms: 60_000 },
    ]
    const strict = runSchedule([db], schedule, { budgetMs: 300_000, stableMs: 60_000 })
    expect(strict.ok).toBe(false)
    expect(strict.failure?.phase).toBe('liveness')
    expect(strict.failure?.violations[0]?.invariant).toBe('L3 statefulset ordinals ready')
    expect(runSchedule([db], schedule, { budgetMs: 300_000, stableMs: 60_000, allowStuckOrderedRollout: true }).ok).toBe(true)
  })

  it('a StatefulSet pod on a dead node is an explicit exception too', () => {
    const schedule: FaultSchedule = [{ type: 'advance', ms: 30_000 }, { type: 'failNode', node: 'node-1' }, { type: 'failNode', node: 'node-2' }]
    expect(runSchedule([db], schedule).failure?.violations.some((v) => v.invariant.startsWith('L3'))).toBe(true)
    expect(runSchedule([db], schedule, { allowUnreachableStatefulPods: true }).ok).toBe(true)
  })

  it('liveness: a Deployment whose pods never become Ready is reported, not waited on forever', () => {
    const stuck = { ...web, spec: { ...web.spec, template: { ...tpl('web'), metadata: { labels: { app: 'web' }, annotations: { 'kubesim.dev/never-ready': 'true' } } } } }
    const run = runSchedule([stuck], [], { budgetMs: 120_000, stableMs: 60_000 })
    expect(run.failure?.phase).toBe('liveness')
    expect(livenessViolations(run.state).map((v) => `${v.invariant} ${v.field}`)).toContain('L2 deployment rolled out status.availableReplicas')
  })

  it('is deterministic: same seed, same verdict and counterexample', () => {
    const broken = { ...once, spec: { ...once.spec, backoffLimit: 0, template: { metadata: { annotations: { 'kubesim.dev/run-duration': '20m' } }, spec: once.spec.template.spec } } }
    const a = checkConvergence([broken], { seed: 9, numRuns: 3, maxCommands: 2, budgetMs: 600_000, stableMs: 60_000 })
    const b = checkConvergence([broken], { seed: 9, numRuns: 3, maxCommands: 2, budgetMs: 600_000, stableMs: 60_000 })
    expect(a.ok).toBe(false)
    if (a.ok || b.ok) return
    expect(a.counterexample.commands).toEqual([])
    expect(b.counterexample.report).toBe(a.counterexample.report)
    expect(a.counterexample.failure.violations[0]?.invariant).toBe('L5 job finishes')
  })
})

describe('counterexamples as scenario files', () => {
  it('round-trips through parseScenario and runs with runScenario', () => {
    const schedule: FaultSchedule = [
      { type: 'advance', ms: 20_000 },
      { type: 'scale', ref: { kind: 'Deployment', name: 'web', namespace: 'default' }, replicas: 4 },
      { type: 'killPod', pick: 2 },
      { type: 'crash', controller: 'replicaset-controller', keep: 1 },
      { type: 'setImage', ref: { kind: 'Deployment', name: 'web', namespace: 'default' }, container: 'web', image: 'web:2' },
      { type: 'failNode', node: 'node-3' },
      { type: 'advance', ms: 30_000 },
      { type: 'recoverNode', node: 'node-3' },
      { type: 'pause', ref: { kind: 'Deployment', name: 'web', namespace: 'default' } },
      { type: 'delete', ref: { kind: 'Service', name: 'web', namespace: 'default' }, propagation: 'Background' },
    ]
    const run = runSchedule([web, webService], schedule, { budgetMs: 300_000, stableMs: 60_000 })
    expect(run.log.every((l) => l.skipped === undefined)).toBe(true)
    const text = scheduleToScenario([web, webService], run.log, { seed: 0, nodes: 3 }, { name: 'round trip' })
    const parsed = parseScenario(text)
    expect(E.isRight(parsed)).toBe(true)
    if (E.isLeft(parsed)) return
    expect(parsed.right.name).toBe('round trip')
    expect(parsed.right.steps.map((s) => s.type)).toEqual([
      'apply', 'advance', 'scale', 'killPod', 'settle', 'setImage', 'failNode', 'advance', 'recoverNode', 'settle', 'delete', 'advance',
    ])
    const killed = parsed.right.steps[3]
    expect(killed?.type === 'killPod' && killed.ref.name).toBe(run.log[2]?.detail?.slice('Pod/'.length))
    const replay = runScenario(parsed.right, new Map())
    expect(replay.steps.filter((s) => s.failures.length > 0)).toEqual([])
    expect(replay.ok).toBe(true)
  })
})
