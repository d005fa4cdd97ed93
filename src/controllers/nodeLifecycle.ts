/**
 * The node lifecycle controller, with the taint manager and pod garbage collection for nodes:
 * - a node whose kubelet stopped posting status (annotation `kubesim.dev/kubelet-stopped-at`,
 *   set by `failNode`) turns Ready=Unknown after the 50 s grace period, its pods turn not ready,
 *   and it gets the `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints (NoExecute
 *   rate-limited per zone: 0.1 node/s, 0.01 in a partially disrupted large zone, none in a
 *   small partially disrupted zone or when every zone is fully disrupted);
 * - Ready=False gives the `not-ready` taints, `spec.unschedulable` the `unschedulable` taint;
 * - pods on a node with NoExecute taints they do not tolerate are evicted at once, and those
 *   that tolerate them for tolerationSeconds are evicted when that time has passed;
 * - pods bound to a node that no longer exists are deleted.
 * Heartbeats are implicit while the kubelet is up, so time can jump without simulating them.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import { diffMaps } from '../internal/mapDiff.js'
import { produce } from '../internal/immer.js'
import type { KubeObject } from '../objects/object.js'
import {
  noExecuteTolerance,
  type TaintLike,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  type TolerationLike,
} from '../scheduling/taints.js'
import { formatTimestamp, timestampMs } from '../sim/clock.js'
import { listObjects, podsOnNode } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'

const NAME = 'node-lifecycle-controller'

/** The annotation that marks a node whose kubelet has stopped, with the time it stopped. */
export const KUBELET_STOPPED_ANNOTATION = 'kubesim.dev/kubelet-stopped-at'
/** `--node-monitor-grace-period` since Kubernetes 1.32. */
export const NODE_MONITOR_GRACE_MS = 50_000
/** `--node-eviction-rate` 0.1 nodes/s, as the interval between NoExecute taints in a zone. */
export const NODE_EVICTION_INTERVAL_MS = 10_000
/** `--secondary-node-eviction-rate` 0.01 nodes/s. */
export const SECONDARY_EVICTION_INTERVAL_MS = 100_000
const UNHEALTHY_ZONE_THRESHOLD = 0.55
const LARGE_CLUSTER_THRESHOLD = 50
const ZONE_LABEL = 'topology.kubernetes.io/zone'
const MANAGED_TAINTS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE])

interface NodeView {
  readonly node: KubeObject
  readonly name: string
  readonly zone: string
  readonly stoppedAt: number | undefined
  readonly ready: string
  readonly taints: ReadonlyArray<TaintLike>
  readonly unschedulable: boolean
  /** Whether any taint is one this controller manages (not-ready, unreachable, unschedulable). */
  readonly managedTaint: boolean
  readonly noExecute: boolean
}

