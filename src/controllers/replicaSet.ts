/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods matching each ReplicaSet's
 * selector. It adopts matching orphans, releases owned pods whose labels stopped matching, never
 * touches pods another controller owns, creates missing pods from the template (names
 * `<rs>-<5 random chars>`) and deletes surplus ones in Kubernetes' ranking order
 * (`ActivePodsWithRanks`), and reports replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas (minReadySeconds), observedGeneration and the ReplicaFailure condition.
 *
 * Cost per pass: for each ReplicaSet, the pods its selector pins through the label index plus the
 * pods it owns (owner index); ranking also reads the pods of its sibling ReplicaSets, and only
 * when some pods must go.
 *
 * @module
 */
import type { Map as IMap } from 'immutable'
import { deepEqual } from '../internal/deepEqual.js'
import { deepFreeze } from '../internal/immer.js'
import type { OwnerReference } from '../objects/meta.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from '../objects/replicaSet.js'
import { fromLabelSelector, matchesSelector, type Selector } from '../objects/selector.js'
import { formatTimestamp, timestampMs } from '../sim/clock.js'
import { forkRng, type Rng } from '../sim/rng.js'
import { nextGeneratedName } from '../store/identity.js'
import { dependentsOf, dependentUids, getByUid, getObject, listObjects } from '../store/objectStore.js'
import { dryRunCreate } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import { type Action, type Controller, type EventRecord, plannedController, type Plan } from './controller.js'
import { checkQuietSkip, verifyingQuiescence } from '../sim/quiescence.js'
import { ownerTouched, podChangesFrom, podChangesSince } from './podChanges.js'
import { diffMaps } from '../internal/mapDiff.js'
import { activeOnNode, podsToDelete } from './podRanking.js'
import { byPodName, claimedPods, claimedVictims, claimWritePods, relatedOnNode, type ReplicaSetPods, type ReplicaSetPodViews, syncReplicaSetPods } from './replicaSetPods.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'replicaset-controller'

/**
 * Pods one ReplicaSet creates or deletes in one pass at most (upstream's `burstReplicas`).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { BURST_REPLICAS } from 'kubesim'
 * expect(BURST_REPLICAS).toBe(500)
 * ```
 */
export const BURST_REPLICAS = 500

export { POD_DELETION_COST_ANNOTATION, podsToDelete } from './podRanking.js'

type StoredReplicaSet = ReplicaSet & KubeObject

interface PodCondition {
  readonly type: string
  readonly status: string
  readonly lastTransitionTime?: string
}

interface PodView {
  readonly spec?: { readonly nodeName?: string }
  readonly status?: {
    readonly phase?: string
    readonly conditions?: ReadonlyArray<PodCondition>
    readonly containerStatuses?: ReadonlyArray<{ readonly restartCount?: number }>
    readonly initContainerStatuses?: ReadonlyArray<{ readonly restartCount?: number }>
  }
}

const view = (pod: KubeObject): PodView => pod as unknown as PodView

// ---------------------------------------------------------------------------------------------
// getters (shared with the Deployment controller)
// ---------------------------------------------------------------------------------------------

/**
 * The owner reference with `controller: true`, if any.
 *
 * @internal
 */
export const controllerRefOf = (object: KubeObject): OwnerReference | undefined =>
  object.metadata.ownerReferences?.find((r) => r.controller === true)

/**
 * `IsPodActive`: not Succeeded, not Failed, not being deleted.
 *
 * @internal
 */
export const isPodActive = (pod: KubeObject): boolean => {
  const phase = view(pod).status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined
}

const readyCondition = (pod: KubeObject): PodCondition | undefined => view(pod).status?.conditions?.find((c) => c.type === 'Ready')

/**
 * `IsPodReady`: the pod's Ready condition is True.
 *
 * @internal
 */
export const isPodReady = (pod: KubeObject): boolean => readyCondition(pod)?.status === 'True'

/**
 * When a ready pod counts as available: its Ready transition plus minReadySeconds, strictly
 * after (`IsPodAvailable` uses `Before(now)`), so the first available instant is one ms later.
 * `undefined` for a pod that is not ready.
 *
 * @internal
 */
