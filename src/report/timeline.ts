/**
 * The timeline of a run: how many pods each workload had (existing, Running, Ready) over
 * virtual time, each node's readiness, the Events, and the final objects. A recorder is fed
 * every intermediate state through the engine's `observe` hook and keeps only changes; it
 * diffs the Pod, Node and Event maps between samples, so a sample costs what changed since the
 * previous one, not the size of the cluster.
 *
 * @module
 */
import type { Map as IMap } from 'immutable'
import { diffMaps } from '../internal/mapDiff.js'
import type { KubeObject } from '../objects/object.js'
import { timestampMs } from '../sim/clock.js'
import { getByUid, listObjects, storedKinds } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Pod counts of one workload at one instant. */
export interface PodCounts {
  /** Pods that exist (including terminating and finished ones). */
  readonly pods: number
  /** Pods in phase Running. */
  readonly running: number
  /** Pods whose Ready condition is True. */
  readonly ready: number
}

/** The counts from `time` on, until the series' next point. */
export interface TimelinePoint extends PodCounts {
  /** Virtual time, ms since the epoch. */
  readonly time: number
}

/** An owner's own controller (a ReplicaSet's Deployment, a Job's CronJob). */
export interface WorkloadParent {
  readonly kind: string
  readonly name: string
}

/** The pods of one workload (their common controller owner), or a namespace's standalone pods. */
export interface WorkloadSeries {
  /**
   * A stable id, also the `data-series` attribute in the HTML report:
   * `Deployment default/web rs web-5d8f7`, `CronJob default/nightly job nightly-28930`,
   * `StatefulSet default/db`, `standalone pods default`.
   */
  readonly id: string
  /** The owner's kind (`ReplicaSet`, `StatefulSet`, `DaemonSet`, `Job`, ...), or `Pod` for standalone pods. */
  readonly kind: string
  readonly namespace: string
  /** The owner's name; empty for standalone pods. */
  readonly name: string
  readonly parent?: WorkloadParent
  /** For people: `web-5d8f7 (Deployment web)`, `StatefulSet db`, `standalone pods`. */
  readonly label: string
  /** One point when the series first appears, then one per change (at most one per instant). */
  readonly points: ReadonlyArray<TimelinePoint>
}

/** A node's state as kubectl's STATUS column shows it; `Deleted` once the Node object is gone. */
export type NodeReadiness = 'Ready' | 'NotReady' | 'Unknown' | 'Deleted'

/** A node's state from `time` on. */
export interface NodePoint {
  readonly time: number
  readonly status: NodeReadiness
  /** `spec.unschedulable` (cordoned). */
  readonly unschedulable: boolean
}

/** One node's readiness over time. */
export interface NodeTimeline {
  readonly name: string
  readonly points: ReadonlyArray<NodePoint>
}

/** An Event as it was recorded (or repeated: `count` then grows). */
export interface TimelineEvent {
  readonly time: number
  /** `Normal` or `Warning`. */
  readonly type: string
  readonly reason: string
  readonly object: { readonly kind: string; readonly namespace?: string; readonly name: string }
  readonly message: string
  readonly count: number
}

/** Everything a report shows about a run. */
export interface Timeline {
  /** Virtual time of the first and last observed state. */
  readonly start: number
  readonly end: number
  /** States observed (including those skipped because nothing had changed). */
  readonly samples: number
  /** Ordered by first appearance, then id. */
  readonly series: ReadonlyArray<WorkloadSeries>
  /** Ordered by name. */
  readonly nodes: ReadonlyArray<NodeTimeline>
  /** In the order they were recorded; the oldest are dropped beyond `maxEvents`. */
  readonly events: ReadonlyArray<TimelineEvent>
  readonly droppedEvents: number
  /** The final state's objects, as `kubesim apply` lists them (no Events, ControllerRevisions, EndpointSlices, Leases or system namespaces). */
  readonly finalObjects: ReadonlyArray<KubeObject>
  /** Objects left out of `finalObjects` beyond `maxFinalObjects`. */
  readonly omittedObjects: number
}

/** Limits that keep a long run's timeline (and its report) small. */
export interface TimelineOptions {
  /** Events kept, the most recent (default 10,000). */
  readonly maxEvents?: number
  /** Final objects kept (default 2,000). */
  readonly maxFinalObjects?: number
}

