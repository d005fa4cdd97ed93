/**
 * Trace tools for debugging a run: `diffStates` compares two cluster states object by object
 * with field paths; `replay` rebuilds a run from its seed and inputs (the same seed and inputs
 * always give the same trace); `explainStep` / `explainAction` say why a controller acted, by
 * re-running the step through the real engine with each controller's pass observed: which
 * controller, what it saw (the owner's desired counts, the objects it owns, the node) and what
 * it changed. Nothing is recorded during normal runs, so explanations cost nothing until asked.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { Action, Controller } from '../controllers/controller.js'
import { formatRef, type KubeObject, type ObjectRef, refOf } from '../objects/object.js'
import { advance, type Duration, step } from '../sim/engine.js'
import { failNode, killPod, recoverNode } from '../sim/faults.js'
import type { TraceEntry } from '../sim/trace.js'
import { applyManifests, type ManifestInput, remove, scale } from '../store/api.js'
import { type ClusterOptions, tryCreateCluster } from '../store/cluster.js'
import { dependentsOf, getByUid, getObject, listObjects, nodeUsage, storedKinds } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, formatApiError } from '../validation/apiError.js'

// ---------------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------------

/** One field that differs, by its dotted path (`spec.replicas`, `status.conditions[0].status`). */
export interface FieldChange {
  readonly path: string
  /** Absent when the field was added. */
  readonly before?: unknown
  /** Absent when the field was removed. */
  readonly after?: unknown
}

/** How one object differs between two states. */
export interface ObjectDiff {
  readonly change: 'added' | 'removed' | 'changed'
  /** The object, as `Pod default/web`. */
  readonly object: string
  readonly ref: ObjectRef
  /** For `changed`: every differing field (leaves). Empty for `added` and `removed`. */
  readonly fields: ReadonlyArray<FieldChange>
}

/** Options for `diffStates`. */
export interface DiffOptions {
  /** Field path prefixes to ignore, e.g. `['metadata.resourceVersion', 'metadata.managedFields']`. */
  readonly ignore?: ReadonlyArray<string>
  /** Kinds to compare (default: every kind stored in either state). */
  readonly kinds?: ReadonlyArray<string>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const diffValues = (a: unknown, b: unknown, path: string, out: FieldChange[], ignored: (path: string) => boolean): void => {
  if (a === b || ignored(path)) return
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const at = `${path}[${i}]`
      if (i >= a.length) out.push({ path: at, after: b[i] })
      else if (i >= b.length) out.push({ path: at, before: a[i] })
      else diffValues(a[i], b[i], at, out, ignored)
    }
    return
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const at = path === '' ? key : `${path}.${key}`
      if (ignored(at)) continue
      if (!(key in b)) out.push({ path: at, before: a[key] })
      else if (!(key in a)) out.push({ path: at, after: b[key] })
      else diffValues(a[key], b[key], at, out, ignored)
    }
    return
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a, after: b })
}

/**
 * The fields that differ between two versions of an object (or any two JSON values).
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { diffObjects } from 'kubesim/testing'
 * expect(diffObjects({ spec: { replicas: 1 } }, { spec: { replicas: 3 }, status: {} })).toEqual([
 *   { path: 'spec.replicas', before: 1, after: 3 },
 *   { path: 'status', after: {} },
 * ])
 * ```
 */
export const diffObjects = (before: unknown, after: unknown, options: Pick<DiffOptions, 'ignore'> = {}): ReadonlyArray<FieldChange> => {
  const prefixes = options.ignore ?? []
  const ignored = (path: string): boolean => prefixes.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))
  const out: FieldChange[] = []
  diffValues(before, after, '', out, ignored)
  return out
}