export const availableAt = (pod: KubeObject, minReadySeconds: number): number | undefined => {
  const ready = readyCondition(pod)
  if (ready?.status !== 'True') return undefined
  if (minReadySeconds <= 0) return Number.NEGATIVE_INFINITY
  const since = timestampMs(ready.lastTransitionTime)
  return since === undefined ? Number.POSITIVE_INFINITY : since + minReadySeconds * 1000 + 1
}

/**
 * `IsPodAvailable`: ready, and ready for longer than minReadySeconds.
 *
 * @internal
 */
export const isPodAvailable = (pod: KubeObject, minReadySeconds: number, now: number): boolean => {
  const at = availableAt(pod, minReadySeconds)
  return at !== undefined && at <= now
}

const selectorOf = (rs: StoredReplicaSet): Selector | undefined => (rs.spec.selector === undefined ? undefined : fromLabelSelector(rs.spec.selector))

const refOfObject = (o: KubeObject): ObjectRef => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

const podOwnerRef = (rs: KubeObject): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: rs.metadata.name,
  uid: rs.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
})

/**
 * The pods of every ReplicaSet controlled by the same owner (for a Deployment: old and new
 * ReplicaSets), used to rank pods by how crowded their node is. Empty for a ReplicaSet without a
 * controller, as upstream's `getIndirectlyRelatedPods`.
 */
const relatedPods = (state: ClusterState, rs: StoredReplicaSet): ReadonlyArray<KubeObject> => {
  const owner = controllerRefOf(rs)
  if (owner === undefined) return []
  const seen = new Set<string>()
  const out: KubeObject[] = []
  for (const sibling of dependentsOf(state.objects, owner.uid)) {
    if (sibling.kind !== 'ReplicaSet' || controllerRefOf(sibling)?.uid !== owner.uid) continue
    const selector = selectorOf(sibling as StoredReplicaSet)
    if (selector === undefined) continue
    for (const pod of listObjects(state.objects, 'Pod', { namespace: sibling.metadata.namespace ?? 'default', selector })) {
      const uid = pod.metadata.uid ?? ''
      if (seen.has(uid)) continue
      seen.add(uid)
      out.push(pod)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

interface Claim {
  /** Active pods this ReplicaSet controls after adoption and release. */
  readonly pods: ReadonlyArray<KubeObject>
  readonly actions: ReadonlyArray<Action>
}

const withoutOwner = (pod: KubeObject, uid: string): KubeObject => {
  const kept = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
  const { ownerReferences: _drop, ...meta } = pod.metadata
  return { ...pod, metadata: kept.length === 0 ? meta : { ...meta, ownerReferences: kept } }
}

const withOwner = (pod: KubeObject, ref: OwnerReference): KubeObject => ({
  ...pod,
  metadata: { ...pod.metadata, ownerReferences: [...(pod.metadata.ownerReferences ?? []), ref] },
})

/**
 * `ClaimPods`: adopt active orphans the selector matches, release owned pods it no longer
 * matches, leave pods controlled by anyone else alone. A ReplicaSet being deleted neither adopts
 * nor releases.
 */
const claimPods = (state: ClusterState, rs: StoredReplicaSet, selector: Selector): Claim => {
  const uid = rs.metadata.uid ?? ''
  const namespace = rs.metadata.namespace ?? 'default'
  const deleting = rs.metadata.deletionTimestamp !== undefined
  const candidates = new Map<string, KubeObject>()
  for (const pod of listObjects(state.objects, 'Pod', { namespace, selector })) candidates.set(pod.metadata.uid ?? pod.metadata.name, pod)
  // Owned pods the selector no longer matches (to release): most owned pods matched above, so
  // only the others are looked up.
  for (const dependent of dependentUids(state.objects, uid)) {
    if (candidates.has(dependent)) continue
    const pod = getByUid(state.objects, dependent)
    if (pod !== undefined && pod.kind === 'Pod') candidates.set(dependent, pod)
  }
  const pods: KubeObject[] = []
  const actions: Action[] = []
  const sorted = [...candidates.values()].sort(byPodName)
  for (const pod of sorted) {
    if (!isPodActive(pod)) continue
    const owner = controllerRefOf(pod)
    const matches = matchesSelector(selector, pod.metadata.labels)
    if (owner !== undefined) {
      if (owner.uid !== uid) continue
      if (matches) pods.push(pod)
      else if (!deleting) actions.push({ type: 'update', object: withoutOwner(pod, uid), by: NAME })
      continue
    }
    if (!matches || deleting || pod.metadata.namespace !== rs.metadata.namespace) continue
    actions.push({ type: 'update', object: withOwner(pod, podOwnerRef(rs)), by: NAME })
    pods.push(pod)
  }
  return { pods, actions }
}

/** The pod a ReplicaSet's template stamps out (`GetPodFromTemplate`). */
/** A pod for `rs`, frozen: its trial create and its create are admitted once (see `admitForCreate`). */
const podFromTemplate = (rs: StoredReplicaSet, name: string): KubeObject => {
  const template = rs.spec.template
  const tm = template.metadata ?? {}
  return deepFreeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace ?? 'default',
      ...(tm.labels === undefined ? {} : { labels: tm.labels }),
      ...(tm.annotations === undefined ? {} : { annotations: tm.annotations }),
      ...(tm.finalizers === undefined ? {} : { finalizers: tm.finalizers }),
      ownerReferences: [podOwnerRef(rs)],
    },
    spec: template.spec ?? {},
  })
}

