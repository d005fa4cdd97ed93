/**
 * The persistent object store: one immutable HAMT map per kind (`namespace/name` -> object) and
 * the indices derived from it in the same write (by uid, by owner uid, by namespace, by label,
 * pods by node). Indices are never a second source of truth: `putObject` and `deleteObject` are
 * the only writers, and a test rebuilds them from scratch and compares.
 *
 * @module
 */
import { List, Map as IMap, Set as ISet } from 'immutable'
import { kindInfo } from '../objects/kinds.js'
import { type KubeObject, type ObjectRef, objectKey } from '../objects/object.js'
import { equalityPairs, matchesSelector, type Selector, selectsNothing } from '../objects/selector.js'
import { nonZeroRequests } from '../scheduling/podInfo.js'
import { addAmounts, holdsNodeResources, podRequests, type ResourceAmounts } from '../scheduling/resources.js'
import { timestampMs } from '../sim/clock.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The object store and its indices. Treat as opaque; use the functions below. */
export interface ObjectStore {
  /** kind -> key (`namespace/name` or `name`) -> object. */
  readonly kinds: IMap<string, IMap<string, KubeObject>>
  /** uid -> reference. */
  readonly byUid: IMap<string, ObjectRef>
  /** owner uid -> uids of objects that list it in ownerReferences. */
  readonly byOwner: IMap<string, ISet<string>>
  /**
   * `kind \0 namespace` -> keys, for every kind but Events: they are the most written objects
   * and are listed by namespace only to be shown, so that reads the Event map instead.
   */
  readonly byNamespace: IMap<string, ISet<string>>
  /** `kind \0 namespace \0 label=value` -> keys. */
  readonly byLabel: IMap<string, ISet<string>>
  /** node name -> keys of pods bound to it. */
  readonly podsByNode: IMap<string, ISet<string>>
  /**
   * Owner uids that some object lists in its ownerReferences and no stored object has: the
   * garbage collector's dangling owners, found without comparing every uid with the last pass.
   */
  readonly danglingOwners: ISet<string>
  /** uids of objects that have a deletionTimestamp (terminating, or held by finalizers). */
  readonly deleting: ISet<string>
  /**
   * uids of objects being deleted that hold the garbage collector's `orphan` or
   * `foregroundDeletion` finalizer: its work list, read without resolving every deleting object
   * (pods evicted from a dead node stay Terminating, thousands of them).
   */
  readonly gcFinalizing: ISet<string>
  /** keys of pods waiting for a node: no nodeName, not deleting, not finished (see `unboundPods`). */
  readonly unbound: ISet<string>
  /**
   * Events in the order they were last written, as `[key, time]`: the API server's event TTL
   * expires them oldest first (see `expiredEvents`). An Event written again is queued again; its
   * older entry is skipped when reached.
   */
  readonly eventQueue: List<readonly [string, number]>
  /** node name -> the summed requests of the pods holding resources on it (see `holdsNodeResources`). */
  readonly nodeUsage: IMap<string, ResourceAmounts>
  /**
   * node name -> the summed non-zero cpu (millicores) and memory (bytes) requests of the same
   * pods, as the scheduler's scoring counts them (a container without a request counts 100m and
   * 200Mi; kube-scheduler's `NodeInfo.NonZeroRequested`, kept the same way as pods come and go).
   */
  readonly nodeNonZero: IMap<string, readonly [number, number]>
  /**
   * keys of pods with required pod anti-affinity terms: the scheduler checks every bound one
   * against each incoming pod, so it must find them without scanning every pod.
   */
  readonly antiAffinityPods: ISet<string>
  /**
   * Counts the changes that can make an unschedulable pod schedulable: a Node written or
   * removed, a pod releasing node resources, or a claim, volume or StorageClass written. The scheduler retries on a new epoch, as
   * kube-scheduler moves pods out of its unschedulable queue on cluster events.
   */
  readonly schedulingEpoch: number
  /** Service cluster IP -> the key of the Service holding it (see `serviceAllocations`). */
  readonly serviceIps: IMap<string, string>
  /** Node port (also health-check node ports) -> the key of the Service holding it. */
  readonly nodePorts: IMap<number, string>
  /**
   * Present only inside a write batch (see `beginBatch`): the collections this batch may update
   * in place.
   *
   * @internal
   */
  readonly batch?: WriteBatch | undefined
}

/**
 * The collections a write batch has made mutable, each with where it sits in the store and the
 * persistent collection it copied, so `endBatch` can seal them (or put back the original when a
 * copy never changed).
 */
interface WriteBatch {
  readonly owned: Map<Collection, Slot>
}
type Collection = IMap<unknown, unknown> | ISet<unknown> | List<unknown>
interface Slot {
  readonly field: keyof ObjectStore
  /** For an inner collection (a kind's map, an index's set): its key in the field's map. */
  readonly key?: string
  readonly original: Collection | undefined
}
type NestedField = 'kinds' | 'byOwner' | 'byNamespace' | 'byLabel' | 'podsByNode'

