/**
 * Safety invariants of a Kubernetes cluster, as named predicates over a state (and, for the
 * ones about change, the state before). Each returns readable violations: which invariant,
 * which object, which field, what was expected and what was found. They are the oracles of
 * property tests: check them after every step and any counterexample fast-check finds is a
 * bug in a controller, the reducer or the engine. Numbered after the reliability reference
 * (I1, I2, ...); controllers add their own as they land.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { decodeWithFieldErrors } from '../objects/decodeErrors.js'
import { kindInfo } from '../objects/kinds.js'
import { modelFor } from '../objects/models.js'
import { formatRef, type KubeObject, refOf } from '../objects/object.js'
import { nodeAllocatable, podRequests, holdsNodeResources } from '../scheduling/resources.js'
import { isTolerated, TAINT_UNSCHEDULABLE, type TaintLike, type TolerationLike } from '../scheduling/taints.js'
import { Map as IMap } from 'immutable'
import { diffMaps, type MapChange } from '../internal/mapDiff.js'
import { getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { formatFieldError } from '../validation/fieldError.js'
import { validateObjectMeta } from '../validation/metadata.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One broken invariant on one object. */
export interface Violation {
  /** The invariant's name, e.g. `I10 node capacity`. */
  readonly invariant: string
  /** The object, e.g. `Node node-1` or `Pod default/web`. */
  readonly object: string
  readonly field: string
  readonly expected: string
  readonly actual: string
}

