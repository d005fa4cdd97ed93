/**
 * Faults as engine events (reliability reference F1-F10). A fault is a plain value; a
 * `FaultDriver` is the engine's step loop with faults woven in: controllers that crash after
 * part of a pass (losing their memory), read state k steps old, miss passes, have writes
 * refused, or are down for a while; and cluster faults (node failure, pod kills, never-ready
 * templates, capacity shrink, clock jumps) plus user operations through the public API. With
 * no fault active the driver takes exactly the engine's steps.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { Action, Controller, PropagationPolicy } from '../controllers/controller.js'
import { produce } from '../internal/immer.js'
import { kindInfo, type KindInfo } from '../objects/kinds.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import { nextWakeup as engineNextWakeup } from '../sim/engine.js'
import { failNode, killPod, recoverNode } from '../sim/faults.js'
import { forkRng, nextInt, nextUint32, type Rng } from '../sim/rng.js'
import { get, list, remove, scale } from '../store/api.js'
import { recorderMemoryKey } from '../store/eventCorrelator.js'
import { getObject } from '../store/objectStore.js'
import { applyAction, recordFailure } from '../store/reducer.js'
import { rolloutPause, rolloutResume, rolloutUndo } from '../store/rollout.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, conflictError } from '../validation/apiError.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A fault in one controller (F1-F4, F7 downtime). Names a controller by its `name`. */
export type ControllerFault =
  /** F1: the controller's next acting pass applies only its first `keep` actions, then it restarts and loses its memory. */
  | { readonly type: 'crash'; readonly controller: string; readonly keep: number }
  /** F2: for `passes` passes the controller reconciles against the objects as they were `lag` steps ago. */
  | { readonly type: 'staleReads'; readonly controller: string; readonly lag: number; readonly passes: number }
  /** F3: the controller misses `passes` passes (dropped or coalesced watch events). */
  | { readonly type: 'dropObservations'; readonly controller: string; readonly passes: number }
  /** F4: the controller's next `count` API writes are refused (409 Conflict, or a 500 as an overloaded server answers). */
  | { readonly type: 'writeFailures'; readonly controller: string; readonly count: number; readonly reason: 'Conflict' | 'InternalError' }
  /** F7: the controller does not run for `ms` of virtual time. */
  | { readonly type: 'downtime'; readonly controller: string; readonly ms: number }

/** A fault in the cluster (F5-F8), or a user operation (F9, F10), applied at once. */
export type ClusterCommand =
  | { readonly type: 'failNode'; readonly node: string }
  | { readonly type: 'recoverNode'; readonly node: string }
  /** F8: a node's allocatable cpu and memory shrink to `percent` of capacity; `percent: 100` restores them. */
  | { readonly type: 'shrinkNode'; readonly node: string; readonly percent: number }
  /** F6: kill the containers of the `pick`-th running pod (modulo their count, by name). */
  | { readonly type: 'killPod'; readonly pick: number }
  /** F6: the workload's pods stop becoming Ready (a bad image); `broken: false` reverts. */
  | { readonly type: 'neverReady'; readonly ref: ObjectRef; readonly broken: boolean }
  /** F7: virtual time jumps forward, skipping the wakeups in between. */
  | { readonly type: 'clockJump'; readonly ms: number }
  | { readonly type: 'scale'; readonly ref: ObjectRef; readonly replicas: number }
  | { readonly type: 'setImage'; readonly ref: ObjectRef; readonly container: string; readonly image: string }
  | { readonly type: 'pause'; readonly ref: ObjectRef }
  | { readonly type: 'resume'; readonly ref: ObjectRef }
  | { readonly type: 'undo'; readonly ref: ObjectRef }
  | { readonly type: 'delete'; readonly ref: ObjectRef; readonly propagation: PropagationPolicy }

/** One command of a fault schedule: let time pass, inject a controller fault, or act on the cluster. */
export type FaultCommand = { readonly type: 'advance'; readonly ms: number } | ControllerFault | ClusterCommand