const SEP = '\u0000'
/** Kinds whose changes can make a pod's claims schedulable (VolumeBinding's cluster events). */
const VOLUME_KINDS: ReadonlySet<string> = new Set(['PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'])
const EMPTY_SET: ISet<string> = ISet()
const EMPTY_KIND: IMap<string, KubeObject> = IMap()

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/** An empty store. */
export const emptyStore: ObjectStore = {
  kinds: IMap(),
  byUid: IMap(),
  byOwner: IMap(),
  byNamespace: IMap(),
  byLabel: IMap(),
  podsByNode: IMap(),
  danglingOwners: ISet(),
  deleting: ISet(),
  gcFinalizing: ISet(),
  unbound: ISet(),
  eventQueue: List(),
  nodeUsage: IMap(),
  nodeNonZero: IMap(),
  antiAffinityPods: ISet(),
  schedulingEpoch: 0,
  serviceIps: IMap(),
  nodePorts: IMap(),
  batch: undefined,
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/** The object at a reference, or undefined. */
export const getObject = (store: ObjectStore, ref: ObjectRef): KubeObject | undefined =>
  store.kinds.get(ref.kind)?.get(objectKey(ref))

/** The object with a uid, or undefined. */
export const getByUid = (store: ObjectStore, uid: string): KubeObject | undefined => {
  const ref = store.byUid.get(uid)
  return ref === undefined ? undefined : getObject(store, ref)
}

/** How many objects of a kind the store holds. */
export const countKind = (store: ObjectStore, kind: string): number => store.kinds.get(kind)?.size ?? 0

/** The kinds that have at least one object, sorted. */
export const storedKinds = (store: ObjectStore): ReadonlyArray<string> =>
  [...store.kinds.entries()].filter(([, m]) => m.size > 0).map(([k]) => k).sort()

const keysToObjects = (store: ObjectStore, kind: string, keys: Iterable<string>): KubeObject[] => {
  const objects = store.kinds.get(kind) ?? EMPTY_KIND
  const out: KubeObject[] = []
  for (const key of keys) {
    const object = objects.get(key)
    if (object !== undefined) out.push(object)
  }
  return out
}

/**
 * Objects of a kind, optionally within one namespace and matching a selector, sorted by
 * namespace and name. Uses the label index when the selector pins a `key=value` pair, so the
 * cost grows with the matches, not with the kind's size.
 */
export const listObjects = (
  store: ObjectStore,
  kind: string,
  filter: { readonly namespace?: string | undefined; readonly selector?: Selector | undefined } = {},
): ReadonlyArray<KubeObject> => {
  const selector = filter.selector
  if (selector !== undefined && selectsNothing(selector)) return []
  const pairs = selector === undefined ? [] : equalityPairs(selector)
  if (filter.namespace !== undefined) {
    let keys: ISet<string> | undefined
    const sets: ISet<string>[] = []
    for (const [key, value] of pairs) {
      const matching = store.byLabel.get(labelIndexKey(kind, filter.namespace, key, value)) ?? EMPTY_SET
      sets.push(matching)
      if (keys === undefined || matching.size < keys.size) keys = matching
    }
    // Only equality requirements: the label index holds exactly the keys matching each, so the
    // answer is their intersection, memoised per index set (a pod's status change leaves them).
    if (keys !== undefined && selector?.length === pairs.length) return keysToObjects(store, kind, intersectedKeys(store, sets))
    // Filter first, then sort the matching keys: keys sort in the same order as their objects
    // (namespace/name), and strings sort cheaply.
    const objects = store.kinds.get(kind) ?? EMPTY_KIND
    const matching: string[] = []
    if (keys === undefined && !indexedByNamespace(kind)) {
      objects.forEach((object, key) => {
        if (object.metadata.namespace === filter.namespace && (selector === undefined || matchesSelector(selector, object.metadata.labels))) matching.push(key)
      })
      return keysToObjects(store, kind, matching.sort())
    }
    keys ??= store.byNamespace.get(kind + SEP + filter.namespace) ?? EMPTY_SET
    for (const key of keys) {
      const object = objects.get(key)
      if (object !== undefined && (selector === undefined || matchesSelector(selector, object.metadata.labels))) matching.push(key)
    }
    // Default string sort is the fastest here; a second lookup per match is cheaper than sorting pairs.
    return keysToObjects(store, kind, matching.sort())
  }
  const all = sortedKind(store, kind)
  return selector === undefined ? all : all.filter((o) => matchesSelector(selector, o.metadata.labels))
}

/**
 * Every object of a kind sorted by key, memoised per kind map: controllers list whole kinds
 * (every Node, every ReplicaSet) each pass, and the map only changes when one of them is written.
 */
const sortedKindCache = new WeakMap<IMap<string, KubeObject>, ReadonlyArray<KubeObject>>()
const sortedKind = (store: ObjectStore, kind: string): ReadonlyArray<KubeObject> => {
  const objects = store.kinds.get(kind)
  if (objects === undefined || objects.size === 0) return []
  // A map a write batch is still changing is not a value yet: never memoise it.
  const cacheable = store.batch === undefined
  const cached = cacheable ? sortedKindCache.get(objects) : undefined
  if (cached !== undefined) return cached
  // Keys sort in the same order as their objects (namespace/name), and strings sort cheaply.
  const sorted = keysToObjects(store, kind, [...objects.keys()].sort())
  if (cacheable) sortedKindCache.set(objects, Object.freeze(sorted))
  return sorted
}

/**
 * An index set's keys, sorted, memoised per set: the set changes only when a member is added or
 * removed (a Service's slices are listed on every readiness change, and stay the same slices).
 */
const sortedKeysCache = new WeakMap<ISet<string>, ReadonlyArray<string>>()
const sortedKeys = (store: ObjectStore, keys: ISet<string>): ReadonlyArray<string> => {
  // A set a write batch is still changing is not a value yet: never memoise it.
  const cacheable = store.batch === undefined
  const cached = cacheable ? sortedKeysCache.get(keys) : undefined
  if (cached !== undefined) return cached
  const sorted = [...keys].sort()
  if (cacheable) sortedKeysCache.set(keys, Object.freeze(sorted))
  return sorted
}

/**
 * The keys in every one of these index sets, sorted; memoised per tuple of sets (nested by set
 * identity, in the selector's order), so a ReplicaSet listing its pods by `app` and
 * `pod-template-hash` pays the intersection only when a pod joins or leaves.
 */
interface IntersectionMemo {
  keys?: ReadonlyArray<string>
  readonly next: WeakMap<ISet<string>, IntersectionMemo>
}
const intersectionCache = new WeakMap<ISet<string>, IntersectionMemo>()
const intersectedKeys = (store: ObjectStore, sets: ReadonlyArray<ISet<string>>): ReadonlyArray<string> => {
  if (sets.length === 1) return sortedKeys(store, sets[0] as ISet<string>)
  // Sets a write batch is still changing are not values yet: never memoise them.
  const cacheable = store.batch === undefined
  let memo: IntersectionMemo | undefined
  if (cacheable) {
    let level: WeakMap<ISet<string>, IntersectionMemo> = intersectionCache
    for (const set of sets) {
      let entry = level.get(set)
      if (entry === undefined) level.set(set, (entry = { next: new WeakMap() }))
      memo = entry
      level = entry.next
    }
    if (memo?.keys !== undefined) return memo.keys
  }
  let smallest = sets[0] as ISet<string>
  for (const set of sets) if (set.size < smallest.size) smallest = set
  const keys: string[] = []
  for (const key of smallest) if (sets.every((set) => set === smallest || set.has(key))) keys.push(key)
  const sorted = Object.freeze(keys.sort())
  if (memo !== undefined) memo.keys = sorted
  return sorted
}

/** Objects that list `ownerUid` in their ownerReferences, sorted by kind, namespace and name. */
export const dependentsOf = (store: ObjectStore, ownerUid: string): ReadonlyArray<KubeObject> => {
  const uids = store.byOwner.get(ownerUid)
  if (uids === undefined) return []
  return sortedByKindAndKey(store, uids)
}

/**
 * The objects with these uids, sorted by kind, namespace and name. Sorts `kind \0 key` strings
 * (each built once) rather than comparing objects, which rebuilt both keys per comparison.
 */
const sortedByKindAndKey = (store: ObjectStore, uids: Iterable<string>): ReadonlyArray<KubeObject> => {
  const keyed: Array<readonly [string, KubeObject]> = []
  for (const uid of uids) {
    const ref = store.byUid.get(uid)
    if (ref === undefined) continue
    const object = getObject(store, ref)
    if (object !== undefined) keyed.push([ref.kind + SEP + objectKey(ref), object])
  }
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return keyed.map((entry) => entry[1])
}

/** The uids of the objects that list `ownerUid` in their ownerReferences, unordered. */
export const dependentUids = (store: ObjectStore, ownerUid: string): Iterable<string> => store.byOwner.get(ownerUid) ?? EMPTY_SET

/** Objects being deleted that hold the `orphan` or `foregroundDeletion` finalizer, sorted by kind, namespace and name. */
export const gcFinalizingObjects = (store: ObjectStore): ReadonlyArray<KubeObject> => sortedByKindAndKey(store, store.gcFinalizing)

/** Uids that some object names as an owner. */
export const ownerUidsInUse = (store: ObjectStore): ReadonlyArray<string> => [...store.byOwner.keys()].sort()

/** Owner uids that some object names and no stored object has, sorted. */
export const danglingOwnerUids = (store: ObjectStore): ReadonlyArray<string> => [...store.danglingOwners].sort()

/** Whether any object lists `ownerUid` as an owner. */
export const hasDependents = (store: ObjectStore, ownerUid: string): boolean => (store.byOwner.get(ownerUid)?.size ?? 0) > 0

/** Pods bound to a node (spec.nodeName), sorted by namespace and name. */
export const podsOnNode = (store: ObjectStore, nodeName: string): ReadonlyArray<KubeObject> =>
  // Keys sort in the same order as their objects (namespace/name), and strings sort cheaply.
  keysToObjects(store, 'Pod', [...(store.podsByNode.get(nodeName) ?? EMPTY_SET)].sort())

/** Every object in a namespace, of every kind, sorted by kind then name. */
export const objectsInNamespace = (store: ObjectStore, namespace: string): ReadonlyArray<KubeObject> =>
  storedKinds(store).flatMap((kind) => listObjects(store, kind, { namespace }))

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** Whether the namespace index holds a kind's objects (see `ObjectStore.byNamespace`). */
const indexedByNamespace = (kind: string): boolean => kind !== 'Event'

const labelIndexKey = (kind: string, namespace: string, key: string, value: string): string =>
  kind + SEP + namespace + SEP + key + '=' + value

const nodeNameOf = (object: KubeObject | undefined): string | undefined => {
  if (object === undefined || object.kind !== 'Pod') return undefined
  const spec = object['spec'] as { readonly nodeName?: unknown } | undefined
  return typeof spec?.nodeName === 'string' && spec.nodeName !== '' ? spec.nodeName : undefined
}

type RawAffinity = { readonly podAntiAffinity?: { readonly requiredDuringSchedulingIgnoredDuringExecution?: ReadonlyArray<unknown> } }

/** A pod that declares required pod anti-affinity terms (see `antiAffinityPods`). */
const hasRequiredAntiAffinity = (object: KubeObject | undefined): boolean => {
  if (object === undefined || object.kind !== 'Pod') return false
  const terms = ((object['spec'] as { readonly affinity?: RawAffinity } | undefined)?.affinity)?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  return Array.isArray(terms) && terms.length > 0
}

/** Finalizer the garbage collector honours for Foreground deletion. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion'
/** Finalizer the garbage collector honours for Orphan deletion. */
export const ORPHAN_FINALIZER = 'orphan'
const GC_FINALIZERS: ReadonlyArray<string> = [FOREGROUND_FINALIZER, ORPHAN_FINALIZER]

/** Being deleted with a garbage-collector finalizer still pending (see `gcFinalizing`). */
const isGcFinalizing = (object: KubeObject | undefined): boolean =>
  object !== undefined && object.metadata.deletionTimestamp !== undefined && (object.metadata.finalizers ?? []).some((f) => GC_FINALIZERS.includes(f))

/** A pod no node has yet and that still wants one. */
const isUnbound = (object: KubeObject | undefined): boolean => {
  if (object === undefined || object.kind !== 'Pod' || object.metadata.deletionTimestamp !== undefined) return false
  if (nodeNameOf(object) !== undefined) return false
  const phase = (object['status'] as { readonly phase?: unknown } | undefined)?.phase
  return phase !== 'Succeeded' && phase !== 'Failed'
}

const ownerUids = (object: KubeObject | undefined): ReadonlyArray<string> =>
  object?.metadata.ownerReferences?.map((o) => o.uid) ?? []

/**
 * The collection to write to: outside a batch the persistent one itself (its writes return new
 * values); inside, a mutable copy the batch owns, made on the first write of the batch.
 */
const editTop = <C extends Collection>(batch: WriteBatch | undefined, field: keyof ObjectStore, collection: C): C => {
  if (batch === undefined || batch.owned.has(collection)) return collection
  const copy = collection.asMutable() as C
  batch.owned.set(copy, { field, original: collection })
  return copy
}

/** As `editTop`, for the collection under `key` in one of the nested indices. */
const editInner = <C extends Collection>(batch: WriteBatch | undefined, field: NestedField, key: string, collection: C | undefined, empty: C): C => {
  if (batch === undefined) return collection ?? empty
  if (collection !== undefined && batch.owned.has(collection)) return collection
  const copy = (collection ?? empty).asMutable() as C
  batch.owned.set(copy, { field, key, original: collection })
  return copy
}

type SetIndex = IMap<string, ISet<string>>

/** `dangling` with each of `uids` in it exactly when some object lists it as an owner and none has it. */
const redecideDangling = (
  batch: WriteBatch | undefined,
  dangling: ISet<string>,
  byUid: ObjectStore['byUid'],
  byOwner: ObjectStore['byOwner'],
  uids: ReadonlyArray<string | undefined>,
): ISet<string> => {
  let out = dangling
  for (const uid of uids) {
    if (uid === undefined || uid === '') continue
    const isDangling = byOwner.has(uid) && !byUid.has(uid)
    if (isDangling === out.has(uid)) continue
    out = editTop(batch, 'danglingOwners', out)
    out = isDangling ? out.add(uid) : out.remove(uid)
  }
  return out
}

const addTo = (batch: WriteBatch | undefined, field: NestedField, index: SetIndex, key: string, member: string): SetIndex => {
  const outer = editTop(batch, field, index)
  return outer.set(key, editInner(batch, field, key, outer.get(key), EMPTY_SET).add(member))
}

const removeFrom = (batch: WriteBatch | undefined, field: NestedField, index: SetIndex, key: string, member: string): SetIndex => {
  const set = index.get(key)
  if (set === undefined || !set.has(member)) return index
  const outer = editTop(batch, field, index)
  return set.size === 1 ? outer.remove(key) : outer.set(key, editInner(batch, field, key, set, EMPTY_SET).remove(member))
}

const sameOwners = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((uid, i) => uid === b[i])

const usageOf = (pod: KubeObject | undefined): { readonly node: string; readonly amounts: ResourceAmounts } | undefined =>
  pod !== undefined && pod.kind === 'Pod' && holdsNodeResources(pod)
    ? { node: nodeNameOf(pod) ?? '', amounts: podRequests(pod) }
    : undefined

/** Moves a pod's requests between node totals when it is bound, finishes, is resized or goes. */
const updateUsage = (
  batch: WriteBatch | undefined,
  usage: IMap<string, ResourceAmounts>,
  previous: KubeObject | undefined,
  next: KubeObject | undefined,
): IMap<string, ResourceAmounts> => {
  if (previous?.kind !== 'Pod' && next?.kind !== 'Pod') return usage
  const before = usageOf(previous)
  const after = usageOf(next)
  if (before?.node === after?.node && before?.amounts === after?.amounts) return usage
  let out = editTop(batch, 'nodeUsage', usage)
  if (before !== undefined) out = out.set(before.node, addAmounts(out.get(before.node) ?? {}, before.amounts, -1))
  if (after !== undefined) out = out.set(after.node, addAmounts(out.get(after.node) ?? {}, after.amounts))
  return out
}

/** Moves a pod's non-zero requests between node totals, as `updateUsage` moves its requests. */
const updateNonZero = (
  batch: WriteBatch | undefined,
  totals: IMap<string, readonly [number, number]>,
  previous: KubeObject | undefined,
  next: KubeObject | undefined,
): IMap<string, readonly [number, number]> => {
  if (previous?.kind !== 'Pod' && next?.kind !== 'Pod') return totals
  const before = previous !== undefined && previous.kind === 'Pod' && holdsNodeResources(previous) ? ([nodeNameOf(previous) ?? '', nonZeroRequests(previous)] as const) : undefined
  const after = next !== undefined && next.kind === 'Pod' && holdsNodeResources(next) ? ([nodeNameOf(next) ?? '', nonZeroRequests(next)] as const) : undefined
  if (before?.[0] === after?.[0] && before?.[1] === after?.[1]) return totals
  let out = editTop(batch, 'nodeNonZero', totals)
  const move = (node: string, [cpu, memory]: readonly [number, number], sign: number): void => {
    const [c, m] = out.get(node) ?? [0, 0]
    out = out.set(node, [c + sign * cpu, m + sign * memory])
  }
  if (before !== undefined) move(before[0], before[1], -1)
  if (after !== undefined) move(after[0], after[1], 1)
  return out
}

/** Whether a write takes a pod's requests off a node (it finished, moved or went). */
const releasesResources = (previous: KubeObject | undefined, next: KubeObject | undefined): boolean => {
  if (previous?.kind !== 'Pod') return false
  const before = usageOf(previous)
  if (before === undefined) return false
  const after = usageOf(next)
  return after === undefined || after.node !== before.node
}

/**
 * The pods waiting for a node (no nodeName, not deleting, not finished), sorted by namespace and
 * name: the scheduler's queue, read without scanning every pod.
 *
 * @internal
 */
export const unboundPods = (store: ObjectStore): ReadonlyArray<KubeObject> => keysToObjects(store, 'Pod', [...store.unbound].sort())

/** The summed requests of the pods holding resources on a node (cpu in millicores). */
export const nodeUsage = (store: ObjectStore, nodeName: string): ResourceAmounts => store.nodeUsage.get(nodeName) ?? {}

/**
 * Stores an object (insert or replace) and updates every index in the same write.
 */
export const putObject = (store: ObjectStore, object: KubeObject): ObjectStore => replaceObject(store, object, LOOK_UP)

/** `replaceObject`'s "find the stored version yourself". */
const LOOK_UP: unique symbol = Symbol('look up')

/**
 * `putObject` for a writer that has just read the stored version (`stored`, undefined when there
 * is none): one trie lookup fewer per write, which at 150,000 objects is a handful of cache misses.
 *
 * @internal
 */
export const replaceObject = (store: ObjectStore, object: KubeObject, stored: KubeObject | undefined | typeof LOOK_UP): ObjectStore => {
  const ref = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }
  const key = objectKey(ref)
  const kind = object.kind
  const batch = store.batch
  const previous = stored === LOOK_UP ? store.kinds.get(kind)?.get(key) : stored
  const namespace = object.metadata.namespace ?? ''
  const uid = object.metadata.uid ?? ''

  const outerKinds = editTop(batch, 'kinds', store.kinds)
  const kinds = outerKinds.set(kind, editInner(batch, 'kinds', kind, outerKinds.get(kind), EMPTY_KIND).set(key, object))
  let byUid = store.byUid
  if (previous?.metadata.uid !== uid) {
    byUid = editTop(batch, 'byUid', byUid)
    if (previous?.metadata.uid !== undefined) byUid = byUid.remove(previous.metadata.uid)
    if (uid !== '') byUid = byUid.set(uid, ref)
  }
  const byNamespace = previous === undefined && indexedByNamespace(kind) ? addTo(batch, 'byNamespace', store.byNamespace, kind + SEP + namespace, key) : store.byNamespace

  let byLabel = store.byLabel
  const oldLabels = previous?.metadata.labels ?? {}
  const newLabels = object.metadata.labels ?? {}
  if (oldLabels !== newLabels) {
    // Only the pairs that changed touch the index: a label edit costs one or two set updates.
    for (const [k, v] of Object.entries(oldLabels))
      if (newLabels[k] !== v) byLabel = removeFrom(batch, 'byLabel', byLabel, labelIndexKey(kind, namespace, k, v), key)
    for (const [k, v] of Object.entries(newLabels))
      if (oldLabels[k] !== v || !Object.prototype.hasOwnProperty.call(oldLabels, k)) byLabel = addTo(batch, 'byLabel', byLabel, labelIndexKey(kind, namespace, k, v), key)
  }

  let byOwner = store.byOwner
  let danglingOwners = store.danglingOwners
  const before = ownerUids(previous)
  const after = ownerUids(object)
  if (!sameOwners(before, after) || previous?.metadata.uid !== uid) {
    if (previous?.metadata.uid !== undefined) for (const o of before) byOwner = removeFrom(batch, 'byOwner', byOwner, o, previous.metadata.uid)
    if (uid !== '') for (const o of after) byOwner = addTo(batch, 'byOwner', byOwner, o, uid)
    // Only these uids can have started or stopped dangling: the uids this object had and has, and its owners.
    danglingOwners = redecideDangling(batch, danglingOwners, byUid, byOwner, [previous?.metadata.uid, uid, ...before, ...after])
  }

  let podsByNode = store.podsByNode
  const nodeBefore = nodeNameOf(previous)
  const nodeAfter = nodeNameOf(object)
  if (nodeBefore !== nodeAfter) {
    if (nodeBefore !== undefined) podsByNode = removeFrom(batch, 'podsByNode', podsByNode, nodeBefore, key)
    if (nodeAfter !== undefined) podsByNode = addTo(batch, 'podsByNode', podsByNode, nodeAfter, key)
  }
  let deleting = store.deleting
  const wasDeleting = previous?.metadata.deletionTimestamp !== undefined
  const isDeleting = object.metadata.deletionTimestamp !== undefined
  if (previous?.metadata.uid !== undefined && previous.metadata.uid !== uid && wasDeleting) deleting = editTop(batch, 'deleting', deleting).remove(previous.metadata.uid)
  // Most writes neither start nor end a deletion: leave the set alone (a miss still costs a hash).
  if (uid !== '' && (isDeleting || (wasDeleting && previous?.metadata.uid === uid))) {
    deleting = editTop(batch, 'deleting', deleting)
    deleting = isDeleting ? deleting.add(uid) : deleting.remove(uid)
  }
  let gcFinalizing = store.gcFinalizing
  const wasFinalizing = isGcFinalizing(previous)
  const nowFinalizing = isGcFinalizing(object)
  if (wasFinalizing && (previous?.metadata.uid !== uid || !nowFinalizing)) gcFinalizing = editTop(batch, 'gcFinalizing', gcFinalizing).remove(previous?.metadata.uid ?? '')
  if (nowFinalizing && uid !== '') gcFinalizing = editTop(batch, 'gcFinalizing', gcFinalizing).add(uid)
  const nodeUsageNext = updateUsage(batch, store.nodeUsage, previous, object)
  const wasUnbound = isUnbound(previous)
  const nowUnbound = isUnbound(object)
  const unbound = wasUnbound === nowUnbound ? store.unbound : nowUnbound ? editTop(batch, 'unbound', store.unbound).add(key) : editTop(batch, 'unbound', store.unbound).remove(key)
  const wasAnti = hasRequiredAntiAffinity(previous)
  const nowAnti = hasRequiredAntiAffinity(object)
  const antiAffinityPods =
    wasAnti === nowAnti
      ? store.antiAffinityPods
      : nowAnti
        ? editTop(batch, 'antiAffinityPods', store.antiAffinityPods).add(key)
        : editTop(batch, 'antiAffinityPods', store.antiAffinityPods).remove(key)
  const allocations = kind === 'Service' ? reindexServiceAllocations(store, key, previous, object) : store
  // Every store is built with the same fields in the same order (emptyStore's), so that reading
  // a field is one shape check wherever a store came from.
  return {
    kinds,
    byUid,
    byOwner,
    byNamespace,
    byLabel,
    podsByNode,
    danglingOwners,
    deleting,
    gcFinalizing,
    unbound,
    eventQueue:
      kind === 'Event'
        ? trimEventQueue(editTop(batch, 'eventQueue', store.eventQueue).push([key, eventTime(object)]), kinds.get('Event') ?? EMPTY_KIND)
        : store.eventQueue,
    nodeUsage: nodeUsageNext,
    nodeNonZero: updateNonZero(batch, store.nodeNonZero, previous, object),
    antiAffinityPods,
    schedulingEpoch: store.schedulingEpoch + (kind === 'Node' || VOLUME_KINDS.has(kind) || releasesResources(previous, object) ? 1 : 0),
    serviceIps: allocations.serviceIps,
    nodePorts: allocations.nodePorts,
    batch,
  }
}