/**
 * Compares two cluster states object by object: objects added, removed (or replaced: a new uid
 * counts as removed and added), and changed with the paths of the fields that differ. Ordered by
 * kind, then namespace and name.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, scale } from 'kubesim'
 * import { diffStates } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } }
 * const a = applyManifests(createCluster(), cm)
 * const b = E.isRight(a) ? applyManifests(a.right, { ...cm, data: { a: '2' } }) : a
 * const diff = E.isRight(a) && E.isRight(b) ? diffStates(a.right, b.right, { ignore: ['metadata'] }) : []
 * expect(diff).toEqual([{ change: 'changed', object: 'ConfigMap default/c', ref: { kind: 'ConfigMap', namespace: 'default', name: 'c' }, fields: [{ path: 'data.a', before: '1', after: '2' }] }])
 * ```
 */
export const diffStates = (a: ClusterState, b: ClusterState, options: DiffOptions = {}): ReadonlyArray<ObjectDiff> => {
  if (a.objects === b.objects) return []
  const kinds = options.kinds ?? [...new Set([...storedKinds(a.objects), ...storedKinds(b.objects)])].sort()
  const out: ObjectDiff[] = []
  for (const kind of kinds) {
    const before = new Map(listObjects(a.objects, kind).map((o) => [formatRef(refOf(o)), o]))
    const after = new Map(listObjects(b.objects, kind).map((o) => [formatRef(refOf(o)), o]))
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const x = before.get(key)
      const y = after.get(key)
      if (x === y) continue
      if (x !== undefined && (y === undefined || y.metadata.uid !== x.metadata.uid)) out.push({ change: 'removed', object: key, ref: refOf(x), fields: [] })
      if (y !== undefined && (x === undefined || y.metadata.uid !== x.metadata.uid)) out.push({ change: 'added', object: key, ref: refOf(y), fields: [] })
      if (x !== undefined && y !== undefined && x.metadata.uid === y.metadata.uid) {
        const fields = diffObjects(x, y, options)
        if (fields.length > 0) out.push({ change: 'changed', object: key, ref: refOf(y), fields })
      }
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// replay
// ---------------------------------------------------------------------------------------------

/** One input of a run: a user operation, a fault, or time passing. */
export type ReplayInput =
  | { readonly apply: ManifestInput }
  | { readonly remove: ObjectRef }
  | { readonly scale: ObjectRef; readonly replicas: number }
  | { readonly failNode: string }
  | { readonly recoverNode: string }
  | { readonly killPod: { readonly namespace: string; readonly name: string }; readonly exitCode?: number }
  | { readonly advance: Duration }

/** What a run is made of besides its seed. */
export interface ReplayInputs {
  /** `createCluster` options; the seed comes from `replay`'s argument. */
  readonly cluster?: Omit<ClusterOptions, 'seed'>
  readonly inputs: ReadonlyArray<ReplayInput>
}

/** An input that failed during `replay`, and the state before it. */
export interface ReplayFailure {
  /** The input's index, or -1 when the cluster options were refused. */
  readonly index: number
  readonly message: string
  readonly state: ClusterState | undefined
}

const apiErrors = (errors: ApiError | ReadonlyArray<ApiError>): string => (Array.isArray(errors) ? errors : [errors as ApiError]).map(formatApiError).join('; ')

const applyInput = (state: ClusterState, input: ReplayInput): E.Either<string, ClusterState> => {
  if ('apply' in input) return E.mapLeft(apiErrors)(applyManifests(state, input.apply))
  if ('remove' in input) return E.mapLeft(apiErrors)(remove(state, input.remove))
  if ('scale' in input) return E.mapLeft(apiErrors)(scale(state, input.scale, input.replicas))
  if ('failNode' in input) return E.mapLeft(apiErrors)(failNode(state, input.failNode))
  if ('recoverNode' in input) return E.mapLeft(apiErrors)(recoverNode(state, input.recoverNode))
  if ('killPod' in input) return E.mapLeft(apiErrors)(killPod(state, input.killPod, input.exitCode))
  return E.mapLeft((e: { readonly message: string }) => e.message)(advance(state, input.advance))
}

/**
 * Rebuilds a run from its seed and inputs: creates the cluster with the seed, then applies each
 * input in order. Runs are deterministic, so the result (objects, clock and trace) is the one the
 * original run reached; keep a failing test's seed and inputs and this reproduces it.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { traceEntries } from 'kubesim'
 * import { replay } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }
 * const run = { cluster: { nodes: 2 }, inputs: [{ apply: deploy }, { advance: '30s' }] }
 * const a = replay(run, 7)
 * const b = replay(run, 7)
 * expect(E.isRight(a) && E.isRight(b) && traceEntries(a.right)).toEqual(E.isRight(b) && traceEntries(b.right))
 * ```
 */
export const replay = (run: ReplayInputs, seed: number): E.Either<ReplayFailure, ClusterState> => {
  const created = tryCreateCluster({ ...run.cluster, seed })
  if (E.isLeft(created)) return E.left({ index: -1, message: created.left.message, state: undefined })
  let state = created.right
  for (const [index, input] of run.inputs.entries()) {
    const next = applyInput(state, input)
    if (E.isLeft(next)) return E.left({ index, message: next.left, state })
    state = next.right
  }
  return E.right(state)
}

// ---------------------------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------------------------

/** Why one action was taken: the controller, what it did, and what it had observed. */
export interface Explanation {
  readonly controller: string
  /** The action, as `create Pod default/web-7d4b9-x2x8q` or `delete Pod default/web-1`. */
  readonly action: string
  readonly actionType: Action['type']
  /** The object written (for create, update and bind, after the write). */
  readonly object: string
  /** `ok`, or the API error reason the write met. */
  readonly result: TraceEntry['result']
  /** The observed facts that led to it, one sentence each. */
  readonly facts: ReadonlyArray<string>
}

const get = (o: unknown, path: ReadonlyArray<string>): unknown => path.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), o)

