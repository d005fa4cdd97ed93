/**
 * The pods each ReplicaSet claims, kept up to date from pod changes, so that a ReplicaSet
 * controller pass costs the pods that changed rather than the pods the ReplicaSet has. A real
 * controller lists its pods from an informer cache on every sync; listing and claiming 10,000
 * pods on every step of a rolling update made a 10,000-replica rollout quadratic here.
 *
 * For each ReplicaSet the view holds its members (pods its selector matches in its namespace,
 * and pods it controls anywhere), what `ClaimPods` would do with each (keep, adopt, release or
 * ignore), and running counts: claimed, ready, fully labeled, and active selector-matching pods
 * per node (the ranking's "related pods"). Views are built from the store on first sight of a
 * ReplicaSet (or when its selector, template labels or deletion change) and then patched with
 * the diff of the Pod map, which costs the changes (src/internal/mapDiff.ts).
 *
 * The views are a cache of a pure function of (Pod map, ReplicaSet): they are patched from
 * whatever map they last saw to whatever map the next pass sees, so any state may follow any
 * other (stale reads included). While the suite verifies quiescence the ReplicaSet controller
 * compares every view it uses with a full `ClaimPods` over the store.
 *
 * @internal
 * @module
 */
import { type Map as IMap, Map as ImmutableMap } from 'immutable'
import { deepEqual } from '../internal/deepEqual.js'
import { diffMaps, type MapChange } from '../internal/mapDiff.js'
import { SortedList } from '../internal/sortedList.js'
import { type KubeObject, objectKey } from '../objects/object.js'
import type { ReplicaSet } from '../objects/replicaSet.js'
import { equalityPairs, fromLabelSelector, matchesSelector, type Selector } from '../objects/selector.js'
import { dependentUids, getByUid, listObjects, type ObjectStore } from '../store/objectStore.js'
import { controllerUid } from './podChanges.js'
import { isFinished, isPodReady, isTerminating, podNodeName } from './podReadiness.js'
import { firstOfTied, type Ranked, type RankClass, rankClassOf, rankPod, SELECT_BY_INSERTION, selectVictims } from './podRanking.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

type Labels = Readonly<Record<string, string>>

/** What `ClaimPods` does with one member pod, and what it adds to the counts. */
interface Member {
  readonly pod: KubeObject
  /** The pod's name and namespace, read once: members are sorted by them again and again. */
  readonly name: string
  readonly namespace: string
  /** Kept as one of the ReplicaSet's active pods (owned and matching, or an orphan to adopt). */
  readonly claimed: boolean
  /** Needs a claim write: an orphan to adopt or an owned pod to release. */
  readonly claimWrite: boolean
  readonly ready: boolean
  readonly fullyLabeled: boolean
  /** The node of an active pod the selector matches (any owner), for ranking; else undefined. */
  readonly relatedNode: string | undefined
  /** Ranking facts, filled in the first time the pod is ranked. */
  ranked: Ranked | undefined
  /** The rank group of a claimed member. */
  group: RankGroup | undefined
}

/** One ReplicaSet's pods. */
export interface ReplicaSetPods {
  readonly uid: string
  readonly namespace: string
  readonly selector: Selector
  /** The selector's `key=value` requirements, to prove two selectors disjoint. */
  readonly pairs: ReadonlyArray<readonly [string, string]>
  readonly deleting: boolean
  readonly templateLabels: Labels | undefined
  /** The ReplicaSet fields the view was built from, compared by reference first. */
  readonly source: { readonly selector: unknown; readonly templateLabels: unknown }
  /** Pod key -> member. */
  readonly members: Map<string, Member>
  /**
   * The claimed members in name order, kept sorted as members come and go: ranking scans them
   * in the order a claim returns them, since upstream's ranking comparator is not transitive
   * (pods ready in the same second fall through to later rules, pods ready in the same log2
   * bucket compare by uid) and the pods it picks then depend on the order it reads them in.
   */
  readonly claimedInOrder: SortedList<Member>
  /** The claimed members by rank group (see `RankGroup`), each group in name order. */
  readonly rankGroups: Map<string, RankGroup>
  /** Keys of members that need a claim write. */
  readonly claimWrites: Set<string>
  /** Active selector-matching pods per node name ('' when unbound). */
  readonly relatedOnNode: Map<string, number>
  claimed: number
  ready: number
  fullyLabeled: number
}