/** A list of commands, run in order. */
export type FaultSchedule = ReadonlyArray<FaultCommand>

interface ActiveFaults {
  readonly crash: ReadonlyMap<string, number>
  readonly stale: ReadonlyMap<string, { readonly lag: number; readonly passes: number }>
  readonly drop: ReadonlyMap<string, number>
  readonly writes: ReadonlyMap<string, { readonly count: number; readonly reason: 'Conflict' | 'InternalError' }>
  readonly down: ReadonlyMap<string, number>
}

/** The engine plus the faults in force. A value: every operation returns a new driver. */
export interface FaultDriver {
  readonly state: ClusterState
  readonly faults: ActiveFaults
  /** Object stores of the last steps, newest first, for stale reads. */
  readonly history: ReadonlyArray<ClusterState['objects']>
  /** When set, controllers run in an order drawn from this stream at every step. */
  readonly order: Rng | undefined
  /** Steps taken so far. */
  readonly steps: number
}

/** Options for `createFaultDriver`. */
export interface FaultDriverOptions {
  /** Run controllers in a seeded random order at every step, seeded with this number. */
  readonly shuffleSeed?: number
}

/** The outcome of one driver step. */
export interface DriverStep {
  readonly driver: FaultDriver
  /** Whether any object changed. */
  readonly changed: boolean
  /** Whether a pass-counted fault was consumed (the instant is not over while faults tick). */
  readonly ticked: boolean
  /** What `onPass` answered when it stopped the step early (the state is the one it judged). */
  readonly stop?: string
}

const HISTORY = 8

const NO_FAULTS: ActiveFaults = { crash: new Map(), stale: new Map(), drop: new Map(), writes: new Map(), down: new Map() }

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * A fault driver over a cluster, with no fault active.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster } from 'kubesim'
 * import { createFaultDriver } from 'kubesim/testing'
 * const driver = createFaultDriver(createCluster({ nodes: 1 }))
 * expect(driver.steps).toBe(0)
 * ```
 */
export const createFaultDriver = (state: ClusterState, options: FaultDriverOptions = {}): FaultDriver => ({
  state,
  faults: NO_FAULTS,
  history: [],
  order: options.shuffleSeed === undefined ? undefined : forkRng({ seed: options.shuffleSeed, state: options.shuffleSeed >>> 0 }, 'controller-order'),
  steps: 0,
})

/**
 * A controller seen through a lens: `view` changes the state it observes, `actions` rewrites
 * what it plans. This is how a test builds a deliberately broken variant of a real controller
 * (a mutant) without copying its code.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, replicaSetController } from 'kubesim'
 * import { mapController } from 'kubesim/testing'
 * const silent = mapController(replicaSetController, { actions: () => [] })
 * expect(silent.name).toBe('replicaset-controller')
 * expect(silent.reconcile(createCluster())).toEqual([])
 * ```
 */
export const mapController = (
  controller: Controller,
  lens: {
    readonly view?: (state: ClusterState) => ClusterState
    readonly actions?: (actions: ReadonlyArray<Action>, state: ClusterState) => ReadonlyArray<Action>
  },
): Controller => ({
  name: controller.name,
  reconcile: (state) => {
    const seen = lens.view === undefined ? state : lens.view(state)
    const planned = controller.reconcile(seen)
    return lens.actions === undefined ? planned : lens.actions(planned, state)
  },
  nextWakeup: (state) => controller.nextWakeup(lens.view === undefined ? state : lens.view(state)),
})

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const isWrite = (action: Action): boolean => action.type !== 'event' && action.type !== 'remember'

const actionTarget = (action: Action): { kind: string; name: string; namespace?: string } => {
  switch (action.type) {
    case 'delete':
    case 'bind':
      return { kind: action.ref.kind, name: action.ref.name, ...(action.ref.namespace === undefined ? {} : { namespace: action.ref.namespace }) }
    case 'create':
    case 'update':
    case 'updateStatus':
      return { kind: action.object.kind, name: action.object.metadata.name, ...(action.object.metadata.namespace === undefined ? {} : { namespace: action.object.metadata.namespace }) }
    default:
      return { kind: 'Controller', name: action.by }
  }
}