/** The fields controllers decide on: desired and observed counts, generations, phases. */
const summary = (o: KubeObject): string => {
  const parts: string[] = []
  const add = (label: string, path: ReadonlyArray<string>): void => {
    const v = get(o, path)
    if (v !== undefined && v !== null && typeof v !== 'object') parts.push(`${label}=${String(v)}`)
  }
  add('spec.replicas', ['spec', 'replicas'])
  add('spec.completions', ['spec', 'completions'])
  add('spec.parallelism', ['spec', 'parallelism'])
  add('generation', ['metadata', 'generation'])
  add('status.observedGeneration', ['status', 'observedGeneration'])
  add('status.replicas', ['status', 'replicas'])
  add('status.readyReplicas', ['status', 'readyReplicas'])
  add('status.availableReplicas', ['status', 'availableReplicas'])
  add('status.active', ['status', 'active'])
  add('status.succeeded', ['status', 'succeeded'])
  add('status.failed', ['status', 'failed'])
  add('status.phase', ['status', 'phase'])
  add('spec.nodeName', ['spec', 'nodeName'])
  add('deletionTimestamp', ['metadata', 'deletionTimestamp'])
  return `${formatRef(refOf(o))}${parts.length === 0 ? '' : ` (${parts.join(', ')})`}`
}

const controllerOwner = (state: ClusterState, o: KubeObject): KubeObject | undefined => {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true)
  return ref === undefined ? undefined : getByUid(state.objects, ref.uid)
}

const ownerFacts = (state: ClusterState, o: KubeObject): string[] => {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true)
  if (ref === undefined) return []
  const owner = getByUid(state.objects, ref.uid)
  if (owner === undefined) return [`its owner ${ref.kind} ${ref.name} (uid ${ref.uid}) was not found`]
  const siblings = dependentsOf(state.objects, ref.uid).filter((d) => d.kind === o.kind)
  const terminating = siblings.filter((d) => d.metadata.deletionTimestamp !== undefined).length
  return [`owner ${summary(owner)}`, `the owner had ${siblings.length} ${o.kind}(s)${terminating > 0 ? `, ${terminating} terminating` : ''}`]
}

