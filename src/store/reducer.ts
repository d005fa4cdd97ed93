/**
 * The API reducer: the one writer of the store. Every change, from a user or a controller, is an
 * `Action` applied here: admission (decode, default, validate), metadata stamping (uid,
 * resourceVersion, generation, timestamps, generateName), optimistic concurrency (a stale
 * resourceVersion is a Conflict), graceful and finalizer-aware deletion, and Event recording.
 * A refused action leaves the state exactly as it was.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Action, EventRecord, PropagationPolicy } from '../controllers/controller.js'
import { deepEqual, deepEqualExcept } from '../internal/deepEqual.js'
import { deepFreeze } from '../internal/immer.js'
import { frozenJsonCopy } from '../internal/jsonCopy.js'
import { kindInfo, type KindInfo, resourceInfoFor } from '../objects/kinds.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import { formatTimestamp } from '../sim/clock.js'
import { appendTrace, type TraceEntry } from '../sim/trace.js'
import {
  type ApiError,
  alreadyExistsError,
  invalidError,
  badRequestError,
  conflictError,
  forbiddenError,
  notFoundError,
} from '../validation/apiError.js'
import { required } from '../validation/fieldError.js'
import { admitOnCreate } from './admissionPlugins.js'
import { admitForCreate, admitForUpdate, checkEnvelope, type Envelope } from './admission.js'
import { correlateEvent, eventName, recorderMemoryKey, type RecorderCaches } from './eventCorrelator.js'
import { nextGeneratedName, nextUid } from './identity.js'
import { allocateServiceOnCreate, allocateServiceOnUpdate } from '../network/serviceAllocation.js'
import { deleteObject, FOREGROUND_FINALIZER, getObject, ORPHAN_FINALIZER, replaceObject } from './objectStore.js'
import type { ClusterState } from './state.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * What an applied action did. `dropped`: an Event the component's event recorder filtered out
 * as spam (see `correlateEvent`); it never reached the API server.
 */
export type Outcome = 'created' | 'configured' | 'unchanged' | 'deleted' | 'deleting' | 'recorded' | 'dropped'

/** The result of a successful action: the new state, what happened, and warnings for the user. */
export interface Applied {
  readonly state: ClusterState
  readonly outcome: Outcome
  /** The object as stored after the action (absent when it was removed). */
  readonly object?: KubeObject
  readonly warnings: ReadonlyArray<string>
}

// The garbage collector's finalizers live with the store index that tracks them.
export { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './objectStore.js'
/** Namespaces the API server refuses to delete. */
export const PROTECTED_NAMESPACES: ReadonlyArray<string> = ['default', 'kube-system', 'kube-public']
/** Annotation kubectl apply keeps the last applied manifest in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration'

const JOB_ORPHAN_WARNING =
  'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning'

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const spec = (object: KubeObject): Record<string, unknown> | undefined =>
  object['spec'] as Record<string, unknown> | undefined

const infoOf = (object: KubeObject): KindInfo => resourceInfoFor(object.apiVersion, object.kind)

/** Top-level keys that are not the desired state: changing them does not bump `metadata.generation`. */
const NOT_DESIRED: ReadonlyArray<string> = ['metadata', 'status']

/**
 * JSON with object keys sorted: equal values give equal strings whatever the key order.
 *
 * @internal
 */
export const stableJson = (value: unknown): string => JSON.stringify(sortKeys(value))

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort())
      Object.defineProperty(out, key, { value: sortKeys((value as Record<string, unknown>)[key]), enumerable: true })
    return out
  }
  return value
}

const namespaceProblem = (state: ClusterState, info: KindInfo, name: string, namespace: string | undefined): ApiError | undefined => {
  if (!info.namespaced || namespace === undefined) return undefined
  const ns = getObject(state.objects, { kind: 'Namespace', name: namespace })
  if (ns === undefined) return notFoundError(kindInfo('Namespace') as KindInfo, namespace)
  if (ns.metadata.deletionTimestamp !== undefined)
    return forbiddenError(info, name, namespace, `unable to create new content in namespace ${namespace} because it is being terminated`)
  return undefined
}