const refusal = (action: Action, reason: 'Conflict' | 'InternalError'): ApiError => {
  const target = actionTarget(action)
  const info: Pick<KindInfo, 'kind' | 'group' | 'resource'> = kindInfo(target.kind) ?? { kind: target.kind, group: '', resource: target.kind.toLowerCase() + 's' }
  if (reason === 'Conflict') return conflictError(info, target.name, target.namespace)
  return {
    reason: 'InternalError',
    code: 500,
    kind: info.kind,
    group: info.group,
    name: target.name,
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
    message: 'Internal error occurred: etcdserver: request timed out (injected fault)',
    causes: [],
  }
}

/**
 * Whether any fault counted in passes or writes is still in force.
 *
 * @internal
 */
export const hasPassFaults = (driver: FaultDriver): boolean =>
  driver.faults.crash.size > 0 || driver.faults.stale.size > 0 || driver.faults.drop.size > 0 || driver.faults.writes.size > 0

/**
 * The earliest time after now at which a running controller, or the end of a downtime, has work.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, scheduler } from 'kubesim'
 * import { createFaultDriver, injectFault, driverNextWakeup } from 'kubesim/testing'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster()
 * const d = injectFault(createFaultDriver(s), { type: 'downtime', controller: scheduler.name, ms: 60000 })
 * expect(driverNextWakeup(d)).toEqual(O.some(s.now + 60000))
 * ```
 */