const event = (rs: KubeObject, type: EventRecord['type'], reason: string, message: string): Action => ({
  type: 'event',
  by: NAME,
  event: {
    involvedObject: { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespace: rs.metadata.namespace, name: rs.metadata.name, ...(rs.metadata.uid === undefined ? {} : { uid: rs.metadata.uid }) },
    type,
    reason,
    message,
  },
})

interface Manage {
  readonly actions: ReadonlyArray<Action>
  /** The API error that stopped pod creation, as `manageReplicas` returns it. */
  readonly error: string | undefined
  readonly rng: Rng
}

/** The pods a claim keeps, as `manageReplicas` and `calculateStatus` read them. */
interface Claimed {
  readonly count: number
  readonly ready: number
  readonly fullyLabeled: number
  /** Every claimed pod, in name order. */
  readonly all: () => ReadonlyArray<KubeObject>
  /** The first `count` pods to delete, in ranking order (`count` below the number of pods). */
  readonly victims: (count: number) => ReadonlyArray<KubeObject>
}

const fullyLabeledBy = (rs: StoredReplicaSet) => {
  const templateLabels = Object.entries(rs.spec.template.metadata?.labels ?? {})
  return (pod: KubeObject): boolean => {
    const labels = pod.metadata.labels ?? {}
    return templateLabels.every(([k, v]) => labels[k] === v)
  }
}

/** `Claimed` from a claim's pod list (`ClaimPods` over the store): the reference computation. */
const claimedFromList = (state: ClusterState, rs: StoredReplicaSet, pods: ReadonlyArray<KubeObject>): Claimed => {
  const fullyLabeled = fullyLabeledBy(rs)
  return {
    count: pods.length,
    ready: pods.filter(isPodReady).length,
    fullyLabeled: pods.filter(fullyLabeled).length,
    all: () => pods,
    victims: (count) => podsToDelete(pods, relatedPods(state, rs), count, state.now),
  }
}

/** The ReplicaSets controlled by the same owner as `rs` (itself included), as views. */
const siblingViews = (state: ClusterState, rs: StoredReplicaSet, views: ReplicaSetPodViews): ReadonlyArray<ReplicaSetPods> | undefined => {
  const owner = controllerRefOf(rs)
  if (owner === undefined) return []
  const out: ReplicaSetPods[] = []
  for (const sibling of dependentsOf(state.objects, owner.uid)) {
    if (sibling.kind !== 'ReplicaSet' || controllerRefOf(sibling)?.uid !== owner.uid || (sibling as StoredReplicaSet).spec.selector === undefined) continue
    const known = views.byUid.get(sibling.metadata.uid ?? '')
    if (known === undefined) return undefined
    out.push(known)
  }
  return out
}