/** A named safety property, checked on a state and, when given, the state before it. */
export interface Invariant {
  readonly name: string
  readonly check: (state: ClusterState, previous: ClusterState | undefined) => ReadonlyArray<Violation>
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * Every stored object, in store order (no sort: invariants run after every step, and checking
 * reports violations sorted anyway).
 */
const allObjects = (state: ClusterState): KubeObject[] => {
  const out: KubeObject[] = []
  state.objects.kinds.forEach((objects) => {
    objects.forEach((object) => {
      out.push(object)
    })
  })
  return out
}

/**
 * A per-object check over the whole store that re-examines only what changed: verdicts are
 * remembered per stored object (objects are frozen values, so a verdict never changes), and per
 * kind the violations of the last map seen are kept and patched by diffing the persistent maps.
 * A check after every step therefore costs the objects the step wrote, not the store's size.
 */
const perObject = (check: (object: KubeObject) => ReadonlyArray<Violation>): ((state: ClusterState) => ReadonlyArray<Violation>) => {
  const verdicts = new WeakMap<KubeObject, ReadonlyArray<Violation>>()
  const verdictOf = (object: KubeObject): ReadonlyArray<Violation> => {
    let verdict = verdicts.get(object)
    if (verdict === undefined) {
      verdict = check(object)
      if (Object.isFrozen(object)) verdicts.set(object, verdict)
    }
    return verdict
  }
  // kind -> the map last checked and its objects' violations by key (only the failing ones).
  const lastSeen = new Map<string, { readonly objects: IMap<string, KubeObject>; readonly failing: IMap<string, ReadonlyArray<Violation>> }>()
  return (state) => {
    const found: Violation[] = []
    state.objects.kinds.forEach((objects, kind) => {
      const last = lastSeen.get(kind)
      let failing: IMap<string, ReadonlyArray<Violation>>
      if (last !== undefined && last.objects === objects) failing = last.failing
      else if (last !== undefined) {
        failing = last.failing
        for (const change of changesBetween(last.objects, objects)) {
          const verdict = change.after === undefined ? [] : verdictOf(change.after)
          failing = verdict.length === 0 ? failing.remove(change.key) : failing.set(change.key, verdict)
        }
      } else {
        failing = IMap<string, ReadonlyArray<Violation>>().withMutations((m) => {
          objects.forEach((object, key) => {
            const verdict = verdictOf(object)
            if (verdict.length > 0) m.set(key, verdict)
          })
        })
      }
      lastSeen.set(kind, { objects, failing })
      failing.forEach((verdict) => {
        for (const v of verdict) found.push(v)
      })
    })
    return found
  }
}

const EMPTY_KIND: IMap<string, KubeObject> = IMap()

/**
 * A tally over every stored object kept from object changes: `apply` sees each object that
 * went (`before`) or came (`after`) since the state the tally last saw, so reading it after
 * every step costs what the step wrote. A cache of a pure function of the store: it diffs from
 * whatever state it saw last to whatever state it is given.
 */
/** @internal */
export const tallied = <T>(fresh: () => T, apply: (tally: T, kind: string, before: KubeObject | undefined, after: KubeObject | undefined) => void): ((state: ClusterState) => T) => {
  let last: { readonly kinds: ClusterState['objects']['kinds']; readonly tally: T } | undefined
  return (state) => {
    const kinds = state.objects.kinds
    if (last !== undefined && last.kinds === kinds) return last.tally
    let tally: T
    if (last === undefined) {
      tally = fresh()
      kinds.forEach((objects, kind) => objects.forEach((object) => apply(tally, kind, undefined, object)))
    } else {
      tally = last.tally
      const seen = last.kinds
      for (const kind of new Set([...seen.keys(), ...kinds.keys()])) {
        const before = seen.get(kind) ?? EMPTY_KIND
        const after = kinds.get(kind) ?? EMPTY_KIND
        if (before !== after) for (const change of changesBetween(before, after)) apply(tally, kind, change.before, change.after)
      }
    }
    last = { kinds, tally }
    return tally
  }
}

/**
 * `diffMaps`, remembered for the last version each map was compared with: every invariant
 * that looks at what changed diffs the same pair of maps after a step, so the first one pays.
 *
 * @internal
 */
export const changesBetween = <V>(before: IMap<string, V>, after: IMap<string, V>): ReadonlyArray<MapChange<string, V>> => {
  const known = lastChanges.get(before)
  if (known !== undefined && known.after === after) return known.changes as ReadonlyArray<MapChange<string, V>>
  const changes = diffMaps(before, after)
  lastChanges.set(before, { after, changes })
  return changes
}
const lastChanges = new WeakMap<object, { readonly after: object; readonly changes: ReadonlyArray<MapChange<string, unknown>> }>()

const violation = (invariant: string, object: KubeObject | string, field: string, expected: string, actual: string): Violation => ({
  invariant,
  object: typeof object === 'string' ? object : formatRef(refOf(object)),
  field,
  expected,
  actual,
})

/**
 * Objects present in both states with the same uid that changed, as [before, after]. Diffs the
 * persistent maps, so it costs what changed between the two states.
 */
const survivors = (state: ClusterState, previous: ClusterState, kind?: string): Array<readonly [KubeObject, KubeObject]> => {
  const pairs: Array<readonly [KubeObject, KubeObject]> = []
  const kinds = kind === undefined ? [...previous.objects.kinds.keys()] : [kind]
  for (const k of kinds) {
    const before = previous.objects.kinds.get(k)
    const after = state.objects.kinds.get(k)
    if (before === undefined || after === undefined || before === after) continue
    for (const change of changesBetween(before, after))
      if (change.before !== undefined && change.after !== undefined && change.after.metadata.uid === change.before.metadata.uid) pairs.push([change.before, change.after])
  }
  return pairs
}

const nodeNameOf = (pod: KubeObject): string | undefined => {
  const name = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName
  return name === undefined || name === '' ? undefined : name
}

// ---------------------------------------------------------------------------------------------
// the invariants
// ---------------------------------------------------------------------------------------------

const I1 = 'I1 single controller'
const singleControllerOf = perObject((o) => {
  const controllers = (o.metadata.ownerReferences ?? []).filter((r) => r.controller === true)
  return controllers.length <= 1 ? [] : [violation(I1, o, 'metadata.ownerReferences', 'at most one controller reference', controllers.map((r) => `${r.kind}/${r.name}`).join(', '))]
})
const singleController: Invariant = {
  name: I1,
  check: singleControllerOf,
}

const I2_UID = 'I2 unique uids'
/** How many objects hold each uid, how many uids more than one, how many objects none. */
const uidTally = tallied(
  () => ({ holders: new Map<string, number>(), shared: 0, missing: 0 }),
  (tally, _kind, before, after) => {
    for (const [object, delta] of [[before, -1], [after, 1]] as const) {
      if (object === undefined) continue
      const uid = object.metadata.uid
      if (uid === undefined || uid === '') {
        tally.missing += delta
        continue
      }
      const was = tally.holders.get(uid) ?? 0
      const now = was + delta
      if (now === 0) tally.holders.delete(uid)
      else tally.holders.set(uid, now)
      if (was <= 1 && now > 1) tally.shared++
      else if (was > 1 && now <= 1) tally.shared--
    }
  },
)
const uniqueUids: Invariant = {
  name: I2_UID,
  check: (state) => {
    // The tally says whether anything is wrong; only then is the store walked for the report.
    const tally = uidTally(state)
    if (tally.shared === 0 && tally.missing === 0) return []
    const seen = new Map<string, KubeObject>()
    const found: Violation[] = []
    for (const o of allObjects(state)) {
      const uid = o.metadata.uid
      if (uid === undefined || uid === '') {
        found.push(violation(I2_UID, o, 'metadata.uid', 'a uid', 'none'))
        continue
      }
      const other = seen.get(uid)
      if (other !== undefined) found.push(violation(I2_UID, o, 'metadata.uid', 'unique', `shared with ${formatRef(refOf(other))}`))
      seen.set(uid, o)
    }
    return found
  },
}

const I2_NODE = 'I2 nodeName never changes'
const nodeNameStable: Invariant = {
  name: I2_NODE,
  check: (state, previous) =>
    previous === undefined
      ? []
      : survivors(state, previous, 'Pod').flatMap(([before, after]) => {
          const was = nodeNameOf(before)
          const is = nodeNameOf(after)
          return was === undefined || was === is ? [] : [violation(I2_NODE, after, 'spec.nodeName', JSON.stringify(was), JSON.stringify(is ?? ''))]
        }),
}

const I2_IMMUTABLE = 'I2 immutable fields'
/** Every write, including the controllers' own, must pass the kind's update validation. */
const immutableFields: Invariant = {
  name: I2_IMMUTABLE,
  check: (state, previous) =>
    previous === undefined
      ? []
      : survivors(state, previous).flatMap(([before, after]) => {
          const model = modelFor(after.kind)
          if (model?.validateUpdate === undefined) return []
          return model.validateUpdate(after, before).map((e) => violation(I2_IMMUTABLE, after, e.field, 'unchanged (immutable)', formatFieldError(e)))
        }),
}

const I3 = 'I3 observedGeneration'
const generationOf = perObject((o) => {
  const observed = (o['status'] as { observedGeneration?: unknown } | undefined)?.observedGeneration
  const generation = o.metadata.generation
  return typeof observed === 'number' && typeof generation === 'number' && observed > generation
    ? [violation(I3, o, 'status.observedGeneration', `<= metadata.generation (${generation})`, String(observed))]
    : []
})
const observedGeneration: Invariant = {
  name: I3,
  check: (state, previous) => {
    const found: Violation[] = [...generationOf(state)]
    if (previous !== undefined)
      for (const [before, after] of survivors(state, previous)) {
        const was = (before['status'] as { collisionCount?: unknown } | undefined)?.collisionCount
        const is = (after['status'] as { collisionCount?: unknown } | undefined)?.collisionCount
        if (typeof was === 'number' && !(typeof is === 'number' && is >= was))
          found.push(violation(I3, after, 'status.collisionCount', `>= ${was} (never decreases)`, String(is)))
      }
    return found
  },
}

const I10_CAPACITY = 'I10 node capacity'

/** Rounding slack for sums kept by adding and subtracting (requests are whole millicores and bytes). */
const SLACK = 1e-6

/**
 * Requests summed per node from the pods holding resources there (kept apart from the store's
 * own totals, which this checks), and the nodes that may be over their allocatable.
 */
const capacityTally = tallied(
  () => ({ sums: new Map<string, Record<string, number>>(), nodes: new Map<string, KubeObject>(), over: new Set<string>() }),
  (tally, kind, before, after) => {
    const touched: string[] = []
    if (kind === 'Node') {
      const name = (after ?? before)?.metadata.name ?? ''
      if (after === undefined) tally.nodes.delete(name)
      else tally.nodes.set(name, after)
      touched.push(name)
    } else if (kind === 'Pod') {
      for (const [pod, sign] of [[before, -1], [after, 1]] as const) {
        const node = pod === undefined ? undefined : nodeNameOf(pod)
        if (pod === undefined || node === undefined || !holdsNodeResources(pod)) continue
        let sums = tally.sums.get(node)
        if (sums === undefined) tally.sums.set(node, (sums = {}))
        for (const [resource, amount] of Object.entries(podRequests(pod))) sums[resource] = (sums[resource] ?? 0) + sign * amount
        touched.push(node)
      }
    }
    for (const name of touched) {
      const node = tally.nodes.get(name)
      const sums = tally.sums.get(name)
      const allocatable = node === undefined ? undefined : nodeAllocatable(node)
      const over = allocatable !== undefined && sums !== undefined && Object.entries(sums).some(([resource, amount]) => amount > (allocatable[resource] ?? 0) + SLACK)
      if (over) tally.over.add(name)
      else tally.over.delete(name)
    }
  },
)

const nodeCapacity: Invariant = {
  name: I10_CAPACITY,
  check: (state) => {
    // The tally names the nodes that may be over; only then are the pods summed afresh for the report.
    if (capacityTally(state).over.size === 0) return []
    // One pass over the pods, summing requests per node (not the store's own totals: this checks them).
    const used = new Map<string, Record<string, number>>()
    state.objects.kinds.get('Pod')?.forEach((pod) => {
      const node = nodeNameOf(pod)
      if (node === undefined || !holdsNodeResources(pod)) return
      let sums = used.get(node)
      if (sums === undefined) used.set(node, (sums = {}))
      for (const [resource, amount] of Object.entries(podRequests(pod))) sums[resource] = (sums[resource] ?? 0) + amount
    })
    return listObjects(state.objects, 'Node').flatMap((node) => {
      const sums = used.get(node.metadata.name)
      if (sums === undefined) return []
      const allocatable = nodeAllocatable(node)
      return Object.entries(sums).flatMap(([resource, amount]) => {
        const limit = allocatable[resource] ?? 0
        return amount <= limit ? [] : [violation(I10_CAPACITY, node, `status.allocatable.${resource}`, `requests <= ${limit}`, String(amount))]
      })
    })
  },
}

const I10_BINDING = 'I10 bindings respect the node'
/** A pod the scheduler binds must go to a node that accepts it: schedulable and its hard taints tolerated. */
const bindingRespectsNode: Invariant = {
  name: I10_BINDING,
  check: (state, previous) =>
    previous === undefined
      ? []
      : survivors(state, previous, 'Pod').flatMap(([before, after]) => {
          const target = nodeNameOf(after)
          if (nodeNameOf(before) !== undefined || target === undefined) return []
          const node = getObject(previous.objects, { kind: 'Node', name: target })
          if (node === undefined) return [violation(I10_BINDING, after, 'spec.nodeName', 'an existing node', target)]
          const spec = (node['spec'] ?? {}) as { unschedulable?: boolean; taints?: ReadonlyArray<TaintLike> }
          const tolerations = ((after['spec'] as { tolerations?: ReadonlyArray<TolerationLike> }).tolerations ?? []) as ReadonlyArray<TolerationLike>
          if (spec.unschedulable === true && !isTolerated(tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }))
            return [violation(I10_BINDING, after, 'spec.nodeName', 'a schedulable node', `${target} (cordoned)`)]
          const untolerated = (spec.taints ?? []).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !isTolerated(tolerations, t))
          return untolerated === undefined
            ? []
            : [violation(I10_BINDING, after, 'spec.nodeName', 'a node whose NoSchedule/NoExecute taints the pod tolerates', `${target} (taint ${untolerated.key}:${untolerated.effect})`)]
        }),
}