/**
 * Claimed members that the ranking cannot tell apart before node crowding: the same node,
 * phase, readiness and deletion cost. Those first rules form a consistent order, so the pods
 * to delete come from the best groups, and ranking only those (in name order) picks what
 * ranking every pod would: any pod from a worse group loses to each pod from a better one.
 */
interface RankGroup {
  readonly node: string
  readonly phase: number
  readonly ready: boolean
  readonly cost: number
  readonly members: Member[]
}

/** Views of one namespace, indexed by one `key=value` pair of their selector. */
interface NamespaceIndex {
  readonly byPair: Map<string, ReplicaSetPods[]>
  /** Views whose selector has no `key=value` pair: checked against every pod. */
  readonly loose: ReplicaSetPods[]
}

/** Every ReplicaSet's view, valid for `pods`. */
export interface ReplicaSetPodViews {
  readonly pods: IMap<string, KubeObject>
  readonly byUid: ReadonlyMap<string, ReplicaSetPods>
  readonly byNamespace: ReadonlyMap<string, NamespaceIndex>
}

const EMPTY_PODS: IMap<string, KubeObject> = ImmutableMap()

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const hasAll = (labels: Labels | undefined, wanted: Labels | undefined): boolean => {
  if (wanted === undefined) return true
  for (const key in wanted) if (labels?.[key] !== wanted[key]) return false
  return true
}

/** What `ClaimPods` and the status count make of `pod` for `view`; undefined if not a member. */
const memberFor = (view: ReplicaSetPods, pod: KubeObject): Member | undefined => {
  const controller = controllerUid(pod)
  const labels = pod.metadata.labels
  const matches = matchesSelector(view.selector, labels)
  const sameNamespace = (pod.metadata.namespace ?? 'default') === view.namespace
  const mine = controller === view.uid
  if (!mine && !(matches && sameNamespace)) return undefined
  const active = !isFinished(pod) && !isTerminating(pod)
  const orphan = controller === undefined
  const claimed = active && (mine ? matches : orphan && matches && sameNamespace && !view.deleting)
  return {
    pod,
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? '',
    claimed,
    claimWrite: active && !view.deleting && (mine ? !matches : orphan && matches && sameNamespace),
    ready: claimed && isPodReady(pod),
    fullyLabeled: claimed && hasAll(labels, view.templateLabels),
    relatedNode: active && matches && sameNamespace ? podNodeName(pod) : undefined,
    ranked: undefined,
    group: undefined,
  }
}

/**
 * Pods in name order (then namespace), the order `ClaimPods` returns them in.
 *
 * @internal
 */
export const byPodName = (a: KubeObject, b: KubeObject): number => byNameThenNamespace(a.metadata.name, a.metadata.namespace ?? '', b.metadata.name, b.metadata.namespace ?? '')

const byNameThenNamespace = (x: string, m: string, y: string, n: string): number => {
  if (x !== y) return x < y ? -1 : 1
  return m < n ? -1 : m > n ? 1 : 0
}

/**
 * The pods a ReplicaSet keeps (owned and matching, plus orphans it adopts), in name order: the
 * `pods` of `ClaimPods`.
 *
 * @internal
 */
export const claimedPods = (view: ReplicaSetPods): KubeObject[] => {
  const out: KubeObject[] = []
  for (const member of view.claimedInOrder) out.push(member.pod)
  return out
}

/**
 * The pods a claim writes to (orphans to adopt, owned pods to release), in name order.
 *
 * @internal
 */