const conditionsOf = (node: KubeObject): ReadonlyArray<{ readonly type: string; readonly status: string }> =>
  ((node['status'] as { conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined)?.conditions ?? [])

const viewCache = new WeakMap<KubeObject, NodeView>()

/** What this controller reads of a node, memoised per stored Node object. */
const viewOf = (node: KubeObject): NodeView => {
  const cached = viewCache.get(node)
  if (cached !== undefined) return cached
  const spec = (node['spec'] ?? {}) as { readonly taints?: ReadonlyArray<TaintLike>; readonly unschedulable?: boolean }
  const taints = spec.taints ?? []
  const view: NodeView = {
    node,
    name: node.metadata.name,
    zone: node.metadata.labels?.[ZONE_LABEL] ?? '',
    stoppedAt: timestampMs(node.metadata.annotations?.[KUBELET_STOPPED_ANNOTATION]),
    ready: conditionsOf(node).find((c) => c.type === 'Ready')?.status ?? 'Unknown',
    taints,
    unschedulable: spec.unschedulable === true,
    managedTaint: taints.some((t) => MANAGED_TAINTS.has(t.key)),
    noExecute: taints.some((t) => t.effect === 'NoExecute'),
  }
  if (Object.isFrozen(node)) viewCache.set(node, view)
  return view
}

interface NodesView {
  readonly views: ReadonlyArray<NodeView>
  readonly zones: ReturnType<typeof zoneHealth>
}

const nodesViewCache = new WeakMap<object, NodesView>()

/**
 * Every node's view, sorted by name, and the zones' health: memoised per Node map, which only
 * changes when a Node is written (a pass at 5,000 nodes otherwise rebuilt them all).
 */
const nodesView = (state: ClusterState): NodesView => {
  const map = state.objects.kinds.get('Node')
  const cached = map === undefined ? undefined : nodesViewCache.get(map)
  if (cached !== undefined) return cached
  const views = listObjects(state.objects, 'Node').map(viewOf)
  const out = { views, zones: zoneHealth(views) }
  if (map !== undefined) nodesViewCache.set(map, out)
  return out
}

// ---------------------------------------------------------------------------------------------
// node status
// ---------------------------------------------------------------------------------------------

const statusActions = (state: ClusterState, v: NodeView): Action[] => {
  if (v.stoppedAt === undefined && v.ready === 'True') return []
  const now = formatTimestamp(state.now)
  if (v.stoppedAt !== undefined) {
    if (state.now < v.stoppedAt + NODE_MONITOR_GRACE_MS || v.ready === 'Unknown') return []
    const node = produce(v.node, (draft) => {
      const status = (draft as Record<string, unknown>)['status'] as { conditions?: Array<Record<string, unknown>> }
      status.conditions = (status.conditions ?? []).map((c) => ({
        ...c,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: now,
      }))
    })
    const pods = podsOnNode(state.objects, v.name).flatMap((pod): Action[] => {
      const status = (pod['status'] ?? {}) as { conditions?: ReadonlyArray<Record<string, unknown>> }
      const ready = (status.conditions ?? []).find((c) => c['type'] === 'Ready')
      if (ready === undefined || ready['status'] === 'False') return []
      return [
        {
          type: 'updateStatus',
          by: NAME,
          object: produce(pod, (draft) => {
            const s = (draft as Record<string, unknown>)['status'] as { conditions: Array<Record<string, unknown>> }
            s.conditions = s.conditions.map((c) => (c['type'] === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c))
          }),
        },
      ]
    })
    return [
      { type: 'updateStatus', by: NAME, object: node },
      { type: 'event', by: NAME, event: { involvedObject: { kind: 'Node', name: v.name, ...(v.node.metadata.uid === undefined ? {} : { uid: v.node.metadata.uid }) }, type: 'Normal', reason: 'NodeNotReady', message: `Node ${v.name} status is now: NodeNotReady` } },
      ...pods,
    ]
  }
  if (v.ready === 'True') return []
  // The kubelet is back: it posts Ready again.
  const node = produce(v.node, (draft) => {
    const status = ((draft as Record<string, unknown>)['status'] ??= {}) as { conditions?: Array<Record<string, unknown>> }
    const others = (status.conditions ?? []).filter((c) => c['type'] !== 'Ready')
    status.conditions = [
      ...others.map((c) => ({ ...c, status: 'False', reason: `KubeletHas${String(c['type'])}`.replace('HasMemoryPressure', 'HasSufficientMemory').replace('HasDiskPressure', 'HasNoDiskPressure').replace('HasPIDPressure', 'HasSufficientPID'), lastTransitionTime: now })),
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: now, lastHeartbeatTime: now },
    ]
  })
  return [
    { type: 'updateStatus', by: 'kubelet', object: node },
    { type: 'event', by: 'kubelet', event: { involvedObject: { kind: 'Node', name: v.name, ...(v.node.metadata.uid === undefined ? {} : { uid: v.node.metadata.uid }) }, type: 'Normal', reason: 'NodeReady', message: `Node ${v.name} status is now: NodeReady` } },
  ]
}

// ---------------------------------------------------------------------------------------------
// taints
// ---------------------------------------------------------------------------------------------

type ZoneHealth = 'Normal' | 'PartialDisruption' | 'FullDisruption'

const zoneHealth = (views: ReadonlyArray<NodeView>): ReadonlyMap<string, { readonly health: ZoneHealth; readonly size: number; readonly lastNoExecute: number }> => {
  const zones = new Map<string, { ready: number; notReady: number; lastNoExecute: number }>()
  for (const v of views) {
    const z = zones.get(v.zone) ?? { ready: 0, notReady: 0, lastNoExecute: -Infinity }
    if (v.ready === 'True') z.ready++
    else z.notReady++
    for (const t of v.taints)
      if (t.effect === 'NoExecute' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY))
        z.lastNoExecute = Math.max(z.lastNoExecute, timestampMs(t.timeAdded) ?? -Infinity)
    zones.set(v.zone, z)
  }
  const out = new Map<string, { health: ZoneHealth; size: number; lastNoExecute: number }>()
  for (const [zone, z] of zones) {
    const health: ZoneHealth =
      z.ready === 0 && z.notReady > 0
        ? 'FullDisruption'
        : z.notReady > 2 && z.notReady / (z.notReady + z.ready) >= UNHEALTHY_ZONE_THRESHOLD
          ? 'PartialDisruption'
          : 'Normal'
    out.set(zone, { health, size: z.ready + z.notReady, lastNoExecute: z.lastNoExecute })
  }
  return out
}

/** The interval between NoExecute taints in a zone, or undefined when evictions stop there. */
const evictionInterval = (health: ZoneHealth, size: number, allFullyDisrupted: boolean): number | undefined => {
  if (allFullyDisrupted) return undefined
  if (health === 'PartialDisruption') return size > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_INTERVAL_MS : undefined
  return NODE_EVICTION_INTERVAL_MS
}