/** When an Event was last written: lastTimestamp, else eventTime, else its creation. */
const eventTime = (event: KubeObject): number =>
  timestampMs(event['lastTimestamp']) ?? timestampMs(event['eventTime']) ?? timestampMs(event.metadata.creationTimestamp) ?? 0

/** Whether a queue entry still describes its Event (not deleted, not written again since). */
const isCurrentEntry = (entry: readonly [string, number], events: IMap<string, KubeObject>): boolean => {
  const event = events.get(entry[0])
  return event !== undefined && eventTime(event) === entry[1]
}

/** Drops the leading entries of deleted or rewritten Events, so the queue stays as long as the Events. */
const trimEventQueue = (queue: List<readonly [string, number]>, events: IMap<string, KubeObject>): List<readonly [string, number]> => {
  // Indexed reads, not an iterator: almost always only the first entry or two are looked at.
  let dropped = 0
  while (dropped < queue.size && !isCurrentEntry(queue.get(dropped)!, events)) dropped++
  return dropped === 0 ? queue : queue.slice(dropped)
}

/**
 * The Events whose time-to-live has run out at `now` (last written at or before now - ttl),
 * oldest first, and the earliest time the next one will (undefined when none is queued).
 *
 * @internal
 */
export const expiredEvents = (store: ObjectStore, now: number, ttlMs: number): { readonly expired: ReadonlyArray<KubeObject>; readonly next: number | undefined } => {
  const events = store.kinds.get('Event') ?? EMPTY_KIND
  const expired: KubeObject[] = []
  for (const entry of store.eventQueue) {
    if (!isCurrentEntry(entry, events)) continue
    if (entry[1] + ttlMs > now) return { expired, next: entry[1] + ttlMs }
    const event = events.get(entry[0])
    if (event !== undefined) expired.push(event)
  }
  return { expired, next: undefined }
}

