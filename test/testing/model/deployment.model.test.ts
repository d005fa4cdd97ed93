/**
 * Model-based test of Deployments, ReplicaSets, the scheduler, the kubelet and node lifecycle:
 * random sequences of user operations and faults (one command per file in this folder) run
 * against the system and against a model that only knows each Deployment's desired replicas
 * and image and which nodes are down. After every command a copy of the system is left to
 * converge and must match what the model predicts; Advance commands check every invariant
 * after every engine step.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Controller } from '../../../src/controllers/controller.js'
import { createCluster, defaultControllers } from '../../../src/store/cluster.js'
import { AdvanceCommand } from './advanceCommand.js'
import { ApplyCommand } from './applyCommand.js'
import { FailNodeCommand } from './failNodeCommand.js'
import { KillPodCommand } from './killPodCommand.js'
import { IMAGES, type Model, NAMES, NODES, type Real } from './model.js'
import { RecoverNodeCommand } from './recoverNodeCommand.js'
import { ScaleCommand } from './scaleCommand.js'
import { SetImageCommand } from './setImageCommand.js'

const LONG = process.env['KUBESIM_LONG'] === '1'

const name = fc.constantFrom(...NAMES)
const image = fc.constantFrom(...IMAGES)
const replicas = fc.integer({ min: 0, max: 4 })
const node = fc.constantFrom(...NODES)

export const commands = [
  fc.tuple(name, replicas, image).map(([n, r, i]) => new ApplyCommand(n, r, i)),
  fc.tuple(name, replicas).map(([n, r]) => new ScaleCommand(n, r)),
  fc.tuple(name, image).map(([n, i]) => new SetImageCommand(n, i)),
  fc.tuple(name, fc.nat(5)).map(([n, i]) => new KillPodCommand(n, i)),
  node.map((n) => new FailNodeCommand(n)),
  node.map((n) => new RecoverNodeCommand(n)),
  fc.integer({ min: 1, max: 400 }).map((s) => new AdvanceCommand(s)),
]

const runSuite = (options: { readonly controllers?: ReadonlyArray<Controller>; readonly numRuns: number; readonly maxCommands: number; readonly seed?: number }): void =>
  fc.assert(
    fc.property(fc.integer(), fc.commands(commands, { maxCommands: options.maxCommands }), (seed, cmds) => {
      const setup = (): { model: Model; real: Real } => ({
        model: { deployments: new Map(), down: new Set() },
        real: { state: createCluster({ nodes: NODES.length, seed, ...(options.controllers === undefined ? {} : { controllers: options.controllers }) }) },
      })
      fc.modelRun(setup, cmds)
    }),
    { numRuns: options.numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  )

describe('Deployments against a model of desired replicas and image', () => {
  it('every command sequence converges to what the model predicts', () => {
    runSuite(LONG ? { numRuns: 300, maxCommands: 40 } : { numRuns: 12, maxCommands: 8, seed: 20261128 })
  })

  it('catches a ReplicaSet controller that never deletes surplus pods', () => {
    const broken = defaultControllers.map((c): Controller =>
      c.name === 'replicaset-controller' ? { ...c, reconcile: (s) => c.reconcile(s).filter((a) => !(a.type === 'delete' && a.ref.kind === 'Pod')) } : c,
    )
    // The same checks fail on a three-command story; the random search finds it too (long runs).
    const setup = (): { model: Model; real: Real } => ({ model: { deployments: new Map(), down: new Set() }, real: { state: createCluster({ nodes: NODES.length, controllers: broken }) } })
    expect(() => fc.modelRun(setup, [new ApplyCommand('web', 3, 'nginx:1.27'), new AdvanceCommand(30), new ScaleCommand('web', 1)])).toThrow(/web pods|NotSettled/)
    // Seeded: a random search of 100 runs finds the bug in most seeds, not all (a scale-down or image change must come up).
    if (LONG) expect(() => runSuite({ controllers: broken, numRuns: 100, maxCommands: 8, seed: 20261128 })).toThrow(/Counterexample/)
  })
})