/** `Claimed` from the ReplicaSet's kept view: costs the pods only when some must be ranked. */
const claimedFromView = (state: ClusterState, rs: StoredReplicaSet, pods: ReplicaSetPods, views: ReplicaSetPodViews): Claimed => {
  let all: ReadonlyArray<KubeObject> | undefined
  return {
    count: pods.claimed,
    ready: pods.ready,
    fullyLabeled: pods.fullyLabeled,
    all: () => (all ??= claimedPods(pods)),
    victims: (count) => {
      const siblings = siblingViews(state, rs, views)
      const onNode = (siblings === undefined ? undefined : relatedOnNode(siblings)) ?? activeOnNode(relatedPods(state, rs))
      return claimedVictims(pods, onNode, count, state.now)
    },
  }
}

/** `manageReplicas`: create the missing pods or delete the surplus ones. */
const manageReplicas = (state: ClusterState, rs: StoredReplicaSet, claimed: Claimed, rng: Rng, taken: Set<string>): Manage => {
  const diff = claimed.count - (rs.spec.replicas ?? 1)
  const actions: Action[] = []
  if (diff < 0) {
    const count = Math.min(-diff, BURST_REPLICAS)
    let current = rng
    const namespace = rs.metadata.namespace ?? 'default'
    const creates: KubeObject[] = []
    for (let i = 0; i < count; i++) {
      let name = ''
      for (let attempt = 0; attempt < 16; attempt++) {
        const [candidate, next] = nextGeneratedName(current, `${rs.metadata.name}-`)
        current = next
        name = candidate
        if (!taken.has(`${namespace}/${name}`) && getObject(state.objects, { kind: 'Pod', namespace, name }) === undefined) break
      }
      taken.add(`${namespace}/${name}`)
      creates.push(podFromTemplate(rs, name))
    }
    // Every pod comes from the same template, so the first create predicts the rest: a refusal
    // (a terminating namespace, a template the pod validation rejects) stops the batch, as
    // slow-start batching stops after a failed batch.
    const first = creates[0]
    const refusal = first === undefined ? undefined : dryRunCreate(state, first, NAME)
    if (refusal !== undefined) {
      const message = refusal.message
      // Warn once per failure spell: the event names a fresh random pod on every pass, and
      // upstream's rate-limited retries do not repeat it at the simulator's pace either.
      const failing = rs.status?.conditions?.some((c) => c.type === 'ReplicaFailure') === true
      return { actions: failing ? [] : [event(rs, 'Warning', 'FailedCreate', `Error creating: ${message}`)], error: message, rng: current }
    }
    for (const pod of creates) {
      actions.push({ type: 'create', object: pod, by: NAME })
      actions.push(event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`))
    }
    return { actions, error: undefined, rng: current }
  }
  if (diff > 0) {
    const count = Math.min(diff, BURST_REPLICAS)
    const victims = count < claimed.count ? claimed.victims(count) : claimed.all().slice(0, count)
    for (const pod of victims) {
      actions.push({ type: 'delete', ref: refOfObject(pod), by: NAME, ...(pod.metadata.uid === undefined ? {} : { preconditionUid: pod.metadata.uid }) })
      actions.push(event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`))
    }
  }
  return { actions, error: undefined, rng }
}

const setCount = (status: Record<string, unknown>, key: string, value: number): void => {
  if (value === 0) delete status[key]
  else status[key] = value
}

/** `calculateStatus` + observedGeneration. Zero counts are omitted, as the API's JSON does (replicas stays). */
const calculateStatus = (state: ClusterState, rs: StoredReplicaSet, claimed: Claimed, error: string | undefined): ReplicaSetStatus => {
  const minReady = rs.spec.minReadySeconds ?? 0
  // Without minReadySeconds every ready pod is available; with it, availability moves with time.
  const available = minReady <= 0 ? claimed.ready : claimed.all().filter((pod) => isPodAvailable(pod, minReady, state.now)).length
  const previous = rs.status ?? {}
  const status: Record<string, unknown> = { ...previous }
  const failure = previous.conditions?.find((c) => c.type === 'ReplicaFailure')
  if (error !== undefined && failure === undefined) {
    const diff = claimed.count - (rs.spec.replicas ?? 1)
    const condition: ReplicaSetCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: formatTimestamp(state.now),
      reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
      message: error,
    }
    status['conditions'] = [...(previous.conditions ?? []), condition]
  } else if (error === undefined && failure !== undefined) {
    const rest = (previous.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure')
    if (rest.length === 0) delete status['conditions']
    else status['conditions'] = rest
  }
  status['replicas'] = claimed.count
  setCount(status, 'fullyLabeledReplicas', claimed.fullyLabeled)
  setCount(status, 'readyReplicas', claimed.ready)
  setCount(status, 'availableReplicas', available)
  setCount(status, 'observedGeneration', rs.metadata.generation ?? 0)
  return status as ReplicaSetStatus
}