/**
 * Removes an object and its index entries; returns the same store when it is absent.
 */
export const deleteObject = (store: ObjectStore, ref: ObjectRef): ObjectStore => {
  const key = objectKey(ref)
  const previous = store.kinds.get(ref.kind)?.get(key)
  if (previous === undefined) return store
  const batch = store.batch
  const kind = ref.kind
  const namespace = previous.metadata.namespace ?? ''
  const uid = previous.metadata.uid
  let byLabel = store.byLabel
  for (const [k, v] of Object.entries(previous.metadata.labels ?? {})) byLabel = removeFrom(batch, 'byLabel', byLabel, labelIndexKey(kind, namespace, k, v), key)
  let byOwner = store.byOwner
  const owners = ownerUids(previous)
  if (uid !== undefined) for (const o of owners) byOwner = removeFrom(batch, 'byOwner', byOwner, o, uid)
  const node = nodeNameOf(previous)
  const outerKinds = editTop(batch, 'kinds', store.kinds)
  const kinds = outerKinds.set(kind, editInner(batch, 'kinds', kind, outerKinds.get(kind), EMPTY_KIND).remove(key))
  const byUid = uid === undefined ? store.byUid : editTop(batch, 'byUid', store.byUid).remove(uid)
  const allocations = kind === 'Service' ? reindexServiceAllocations(store, key, previous, undefined) : store
  // The fields in emptyStore's order (see replaceObject).
  return {
    kinds,
    byUid,
    byOwner,
    byNamespace: indexedByNamespace(kind) ? removeFrom(batch, 'byNamespace', store.byNamespace, kind + SEP + namespace, key) : store.byNamespace,
    byLabel,
    podsByNode: node === undefined ? store.podsByNode : removeFrom(batch, 'podsByNode', store.podsByNode, node, key),
    danglingOwners: redecideDangling(batch, store.danglingOwners, byUid, byOwner, [uid, ...owners]),
    deleting: uid === undefined || !store.deleting.has(uid) ? store.deleting : editTop(batch, 'deleting', store.deleting).remove(uid),
    gcFinalizing: uid === undefined || !store.gcFinalizing.has(uid) ? store.gcFinalizing : editTop(batch, 'gcFinalizing', store.gcFinalizing).remove(uid),
    unbound: kind === 'Pod' && store.unbound.has(key) ? editTop(batch, 'unbound', store.unbound).remove(key) : store.unbound,
    eventQueue: kind === 'Event' ? trimEventQueue(store.eventQueue, kinds.get('Event') ?? EMPTY_KIND) : store.eventQueue,
    nodeUsage: updateUsage(batch, store.nodeUsage, previous, undefined),
    nodeNonZero: updateNonZero(batch, store.nodeNonZero, previous, undefined),
    antiAffinityPods: kind === 'Pod' && store.antiAffinityPods.has(key) ? editTop(batch, 'antiAffinityPods', store.antiAffinityPods).remove(key) : store.antiAffinityPods,
    schedulingEpoch: store.schedulingEpoch + (kind === 'Node' || VOLUME_KINDS.has(kind) || releasesResources(previous, undefined) ? 1 : 0),
    serviceIps: allocations.serviceIps,
    nodePorts: allocations.nodePorts,
    batch,
  }
}

