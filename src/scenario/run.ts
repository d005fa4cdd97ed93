/**
 * Running a scenario: build its cluster, then apply each step in order through the public API,
 * stopping at the first step that fails (an API error, a cluster that does not settle, or an
 * expectation that does not hold). The runner is pure: manifest files named by `apply` steps
 * are handed in as text, so the same scenario and files give the same run.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { produce } from '../internal/immer.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import { matchesSelector, parseSelector } from '../objects/selector.js'
import type { BehaviourModel } from '../sim/behaviour.js'
import { advance, settle } from '../sim/engine.js'
import { cordon, deleteNode, drain, failNode, killPod, recoverNode, uncordon } from '../sim/faults.js'
import { addNode } from '../sim/nodes.js'
import { applyManifests, get, remove, scale } from '../store/api.js'
import { rolloutPause, rolloutRestart, rolloutResume, rolloutUndo } from '../store/rollout.js'
import { tryCreateCluster } from '../store/cluster.js'
import { applyAction } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, formatApiError } from '../validation/apiError.js'
import { checkExpectation } from './expect.js'
import type { BehaviourRule, Scenario, ScenarioCluster, ScenarioStep } from './model.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** What happened at one step. */
export interface StepReport {
  /** 0-based position in `steps`. */
  readonly index: number
  /** The step's line in the scenario file. */
  readonly line: number
  /** A one-line summary, e.g. `advance 30s` or `scale Deployment/web to 5`. */
  readonly title: string
  /** Virtual time after the step, ms since the epoch. */
  readonly time: number
  /** Virtual time since the scenario started, ms. */
  readonly elapsedMs: number
  /** Empty when the step succeeded. */
  readonly failures: ReadonlyArray<string>
}

/** The outcome of a whole run. */
export interface ScenarioRun {
  readonly ok: boolean
  readonly steps: ReadonlyArray<StepReport>
  /** The final state (the state when the run stopped); absent when the cluster could not be built. */
  readonly state?: ClusterState
  /** Why the cluster could not be built. */
  readonly setupError?: string
}

/** Manifest files by the path the scenario names them with. */
export type ScenarioFiles = ReadonlyMap<string, string>