/** Whether an object being deleted has nothing left holding it. */
const readyToRemove = (object: KubeObject): boolean =>
  object.metadata.deletionTimestamp !== undefined &&
  (object.metadata.finalizers ?? []).length === 0 &&
  !(object.kind === 'Namespace' && ((spec(object)?.['finalizers'] as unknown[] | undefined) ?? []).length > 0) &&
  !(object.kind === 'Pod' && object.metadata.deletionGracePeriodSeconds !== undefined && object.metadata.deletionGracePeriodSeconds > 0)

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const traceEntry = (state: ClusterState, by: string, op: TraceEntry['op'], ref: ObjectRef, extra: Partial<TraceEntry> = {}): TraceEntry => ({
  time: state.now,
  by,
  op,
  kind: ref.kind,
  ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
  name: ref.name,
  result: 'ok',
  ...extra,
})

/**
 * The state with `count` entries added to its trace, built by `entries` only when the trace keeps
 * entries: a cluster run with `traceRetention: 'none'` only counts them.
 */
const record = (state: ClusterState, entries: () => ReadonlyArray<TraceEntry>, count = 1): ClusterState => {
  if (count === 0) return state
  const retention = state.config.traceRetention
  if (retention === 'none') return { ...state, trace: { entries: state.trace.entries, dropped: state.trace.dropped + count } }
  return { ...state, trace: appendTrace(state.trace, entries(), retention) }
}

/**
 * The object with `metadata` replaced by `{...metadata, ...changes}` and the other top-level keys
 * in `top` set, deep-frozen where new. Key order is what an immer recipe assigning the same keys
 * gives (existing keys keep their place, new ones go last), so stored objects serialise the same;
 * the subtrees carried over are stored ones, already frozen, so only the new spine is frozen.
 */
const stampObject = (object: KubeObject, metaChanges: Readonly<Record<string, unknown>>, top?: Readonly<Record<string, unknown>>): KubeObject =>
  deepFreeze({ ...object, ...top, metadata: { ...object.metadata, ...metaChanges } } as KubeObject)

/** Virtual time as a timestamp: writes at one instant share the string (most writes happen in bursts). */
let lastFormattedMs = Number.NaN
let lastFormatted = ''
const timestampAt = (ms: number): string => {
  if (ms !== lastFormattedMs) {
    lastFormatted = formatTimestamp(ms)
    lastFormattedMs = ms
  }
  return lastFormatted
}

/** Stores an object with a fresh resourceVersion. */
/** Stamps and stores `object` over `previous`, the version the writer read (undefined: none). */
const store = (state: ClusterState, object: KubeObject, previous: KubeObject | undefined): { readonly state: ClusterState; readonly object: KubeObject } => {
  const revision = state.revision + 1
  const stamped = stampObject(object, { resourceVersion: String(revision) })
  return { state: { ...state, revision, objects: replaceObject(state.objects, stamped, previous) }, object: stamped }
}

const remove = (state: ClusterState, object: KubeObject): ClusterState => ({
  ...state,
  revision: state.revision + 1,
  objects: deleteObject(state.objects, { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }),
})

/**
 * Fills in a name from `generateName` before admission, as the API server does: the prefix
 * plus 5 random characters, drawn again while the name is taken.
 */