/**
 * The cluster IPs and node ports a Service holds: its clusterIPs (not `None`) unless it is an
 * ExternalName, each port's nodePort and its healthCheckNodePort. Released when the Service
 * goes or stops holding them, as the API server's allocators release them.
 *
 * @internal
 */
export const serviceAllocations = (service: KubeObject | undefined): { readonly ips: ReadonlyArray<string>; readonly ports: ReadonlyArray<number> } => {
  const spec = service?.['spec'] as
    | { readonly type?: unknown; readonly clusterIPs?: unknown; readonly ports?: unknown; readonly healthCheckNodePort?: unknown }
    | undefined
  if (spec === undefined) return { ips: [], ports: [] }
  const ips = spec.type === 'ExternalName' || !Array.isArray(spec.clusterIPs) ? [] : spec.clusterIPs.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None')
  const ports: number[] = []
  if (Array.isArray(spec.ports))
    for (const p of spec.ports as ReadonlyArray<{ readonly nodePort?: unknown }>)
      if (typeof p?.nodePort === 'number' && p.nodePort > 0 && !ports.includes(p.nodePort)) ports.push(p.nodePort)
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0 && !ports.includes(spec.healthCheckNodePort)) ports.push(spec.healthCheckNodePort)
  return { ips, ports }
}