/** Options for running a scenario. */
export interface RunScenarioOptions {
  /**
   * Called with the cluster as created, with every intermediate state of `advance` and `settle`
   * steps, and with the state after every other step (see `SettleOptions.observe`).
   */
  readonly observe?: (state: ClusterState) => void
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const refText = (ref: ObjectRef): string =>
  `${ref.kind}/${ref.name}${ref.namespace === undefined ? '' : ` -n ${ref.namespace}`}`

/**
 * A one-line summary of a step, as the CLI prints it.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { stepTitle } from 'kubesim'
 * expect(stepTitle({ line: 4, type: 'advance', durationMs: 30000, text: '30s' })).toBe('advance 30s')
 * expect(stepTitle({ line: 5, type: 'scale', ref: { kind: 'Deployment', name: 'web' }, replicas: 5 })).toBe('scale Deployment/web to 5')
 * ```
 */
export const stepTitle = (step: ScenarioStep): string => {
  switch (step.type) {
    case 'apply':
      return 'file' in step.source ? `apply ${step.source.file}` : 'text' in step.source ? 'apply inline manifests' : `apply ${step.source.objects.length} inline object(s)`
    case 'advance':
      return `advance ${step.text}`
    case 'settle':
      return 'settle'
    case 'scale':
      return `scale ${refText(step.ref)} to ${step.replicas}`
    case 'setImage':
      return `set image ${refText(step.ref)} ${step.container}=${step.image}`
    case 'delete':
      return `delete ${refText(step.ref)}`
    case 'addNode':
      return `add node ${step.node.name}`
    case 'killPod':
      return `kill ${refText(step.ref)} (exit ${step.exitCode})`
    case 'rolloutUndo':
      return `rollout undo ${refText(step.ref)}${step.toRevision === undefined ? '' : ` --to-revision=${step.toRevision}`}`
    case 'rolloutRestart':
    case 'rolloutPause':
    case 'rolloutResume':
      return `rollout ${step.type.slice('rollout'.length).toLowerCase()} ${refText(step.ref)}`
    case 'expect':
      return `expect (${step.expectations.length} assertion${step.expectations.length === 1 ? '' : 's'})`
    default:
      return `${step.type} ${step.node}`
  }
}

const behaviourModel = (rules: ReadonlyArray<BehaviourRule>): BehaviourModel => {
  const compiled = rules.map((rule) => {
    const selector = rule.selector === undefined ? undefined : parseSelector(rule.selector)
    return { rule, selector: selector !== undefined && E.isRight(selector) ? selector.right : undefined }
  })
  return (pod) => {
    for (const { rule, selector } of compiled) {
      if (rule.namespace !== undefined && pod.metadata.namespace !== rule.namespace) continue
      if (selector !== undefined && !matchesSelector(selector, pod.metadata.labels ?? {})) continue
      return rule.overrides
    }
    return {}
  }
}

const createFrom = (cluster: ScenarioCluster): E.Either<string, ClusterState> => {
  const created = tryCreateCluster({
    ...(cluster.seed === undefined ? {} : { seed: cluster.seed }),
    ...(cluster.now === undefined ? {} : { now: cluster.now }),
    ...(cluster.nodes === undefined ? {} : { nodes: cluster.nodes }),
    ...(cluster.behaviour === undefined || cluster.behaviour.length === 0 ? {} : { behaviour: behaviourModel(cluster.behaviour) }),
  })
  return E.isLeft(created) ? E.left(created.left.message) : E.right(created.right)
}

/** The pod template's spec of a workload, or the pod's own spec: where `set image` looks. */
const podSpecsOf = (draft: Record<string, unknown>): Array<Record<string, unknown>> => {
  const spec = draft['spec'] as Record<string, unknown> | undefined
  if (spec === undefined) return []
  if (draft['kind'] === 'Pod') return [spec]
  if (draft['kind'] === 'CronJob') {
    const template = ((spec['jobTemplate'] as Record<string, unknown> | undefined)?.['spec'] as Record<string, unknown> | undefined)?.['template']
    return [(template as Record<string, unknown> | undefined)?.['spec'] as Record<string, unknown>].filter((s) => s !== undefined)
  }
  return [(spec['template'] as Record<string, unknown> | undefined)?.['spec'] as Record<string, unknown>].filter((s) => s !== undefined)
}

const setImage = (state: ClusterState, step: Extract<ScenarioStep, { type: 'setImage' }>): E.Either<string, ClusterState> => {
  const object = get(state, step.ref.kind, step.ref.namespace, step.ref.name)
  if (object._tag === 'None') return E.left(`Error from server (NotFound): ${step.ref.kind.toLowerCase()}s "${step.ref.name}" not found`)
  let found = false
  const next = produce(object.value, (draft) => {
    for (const spec of podSpecsOf(draft as Record<string, unknown>))
      for (const key of ['initContainers', 'containers'])
        for (const c of (spec[key] as Array<Record<string, unknown>> | undefined) ?? [])
          if (c['name'] === step.container) {
            c['image'] = step.image
            found = true
          }
  }) as KubeObject
  if (!found) return E.left(`error: unable to find container named "${step.container}"`)
  const result = applyAction(state, { type: 'update', object: next, by: 'user' })
  return E.isLeft(result) ? E.left(formatApiError(result.left)) : E.right(result.right.state)
}

const apiResult = (result: E.Either<ApiError, ClusterState>): E.Either<ReadonlyArray<string>, ClusterState> =>
  E.isLeft(result) ? E.left([formatApiError(result.left)]) : E.right(result.right)

/** Applies one step; Left carries the failure messages. */
const applyStep = (state: ClusterState, step: ScenarioStep, files: ScenarioFiles, options: RunScenarioOptions): E.Either<ReadonlyArray<string>, ClusterState> => {
  const engineOptions = options.observe === undefined ? {} : { observe: options.observe }
  switch (step.type) {
    case 'apply': {
      let input: string | ReadonlyArray<unknown>
      if ('file' in step.source) {
        const text = files.get(step.source.file)
        if (text === undefined) return E.left([`error: the path "${step.source.file}" does not exist`])
        input = text
      } else input = 'text' in step.source ? step.source.text : step.source.objects
      const applied = applyManifests(state, input)
      return E.isLeft(applied) ? E.left(applied.left.map(formatApiError)) : applied
    }
    case 'advance': {
      const advanced = advance(state, step.durationMs, engineOptions)
      return E.isLeft(advanced) ? E.left([advanced.left.message]) : advanced
    }
    case 'settle': {
      const settled = settle(state, engineOptions)
      return E.isLeft(settled) ? E.left([settled.left.message]) : settled
    }
    case 'scale':
      return apiResult(scale(state, step.ref, step.replicas))
    case 'setImage': {
      const result = setImage(state, step)
      return E.isLeft(result) ? E.left([result.left]) : result
    }
    case 'delete':
      return apiResult(remove(state, step.ref))
    case 'addNode':
      return apiResult(addNode(state, step.node))
    case 'killPod':
      return apiResult(killPod(state, step.ref, step.exitCode))
    case 'rolloutUndo':
      return apiResult(rolloutUndo(state, step.ref, step.toRevision))
    case 'rolloutRestart':
      return apiResult(rolloutRestart(state, step.ref))
    case 'rolloutPause':
      return apiResult(rolloutPause(state, step.ref))
    case 'rolloutResume':
      return apiResult(rolloutResume(state, step.ref))
    case 'expect': {
      const failures = step.expectations.flatMap((e) => {
        const failure = checkExpectation(state, e)
        return failure === undefined ? [] : [`line ${e.line}: ${failure}`]
      })
      return failures.length === 0 ? E.right(state) : E.left(failures)
    }
    case 'failNode':
      return apiResult(failNode(state, step.node))
    case 'recoverNode':
      return apiResult(recoverNode(state, step.node))
    case 'cordon':
      return apiResult(cordon(state, step.node))
    case 'uncordon':
      return apiResult(uncordon(state, step.node))
    case 'drain':
      return apiResult(drain(state, step.node))
    case 'deleteNode':
      return apiResult(deleteNode(state, step.node))
  }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Runs a scenario one step at a time: yields a report after each step and returns the whole
 * run. It stops after the first failed step. Use it to show progress; `runScenario` collects.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseScenario, runScenarioSteps } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const parsed = parseScenario('cluster: {nodes: 1}\nsteps:\n  - advance: 1m\n  - advance: 1h\n')
 * if (E.isLeft(parsed)) throw new Error('bad scenario')
 * const titles: string[] = []
 * for (const report of runScenarioSteps(parsed.right, new Map())) titles.push(report.title)
 * expect(titles).toEqual(['advance 1m', 'advance 1h'])
 * ```
 */
export function* runScenarioSteps(scenario: Scenario, files: ScenarioFiles, options: RunScenarioOptions = {}): Generator<StepReport, ScenarioRun, undefined> {
  const created = createFrom(scenario.cluster)
  if (E.isLeft(created)) return { ok: false, steps: [], setupError: created.left }
  let state = created.right
  options.observe?.(state)
  const start = state.now
  const reports: StepReport[] = []
  for (const [index, step] of scenario.steps.entries()) {
    const result = applyStep(state, step, files, options)
    if (E.isRight(result)) state = result.right
    // Steps other than advance and settle change the cluster without the engine.
    if (E.isRight(result) && step.type !== 'advance' && step.type !== 'settle') options.observe?.(state)
    const report: StepReport = { index, line: step.line, title: stepTitle(step), time: state.now, elapsedMs: state.now - start, failures: E.isLeft(result) ? result.left : [] }
    reports.push(report)
    yield report
    if (report.failures.length > 0) return { ok: false, steps: reports, state }
  }
  return { ok: true, steps: reports, state }
}

/**
 * Runs a whole scenario and returns every step's report and the final state.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseScenario, runScenario } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const text = [
 *   'cluster: {nodes: 2, seed: 1}',
 *   'steps:',
 *   '  - apply: web.yaml',
 *   '  - advance: 5s',
 *   '  - expect:',
 *   '      - get: Pod/web',
 *   '        path: status.phase',
 *   '        equals: Running',
 *   '  - killPod: {object: Pod/web, exitCode: 1}',
 *   '  - advance: 1s',
 *   '  - expect:',
 *   '      - get: Pod/web',
 *   '        path: status.containerStatuses[0].restartCount',
 *   '        equals: 2',
 * ].join('\n')
 * const files = new Map([['web.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: nginx}]}\n']])
 * const parsed = parseScenario(text)
 * if (E.isLeft(parsed)) throw new Error('bad scenario')
 * const run = runScenario(parsed.right, files)
 * expect(run.ok).toBe(false)
 * expect(run.steps.at(-1)?.failures).toEqual(['line 12: expected Pod default/web status.containerStatuses[0].restartCount to equal 2, got 1'])
 * ```
 */
export const runScenario = (scenario: Scenario, files: ScenarioFiles, options: RunScenarioOptions = {}): ScenarioRun => {
  const steps = runScenarioSteps(scenario, files, options)
  for (;;) {
    const next = steps.next()
    if (next.done === true) return next.value
  }
}

/**
 * The manifest files a scenario's `apply` steps name, so a caller can read them first.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseScenario, scenarioFiles } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const parsed = parseScenario('steps:\n  - apply: a.yaml\n  - apply: {file: b.yaml}\n  - apply: {manifests: []}\n')
 * expect(E.isRight(parsed) && scenarioFiles(parsed.right)).toEqual(['a.yaml', 'b.yaml'])
 * ```
 */
export const scenarioFiles = (scenario: Scenario): ReadonlyArray<string> => [
  ...new Set(scenario.steps.flatMap((s) => (s.type === 'apply' && 'file' in s.source ? [s.source.file] : []))),
]