/** Collects a timeline from observed states. */
export interface TimelineRecorder {
  /** Feed it to the engine's `observe` option (and call it for states changed outside the engine). */
  readonly observe: (state: ClusterState) => void
  /** The timeline so far; its final objects come from the last observed state. */
  readonly timeline: () => Timeline
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

type Rec = Readonly<Record<string, unknown>>
type OwnerRef = { readonly kind: string; readonly name: string; readonly uid: string; readonly controller?: boolean }

const EMPTY: IMap<string, KubeObject> | undefined = undefined
const HIDDEN_KINDS: ReadonlySet<string> = new Set(['Event', 'ControllerRevision', 'EndpointSlice', 'Lease'])
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease'])

const record = (value: unknown): Rec | undefined => (typeof value === 'object' && value !== null ? (value as Rec) : undefined)

const conditionStatus = (object: KubeObject, type: string): string | undefined => {
  const conditions = record(object['status'])?.['conditions']
  if (!Array.isArray(conditions)) return undefined
  for (const c of conditions as ReadonlyArray<unknown>) {
    const r = record(c)
    if (r?.['type'] === type) return typeof r['status'] === 'string' ? r['status'] : undefined
  }
  return undefined
}

const controllerOf = (object: KubeObject): OwnerRef | undefined => object.metadata.ownerReferences?.find((o) => o.controller === true)

/** Which group a pod counts in (its controller owner, or its namespace's standalone pods). */
const groupKey = (pod: KubeObject): string => {
  const owner = controllerOf(pod)
  return owner === undefined ? `Pod\u0000${pod.metadata.namespace ?? ''}\u0000` : `${owner.kind}\u0000${pod.metadata.namespace ?? ''}\u0000${owner.name}`
}

const podCounts = (pod: KubeObject): PodCounts => ({
  pods: 1,
  running: record(pod['status'])?.['phase'] === 'Running' ? 1 : 0,
  ready: conditionStatus(pod, 'Ready') === 'True' ? 1 : 0,
})

const nodePoint = (time: number, node: KubeObject | undefined): NodePoint => {
  if (node === undefined) return { time, status: 'Deleted', unschedulable: false }
  const ready = conditionStatus(node, 'Ready')
  return { time, status: ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown', unschedulable: record(node['spec'])?.['unschedulable'] === true }
}

const seriesId = (kind: string, namespace: string, name: string, parent: WorkloadParent | undefined): string => {
  if (kind === 'Pod') return `standalone pods ${namespace}`
  if (parent === undefined) return `${kind} ${namespace}/${name}`
  const short = kind === 'ReplicaSet' ? 'rs' : kind === 'Job' ? 'job' : kind
  return `${parent.kind} ${namespace}/${parent.name} ${short} ${name}`
}

const seriesLabel = (kind: string, name: string, parent: WorkloadParent | undefined): string => {
  if (kind === 'Pod') return 'standalone pods'
  return parent === undefined ? `${kind} ${name}` : `${name} (${parent.kind} ${parent.name})`
}

/**
 * The final state's objects as `kubesim apply` lists them: every kind but the noisy ones,
 * outside the system namespaces, without the default `kubernetes` Service and namespaces.
 */
const finalObjectsOf = (state: ClusterState): ReadonlyArray<KubeObject> =>
  storedKinds(state.objects)
    .filter((kind) => !HIDDEN_KINDS.has(kind))
    .flatMap((kind) => listObjects(state.objects, kind))
    .filter((o) => {
      const ns = o.metadata.namespace
      if (ns === undefined) return o.kind !== 'Namespace' || (!SYSTEM_NAMESPACES.has(o.metadata.name) && o.metadata.name !== 'default')
      return !SYSTEM_NAMESPACES.has(ns) && !(o.kind === 'Service' && o.metadata.name === 'kubernetes' && ns === 'default')
    })

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

interface Group {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly first: number
  /** The owner's uid, to look up its own controller. */
  ownerUid: string | undefined
  parent: WorkloadParent | undefined
  pods: number
  running: number
  ready: number
  readonly points: TimelinePoint[]
}

/**
 * A recorder of a run's timeline. Pass its `observe` to `settle`, `advance`, `runUntil` or
 * `runScenario`; call `timeline()` at the end. It only reads the states it is given, so the run
 * is the same with or without it. Consecutive states that share their objects are skipped, and
 * a sample diffs the Pod, Node and Event maps against the previous one, costing the changes.
 *
 * @category reports
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, timelineRecorder } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }
 * const applied = applyManifests(createCluster({ nodes: 1 }), [pod])
 * if (E.isLeft(applied)) throw new Error('apply failed')
 * const recorder = timelineRecorder()
 * recorder.observe(applied.right)
 * advance(applied.right, '10s', { observe: recorder.observe })
 * const timeline = recorder.timeline()
 * expect(timeline.series.map((s) => s.id)).toEqual(['standalone pods default'])
 * // Created (not running), then Running and Ready one second later.
 * expect(timeline.series[0]?.points.map((p) => [p.time - timeline.start, p.ready])).toEqual([[0, 0], [1000, 1]])
 * expect(timeline.end - timeline.start).toBe(10_000)
 * ```
 */
export const timelineRecorder = (options: TimelineOptions = {}): TimelineRecorder => {
  const maxEvents = Math.max(0, options.maxEvents ?? 10_000)
  const maxFinalObjects = Math.max(0, options.maxFinalObjects ?? 2_000)
  const groups = new Map<string, Group>()
  const nodes = new Map<string, NodePoint[]>()
  let events: TimelineEvent[] = []
  let droppedEvents = 0
  let samples = 0
  let start: number | undefined
  let last: ClusterState | undefined

  const kindMap = (state: ClusterState | undefined, kind: string): IMap<string, KubeObject> | undefined => state?.objects.kinds.get(kind) ?? EMPTY

  const diff = (before: IMap<string, KubeObject> | undefined, after: IMap<string, KubeObject> | undefined) => {
    if (before === after) return []
    if (before === undefined) return after === undefined ? [] : [...after.entries()].map(([key, value]) => ({ key, before: undefined, after: value }))
    if (after === undefined) return [...before.entries()].map(([key, value]) => ({ key, before: value, after: undefined }))
    return diffMaps(before, after)
  }

  const resolveParent = (state: ClusterState, group: Group): void => {
    if (group.parent !== undefined || group.ownerUid === undefined) return
    const owner = getByUid(state.objects, group.ownerUid)
    if (owner === undefined) return
    const parent = controllerOf(owner)
    if (parent !== undefined) group.parent = { kind: parent.kind, name: parent.name }
  }

  const samplePods = (state: ClusterState): void => {
    const changed = new Set<Group>()
    const adjust = (pod: KubeObject, sign: 1 | -1): void => {
      const key = groupKey(pod)
      let group = groups.get(key)
      if (group === undefined) {
        const owner = controllerOf(pod)
        group = {
          kind: owner?.kind ?? 'Pod',
          namespace: pod.metadata.namespace ?? '',
          name: owner?.name ?? '',
          first: state.now,
          ownerUid: owner?.uid,
          parent: undefined,
          pods: 0,
          running: 0,
          ready: 0,
          points: [],
        }
        groups.set(key, group)
      }
      if (group.parent === undefined) {
        // A pod may name its owner before the recorder has seen who owns that owner.
        group.ownerUid = controllerOf(pod)?.uid ?? group.ownerUid
        resolveParent(state, group)
      }
      const c = podCounts(pod)
      group.pods += sign * c.pods
      group.running += sign * c.running
      group.ready += sign * c.ready
      changed.add(group)
    }
    for (const change of diff(kindMap(last, 'Pod'), kindMap(state, 'Pod'))) {
      if (change.before !== undefined) adjust(change.before, -1)
      if (change.after !== undefined) adjust(change.after, 1)
    }
    for (const group of changed) {
      const point: TimelinePoint = { time: state.now, pods: group.pods, running: group.running, ready: group.ready }
      const points = group.points
      const previous = points.at(-1)
      if (previous !== undefined && previous.pods === point.pods && previous.running === point.running && previous.ready === point.ready) continue
      // One point per instant: the last state at that instant (or none if it went back).
      if (previous !== undefined && previous.time === point.time) {
        points.pop()
        const before = points.at(-1)
        if (before !== undefined && before.pods === point.pods && before.running === point.running && before.ready === point.ready) continue
      }
      points.push(point)
    }
  }

  const sampleNodes = (state: ClusterState): void => {
    for (const change of diff(kindMap(last, 'Node'), kindMap(state, 'Node'))) {
      const point = nodePoint(state.now, change.after)
      const points = nodes.get(change.key) ?? []
      if (!nodes.has(change.key)) nodes.set(change.key, points)
      const previous = points.at(-1)
      if (previous !== undefined && previous.status === point.status && previous.unschedulable === point.unschedulable) continue
      if (previous !== undefined && previous.time === point.time) points.pop()
      const before = points.at(-1)
      if (before !== undefined && before.status === point.status && before.unschedulable === point.unschedulable) continue
      points.push(point)
    }
  }

  const sampleEvents = (state: ClusterState): void => {
    const added: { readonly rv: number; readonly event: TimelineEvent }[] = []
    for (const change of diff(kindMap(last, 'Event'), kindMap(state, 'Event'))) {
      const after = change.after
      if (after === undefined) continue
      const count = typeof after['count'] === 'number' ? after['count'] : 1
      const before = change.before
      if (before !== undefined && (typeof before['count'] === 'number' ? before['count'] : 1) >= count) continue
      // Event timestamps have second precision; the state's clock is exact when it is the same second.
      const stamp = timestampMs(after['lastTimestamp'])
      const time = stamp === undefined || stamp === Math.floor(state.now / 1000) * 1000 ? state.now : stamp
      const involved = record(after['involvedObject']) ?? {}
      const namespace = typeof involved['namespace'] === 'string' && involved['namespace'] !== '' ? involved['namespace'] : undefined
      added.push({
        rv: Number(after.metadata.resourceVersion ?? 0),
        event: {
          time,
          type: typeof after['type'] === 'string' ? after['type'] : '',
          reason: typeof after['reason'] === 'string' ? after['reason'] : '',
          object: {
            kind: typeof involved['kind'] === 'string' ? involved['kind'] : '',
            ...(namespace === undefined ? {} : { namespace }),
            name: typeof involved['name'] === 'string' ? involved['name'] : '',
          },
          message: typeof after['message'] === 'string' ? after['message'] : '',
          count,
        },
      })
    }
    // The map diff has no order; resourceVersions give the order the events were written in.
    added.sort((a, b) => a.rv - b.rv)
    for (const { event } of added) events.push(event)
    if (events.length > maxEvents * 2 || (maxEvents === 0 && events.length > 0)) {
      droppedEvents += events.length - maxEvents
      events = events.slice(events.length - maxEvents)
    }
  }

  const observe = (state: ClusterState): void => {
    samples++
    start ??= state.now
    if (last !== undefined && state.objects === last.objects) {
      last = state
      return
    }
    samplePods(state)
    sampleNodes(state)
    sampleEvents(state)
    last = state
  }

  const timeline = (): Timeline => {
    const series = [...groups.values()]
      .filter((g) => g.points.length > 0)
      .map((g): WorkloadSeries & { readonly first: number } => ({
        id: seriesId(g.kind, g.namespace, g.name, g.parent),
        kind: g.kind,
        namespace: g.namespace,
        name: g.name,
        ...(g.parent === undefined ? {} : { parent: g.parent }),
        label: seriesLabel(g.kind, g.name, g.parent),
        points: [...g.points],
        first: g.first,
      }))
      .sort((a, b) => a.first - b.first || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ first: _first, ...s }) => s)
    const kept = events.length > maxEvents ? events.slice(events.length - maxEvents) : events
    const all = last === undefined ? [] : finalObjectsOf(last)
    return {
      start: start ?? 0,
      end: last?.now ?? start ?? 0,
      samples,
      series,
      nodes: [...nodes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, points]) => ({ name, points: [...points] })),
      events: kept,
      droppedEvents: droppedEvents + (events.length - kept.length),
      finalObjects: all.slice(0, maxFinalObjects),
      omittedObjects: Math.max(0, all.length - maxFinalObjects),
    }
  }

  return { observe, timeline }
}