const desiredConditionKey = (v: NodeView): string | undefined =>
  v.ready === 'Unknown' ? TAINT_UNREACHABLE : v.ready === 'False' ? TAINT_NOT_READY : undefined

/** The time the node may get its NoExecute taint, or undefined when the zone's evictions stop. */
const noExecuteAllowedAt = (state: ClusterState, v: NodeView, zones: ReturnType<typeof zoneHealth>): number | undefined => {
  const zone = zones.get(v.zone)
  if (zone === undefined) return state.now
  const allFull = [...zones.values()].every((z) => z.health === 'FullDisruption')
  const interval = evictionInterval(zone.health, zone.size, allFull)
  if (interval === undefined) return undefined
  return Number.isFinite(zone.lastNoExecute) ? zone.lastNoExecute + interval : state.now
}

const taintActions = (state: ClusterState, v: NodeView, zones: ReturnType<typeof zoneHealth>, claimed: Map<string, number>): Action[] => {
  const key = desiredConditionKey(v)
  // A healthy, schedulable node without managed taints keeps its taints as they are.
  if (key === undefined && !v.unschedulable && !v.managedTaint) return []
  const now = formatTimestamp(state.now)
  const keep = v.taints.filter((t) => !MANAGED_TAINTS.has(t.key) || (t.key === key && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')) || (t.key === TAINT_UNSCHEDULABLE && v.unschedulable && t.effect === 'NoSchedule'))
  const next: TaintLike[] = [...keep]
  const has = (k: string, effect: string) => next.some((t) => t.key === k && t.effect === effect)
  if (v.unschedulable && !has(TAINT_UNSCHEDULABLE, 'NoSchedule')) next.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule', timeAdded: now })
  if (key !== undefined) {
    if (!has(key, 'NoSchedule')) next.push({ key, effect: 'NoSchedule', timeAdded: now })
    if (!has(key, 'NoExecute')) {
      const allowed = noExecuteAllowedAt(state, v, zones)
      const zoneClaim = claimed.get(v.zone)
      // One NoExecute taint per zone per interval: a node claimed earlier in this pass blocks the next.
      if (allowed !== undefined && allowed <= state.now && zoneClaim === undefined) {
        next.push({ key, effect: 'NoExecute', timeAdded: now })
        claimed.set(v.zone, state.now)
      }
    }
  }
  const same = next.length === v.taints.length && next.every((t, i) => t === v.taints[i])
  if (same) return []
  return [
    {
      type: 'update',
      by: NAME,
      object: produce(v.node, (draft) => {
        const spec = ((draft as Record<string, unknown>)['spec'] ??= {}) as { taints?: TaintLike[] }
        if (next.length === 0) delete spec.taints
        else spec.taints = next.map((t) => ({ ...t }))
      }),
    },
  ]
}

// ---------------------------------------------------------------------------------------------
// eviction (taint manager) and pod garbage collection
// ---------------------------------------------------------------------------------------------

const evictionTimes = new WeakMap<KubeObject, { readonly taints: ReadonlyArray<TaintLike>; readonly at: number }>()

/**
 * When a pod on a NoExecute-tainted node must go: now, a later time, or never (Infinity).
 * Memoised per pod object and taint list: every pass and wakeup query meets the same pods of a
 * dead node again (evicted ones stay Terminating there).
 */
const evictionTime = (pod: KubeObject, taints: ReadonlyArray<TaintLike>): number => {
  const cached = evictionTimes.get(pod)
  if (cached !== undefined && cached.taints === taints) return cached.at
  const at = computeEvictionTime(pod, taints)
  if (Object.isFrozen(pod) && Object.isFrozen(taints)) evictionTimes.set(pod, { taints, at })
  return at
}

const computeEvictionTime = (pod: KubeObject, taints: ReadonlyArray<TaintLike>): number => {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute')
  if (noExecute.length === 0) return Infinity
  const tolerations = (pod['spec'] as { tolerations?: ReadonlyArray<TolerationLike> } | undefined)?.tolerations
  const seconds = noExecuteTolerance(tolerations, noExecute)
  if (seconds === undefined) return -Infinity
  if (seconds === Infinity) return Infinity
  const since = Math.max(...noExecute.map((t) => timestampMs(t.timeAdded) ?? -Infinity))
  return since + seconds * 1000
}

const evictionActions = (state: ClusterState, v: NodeView): Action[] => {
  if (!v.noExecute) return []
  return podsOnNode(state.objects, v.name).flatMap((pod): Action[] => {
    if (pod.metadata.deletionTimestamp !== undefined) return []
    if (evictionTime(pod, v.taints) > state.now) return []
    return [
      { type: 'event', by: 'taint-eviction-controller', event: { involvedObject: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, ...(pod.metadata.uid === undefined ? {} : { uid: pod.metadata.uid }) }, type: 'Normal', reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name}` } },
      { type: 'delete', by: 'taint-eviction-controller', ref: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name }, ...(pod.metadata.uid === undefined ? {} : { preconditionUid: pod.metadata.uid }) },
    ]
  })
}

const orphanCache = new WeakMap<object, { readonly nodes: object | undefined; readonly actions: ReadonlyArray<Action> }>()

/**
 * The names of nodes that pods are bound to but that do not exist, as of the last pass: with the
 * Node map unchanged, only the index entries that changed since can join or leave, so a pass
 * with pods coming and going on existing nodes costs those entries, not every node.
 */
let lastOrphans: { readonly index: ClusterState['objects']['podsByNode']; readonly nodes: object | undefined; readonly names: ReadonlySet<string> } | undefined

const orphanNodeNames = (state: ClusterState): ReadonlySet<string> => {
  const index = state.objects.podsByNode
  const nodes = state.objects.kinds.get('Node')
  const last = lastOrphans
  const names = new Set<string>()
  if (last !== undefined && last.nodes === nodes && state.objects.batch === undefined) {
    for (const name of last.names) names.add(name)
    if (last.index !== index)
      for (const change of diffMaps(last.index, index)) {
        if (change.after !== undefined && nodes?.get(change.key) === undefined) names.add(change.key)
        else names.delete(change.key)
      }
  } else for (const name of index.keys()) if (nodes?.get(name) === undefined) names.add(name)
  // Kept only outside a batch: the index is then a persistent value, safe to diff later.
  if (state.objects.batch === undefined) lastOrphans = { index, nodes, names }
  return names
}

/**
 * Deletes for pods bound to nodes that no longer exist, memoised per (pods-by-node index, Node
 * map).
 *
 * @internal
 */
export const orphanedPodActions = (state: ClusterState): ReadonlyArray<Action> => {
  const index = state.objects.podsByNode
  const nodes = state.objects.kinds.get('Node')
  const cached = orphanCache.get(index)
  if (cached !== undefined && cached.nodes === nodes) return cached.actions
  if (orphanNodeNames(state).size === 0) return []
  const actions: Action[] = []
  for (const nodeName of index.keys()) {
    if (nodes?.get(nodeName) !== undefined) continue
    for (const pod of podsOnNode(state.objects, nodeName))
      actions.push({ type: 'delete', by: 'pod-garbage-collector', ref: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name }, gracePeriodSeconds: 0, ...(pod.metadata.uid === undefined ? {} : { preconditionUid: pod.metadata.uid }) })
  }
  // Written only outside a batch: the index is then a persistent value.
  if (state.objects.batch === undefined) orphanCache.set(index, { nodes, actions })
  return actions
}

// ---------------------------------------------------------------------------------------------
// controller
// ---------------------------------------------------------------------------------------------

const reconcile = (state: ClusterState): ReadonlyArray<Action> => {
  const { views, zones } = nodesView(state)
  const claimed = new Map<string, number>()
  const actions: Action[] = []
  for (const v of views) {
    const status = statusActions(state, v)
    // Status first: taints follow the condition on the next pass, as TaintNodesByCondition does.
    if (status.length > 0) actions.push(...status)
    else actions.push(...taintActions(state, v, zones, claimed))
    actions.push(...evictionActions(state, v))
  }
  actions.push(...orphanedPodActions(state))
  return actions
}

const nextWakeup = (state: ClusterState): O.Option<number> => {
  let earliest = Infinity
  const { views, zones } = nodesView(state)
  for (const v of views) {
    if (v.stoppedAt !== undefined && v.ready !== 'Unknown') earliest = Math.min(earliest, v.stoppedAt + NODE_MONITOR_GRACE_MS)
    const key = desiredConditionKey(v)
    if (key !== undefined && !v.taints.some((t) => t.key === key && t.effect === 'NoExecute')) {
      const allowed = noExecuteAllowedAt(state, v, zones)
      if (allowed !== undefined) earliest = Math.min(earliest, allowed)
    }
    if (v.noExecute)
      for (const pod of podsOnNode(state.objects, v.name))
        if (pod.metadata.deletionTimestamp === undefined) earliest = Math.min(earliest, evictionTime(pod, v.taints))
  }
  return earliest > state.now && Number.isFinite(earliest) ? O.some(earliest) : O.none
}

/**
 * The node lifecycle controller (node health, condition taints, NoExecute eviction, pods on
 * deleted nodes).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeLifecycle, createCluster } from 'kubesim'
 * expect(nodeLifecycle.reconcile(createCluster({ nodes: 2 }))).toEqual([])
 * ```
 */
export const nodeLifecycle: Controller = { name: NAME, watches: ['Node', 'Pod'], reconcile, nextWakeup }