const withGeneratedName = (state: ClusterState, input: KubeObject): { readonly input: KubeObject; readonly rng: ClusterState['rng'] } => {
  if (typeof input !== 'object' || input === null) return { input, rng: state.rng }
  const meta = input.metadata as Record<string, unknown> | null | undefined
  if (meta === undefined || meta === null || typeof meta !== 'object' || Array.isArray(meta)) return { input, rng: state.rng }
  const prefix = meta['generateName']
  if ((typeof meta['name'] === 'string' && meta['name'] !== '') || typeof prefix !== 'string' || prefix === '') return { input, rng: state.rng }
  const envelope = checkEnvelope(input)
  if (E.isLeft(envelope)) return { input, rng: state.rng }
  const info = envelope.right.info
  const namespace = info.namespaced ? (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default') : undefined
  let rng = state.rng
  let name = ''
  for (let attempt = 0; attempt < 8; attempt++) {
    const [candidate, next] = nextGeneratedName(rng, prefix)
    rng = next
    name = candidate
    if (getObject(state.objects, { kind: info.kind, namespace, name }) === undefined) break
  }
  return { input: { ...input, metadata: { ...input.metadata, name } }, rng }
}

/** A create admitted and ready to store: everything `create` does but the write. */
interface PreparedCreate {
  readonly object: KubeObject
  readonly rng: ClusterState['rng']
  readonly info: KindInfo
  readonly warnings: ReadonlyArray<string>
}

const create = (state: ClusterState, given: KubeObject, by: string): E.Either<ApiError, Applied> => {
  const prepared = prepareCreate(state, given, by)
  if (E.isLeft(prepared)) return prepared
  const { object, rng, info, warnings } = prepared.right
  const meta = object.metadata
  // prepareCreate found nothing stored under this name.
  const stored = store({ ...state, rng }, object, undefined)
  const ref = { kind: info.kind, namespace: meta.namespace, name: meta.name }
  const entries = (): ReadonlyArray<TraceEntry> => [
    traceEntry(stored.state, by, 'create', ref, { resourceVersion: stored.object.metadata.resourceVersion ?? '' }),
    ...warnings.map((w) => traceEntry(stored.state, by, 'warning', ref, { message: w })),
  ]
  return E.right({ state: record(stored.state, entries, 1 + warnings.length), outcome: 'created', object: stored.object, warnings })
}

/**
 * Why the API server would refuse to create `object` now (admission, an existing name, a
 * terminating namespace, an exhausted allocator), or undefined when it would accept it: a
 * create with `dryRun=All`, which runs every check and stores nothing.
 *
 * @internal
 */
export const dryRunCreate = (state: ClusterState, object: KubeObject, by: string): ApiError | undefined => {
  const prepared = prepareCreate(state, object, by)
  return E.isLeft(prepared) ? prepared.left : undefined
}

const prepareCreate = (state: ClusterState, given: KubeObject, by: string): E.Either<ApiError, PreparedCreate> => {
  const named = withGeneratedName(state, given)
  const admitted = admitForCreate(named.input, 'default')
  if (E.isLeft(admitted)) return admitted
  const { info, model } = admitted.right
  // Warnings are for people: objects controllers create (a node's Lease) do not raise them.
  const warnings = by === 'user' ? admitted.right.warnings : []
  let object = admitted.right.object
  let rng = named.rng
  const meta = object.metadata
  const finalName = meta.name
  if (getObject(state.objects, { kind: info.kind, namespace: meta.namespace, name: finalName }) !== undefined)
    return E.left(alreadyExistsError(info, finalName, meta.namespace))
  const nsProblem = namespaceProblem(state, info, finalName, meta.namespace)
  if (nsProblem !== undefined) return E.left(nsProblem)
  const [uid, afterUid] = nextUid(rng)
  rng = afterUid
  // Plain copies, assigned in the order an immer recipe would (key order is part of the result).
  const createdMeta: Record<string, unknown> = { ...object.metadata }
  createdMeta['name'] = finalName
  createdMeta['uid'] = uid
  createdMeta['creationTimestamp'] = timestampAt(state.now)
  createdMeta['generation'] = 1
  delete createdMeta['deletionTimestamp']
  delete createdMeta['deletionGracePeriodSeconds']
  const createdObject: Record<string, unknown> = { ...object, metadata: createdMeta }
  if (model?.hasStatusSubresource === true) delete createdObject['status']
  object = deepFreeze(createdObject as KubeObject)
  if (model?.hasStatusSubresource === true) object = model.applyDefaults(object)
  if (model?.prepareForCreate !== undefined) object = model.prepareForCreate(object)
  // The REST layer's allocators run after validation: cluster IPs and node ports.
  const allocated = allocateServiceOnCreate(state, object, rng)
  if (E.isLeft(allocated)) return allocated
  object = allocated.right.object
  rng = allocated.right.rng
  object = admitOnCreate(object)
  return E.right({ object, rng, info, warnings })
}

const checkVersion = (info: KindInfo, input: KubeObject, existing: KubeObject): ApiError | undefined => {
  const rv = input.metadata.resourceVersion
  if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion)
    return conflictError(info, existing.metadata.name, existing.metadata.namespace)
  const uid = input.metadata.uid
  if (uid !== undefined && uid !== '' && uid !== existing.metadata.uid)
    return conflictError(
      info,
      existing.metadata.name,
      existing.metadata.namespace,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
    )
  return undefined
}