const nodeFacts = (state: ClusterState, nodeName: string): string[] => {
  const node = getObject(state.objects, { kind: 'Node', name: nodeName })
  if (node === undefined) return [`node ${nodeName} was not found`]
  const ready = (get(node, ['status', 'conditions']) as ReadonlyArray<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready')
  const allocatable = get(node, ['status', 'allocatable'])
  return [
    `node ${nodeName}: Ready=${ready?.status ?? 'unknown'}${get(node, ['spec', 'unschedulable']) === true ? ', unschedulable' : ''}, allocatable ${JSON.stringify(allocatable ?? {})}, in use ${JSON.stringify(nodeUsage(state.objects, nodeName))}`,
  ]
}

const refOfAction = (action: Action): ObjectRef | undefined => {
  switch (action.type) {
    case 'create':
    case 'update':
    case 'updateStatus':
      return refOf(action.object)
    case 'delete':
    case 'bind':
      return action.ref
    case 'event':
      return action.event.involvedObject
    case 'remember':
      return undefined
  }
}

const factsFor = (observed: ClusterState, action: Action): string[] => {
  switch (action.type) {
    case 'create':
      return [...ownerFacts(observed, action.object), ...(action.object.metadata.ownerReferences === undefined ? ['it has no owner'] : [])]
    case 'update':
    case 'updateStatus': {
      const stored = getObject(observed.objects, refOf(action.object))
      if (stored === undefined) return ['the object was not in the observed state']
      const changes = diffObjects(stored, action.object, { ignore: ['metadata.resourceVersion', 'metadata.managedFields'] })
      return [
        `observed ${summary(stored)}`,
        ...ownerFacts(observed, stored),
        ...changes.slice(0, 10).map((c) => `${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`),
        ...(changes.length > 10 ? [`... and ${changes.length - 10} more field(s)`] : []),
      ]
    }
    case 'delete': {
      const stored = getObject(observed.objects, action.ref)
      if (stored === undefined) return ['the object was not in the observed state']
      const nodeName = get(stored, ['spec', 'nodeName'])
      return [
        `observed ${summary(stored)}`,
        ...ownerFacts(observed, stored),
        ...(typeof nodeName === 'string' && nodeName !== '' ? nodeFacts(observed, nodeName) : []),
        ...(controllerOwner(observed, stored) === undefined && stored.metadata.ownerReferences !== undefined ? ['every owner it names is gone'] : []),
      ]
    }
    case 'bind': {
      const pod = getObject(observed.objects, action.ref)
      const requests = (get(pod, ['spec', 'containers']) as ReadonlyArray<{ resources?: { requests?: unknown } }> | undefined)?.map((c) => c.resources?.requests ?? {})
      return [...(pod === undefined ? [] : [`observed ${summary(pod)}, requests ${JSON.stringify(requests ?? [])}`]), ...nodeFacts(observed, action.nodeName)]
    }
    case 'event':
      return [`${action.event.type} ${action.event.reason}: ${action.event.message}`]
    case 'remember':
      return []
  }
}

const describeAction = (action: Action, ref: ObjectRef | undefined): string =>
  action.type === 'bind' ? `bind ${ref === undefined ? '' : formatRef(ref)} to ${action.nodeName}` : `${action.type} ${ref === undefined ? action.by : formatRef(ref)}`

/**
 * Explains every action of the next engine step from `state`: runs the step through the real
 * engine, observing each controller's pass (the state it reconciled against and the actions it
 * returned), and turns each action into the facts that led to it. Memory-only actions
 * (`remember`) are left out.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests } from 'kubesim'
 * import { explainStep } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }
 * const s = applyManifests(createCluster({ nodes: 1 }), rs)
 * const why = E.isRight(s) ? explainStep(s.right) : []
 * const creates = why.filter((w) => w.controller === 'replicaset-controller' && w.actionType === 'create')
 * expect(creates.length).toBe(2)
 * expect(creates[0]?.facts).toContain('the owner had 0 Pod(s)')
 * ```
 */
export const explainStep = (state: ClusterState): ReadonlyArray<Explanation> => {
  const passes: Array<{ readonly controller: string; readonly observed: ClusterState; readonly actions: ReadonlyArray<Action> }> = []
  const observe = (c: Controller): Controller => ({
    ...c,
    reconcile: (s) => {
      const actions = c.reconcile(s)
      if (actions.length > 0) passes.push({ controller: c.name, observed: s, actions })
      return actions
    },
  })
  // Every entry of this one step is kept, whatever the cluster's retention, to read outcomes and generated names.
  const observedState: ClusterState = {
    ...state,
    config: { ...state.config, traceRetention: 'all', controllers: state.config.controllers.map(observe) },
    trace: { ...state.trace, entries: state.trace.entries.clear() },
  }
  const after = step(observedState).state
  // The step's own trace entries, in order, give each action's outcome and generated names.
  const entries = [...after.trace.entries]
  let cursor = 0
  const out: Explanation[] = []
  for (const pass of passes)
    for (const action of pass.actions) {
      if (action.type === 'remember') continue
      const ref = refOfAction(action)
      const op = action.type
      // The reducer writes exactly one trace entry per traced action, in order.
      const entry = entries.slice(cursor).find((e) => e.by === pass.controller && e.op === op)
      if (entry !== undefined) cursor = entries.indexOf(entry) + 1
      const name = entry !== undefined && op === 'create' ? { ...(ref as ObjectRef), name: entry.name } : ref
      out.push({
        controller: pass.controller,
        action: describeAction(action, name),
        actionType: op,
        object: name === undefined ? '' : formatRef(name),
        result: entry?.result ?? 'ok',
        facts: factsFor(pass.observed, action),
      })
    }
  return out
}

/**
 * Why a traced write happened: give the state before the step and the trace entry the step
 * wrote, and get the controller and the facts it acted on (see `explainStep`). None when the
 * entry was not written by the next step from `state` (for example a user's write).
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, step, traceEntries } from 'kubesim'
 * import { explainAction } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
 * const before = applyManifests(createCluster({ nodes: 1 }), pod)
 * const s = E.isRight(before) ? before.right : createCluster()
 * const bindEntry = traceEntries(step(s).state).find((e) => e.op === 'bind')
 * const why = bindEntry === undefined ? O.none : explainAction(s, bindEntry)
 * expect(O.isSome(why) && why.value.controller).toBe('default-scheduler')
 * ```
 */
export const explainAction = (state: ClusterState, entry: TraceEntry): O.Option<Explanation> => {
  const ref = { kind: entry.kind, name: entry.name, ...(entry.namespace === undefined ? {} : { namespace: entry.namespace }) }
  const wanted = formatRef(ref)
  const found = explainStep(state).find((x) => x.controller === entry.by && x.actionType === entry.op && (x.object === wanted || (entry.op === 'event' && x.facts.some((f) => entry.message !== undefined && f.includes(entry.message)))))
  return O.fromNullable(found)
}

/**
 * Renders an explanation as a few readable lines.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatExplanation } from 'kubesim/testing'
 * const text = formatExplanation({ controller: 'replicaset-controller', action: 'create Pod default/web-x', actionType: 'create', object: 'Pod default/web-x', result: 'ok', facts: ['the owner had 0 Pod(s)'] })
 * expect(text).toBe('replicaset-controller: create Pod default/web-x (ok)\n  - the owner had 0 Pod(s)')
 * ```
 */
export const formatExplanation = (x: Explanation): string => [`${x.controller}: ${x.action} (${x.result})`, ...x.facts.map((f) => `  - ${f}`)].join('\n')
