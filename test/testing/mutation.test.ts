/**
 * The mutation check: deliberately broken variants of real controllers, built by wrapping them
 * (changing what they see or what they write), must each be caught by `checkConvergence` with a
 * shrunk counterexample of at most 5 commands; the real controllers must pass the same check.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  type Action,
  type ClusterState,
  type Controller,
  cronJobController,
  defaultControllers,
  deploymentController,
  parseScenario,
  replicaSetController,
} from '../../src/index.js'
import { putObject } from '../../src/store/objectStore.js'
import { listObjects } from '../../src/store/objectStore.js'
import { checkConvergence, type ConvergenceOptions, mapController } from '../../src/testing/index.js'
import type { KubeObject } from '../../src/objects/object.js'

type Json = Record<string, unknown>

const withController = (real: Controller, mutant: Controller): ReadonlyArray<Controller> => defaultControllers.map((c) => (c === real ? mutant : c))

/** Rewrites every object of a kind in the state a controller observes. */
const viewing = (state: ClusterState, kind: string, edit: (o: KubeObject) => KubeObject | undefined): ClusterState => {
  let objects = state.objects
  for (const o of listObjects(state.objects, kind)) {
    const next = edit(o)
    if (next !== undefined) objects = putObject(objects, next)
  }
  return objects === state.objects ? state : { ...state, objects }
}

/** Puts back the real spec of objects of `kind` in the mutant's writes, so the lens never leaks into the store. */
const restoringSpec = (kind: string) => (actions: ReadonlyArray<Action>, real: ClusterState): ReadonlyArray<Action> =>
  actions.map((a) => {
    if ((a.type !== 'update' && a.type !== 'updateStatus') || a.object.kind !== kind) return a
    const stored = listObjects(real.objects, kind).find((o) => o.metadata.uid === a.object.metadata.uid)
    return stored === undefined ? a : { ...a, object: { ...a.object, spec: stored['spec'] } }
  })

/** A ReplicaSet controller that counts terminating pods as active: it sees them without their deletionTimestamp. */
const rsCountsTerminating = mapController(replicaSetController, {
  view: (s) =>
    viewing(s, 'Pod', (p) => {
      if (p.metadata.deletionTimestamp === undefined) return undefined
      const { deletionTimestamp: _, deletionGracePeriodSeconds: __, ...metadata } = p.metadata
      return { ...p, metadata }
    }),
})

/** A Deployment controller that rounds a percentage maxUnavailable up instead of down. */
const deploymentRoundsUp = mapController(deploymentController, {
  view: (s) =>
    viewing(s, 'Deployment', (d) => {
      const spec = d['spec'] as Json
      const strategy = (spec['strategy'] ?? {}) as Json
      const rolling = (strategy['rollingUpdate'] ?? {}) as Json
      const pct = rolling['maxUnavailable'] ?? '25%'
      if (strategy['type'] === 'Recreate' || typeof pct !== 'string') return undefined
      const up = Math.ceil((parseFloat(pct) * Number(spec['replicas'] ?? 1)) / 100)
      return { ...d, spec: { ...spec, strategy: { ...strategy, rollingUpdate: { ...rolling, maxUnavailable: up } } } }
    }),
  actions: restoringSpec('Deployment'),
})

/** A CronJob controller that ignores concurrencyPolicy Forbid (treats it as Allow). */
const cronJobIgnoresForbid = mapController(cronJobController, {
  view: (s) =>
    viewing(s, 'CronJob', (cj) => {
      const spec = cj['spec'] as Json
      return spec['concurrencyPolicy'] === 'Forbid' ? { ...cj, spec: { ...spec, concurrencyPolicy: 'Allow' } } : undefined
    }),
  actions: restoringSpec('CronJob'),
})

const template = (app: string, annotations: Record<string, string> = {}) => ({
  metadata: { labels: { app }, ...(Object.keys(annotations).length === 0 ? {} : { annotations }) },
  spec: { containers: [{ name: app, image: `${app}:1` }] },
})
const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web') } }
const report = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'report', namespace: 'default' },
  spec: {
    schedule: '* * * * *',
    concurrencyPolicy: 'Forbid',
    jobTemplate: { spec: { template: { metadata: { annotations: { 'kubesim.dev/run-duration': '150s' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'report:1' }] } } } },
  },
}

const CASES: ReadonlyArray<{ readonly name: string; readonly real: Controller; readonly mutant: Controller; readonly manifests: ReadonlyArray<unknown>; readonly caughtBy: RegExp }> = [
  { name: 'a ReplicaSet controller that counts terminating pods as active', real: replicaSetController, mutant: rsCountsTerminating, manifests: [web], caughtBy: /^L1 /u },
  { name: 'a Deployment controller that rounds maxUnavailable up', real: deploymentController, mutant: deploymentRoundsUp, manifests: [web], caughtBy: /^I4 deployment availability/u },
  { name: 'a CronJob controller that ignores Forbid', real: cronJobController, mutant: cronJobIgnoresForbid, manifests: [report], caughtBy: /^I9 /u },
]

const OPTIONS: ConvergenceOptions = { seed: 11, numRuns: 25, maxCommands: 6, budgetMs: 10 * 60_000, stableMs: 2 * 60_000 }

describe('mutation check: broken controllers are caught with short counterexamples', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = checkConvergence(c.manifests, { ...OPTIONS, cluster: { nodes: 3, controllers: withController(c.real, c.mutant) } })
      expect(result.ok).toBe(false)
      if (result.ok) return
      const { counterexample } = result
      expect(counterexample.commands.length).toBeLessThanOrEqual(5)
      expect(counterexample.failure.violations.some((v) => c.caughtBy.test(v.invariant))).toBe(true)
      expect(counterexample.report).toContain(`counterexample (seed ${OPTIONS.seed})`)
      // The counterexample is a scenario file kubesim can read back.
      const scenario = parseScenario(counterexample.scenario)
      expect(E.isRight(scenario)).toBe(true)
    })
  }

  it('the real controllers pass the same checks', () => {
    for (const c of CASES) {
      const result = checkConvergence(c.manifests, { ...OPTIONS, numRuns: process.env['KUBESIM_LONG'] === '1' ? 200 : 3, cluster: { nodes: 3 } })
      expect(result.ok ? 'ok' : result.counterexample.report).toBe('ok')
    }
  })
})