export const claimWritePods = (view: ReplicaSetPods): KubeObject[] => {
  const out: KubeObject[] = []
  for (const key of view.claimWrites) {
    const member = view.members.get(key)
    if (member !== undefined) out.push(member.pod)
  }
  return out.sort(byPodName)
}

const rankedMember = (member: Member): Ranked => (member.ranked ??= rankPod(member.pod))

const rankGroupKey = (r: RankClass): string => `${r.node}\u0000${r.phase}\u0000${r.ready ? 1 : 0}\u0000${r.cost}`

/** The ranking's rules up to node crowding, on two groups with their nodes' counts (as `rankOrder` applies them to pods). */
const compareGroups = (a: RankGroup, crowdA: number, b: RankGroup, crowdB: number): number => {
  if ((a.node === '') !== (b.node === '')) return a.node === '' ? -1 : 1
  if (a.phase !== b.phase) return a.phase - b.phase
  if (a.ready !== b.ready) return a.ready ? 1 : -1
  if (a.cost !== b.cost) return a.cost - b.cost
  return crowdB - crowdA
}

/**
 * The first `count` claimed pods to delete (count below the number claimed), in ranking order:
 * the pods of the best rank groups, enough of them, ranked in name order. Past
 * `SELECT_BY_INSERTION` victims every claimed pod is ranked.
 *
 * @internal
 */
export const claimedVictims = (view: ReplicaSetPods, onNode: ReadonlyMap<string, number>, count: number, now: number): KubeObject[] => {
  if (count > SELECT_BY_INSERTION) return selectVictims(view.claimedInOrder, rankedMember, onNode, count, now)
  const left = [...view.rankGroups.values()]
  // Each group's node count, read once: the groups are compared with each other many times.
  const crowd = left.map((group) => onNode.get(group.node) ?? 0)
  const chosen = new Set<RankGroup>()
  let size = 0
  while (size < count && left.length > 0) {
    let best = 0
    for (let i = 1; i < left.length; i++) if (compareGroups(left[i]!, crowd[i]!, left[best]!, crowd[best]!) < 0) best = i
    const bestGroup = left[best]!
    const bestCrowd = crowd[best]!
    for (let i = left.length - 1; i >= 0; i--)
      if (compareGroups(left[i]!, crowd[i]!, bestGroup, bestCrowd) === 0) {
        chosen.add(left[i]!)
        size += left[i]!.members.length
        left.splice(i, 1)
        crowd.splice(i, 1)
      }
  }
  // The chosen pods in name order: merged from their groups (each kept in name order) when few,
  // else picked from the claimed order.
  const groups = [...chosen]
  const inOrder =
    size * Math.log2(groups.length + 1) < view.claimedInOrder.length
      ? mergedByName(groups.map((g) => g.members))
      : view.claimedInOrder.filter((member) => member.group !== undefined && chosen.has(member.group))
  if (count === 1) {
    // One pass of the loop above: every chosen group is tied with the best.
    const first = firstOfTied(inOrder, rankedMember, now)
    return first === undefined ? [] : [first]
  }
  return selectVictims(inOrder, rankedMember, onNode, count, now)
}

/** Two member lists in name order merged into one. */
const mergeTwo = (a: ReadonlyArray<Member>, b: ReadonlyArray<Member>): Member[] => {
  const out: Member[] = new Array<Member>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = byMemberName(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!
  while (i < a.length) out[k++] = a[i++]!
  while (j < b.length) out[k++] = b[j++]!
  return out
}

/**
 * Lists of members in name order merged into one, pairwise: n log k comparisons for k lists,
 * where sorting their concatenation took n log n (the tied groups of a scale-down are a few
 * nodes' pods, hundreds of them).
 */
const mergedByName = (lists: ReadonlyArray<ReadonlyArray<Member>>): ReadonlyArray<Member> => {
  let level = lists
  while (level.length > 1) {
    const next: Array<ReadonlyArray<Member>> = []
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mergeTwo(level[i]!, level[i + 1]!) : level[i]!)
    level = next
  }
  return level[0] ?? []
}