/** A ReplicaSet a pass found nothing to do for: the object it saw, when, and its next timed work. */
interface QuietReplicaSet {
  readonly rs: KubeObject
  readonly at: number
  readonly next: number | undefined
}

/**
 * The previous pass: the Pod map it saw and its quiet ReplicaSets by uid. A cache of a pure
 * function: the next pass diffs against that map, so any state may follow any other.
 */
let previousPass: { readonly pods: IMap<string, KubeObject> | undefined; readonly quiet: ReadonlyMap<string, QuietReplicaSet> } | undefined

/** Each ReplicaSet's pods, kept from pod changes (a cache of the same kind, see replicaSetPods.ts). */
let podViews: ReplicaSetPodViews | undefined

/** The planned work for one ReplicaSet: claim writes, creates or deletes, and the status. */
const syncReplicaSet = (state: ClusterState, rs: StoredReplicaSet, claimed: Claimed, claimWrites: ReadonlyArray<Action>, rng: Rng, taken: Set<string>) => {
  const actions: Action[] = [...claimWrites]
  let error: string | undefined
  let next = rng
  if (rs.metadata.deletionTimestamp === undefined) {
    const managed = manageReplicas(state, rs, claimed, rng, taken)
    next = managed.rng
    error = managed.error
    actions.push(...managed.actions)
  }
  const status = calculateStatus(state, rs, claimed, error)
  if (!deepEqual(status, rs.status)) actions.push({ type: 'updateStatus', object: { ...rs, status }, by: NAME })
  return { actions, error, rng: next }
}

/** The claim writes for the pods a view says need one: adopt matching orphans, release the rest. */
const claimWritesOf = (rs: StoredReplicaSet, pods: ReplicaSetPods): Action[] =>
  claimWritePods(pods).map((pod): Action => {
    const owned = controllerRefOf(pod)?.uid === pods.uid
    return { type: 'update', object: owned ? withoutOwner(pod, pods.uid) : withOwner(pod, podOwnerRef(rs)), by: NAME }
  })

/** While verifying: the kept view must plan exactly what a claim over the store plans. */
const verifyView = (state: ClusterState, rs: StoredReplicaSet, selector: Selector, pods: ReplicaSetPods, views: ReplicaSetPodViews, rng: Rng): void => {
  const claim = claimPods(state, rs, selector)
  const reference = syncReplicaSet(state, rs, claimedFromList(state, rs, claim.pods), claim.actions, rng, new Set())
  const kept = syncReplicaSet(state, rs, claimedFromView(state, rs, pods, views), claimWritesOf(rs, pods), rng, new Set())
  if (!deepEqual(reference.actions, kept.actions))
    throw new Error(`ReplicaSet ${rs.metadata.namespace}/${rs.metadata.name}: the kept pod view plans ${JSON.stringify(kept.actions).slice(0, 600)} but a claim over the store plans ${JSON.stringify(reference.actions).slice(0, 600)}`)
}

/** The checked skip: a quiet ReplicaSet must plan no claim, create, delete or status write. */
const verifyQuietReplicaSet = (state: ClusterState, rs: StoredReplicaSet): void => {
  const selector = selectorOf(rs)
  if (selector === undefined) return
  const claim = claimPods(state, rs, selector)
  const planned = syncReplicaSet(state, rs, claimedFromList(state, rs, claim.pods), claim.actions, forkRng(state.rng, NAME), new Set())
  checkQuietSkip(`ReplicaSet ${rs.metadata.namespace}/${rs.metadata.name}`, planned.actions)
}