/** The stored object an update names, checked against the write's resourceVersion and uid. */
const findTarget = (
  state: ClusterState,
  input: KubeObject,
): E.Either<ApiError, { readonly info: KindInfo; readonly ref: ObjectRef; readonly existing: KubeObject; readonly envelope: Envelope }> => {
  const envelope = checkEnvelope(input)
  if (E.isLeft(envelope)) return envelope
  const info = envelope.right.info
  const namespace = info.namespaced ? (input.metadata?.namespace ?? 'default') : undefined
  const ref = { kind: info.kind, namespace, name: input.metadata?.name ?? '' }
  const existing = getObject(state.objects, ref)
  if (existing === undefined) return E.left(notFoundError(info, ref.name, namespace))
  const stale = checkVersion(info, input, existing)
  return stale === undefined ? E.right({ info, ref, existing, envelope: envelope.right }) : E.left(stale)
}

const update = (state: ClusterState, input: KubeObject, by: string): E.Either<ApiError, Applied> => {
  const target = findTarget(state, input)
  if (E.isLeft(target)) return target
  const { ref, existing, envelope } = target.right
  const admitted = admitForUpdate(input, existing, envelope)
  if (E.isLeft(admitted)) return admitted
  const { model, warnings } = admitted.right
  const allocated = allocateServiceOnUpdate(state, admitted.right.object, existing, state.rng)
  if (E.isLeft(allocated)) return allocated
  const keepStatus = model?.hasStatusSubresource === true
  const specChanged = !deepEqualExcept(allocated.right.object, existing, NOT_DESIRED)
  const revision = state.revision + 1
  // One pass stamps everything the server owns; the client's copies of these are ignored.
  const m: Record<string, unknown> = { ...allocated.right.object.metadata }
  const old = existing.metadata
  m['uid'] = old.uid
  m['creationTimestamp'] = old.creationTimestamp
  m['resourceVersion'] = String(revision)
  m['generation'] = (old.generation ?? 1) + (specChanged ? 1 : 0)
  if (old.deletionTimestamp === undefined) delete m['deletionTimestamp']
  else m['deletionTimestamp'] = old.deletionTimestamp
  if (old.deletionGracePeriodSeconds === undefined) delete m['deletionGracePeriodSeconds']
  else m['deletionGracePeriodSeconds'] = old.deletionGracePeriodSeconds
  if (old.generateName === undefined) delete m['generateName']
  else m['generateName'] = old.generateName
  const d: Record<string, unknown> = { ...allocated.right.object, metadata: m }
  if (keepStatus) {
    if (existing['status'] === undefined) delete d['status']
    else d['status'] = existing['status']
  }
  const next = deepFreeze(d as KubeObject)
  const unchanged =
    !specChanged &&
    deepEqualExcept(next.metadata, existing.metadata, ['resourceVersion']) &&
    deepEqualExcept(next, existing, ['metadata'])
  if (unchanged) return E.right({ state, outcome: 'unchanged', object: existing, warnings })
  if (readyToRemove(next)) {
    const removed = remove(state, next)
    return E.right({ state: record(removed, () => [traceEntry(removed, by, 'delete', ref)]), outcome: 'deleted', warnings })
  }
  const stored: ClusterState = { ...state, rng: allocated.right.rng, revision, objects: replaceObject(state.objects, next, existing) }
  const entries = (): ReadonlyArray<TraceEntry> => [
    traceEntry(stored, by, 'update', ref, { resourceVersion: String(revision) }),
    ...warnings.map((w) => traceEntry(stored, by, 'warning', ref, { message: w })),
  ]
  return E.right({ state: record(stored, entries, 1 + warnings.length), outcome: 'configured', object: next, warnings })
}