export const driverNextWakeup = (driver: FaultDriver): O.Option<number> => {
  const { state, faults } = driver
  if (faults.down.size === 0) return engineNextWakeup(state)
  let earliest: number | undefined
  const consider = (t: number): void => {
    if (t > state.now && (earliest === undefined || t < earliest)) earliest = t
  }
  for (const controller of state.config.controllers) {
    const until = faults.down.get(controller.name)
    if (until !== undefined && until > state.now) {
      consider(until)
      continue
    }
    const wake = controller.nextWakeup(state)
    if (O.isSome(wake)) consider(wake.value)
  }
  return earliest === undefined ? O.none : O.some(earliest)
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const withEntry = <V>(map: ReadonlyMap<string, V>, key: string, value: V | undefined): ReadonlyMap<string, V> => {
  const next = new Map(map)
  if (value === undefined) next.delete(key)
  else next.set(key, value)
  return next
}

/**
 * Puts a controller fault in force. Pass-counted faults last their passes; downtime lasts until
 * `now + ms`.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster } from 'kubesim'
 * import { createFaultDriver, injectFault } from 'kubesim/testing'
 * const d = injectFault(createFaultDriver(createCluster()), { type: 'dropObservations', controller: 'scheduler', passes: 2 })
 * expect(d.faults.drop.get('scheduler')).toBe(2)
 * ```
 */
export const injectFault = (driver: FaultDriver, fault: ControllerFault): FaultDriver => {
  const f = driver.faults
  switch (fault.type) {
    case 'crash':
      return { ...driver, faults: { ...f, crash: withEntry(f.crash, fault.controller, Math.max(0, fault.keep)) } }
    case 'staleReads':
      return fault.passes <= 0 || fault.lag <= 0
        ? driver
        : { ...driver, faults: { ...f, stale: withEntry(f.stale, fault.controller, { lag: Math.min(fault.lag, HISTORY), passes: fault.passes }) } }
    case 'dropObservations':
      return fault.passes <= 0 ? driver : { ...driver, faults: { ...f, drop: withEntry(f.drop, fault.controller, fault.passes) } }
    case 'writeFailures':
      return fault.count <= 0 ? driver : { ...driver, faults: { ...f, writes: withEntry(f.writes, fault.controller, { count: fault.count, reason: fault.reason }) } }
    case 'downtime':
      return { ...driver, faults: { ...f, down: withEntry(f.down, fault.controller, driver.state.now + Math.max(0, fault.ms)) } }
  }
}

const orderOf = (controllers: ReadonlyArray<Controller>, rng: Rng): readonly [ReadonlyArray<Controller>, Rng] => {
  const out = [...controllers]
  let current = rng
  for (let i = out.length - 1; i > 0; i--) {
    const [j, next] = nextInt(current, i + 1)
    current = next
    const tmp = out[i] as Controller
    out[i] = out[j] as Controller
    out[j] = tmp
  }
  return [out, current]
}

/**
 * One pass of every controller, as the engine's `step`, with the faults in force applied.
 * Without faults and shuffling it reaches exactly the state `step` reaches.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, step, list } from 'kubesim'
 * import { createFaultDriver, driverStep } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } }
 * const s = applyManifests(createCluster({ nodes: 1 }), [pod])
 * const pods = (x: ReturnType<typeof createCluster>) => JSON.stringify(list(x, 'Pod'))
 * expect(E.isRight(s) && pods(driverStep(createFaultDriver(s.right)).driver.state)).toBe(E.isRight(s) && pods(step(s.right).state))
 * ```
 */
export const driverStep = (driver: FaultDriver, onPass?: (state: ClusterState, previous: ClusterState) => string | undefined): DriverStep => {
  const start = driver.state
  let current = start
  let faults = driver.faults
  let ticked = false
  let failedAny = false
  let controllers = start.config.controllers
  let order = driver.order
  if (order !== undefined) [controllers, order] = orderOf(controllers, order)
  let passStart = start
  let stop: string | undefined
  for (const controller of controllers) {
    passStart = current
    const name = controller.name
    const downUntil = faults.down.get(name)
    if (downUntil !== undefined) {
      if (downUntil > current.now) continue
      faults = { ...faults, down: withEntry(faults.down, name, undefined) }
    }
    const dropped = faults.drop.get(name)
    if (dropped !== undefined) {
      faults = { ...faults, drop: withEntry(faults.drop, name, dropped > 1 ? dropped - 1 : undefined) }
      ticked = true
      continue
    }
    let observed = current
    const stale = faults.stale.get(name)
    if (stale !== undefined) {
      const old = driver.history[stale.lag - 1] ?? driver.history[driver.history.length - 1]
      if (old !== undefined) observed = { ...current, objects: old }
      faults = { ...faults, stale: withEntry(faults.stale, name, stale.passes > 1 ? { ...stale, passes: stale.passes - 1 } : undefined) }
      ticked = true
    }
    let actions = controller.reconcile(observed)
    if (actions.length === 0) continue
    const crashKeep = faults.crash.get(name)
    if (crashKeep !== undefined) {
      actions = actions.slice(0, crashKeep).filter((a) => a.type !== 'remember')
      faults = { ...faults, crash: withEntry(faults.crash, name, undefined) }
      ticked = true
    }
    let writes = faults.writes.get(name)
    for (const action of actions) {
      if (writes !== undefined && isWrite(action)) {
        current = recordFailure(current, action, refusal(action, writes.reason))
        failedAny = true
        writes = writes.count > 1 ? { ...writes, count: writes.count - 1 } : undefined
        faults = { ...faults, writes: withEntry(faults.writes, name, writes) }
        ticked = true
        continue
      }
      const result = applyAction(current, action)
      if (E.isRight(result)) current = result.right.state
      else {
        current = recordFailure(current, action, result.left)
        failedAny = true
      }
    }
    // A restart loses what the controller kept in memory.
    if (crashKeep !== undefined) {
      // ...and its event recorder's caches.
      const recorder = recorderMemoryKey(name)
      if (current.memory.has(name) || current.memory.has(recorder)) current = { ...current, memory: current.memory.delete(name).delete(recorder) }
    }
    const before = passStart
    current = { ...current, rng: nextUint32(current.rng)[1] }
    passStart = current
    if (onPass !== undefined && current.objects !== before.objects) {
      stop = onPass(current, before)
      if (stop !== undefined) break
    }
  }
  const changed = current.objects !== start.objects
  const state = !changed && !failedAny && current.memory === start.memory ? start : current
  const history = changed ? [start.objects, ...driver.history].slice(0, HISTORY) : driver.history
  return { driver: { state, faults, history, order, steps: driver.steps + 1 }, changed, ticked, ...(stop === undefined ? {} : { stop }) }
}

/** Hooks and budgets for `driverAdvance`. */
export interface DriverRunOptions {
  /**
   * Called after every controller pass that changed objects, with the state before and after
   * it; return a message to stop the run. Checking per pass, not per step, judges each
   * controller's writes against what it could see, whatever order controllers run in.
   */
  readonly onStep?: (state: ClusterState, previous: ClusterState) => string | undefined
  /** Call `onStep` once per step (every controller's pass) instead of after every pass: cheaper, coarser. */
  readonly perStep?: boolean
  /** Called once each instant has settled; return a message to stop the run. */
  readonly onSettled?: (state: ClusterState) => string | undefined
  /** Steps at one instant before giving up (default 2,000). */
  readonly maxStepsPerInstant?: number
  /** Stop as soon as this holds at a settled instant. */
  readonly until?: (state: ClusterState) => boolean
}

/** Why a driver run stopped early. */
export interface DriverStop {
  readonly reason: 'Stopped' | 'NotSettled'
  readonly message: string
  readonly driver: FaultDriver
}

const settleDriver = (driver: FaultDriver, options: DriverRunOptions): E.Either<DriverStop, FaultDriver> => {
  const max = options.maxStepsPerInstant ?? 2_000
  let current = driver
  for (let i = 0; i < max; i++) {
    const before = current.state
    const result = driverStep(current, options.perStep === true ? undefined : options.onStep)
    current = result.driver
    const stop = result.stop ?? (options.perStep === true && current.state.objects !== before.objects ? options.onStep?.(current.state, before) : undefined)
    if (stop !== undefined) return E.left({ reason: 'Stopped', message: stop, driver: current })
    if (!result.changed && !result.ticked) {
      const stop = options.onSettled?.(current.state)
      return stop === undefined ? E.right(current) : E.left({ reason: 'Stopped', message: stop, driver: current })
    }
  }
  return E.left({ reason: 'NotSettled', message: `controllers were still changing objects after ${max} steps at t=${current.state.now}`, driver: current })
}

/**
 * Advances virtual time by `ms` under the faults in force, visiting every wakeup in order.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster } from 'kubesim'
 * import { createFaultDriver, driverAdvance } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = createCluster({ nodes: 1 })
 * const run = driverAdvance(createFaultDriver(s), 60000)
 * expect(E.isRight(run) && run.right.state.now).toBe(s.now + 60000)
 * ```
 */
export const driverAdvance = (driver: FaultDriver, ms: number, options: DriverRunOptions = {}): E.Either<DriverStop, FaultDriver> => {
  const target = driver.state.now + Math.max(0, ms)
  let settled = settleDriver(driver, options)
  for (;;) {
    if (E.isLeft(settled)) return settled
    const current = settled.right
    if (options.until?.(current.state) === true) return settled
    const wake = driverNextWakeup(current)
    const next = O.isSome(wake) && wake.value <= target ? wake.value : target
    if (next <= current.state.now) return settled
    settled = settleDriver({ ...current, state: { ...current.state, now: next } }, options)
  }
}

type Json = Record<string, unknown>

const workloadPods = (state: ClusterState): KubeObject[] =>
  list(state, 'Pod').filter((p) => p.metadata.deletionTimestamp === undefined && ((p['status'] as Json | undefined)?.['phase'] === 'Running'))

const editObject = (state: ClusterState, ref: ObjectRef, edit: (draft: Json) => void): E.Either<ApiError | string, ClusterState> => {
  const found = getObject(state.objects, { ...ref, namespace: ref.namespace ?? 'default' })
  if (found === undefined) return E.left(`${ref.kind}/${ref.name} not found`)
  const next = produce(found, (draft) => edit(draft as unknown as Json))
  const result = applyAction(state, { type: 'update', object: next, by: 'user' })
  return E.isLeft(result) ? result : E.right(result.right.state)
}

const templateOf = (o: Json): Json | undefined => {
  const spec = o['spec'] as Json | undefined
  if (spec === undefined) return undefined
  if (o['kind'] === 'CronJob') return ((spec['jobTemplate'] as Json | undefined)?.['spec'] as Json | undefined)?.['template'] as Json | undefined
  return spec['template'] as Json | undefined
}

/** What running a cluster command did: the new state, or why it was skipped (the state is unchanged). */
export type CommandOutcome = E.Either<string, { readonly state: ClusterState; readonly detail?: string }>

const describeError = (e: ApiError | string | ReadonlyArray<ApiError>): string =>
  typeof e === 'string' ? e : Array.isArray(e) ? (e as ReadonlyArray<ApiError>).map((x) => x.message).join('; ') : (e as ApiError).message

const lift = (result: E.Either<ApiError | string, ClusterState>, detail?: string): CommandOutcome =>
  E.isLeft(result) ? E.left(describeError(result.left)) : E.right(detail === undefined ? { state: result.right } : { state: result.right, detail })

/**
 * Applies one cluster fault or user operation through the public API. A command that does not
 * apply (a pod to kill when none runs, an object already gone) is skipped with the reason.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, get } from 'kubesim'
 * import { runClusterCommand } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const out = runClusterCommand(createCluster({ nodes: 1 }), { type: 'shrinkNode', node: 'node-1', percent: 50 })
 * expect(E.isRight(out)).toBe(true)
 * expect(E.isLeft(runClusterCommand(createCluster(), { type: 'killPod', pick: 0 }))).toBe(true)
 * ```
 */
export const runClusterCommand = (state: ClusterState, command: ClusterCommand): CommandOutcome => {
  switch (command.type) {
    case 'failNode':
      return lift(failNode(state, command.node))
    case 'recoverNode':
      return lift(recoverNode(state, command.node))
    case 'shrinkNode': {
      const node = get(state, 'Node', undefined, command.node)
      if (O.isNone(node)) return E.left(`node ${command.node} not found`)
      const status = (node.value['status'] ?? {}) as Json
      const capacity = (status['capacity'] ?? {}) as Record<string, string>
      const factor = Math.min(100, Math.max(1, command.percent)) / 100
      const allocatable: Record<string, string> = { ...((status['allocatable'] ?? {}) as Record<string, string>) }
      const cpu = capacity['cpu']
      if (cpu !== undefined) allocatable['cpu'] = `${Math.floor(parseCpuMillis(cpu) * factor)}m`
      const memory = capacity['memory']
      if (memory !== undefined) allocatable['memory'] = `${Math.floor(parseMemoryKi(memory) * factor)}Ki`
      const next = { ...node.value, status: { ...status, allocatable } }
      const result = applyAction(state, { type: 'updateStatus', object: next, by: 'fault-injector' })
      return E.isLeft(result) ? E.left(result.left.message) : E.right({ state: result.right.state })
    }
    case 'killPod': {
      const pods = workloadPods(state)
      if (pods.length === 0) return E.left('no running pod to kill')
      const pod = pods[((command.pick % pods.length) + pods.length) % pods.length] as KubeObject
      return lift(killPod(state, { namespace: pod.metadata.namespace, name: pod.metadata.name }), `Pod/${pod.metadata.name}${pod.metadata.namespace === 'default' ? '' : ` -n ${pod.metadata.namespace ?? ''}`}`)
    }
    case 'neverReady':
      return lift(
        editObject(state, command.ref, (o) => {
          const template = templateOf(o)
          if (template === undefined) return
          const metadata = (template['metadata'] ??= {}) as Json
          const annotations = (metadata['annotations'] ??= {}) as Record<string, string>
          if (command.broken) annotations['kubesim.dev/never-ready'] = 'true'
          else {
            delete annotations['kubesim.dev/never-ready']
            if (Object.keys(annotations).length === 0) delete metadata['annotations']
          }
        }),
      )
    case 'clockJump':
      return E.right({ state: { ...state, now: state.now + Math.max(0, command.ms) } })
    case 'scale':
      return lift(scale(state, command.ref, command.replicas))
    case 'setImage':
      return lift(
        editObject(state, command.ref, (o) => {
          const spec = templateOf(o)?.['spec'] as Json | undefined
          const containers = (spec?.['containers'] ?? []) as Json[]
          for (const c of containers) if (c['name'] === command.container) c['image'] = command.image
        }),
      )
    case 'pause':
      return lift(rolloutPause(state, command.ref))
    case 'resume':
      return lift(rolloutResume(state, command.ref))
    case 'undo':
      return lift(rolloutUndo(state, command.ref))
    case 'delete':
      return lift(remove(state, command.ref, { propagation: command.propagation }))
  }
}

const parseCpuMillis = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000)
const MEMORY_UNITS: Record<string, number> = { Ki: 1, Mi: 1024, Gi: 1024 ** 2, Ti: 1024 ** 3, k: 1000 / 1024, M: 1e6 / 1024, G: 1e9 / 1024 }
const parseMemoryKi = (q: string): number => {
  const match = /^(\d+)([A-Za-z]*)$/.exec(q)
  if (match === null) return 0
  const unit = match[2] ?? ''
  return unit === '' ? Number(match[1]) / 1024 : Number(match[1]) * (MEMORY_UNITS[unit] ?? 1)
}