const reindexServiceAllocations = (
  store: ObjectStore,
  key: string,
  previous: KubeObject | undefined,
  next: KubeObject | undefined,
): Pick<ObjectStore, 'serviceIps' | 'nodePorts'> => {
  const before = serviceAllocations(previous)
  const after = serviceAllocations(next)
  let serviceIps = editTop(store.batch, 'serviceIps', store.serviceIps)
  let nodePorts = editTop(store.batch, 'nodePorts', store.nodePorts)
  // Only entries this Service holds are released: admission refuses a second holder, so an
  // entry held by another key is never overwritten here.
  for (const ip of before.ips) if (!after.ips.includes(ip) && serviceIps.get(ip) === key) serviceIps = serviceIps.remove(ip)
  for (const port of before.ports) if (!after.ports.includes(port) && nodePorts.get(port) === key) nodePorts = nodePorts.remove(port)
  for (const ip of after.ips) if (!serviceIps.has(ip)) serviceIps = serviceIps.set(ip, key)
  for (const port of after.ports) if (!nodePorts.has(port)) nodePorts = nodePorts.set(port, key)
  return { serviceIps, nodePorts }
}

/**
 * Opens a write batch: until `endBatch`, `putObject` and `deleteObject` on the returned store
 * (and the stores they return) update mutable copies of its collections in place instead of
 * copying a path through each persistent map per write, as Immutable's `withMutations` does.
 * Only the stores inside the batch see the copies; `store` and every value made before stay as
 * they were. Inside a batch an intermediate store is valid only until the next write: the engine
 * batches one controller pass's actions, whose intermediate states nobody else reads.
 *
 * Usage: `endBatch(store, putObject(putObject(beginBatch(store), a), b))` is the store that
 * `putObject(putObject(store, a), b)` gives, and `store` is unchanged either way.
 *
 * @internal
 */