const updateStatus = (state: ClusterState, input: KubeObject, by: string): E.Either<ApiError, Applied> => {
  const target = findTarget(state, input)
  if (E.isLeft(target)) return target
  const { info, ref, existing } = target.right
  const status = input['status']
  if (status !== undefined && (typeof status !== 'object' || status === null || Array.isArray(status)))
    return E.left(badRequestError(`${info.kind} ${JSON.stringify(ref.name)}: status: expected a mapping`, [], { ...info, name: ref.name }))
  if (deepEqual(status, existing['status'])) return E.right({ state, outcome: 'unchanged', object: existing, warnings: [] })
  const revision = String(state.revision + 1)
  let next: KubeObject
  if (status === undefined) {
    const { status: _dropped, ...rest } = existing as Record<string, unknown>
    next = stampObject(rest as KubeObject, { resourceVersion: revision })
  } else {
    // The JSON round trip the status always had, sharing the stored status's unchanged parts.
    next = stampObject(existing, { resourceVersion: revision }, { status: frozenJsonCopy(status, existing['status']) })
  }
  const stored = { state: { ...state, revision: state.revision + 1, objects: replaceObject(state.objects, next, existing) }, object: next }
  return E.right({
    state: record(stored.state, () => [traceEntry(stored.state, by, 'updateStatus', ref, { resourceVersion: stored.object.metadata.resourceVersion ?? '' })]),
    outcome: 'configured',
    object: stored.object,
    warnings: [],
  })
}

/** The propagation policy the API server uses when the client sends none. */
const defaultPropagation = (object: KubeObject): PropagationPolicy => (object.kind === 'Job' ? 'Orphan' : 'Background')