/**
 * Whether a command is a controller fault rather than a cluster command or `advance`.
 *
 * @internal
 */
export const isControllerFault = (command: FaultCommand): command is ControllerFault =>
  command.type === 'crash' || command.type === 'staleReads' || command.type === 'dropObservations' || command.type === 'writeFailures' || command.type === 'downtime'

/**
 * A command as one readable line, e.g. `scale(Deployment/web, 0)`: shrunk counterexamples read
 * like a story.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatCommand } from 'kubesim/testing'
 * expect(formatCommand({ type: 'scale', ref: { kind: 'Deployment', name: 'web' }, replicas: 0 })).toBe('scale(Deployment/web, 0)')
 * expect(formatCommand({ type: 'crash', controller: 'replicaset-controller', keep: 1 })).toBe('crash(replicaset-controller, after 1 action)')
 * ```
 */
export const formatCommand = (command: FaultCommand): string => {
  const ref = (r: ObjectRef): string => `${r.kind}/${r.name}${r.namespace === undefined || r.namespace === 'default' ? '' : ` -n ${r.namespace}`}`
  switch (command.type) {
    case 'advance':
      return `advance(${command.ms / 1000}s)`
    case 'crash':
      return `crash(${command.controller}, after ${command.keep} action${command.keep === 1 ? '' : 's'})`
    case 'staleReads':
      return `staleReads(${command.controller}, ${command.lag} steps old, ${command.passes} passes)`
    case 'dropObservations':
      return `dropObservations(${command.controller}, ${command.passes} passes)`
    case 'writeFailures':
      return `writeFailures(${command.controller}, ${command.count} × ${command.reason})`
    case 'downtime':
      return `downtime(${command.controller}, ${command.ms / 1000}s)`
    case 'failNode':
    case 'recoverNode':
      return `${command.type}(${command.node})`
    case 'shrinkNode':
      return `shrinkNode(${command.node}, ${command.percent}%)`
    case 'killPod':
      return `killPod(#${command.pick})`
    case 'neverReady':
      return `${command.broken ? 'neverReady' : 'ready'}(${ref(command.ref)})`
    case 'clockJump':
      return `clockJump(${command.ms / 1000}s)`
    case 'scale':
      return `scale(${ref(command.ref)}, ${command.replicas})`
    case 'setImage':
      return `setImage(${ref(command.ref)}, ${command.container}=${command.image})`
    case 'pause':
    case 'resume':
    case 'undo':
      return `${command.type}(${ref(command.ref)})`
    case 'delete':
      return `delete(${ref(command.ref)}, ${command.propagation})`
  }
}