/** Whether no label set can match both selectors: they pin one key to different values. */
const disjoint = (a: ReplicaSetPods, b: ReplicaSetPods): boolean =>
  a.namespace !== b.namespace || a.pairs.some(([key, value]) => b.pairs.some(([k, v]) => k === key && v !== value))

/**
 * Active pods per node over several ReplicaSets' selectors (`getIndirectlyRelatedPods` counted
 * by node), or undefined when two selectors might match the same pod: a pod must count once.
 *
 * @internal
 */
export const relatedOnNode = (views: ReadonlyArray<ReplicaSetPods>): Map<string, number> | undefined => {
  for (let i = 0; i < views.length; i++) for (let j = i + 1; j < views.length; j++) if (!disjoint(views[i]!, views[j]!)) return undefined
  const out = new Map<string, number>()
  for (const view of views) for (const [node, count] of view.relatedOnNode) out.set(node, (out.get(node) ?? 0) + count)
  return out
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** `byPodName` on members. */
const byMemberName = (a: Member, b: Member): number => byNameThenNamespace(a.name, a.namespace, b.name, b.namespace)

/** Where `member` goes among members sorted by name (the first position not before it). */
const positionIn = (sorted: ReadonlyArray<Member>, member: Member): number => {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (byMemberName(sorted[middle]!, member) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/** Removes a member from a name-ordered list it is in. */
const removeFromOrder = (sorted: Member[], member: Member, key: string): void => {
  const at = positionIn(sorted, member)
  if (sorted[at] !== member) throw new Error(`ReplicaSet pod view: ${key} is missing from a name-ordered list`)
  sorted.splice(at, 1)
}

/** Puts a claimed member in its rank group, in name order. */
const joinGroup = (view: ReplicaSetPods, member: Member, ranked: RankClass, groupKey: string): void => {
  let group = view.rankGroups.get(groupKey)
  if (group === undefined) view.rankGroups.set(groupKey, (group = { node: ranked.node, phase: ranked.phase, ready: ranked.ready, cost: ranked.cost, members: [member] }))
  else group.members.splice(positionIn(group.members, member), 0, member)
  member.group = group
}

const leaveGroup = (view: ReplicaSetPods, member: Member, key: string): void => {
  const group = member.group
  if (group === undefined) return
  removeFromOrder(group.members, member, key)
  if (group.members.length === 0) view.rankGroups.delete(rankGroupKey(group))
}

/** Adds a member's part of the view's counts (`by` 1), or takes it away (`by` -1). */
const count = (view: ReplicaSetPods, key: string, member: Member, by: 1 | -1): void => {
  if (member.claimed) view.claimed += by
  if (member.ready) view.ready += by
  if (member.fullyLabeled) view.fullyLabeled += by
  if (member.claimWrite) {
    if (by > 0) view.claimWrites.add(key)
    else view.claimWrites.delete(key)
  }
  if (member.relatedNode !== undefined) {
    const onNode = (view.relatedOnNode.get(member.relatedNode) ?? 0) + by
    if (onNode <= 0) view.relatedOnNode.delete(member.relatedNode)
    else view.relatedOnNode.set(member.relatedNode, onNode)
  }
}

const add = (view: ReplicaSetPods, key: string, pod: KubeObject): void => {
  const member = memberFor(view, pod)
  if (member === undefined) return
  view.members.set(key, member)
  if (member.claimed) {
    view.claimedInOrder.insert(member)
    // Ranking facts wait until the pod is ranked: most pods never are, and they parse timestamps.
    const ranked = rankClassOf(pod)
    joinGroup(view, member, ranked, rankGroupKey(ranked))
  }
  count(view, key, member, 1)
}

const remove = (view: ReplicaSetPods, key: string): void => {
  const member = view.members.get(key)
  if (member === undefined) return
  view.members.delete(key)
  if (member.claimed) {
    if (!view.claimedInOrder.remove(member)) throw new Error(`ReplicaSet pod view: ${key} is missing from the name order`)
    leaveGroup(view, member, key)
  }
  count(view, key, member, -1)
}

/**
 * A member's pod written again: when it stays claimed (a status change, most writes), its
 * member takes the old one's place in the name order (the name is the key) and in its rank
 * group when that stays the same, instead of leaving and joining both lists.
 */
const replace = (view: ReplicaSetPods, key: string, pod: KubeObject): void => {
  const old = view.members.get(key)
  const member = old?.claimed === true ? memberFor(view, pod) : undefined
  if (old === undefined || member === undefined || !member.claimed) {
    remove(view, key)
    add(view, key, pod)
    return
  }
  view.members.set(key, member)
  if (!view.claimedInOrder.replace(old, member)) throw new Error(`ReplicaSet pod view: ${key} is missing from the name order`)
  const ranked = rankClassOf(pod)
  const groupKey = rankGroupKey(ranked)
  const group = old.group
  if (group !== undefined && rankGroupKey(group) === groupKey) {
    const inGroup = positionIn(group.members, old)
    if (group.members[inGroup] !== old) throw new Error(`ReplicaSet pod view: ${key} is missing from its rank group`)
    group.members[inGroup] = member
    member.group = group
  } else {
    leaveGroup(view, old, key)
    joinGroup(view, member, ranked, groupKey)
  }
  count(view, key, old, -1)
  count(view, key, member, 1)
}

type StoredReplicaSet = ReplicaSet & KubeObject

/** A view of `rs` built from the store: the candidates `ClaimPods` reads. */
const buildView = (store: ObjectStore, rs: StoredReplicaSet, selector: Selector): ReplicaSetPods => {
  const view: ReplicaSetPods = {
    uid: rs.metadata.uid ?? '',
    namespace: rs.metadata.namespace ?? 'default',
    selector,
    pairs: equalityPairs(selector),
    deleting: rs.metadata.deletionTimestamp !== undefined,
    templateLabels: rs.spec.template.metadata?.labels,
    source: { selector: rs.spec.selector, templateLabels: rs.spec.template.metadata?.labels },
    members: new Map(),
    claimedInOrder: new SortedList(byMemberName),
    rankGroups: new Map(),
    claimWrites: new Set(),
    relatedOnNode: new Map(),
    claimed: 0,
    ready: 0,
    fullyLabeled: 0,
  }
  for (const pod of listObjects(store, 'Pod', { namespace: view.namespace, selector })) add(view, objectKey({ kind: 'Pod', namespace: view.namespace, name: pod.metadata.name }), pod)
  for (const uid of dependentUids(store, view.uid)) {
    const pod = getByUid(store, uid)
    if (pod === undefined || pod.kind !== 'Pod') continue
    const key = objectKey({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name })
    if (!view.members.has(key)) add(view, key, pod)
  }
  return view
}

/** Whether `view` still describes `rs` (its pod set only needs patching). */
const fits = (view: ReplicaSetPods, rs: StoredReplicaSet): boolean =>
  view.namespace === (rs.metadata.namespace ?? 'default') &&
  view.deleting === (rs.metadata.deletionTimestamp !== undefined) &&
  (view.source.selector === rs.spec.selector || deepEqual(view.source.selector, rs.spec.selector)) &&
  (view.source.templateLabels === rs.spec.template.metadata?.labels || deepEqual(view.source.templateLabels, rs.spec.template.metadata?.labels))

const pairKey = (key: string, value: string): string => `${key}=${value}`

const indexByNamespace = (views: Iterable<ReplicaSetPods>): Map<string, NamespaceIndex> => {
  const out = new Map<string, NamespaceIndex>()
  for (const view of views) {
    let index = out.get(view.namespace)
    if (index === undefined) out.set(view.namespace, (index = { byPair: new Map(), loose: [] }))
    const first = view.pairs[0]
    if (first === undefined) index.loose.push(view)
    else {
      const key = pairKey(first[0], first[1])
      const list = index.byPair.get(key)
      if (list === undefined) index.byPair.set(key, [view])
      else list.push(view)
    }
  }
  return out
}

/** The views a version of a pod belongs to (or may: the caller recomputes membership). */
const viewsOfPod = (views: ReplicaSetPodViews, pod: KubeObject, into: ReplicaSetPods[]): void => {
  const controller = controllerUid(pod)
  if (controller !== undefined) {
    const owner = views.byUid.get(controller)
    if (owner !== undefined && !into.includes(owner)) into.push(owner)
  }
  const index = views.byNamespace.get(pod.metadata.namespace ?? 'default')
  if (index === undefined) return
  const labels = pod.metadata.labels
  const consider = (view: ReplicaSetPods): void => {
    if (!into.includes(view) && matchesSelector(view.selector, labels)) into.push(view)
  }
  for (const view of index.loose) consider(view)
  if (labels === undefined || index.byPair.size === 0) return
  for (const key in labels) {
    const list = index.byPair.get(pairKey(key, labels[key] ?? ''))
    if (list !== undefined) for (const view of list) consider(view)
  }
}

const patch = (views: ReplicaSetPodViews, changes: ReadonlyArray<MapChange<string, KubeObject>>): void => {
  const touched: ReplicaSetPods[] = []
  for (const change of changes) {
    touched.length = 0
    if (change.before !== undefined) viewsOfPod(views, change.before, touched)
    if (change.after !== undefined) viewsOfPod(views, change.after, touched)
    for (const view of touched) {
      if (change.after === undefined) remove(view, change.key)
      else replace(view, change.key, change.after)
    }
  }
}

/**
 * The views of every ReplicaSet in `replicaSets` for the store's current pods: `previous`
 * patched with the pod changes since it was made, new or changed ReplicaSets built afresh.
 * Mutates and returns `previous`'s views (it is a cache; the result is the same either way).
 * `changes`, when given, is the diff from `previous.pods` to the store's pods, taken already.
 *
 * @internal
 */
export const syncReplicaSetPods = (
  previous: ReplicaSetPodViews | undefined,
  store: ObjectStore,
  replicaSets: ReadonlyArray<KubeObject>,
  changes?: ReadonlyArray<MapChange<string, KubeObject>>,
): ReplicaSetPodViews => {
  const pods = store.kinds.get('Pod') ?? EMPTY_PODS
  const byUid = new Map<string, ReplicaSetPods>()
  let reindex = previous === undefined
  const stale: Array<readonly [StoredReplicaSet, NonNullable<StoredReplicaSet['spec']['selector']>]> = []
  for (const object of replicaSets) {
    const rs = object as StoredReplicaSet
    const selector = rs.spec.selector
    if (selector === undefined) continue
    const known = previous?.byUid.get(rs.metadata.uid ?? '')
    if (known !== undefined && fits(known, rs)) byUid.set(known.uid, known)
    else stale.push([rs, selector])
  }
  if (previous !== undefined && byUid.size !== previous.byUid.size) reindex = true
  let views: ReplicaSetPodViews = {
    pods,
    byUid,
    byNamespace: previous === undefined || reindex ? indexByNamespace(byUid.values()) : previous.byNamespace,
  }
  if (previous !== undefined && previous.pods !== pods && byUid.size > 0) patch(views, changes ?? diffMaps(previous.pods, pods))
  if (stale.length > 0) {
    for (const [rs, selector] of stale) {
      const view = buildView(store, rs, fromLabelSelector(selector))
      byUid.set(view.uid, view)
    }
    views = { ...views, byNamespace: indexByNamespace(byUid.values()) }
  }
  return views
}