export const beginBatch = (store: ObjectStore): ObjectStore => ({ ...store, batch: { owned: new Map() } })

/**
 * Closes a write batch opened on `original`: seals every collection the batch copied (or puts the
 * original back when a copy never changed) and returns a persistent store again. Returns
 * `original` itself when the batch wrote nothing.
 *
 * @internal
 */
export const endBatch = (original: ObjectStore, batched: ObjectStore): ObjectStore => {
  const batch = batched.batch
  if (batch === undefined) return batched
  if (batch.owned.size === 0) return original
  // Not `delete`: a store keeps its shape (see replaceObject).
  const sealed: Record<string, unknown> = { ...batched, batch: undefined }
  // Inner collections first, while the maps holding them are still the batch's own.
  for (const [copy, slot] of batch.owned) {
    if (slot.key === undefined) continue
    const outer = sealed[slot.field] as IMap<string, Collection>
    const final = slot.original !== undefined && !copy.wasAltered() ? slot.original : copy.asImmutable()
    if (outer.get(slot.key) === copy && final !== copy) outer.set(slot.key, final)
  }
  for (const [copy, slot] of batch.owned) {
    if (slot.key !== undefined) continue
    const final = slot.original !== undefined && !copy.wasAltered() ? slot.original : copy.asImmutable()
    if (sealed[slot.field] === copy) sealed[slot.field] = final
  }
  return sealed as unknown as ObjectStore
}

/**
 * Rebuilds a store and all its indices from its objects alone. Tests compare it with the
 * incrementally maintained store to prove the indices never drift.
 *
 * @internal
 */
export const rebuildStore = (store: ObjectStore): ObjectStore => {
  let rebuilt = emptyStore
  for (const objects of store.kinds.values()) for (const object of objects.values()) rebuilt = putObject(rebuilt, object)
  // Rebuilt in map order, the event queue must be put back in time order.
  return { ...rebuilt, eventQueue: rebuilt.eventQueue.sortBy((entry) => entry[1]) }
}

/** Whether a kind is namespaced (unknown kinds are, as custom resources usually are). */
export const isNamespacedKind = (kind: string): boolean => kindInfo(kind)?.namespaced ?? true