const deleteAction = (
  state: ClusterState,
  action: Extract<Action, { readonly type: 'delete' }>,
): E.Either<ApiError, Applied> => {
  const known = kindInfo(action.ref.kind) ?? resourceInfoFor('v1', action.ref.kind)
  const ref: ObjectRef = known.namespaced
    ? { kind: action.ref.kind, namespace: action.ref.namespace ?? 'default', name: action.ref.name }
    : { kind: action.ref.kind, name: action.ref.name }
  const existing = getObject(state.objects, ref)
  if (existing === undefined) return E.left(notFoundError(known, ref.name, ref.namespace))
  const info = infoOf(existing)
  if (action.preconditionUid !== undefined && action.preconditionUid !== existing.metadata.uid)
    return E.left(
      conflictError(
        info,
        ref.name,
        ref.namespace,
        `Precondition failed: UID in precondition: ${action.preconditionUid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
      ),
    )
  if (existing.kind === 'Namespace' && PROTECTED_NAMESPACES.includes(ref.name))
    return E.left(forbiddenError(info, ref.name, undefined, 'this namespace may not be deleted'))
  const warnings = action.propagation === undefined && existing.kind === 'Job' ? [JOB_ORPHAN_WARNING] : []
  const propagation = action.propagation ?? defaultPropagation(existing)
  const now = timestampAt(state.now)
  const alreadyDeleting = existing.metadata.deletionTimestamp !== undefined

  // Pods on a node terminate gracefully: the kubelet removes them once the grace period ends.
  if (existing.kind === 'Pod') {
    const podSpec = spec(existing)
    const onNode = typeof podSpec?.['nodeName'] === 'string' && podSpec['nodeName'] !== ''
    const requested = action.gracePeriodSeconds ?? (podSpec?.['terminationGracePeriodSeconds'] as number | undefined) ?? 30
    const grace = onNode ? Math.max(0, requested) : 0
    const current = existing.metadata.deletionGracePeriodSeconds
    if (grace > 0 && (!alreadyDeleting || current === undefined || grace < current)) {
      const meta: Record<string, unknown> = { ...existing.metadata }
      meta['deletionTimestamp'] = formatTimestamp(state.now + grace * 1000)
      meta['deletionGracePeriodSeconds'] = grace
      addPropagationFinalizer(meta, propagation)
      const next = deepFreeze({ ...existing, metadata: meta } as KubeObject)
      const stored = store(state, next, existing)
      return E.right({
        state: record(stored.state, () => [traceEntry(stored.state, action.by, 'delete', ref, { message: `graceful, ${grace}s` })]),
        outcome: 'deleting',
        object: stored.object,
        warnings,
      })
    }
    if (grace > 0) return E.right({ state, outcome: 'deleting', object: existing, warnings })
  }

  if (alreadyDeleting && existing.kind !== 'Pod') {
    // A new request with an explicit policy swaps the propagation finalizers, as upstream's
    // deletionFinalizersForGarbageCollection does (Foreground then Orphan keeps the dependents).
    const finalizers = action.propagation === undefined ? undefined : swapPropagationFinalizers(existing.metadata.finalizers ?? [], action.propagation)
    if (finalizers === undefined) return E.right({ state, outcome: 'deleting', object: existing, warnings })
    const { finalizers: _old, ...rest } = existing.metadata
    const updated = deepFreeze({ ...existing, metadata: finalizers.length === 0 ? rest : { ...rest, finalizers } } as KubeObject)
    return finishDelete(state, existing, updated, action.by, ref, propagation, warnings)
  }
  const markedMeta: Record<string, unknown> = { ...existing.metadata }
  if (markedMeta['deletionTimestamp'] === undefined) markedMeta['deletionTimestamp'] = now
  markedMeta['deletionGracePeriodSeconds'] = 0
  addPropagationFinalizer(markedMeta, propagation)
  const markedObject: Record<string, unknown> = { ...existing, metadata: markedMeta }
  if (existing.kind === 'Namespace') markedObject['status'] = { ...((existing['status'] as Record<string, unknown> | undefined) ?? {}), phase: 'Terminating' }
  const marked = deepFreeze(markedObject as KubeObject)
  return finishDelete(state, existing, marked, action.by, ref, propagation, warnings)
}

/** A marked object (`existing`, marked) goes at once when nothing holds it, else it is stored with its finalizers pending. */
const finishDelete = (
  state: ClusterState,
  existing: KubeObject,
  marked: KubeObject,
  by: string,
  ref: ObjectRef,
  propagation: PropagationPolicy,
  warnings: ReadonlyArray<string>,
): E.Either<ApiError, Applied> => {
  if (readyToRemove(marked)) {
    const removed = remove(state, marked)
    return E.right({ state: record(removed, () => [traceEntry(removed, by, 'delete', ref)]), outcome: 'deleted', warnings })
  }
  const stored = store(state, marked, existing)
  return E.right({
    state: record(stored.state, () => [traceEntry(stored.state, by, 'delete', ref, { message: `${propagation}, finalizers pending` })]),
    outcome: 'deleting',
    object: stored.object,
    warnings,
  })
}

/** The finalizers after a delete request with `propagation` on an object already being deleted; undefined when unchanged. */
const swapPropagationFinalizers = (current: ReadonlyArray<string>, propagation: PropagationPolicy): ReadonlyArray<string> | undefined => {
  const kept = current.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER)
  const next = propagation === 'Foreground' ? [...kept, FOREGROUND_FINALIZER] : propagation === 'Orphan' ? [...kept, ORPHAN_FINALIZER] : kept
  const same = next.length === current.length && next.every((f) => current.includes(f))
  return same ? undefined : next
}

const addPropagationFinalizer = (meta: Record<string, unknown>, propagation: PropagationPolicy): void => {
  const finalizer = propagation === 'Foreground' ? FOREGROUND_FINALIZER : propagation === 'Orphan' ? ORPHAN_FINALIZER : undefined
  if (finalizer === undefined) return
  const current = (meta['finalizers'] as ReadonlyArray<string> | undefined) ?? []
  if (!current.includes(finalizer)) meta['finalizers'] = [...current, finalizer]
}

/** An Event as its component's recorder sends it on: its name, the repeats it carries, and the recorder's memory. */
interface Sent {
  readonly event: EventRecord
  readonly name: string
  readonly repeats: number
  readonly memory: ClusterState['memory']
}

/**
 * The Event a component's recorder sends to the API server: through client-go's correlator (see
 * `correlateEvent`), or as it is for a recorder on events.k8s.io; or the recorder's
 * new memory when the correlator drops it (`dropped`).
 */
const sentByRecorder = (state: ClusterState, action: Extract<Action, { readonly type: 'event' }>): Sent | { readonly dropped: ClusterState['memory'] } => {
  if (action.viaEventsApi === true) return { event: action.event, name: eventName(action.event, false), repeats: 1, memory: state.memory }
  const key = recorderMemoryKey(action.by)
  const correlated = correlateEvent(state.memory.get(key) as RecorderCaches | undefined, action.event, state.now)
  const memory = state.memory.set(key, correlated.caches)
  if (correlated.dropped) return { dropped: memory }
  return { event: correlated.event, name: correlated.name, repeats: 1 + correlated.droppedRepeats, memory }
}

/** Records an Event as a component's event recorder does: as a new Event, or as the next count of the same one. */
const recordEvent = (state: ClusterState, action: Extract<Action, { readonly type: 'event' }>): E.Either<ApiError, Applied> => {
  const by = action.by
  const sent = sentByRecorder(state, action)
  // Dropped before it reached the API server: no write, no trace entry.
  if ('dropped' in sent) return E.right({ state: { ...state, memory: sent.dropped }, outcome: 'dropped', warnings: [] })
  const { event, name, repeats, memory } = sent
  const namespace = event.involvedObject.namespace ?? 'default'
  const ref = { kind: 'Event', namespace, name }
  const existing = getObject(state.objects, ref)
  const time = timestampAt(state.now)
  const revision = state.revision + 1
  const resourceVersion = String(revision)
  let object: KubeObject
  let rng = state.rng
  if (existing === undefined) {
    const [uid, next] = nextUid(state.rng)
    rng = next
    // Built with its resourceVersion in place: the same keys, in the same order, as stamping after.
    object = deepFreeze({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, uid, creationTimestamp: time, generation: 1, resourceVersion },
      involvedObject: { ...event.involvedObject, namespace: event.involvedObject.namespace },
      reason: event.reason,
      message: event.message,
      type: event.type,
      count: repeats,
      firstTimestamp: time,
      lastTimestamp: time,
      source: { component: by },
      reportingComponent: by,
    })
  } else {
    const count = ((existing['count'] as number | undefined) ?? 1) + repeats
    // A combined Event carries the latest message of its set, as client-go's patch does.
    const top = existing['message'] === event.message ? { count, lastTimestamp: time } : { count, lastTimestamp: time, message: event.message }
    object = stampObject(existing, { resourceVersion }, top)
  }
  const stored: ClusterState = { ...state, rng, revision, memory, objects: replaceObject(state.objects, object, existing) }
  const entries = (): ReadonlyArray<TraceEntry> => [traceEntry(stored, by, 'event', event.involvedObject, { message: `${event.type} ${event.reason}: ${event.message}` })]
  return E.right({ state: record(stored, entries), outcome: 'recorded', object, warnings: [] })
}

const podBindingTarget = { kind: 'Binding', group: '', resource: 'pods/binding' }

/** The `pods/binding` subresource: one write sets spec.nodeName and PodScheduled=True. */
const bind = (state: ClusterState, action: Extract<Action, { readonly type: 'bind' }>): E.Either<ApiError, Applied> => {
  const ref: ObjectRef = { kind: 'Pod', namespace: action.ref.namespace ?? 'default', name: action.ref.name }
  const pod = getObject(state.objects, ref)
  if (pod === undefined) return E.left(notFoundError(kindInfo('Pod') as KindInfo, ref.name, ref.namespace))
  if (action.preconditionUid !== undefined && action.preconditionUid !== pod.metadata.uid)
    return E.left(conflictError(podBindingTarget, ref.name, ref.namespace, `Precondition failed: UID in precondition: ${action.preconditionUid}, UID in object meta: ${pod.metadata.uid ?? ''}`))
  const current = spec(pod)?.['nodeName']
  if (typeof current === 'string' && current !== '')
    return E.left(conflictError(podBindingTarget, ref.name, ref.namespace, `pod ${ref.name} is already assigned to node ${JSON.stringify(current)}`))
  if (pod.metadata.deletionTimestamp !== undefined)
    return E.left(conflictError(podBindingTarget, ref.name, ref.namespace, `pod ${ref.name} is being deleted, cannot be assigned to a host`))
  if (action.nodeName === '') return E.left(invalidError(podBindingTarget, ref.name, ref.namespace, [required('target.name')]))
  const revision = state.revision + 1
  const time = timestampAt(state.now)
  const status = (pod['status'] as Record<string, unknown> | undefined) ?? {}
  const conditions = ((status['conditions'] as ReadonlyArray<Record<string, unknown>> | undefined) ?? []).filter((c) => c['type'] !== 'PodScheduled')
  const next = stampObject(
    pod,
    { resourceVersion: String(revision) },
    {
      spec: { ...(pod['spec'] as Record<string, unknown>), nodeName: action.nodeName },
      status: { ...status, conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: time }] },
    },
  )
  const stored: ClusterState = { ...state, revision, objects: replaceObject(state.objects, next, pod) }
  return E.right({
    state: record(stored, () => [traceEntry(stored, action.by, 'bind', ref, { resourceVersion: String(revision), message: `to ${action.nodeName}` })]),
    outcome: 'configured',
    object: next,
    warnings: [],
  })
}

/**
 * Applies one action through the API reducer. Left is the API error the server would return;
 * the input state is then unchanged. A write that changes nothing returns the same state
 * reference with outcome `unchanged`.
 *
 * @category store
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyAction } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = createCluster()
 * const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } }
 * const created = applyAction(s, { type: 'create', object: cm, by: 'user' })
 * expect(E.isRight(created) && created.right.object?.metadata.uid).toBeTruthy()
 * const again = E.isRight(created) ? applyAction(created.right.state, { type: 'create', object: cm, by: 'user' }) : created
 * expect(E.isLeft(again) && again.left.reason).toBe('AlreadyExists')
 * ```
 */
export const applyAction = (state: ClusterState, action: Action): E.Either<ApiError, Applied> => {
  switch (action.type) {
    case 'create':
      return create(state, action.object, action.by)
    case 'update':
      return update(state, action.object, action.by)
    case 'updateStatus':
      return updateStatus(state, action.object, action.by)
    case 'delete':
      return deleteAction(state, action)
    case 'event':
      return recordEvent(state, action)
    case 'bind':
      return bind(state, action)
    case 'remember':
      return E.right({
        state: state.memory.get(action.by) === action.value ? state : { ...state, memory: state.memory.set(action.by, action.value) },
        outcome: 'recorded',
        warnings: [],
      })
  }
}

/**
 * Records a refused action in the trace, so a run's log shows failed writes too.
 *
 * @internal
 */
export const recordFailure = (state: ClusterState, action: Action, error: ApiError): ClusterState => {
  const ref: ObjectRef =
    action.type === 'delete'
      ? action.ref
      : action.type === 'bind'
        ? action.ref
      : action.type === 'remember'
        ? { kind: 'Controller', name: action.by }
      : action.type === 'event'
        ? action.event.involvedObject
        : { kind: String(action.object?.kind ?? ''), namespace: action.object?.metadata?.namespace, name: String(action.object?.metadata?.name ?? '') }
  return record(state, () => [traceEntry(state, action.by, action.type, ref, { result: error.reason, message: error.message })])
}