const I15 = 'I15 validation closure'
/** Nothing a controller writes may be something the API server would refuse from a user. */
const validationOf = perObject((o) => {
  const model = modelFor(o.kind)
  const info = kindInfo(o.kind)
  if (model === undefined || info === undefined) return []
  const decoded = decodeWithFieldErrors(model.codec, o)
  const errors = E.isLeft(decoded) ? decoded.left : [...validateObjectMeta(o.metadata, info, { namespaced: info.namespaced }), ...model.validate(o)]
  return errors.map((e) => violation(I15, o, e.field, 'a valid object', formatFieldError(e)))
})
const validationClosure: Invariant = {
  name: I15,
  check: validationOf,
}

/**
 * The invariants of the core: ownership (I1), identity and immutability (I2), generations (I3),
 * node capacity and bindings (I10) and validation closure (I15).
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { CORE_INVARIANTS } from 'kubesim/testing'
 * expect(CORE_INVARIANTS.map((i) => i.name)).toContain('I10 node capacity')
 * ```
 */
export const CORE_INVARIANTS: ReadonlyArray<Invariant> = [
  singleController,
  uniqueUids,
  nodeNameStable,
  immutableFields,
  observedGeneration,
  nodeCapacity,
  bindingRespectsNode,
  validationClosure,
]

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Checks invariants on a state (and the change from `previous`, when given); returns every
 * violation, or an empty list.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyAction } from 'kubesim'
 * import { checkInvariants, formatViolation } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s0 = createCluster({ nodes: 1 })
 * expect(checkInvariants(s0)).toEqual([])
 * // Bind a pod that asks for more cpu than the node has, bypassing the scheduler.
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'default' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '64' } } }] } }
 * const s1 = applyAction(s0, { type: 'create', object: pod, by: 'user' })
 * const found = E.isRight(s1) ? checkInvariants(s1.right.state, s0).map(formatViolation) : []
 * expect(found).toEqual(['I10 node capacity: Node node-1 status.allocatable.cpu: expected requests <= 4000, got 64000'])
 * ```
 */
export const checkInvariants = (
  state: ClusterState,
  previous?: ClusterState,
  invariants: ReadonlyArray<Invariant> = CORE_INVARIANTS,
): ReadonlyArray<Violation> => invariants.flatMap((invariant) => inObjectOrder(invariant.check(state, previous)))

/** Violations sorted by object and field (invariants walk the store in no particular order). */
const inObjectOrder = (found: ReadonlyArray<Violation>): ReadonlyArray<Violation> =>
  found.length < 2 ? found : [...found].sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : 0))

/**
 * One line per violation: `invariant: object field: expected ..., got ...`.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatViolation } from 'kubesim/testing'
 * expect(formatViolation({ invariant: 'I3 observedGeneration', object: 'Deployment default/web', field: 'status.observedGeneration', expected: '<= 2', actual: '3' }))
 *   .toBe('I3 observedGeneration: Deployment default/web status.observedGeneration: expected <= 2, got 3')
 * ```
 */
export const formatViolation = (v: Violation): string => `${v.invariant}: ${v.object} ${v.field}: expected ${v.expected}, got ${v.actual}`