const planCluster = (state: ClusterState): Plan => {
  const actions: Action[] = []
  let next: number | undefined
  const fold = (at: number | undefined): void => {
    if (at !== undefined && at > state.now && Number.isFinite(at) && (next === undefined || at < next)) next = at
  }
  let rng = forkRng(state.rng, NAME)
  const taken = new Set<string>()
  const pods = state.objects.kinds.get('Pod')
  // Only ReplicaSets that changed, whose pods changed or whose timed work is due are planned;
  // the others would plan nothing again, as a controller that got no event does no sync.
  // One diff of the Pod map serves the owners to plan and the kept pod views.
  const lastPods = previousPass?.pods
  const diff = lastPods !== undefined && pods !== undefined && lastPods !== pods && podViews?.pods === lastPods ? diffMaps(lastPods, pods) : undefined
  const changes = diff === undefined ? podChangesSince(lastPods, pods) : podChangesFrom(diff, Math.max(lastPods?.size ?? 0, pods?.size ?? 0))
  const wasQuiet = previousPass?.quiet
  const quiet = new Map<string, QuietReplicaSet>()
  const replicaSets = listObjects(state.objects, 'ReplicaSet')
  const views = (podViews = syncReplicaSetPods(podViews, state.objects, replicaSets, diff))
  for (const object of replicaSets) {
    const rs = object as StoredReplicaSet
    const uid = rs.metadata.uid ?? ''
    const known = wasQuiet?.get(uid)
    if (known !== undefined && known.rs === object && !ownerTouched(changes, object) && state.now >= known.at && (known.next === undefined || state.now < known.next)) {
      if (verifyingQuiescence()) verifyQuietReplicaSet(state, rs)
      quiet.set(uid, known)
      fold(known.next)
      continue
    }
    const selector = selectorOf(rs)
    const pods = views.byUid.get(uid)
    if (selector === undefined || pods === undefined) continue
    if (verifyingQuiescence()) verifyView(state, rs, selector, pods, views, rng)
    const claimed = claimedFromView(state, rs, pods, views)
    const synced = syncReplicaSet(state, rs, claimed, claimWritesOf(rs, pods), rng, taken)
    rng = synced.rng
    const error = synced.error
    for (const action of synced.actions) actions.push(action)
    let rsNext: number | undefined
    const minReady = rs.spec.minReadySeconds ?? 0
    if (minReady > 0)
      for (const pod of claimed.all()) {
        const at = availableAt(pod, minReady)
        if (at !== undefined && at > state.now && Number.isFinite(at) && (rsNext === undefined || at < rsNext)) rsNext = at
      }
    fold(rsNext)
    if (synced.actions.length === 0 && error === undefined) quiet.set(uid, { rs: object, at: state.now, next: rsNext })
  }
  previousPass = { pods, quiet }
  return { actions, next }
}

/**
 * The ReplicaSet controller. Each pass, for every ReplicaSet: claims pods (adopts matching
 * orphans, releases owned pods whose labels stopped matching), creates missing pods from the
 * template (at most 500 per pass; names `<rs>-<5 chars>` from the seeded PRNG; events
 * SuccessfulCreate) or deletes the surplus in Kubernetes' ranking order (unassigned, pending,
 * not ready, lower pod-deletion-cost, more crowded node, more recently ready, more restarts,
 * newer; events SuccessfulDelete), and writes its status. A create the API server refuses sets
 * the ReplicaFailure condition (reason FailedCreate) until a clean pass removes it.
 * `nextWakeup` is the moment a ready pod outlasts minReadySeconds.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, settle, list, replicaSetController } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const rs = {
 *   apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
 *   spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
 *     template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
 * }
 * const s = E.chain(settle)(applyManifests(createCluster({ nodes: 1, seed: 1 }), rs))
 * const pods = E.isRight(s) ? list(s.right, 'Pod', { namespace: 'default' }) : []
 * expect(pods).toHaveLength(3)
 * expect(pods.every((p) => /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(p.metadata.name))).toBe(true)
 * expect(replicaSetController.name).toBe('replicaset-controller')
 * ```
 */
export const replicaSetController: Controller = plannedController(NAME, planCluster, ['ReplicaSet', 'Pod'])

