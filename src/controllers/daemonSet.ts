/**
 * The DaemonSet controller: one pod per eligible node. A node is eligible when the template's
 * nodeName (if any), nodeSelector and required node affinity match it and every NoSchedule and
 * NoExecute taint is tolerated, counting the tolerations Kubernetes gives daemon pods
 * (`NodeShouldRunDaemonPod`). Pods are not bound by the controller: each gets required node
 * affinity `matchFields metadata.name In [<node>]` and the scheduler binds it, as upstream
 * since v1.12. A node that stops being eligible loses its pod (a new NoSchedule taint keeps a
 * running pod; an untolerated NoExecute taint removes it).
 *
 * Updates follow `updateStrategy`: RollingUpdate replaces old pods node by node within
 * maxUnavailable (or creates the new pod first, within maxSurge), both resolved against
 * desiredNumberScheduled and rounded up; OnDelete replaces a pod only when it is deleted.
 * Revisions are ControllerRevisions `<ds>-<hash>`; pods carry `controller-revision-hash: <hash>`
 * and `pod-template-generation`.
 *
 * After creating or deleting pods a set keeps expectations (`./expectations.ts`, in the
 * controller's memory): until it has observed those pods, or five minutes pass, it only writes
 * status, so a stale view of its own writes never puts a second pod on a node.
 *
 * Cost per pass: the nodes times the DaemonSets whose pods, nodes, revisions or own object changed
 * or whose timed work is due, plus each such set's own pods (owner index); a quiet DaemonSet is
 * skipped.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Map as IMap } from 'immutable'
import { deepEqual } from '../internal/deepEqual.js'
import type { DaemonSet, DaemonSetStatus } from '../objects/daemonSet.js'
import type { IntOrString } from '../objects/intOrString.js'
import { resolveIntOrPercent } from '../objects/intOrString.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { PodSpec, PodTemplateSpec } from '../objects/pod.js'
import { fromLabelSelector, matchesSelector, type Selector } from '../objects/selector.js'
import { nodeSelectorMatches, nodeSelectorTermsMatch, type NodeSelectorTermLike } from '../scheduling/nodeAffinity.js'
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  type TaintLike,
  type TolerationLike,
  toleratesTaint,
} from '../scheduling/taints.js'
import { forkRng, type Rng } from '../sim/rng.js'
import { nextGeneratedName } from '../store/identity.js'
import { dependentsOf, getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { type Action, type Controller, plannedController, type Plan } from './controller.js'
import { type Expectation, expectationsOf, expectWrites, expiryOf, isSatisfied, observe, rememberExpectations } from './expectations.js'
import { ownerTouched, podChangesSince } from './podChanges.js'
import { checkQuietSkip, verifyingQuiescence } from '../sim/quiescence.js'
import {
  claimRevisions,
  CONTROLLER_REVISION_HASH_LABEL,
  controllerRevisionName,
  equalRevisions,
  hashControllerRevision,
  newRevision,
  nextRevisionNumber,
  type StoredRevision,
  templatePatch,
  truncateHistory,
} from './controllerRevision.js'
import {
  controllerRef,
  isFinished,
  isPodAvailable,
  isPodReady,
  isTerminating,
  newControllerRef,
  nextAvailability,
  podNodeName,
  podPhase,
} from './podReadiness.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'daemonset-controller'

/**
 * The legacy label with the DaemonSet's template generation, still set on daemon pods.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { POD_TEMPLATE_GENERATION_LABEL } from 'kubesim'
 * expect(POD_TEMPLATE_GENERATION_LABEL).toBe('pod-template-generation')
 * ```
 */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation'

type StoredDaemonSet = DaemonSet & KubeObject

/** Whether a node should run the daemon pod, and whether a pod already there may stay. */
export interface NodeVerdict {
  readonly shouldRun: boolean
  readonly shouldContinueRunning: boolean
}

interface NodeView {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly taints: ReadonlyArray<TaintLike>
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const nodeView = (node: KubeObject): NodeView => ({
  name: node.metadata.name,
  labels: node.metadata.labels ?? {},
  taints: ((node['spec'] as { readonly taints?: ReadonlyArray<TaintLike> } | undefined)?.taints ?? []),
})

const requiredTerms = (spec: PodSpec | undefined): ReadonlyArray<NodeSelectorTermLike> | undefined => {
  const affinity = spec?.affinity as
    | { readonly nodeAffinity?: { readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms?: ReadonlyArray<NodeSelectorTermLike> } } }
    | undefined
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
}

const sameToleration = (a: TolerationLike, b: TolerationLike): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '')

/**
 * A pod spec's tolerations with the ones every daemon pod gets added or replaced, as
 * `AddOrUpdateDaemonPodTolerations`: not-ready and unreachable NoExecute (forever), disk-,
 * memory- and pid-pressure and unschedulable NoSchedule, and network-unavailable NoSchedule
 * for hostNetwork pods. A toleration with the same key, operator, value and effect is replaced.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { daemonPodTolerations } from 'kubesim'
 * const tolerations = daemonPodTolerations({ containers: [], hostNetwork: true })
 * expect(tolerations.map((t) => `${t.key}:${t.effect}`)).toEqual([
 *   'node.kubernetes.io/not-ready:NoExecute',
 *   'node.kubernetes.io/unreachable:NoExecute',
 *   'node.kubernetes.io/disk-pressure:NoSchedule',
 *   'node.kubernetes.io/memory-pressure:NoSchedule',
 *   'node.kubernetes.io/pid-pressure:NoSchedule',
 *   'node.kubernetes.io/unschedulable:NoSchedule',
 *   'node.kubernetes.io/network-unavailable:NoSchedule',
 * ])
 * expect(tolerations.every((t) => t.operator === 'Exists' && t.tolerationSeconds === undefined)).toBe(true)
 * ```
 */
export const daemonPodTolerations = (spec: PodSpec | undefined): ReadonlyArray<TolerationLike> => {
  const wanted: TolerationLike[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ]
  if (spec?.hostNetwork === true) wanted.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' })
  let tolerations: TolerationLike[] = [...((spec?.tolerations as ReadonlyArray<TolerationLike> | undefined) ?? [])]
  for (const t of wanted) {
    if (tolerations.some((x) => sameToleration(x, t))) tolerations = tolerations.map((x) => (sameToleration(x, t) ? t : x))
    else tolerations.push(t)
  }
  return tolerations
}

/**
 * `NodeShouldRunDaemonPod`: whether a node should run a DaemonSet's pod, and whether a pod
 * already there may keep running. nodeName, nodeSelector or required affinity mismatch gives
 * (false, false); an untolerated NoSchedule or NoExecute taint gives shouldRun false, and
 * shouldContinueRunning stays true unless the untolerated taint is NoExecute.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeShouldRunDaemonPod } from 'kubesim'
 * const template = { spec: { containers: [{ name: 'agent', image: 'agent' }], nodeSelector: { role: 'edge' } } }
 * const node = (labels: Record<string, string>, taints: unknown[] = []) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels }, spec: { taints } })
 * expect(nodeShouldRunDaemonPod(template, node({ role: 'edge' }))).toEqual({ shouldRun: true, shouldContinueRunning: true })
 * expect(nodeShouldRunDaemonPod(template, node({}))).toEqual({ shouldRun: false, shouldContinueRunning: false })
 * expect(nodeShouldRunDaemonPod(template, node({ role: 'edge' }, [{ key: 'gpu', effect: 'NoSchedule' }]))).toEqual({ shouldRun: false, shouldContinueRunning: true })
 * expect(nodeShouldRunDaemonPod(template, node({ role: 'edge' }, [{ key: 'gpu', effect: 'NoExecute' }]))).toEqual({ shouldRun: false, shouldContinueRunning: false })
 * ```
 */
export const nodeShouldRunDaemonPod = (template: PodTemplateSpec, node: KubeObject): NodeVerdict =>
  verdictFor(template.spec, daemonPodTolerations(template.spec), nodeView(node))

const NO: NodeVerdict = { shouldRun: false, shouldContinueRunning: false }
const YES: NodeVerdict = { shouldRun: true, shouldContinueRunning: true }
const STAY: NodeVerdict = { shouldRun: false, shouldContinueRunning: true }

const verdictFor = (spec: PodSpec | undefined, tolerations: ReadonlyArray<TolerationLike>, node: NodeView): NodeVerdict => {
  const nodeName = spec?.nodeName ?? ''
  if (nodeName !== '' && nodeName !== node.name) return NO
  if (!nodeSelectorMatches(spec?.nodeSelector, node.labels)) return NO
  const terms = requiredTerms(spec)
  if (terms !== undefined && !nodeSelectorTermsMatch(terms, node)) return NO
  let fits = true
  for (const taint of node.taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue
    if (tolerations.some((t) => toleratesTaint(t, taint))) continue
    if (taint.effect === 'NoExecute') return NO
    fits = false
  }
  return fits ? YES : STAY
}

/**
 * The node a daemon pod is for: its nodeName, or, while unscheduled, the node its required
 * `matchFields metadata.name` term names (`util.GetTargetNodeName`).
 */
const targetNodeName = (pod: KubeObject): string | undefined => {
  const bound = podNodeName(pod)
  if (bound !== '') return bound
  for (const term of requiredTerms(pod['spec'] as PodSpec | undefined) ?? [])
    for (const field of term.matchFields ?? [])
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0]
  return undefined
}

/** Scheduled pods first, then oldest, then by name (`podByCreationTimestampAndPhase`). */
const byAgeScheduledFirst = (a: KubeObject, b: KubeObject): number => {
  const sa = podNodeName(a) !== ''
  const sb = podNodeName(b) !== ''
  if (sa !== sb) return sa ? -1 : 1
  const ta = a.metadata.creationTimestamp ?? ''
  const tb = b.metadata.creationTimestamp ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
}

const refOfObject = (o: KubeObject): ObjectRef => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** The set's pods: controlled ones still matching, plus matching orphans (adopted). */
const claimPods = (state: ClusterState, ds: StoredDaemonSet, selector: Selector): { pods: KubeObject[]; actions: Action[] } => {
  const uid = ds.metadata.uid ?? ''
  const pods: KubeObject[] = []
  const actions: Action[] = []
  for (const dep of dependentsOf(state.objects, uid)) {
    if (dep.kind !== 'Pod' || controllerRef(dep)?.uid !== uid) continue
    if (matchesSelector(selector, dep.metadata.labels)) pods.push(dep)
    else {
      const kept = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
      const { ownerReferences: _drop, ...metadata } = dep.metadata
      actions.push({ type: 'update', by: NAME, object: { ...dep, metadata: kept.length === 0 ? metadata : { ...metadata, ownerReferences: kept } } })
    }
  }
  for (const orphan of listObjects(state.objects, 'Pod', { namespace: ds.metadata.namespace ?? 'default', selector })) {
    if (controllerRef(orphan) !== undefined || isTerminating(orphan)) continue
    const adopted = { ...orphan, metadata: { ...orphan.metadata, ownerReferences: [...(orphan.metadata.ownerReferences ?? []), newControllerRef(ds)] } }
    actions.push({ type: 'update', by: NAME, object: adopted })
    pods.push(adopted)
  }
  return { pods, actions }
}

/** The pod the controller creates for a node. */
const podForNode = (ds: StoredDaemonSet, template: PodTemplateSpec, node: string, name: string, hash: string, generation: number): KubeObject => {
  const spec = (template.spec ?? { containers: [] }) as PodSpec
  const affinity = (spec.affinity ?? {}) as Record<string, unknown>
  const nodeAffinity = (affinity['nodeAffinity'] ?? {}) as Record<string, unknown>
  // ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become exactly this one.
  const pinned = {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
    },
  }
  const annotations = template.metadata?.annotations
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ds.metadata.namespace ?? 'default',
      labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash, [POD_TEMPLATE_GENERATION_LABEL]: String(generation) },
      ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
      ownerReferences: [newControllerRef(ds)],
    },
    spec: { ...spec, tolerations: daemonPodTolerations(spec).map((t) => ({ ...t })), affinity: pinned },
  }
}

interface History {
  readonly hash: string
  readonly generation: number
  readonly current: StoredRevision | undefined
  readonly old: ReadonlyArray<StoredRevision>
  readonly actions: ReadonlyArray<Action>
  /** A name collision: status.collisionCount must grow before anything else happens. */
  readonly collision: boolean
}

/** `constructHistory`: the revision matching the template (created or renumbered), and the old ones. */
const constructHistory = (state: ClusterState, ds: StoredDaemonSet, selector: Selector): History => {
  const claimed = claimRevisions(state, ds, selector, NAME)
  const actions: Action[] = [...claimed.actions]
  const data = templatePatch(ds.spec.template)
  const matching = equalRevisions(claimed.revisions, data)
  const current = matching.at(-1)
  const old = claimed.revisions.filter((r) => r !== current)
  const next = nextRevisionNumber(old)
  if (current !== undefined) {
    const hash = current.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? current.metadata.name
    let generation = current.revision
    // A template seen before becomes the newest revision again (a rollback).
    if (current.revision < next) {
      actions.push({ type: 'update', by: NAME, object: { ...current, revision: next } })
      generation = next
    }
    // dedupCurHistories: duplicates of the current template are dropped.
    for (const dup of matching.slice(0, -1)) actions.push({ type: 'delete', by: NAME, ref: refOfObject(dup) })
    return { hash, generation, current, old: old.filter((r) => !matching.includes(r)), actions, collision: false }
  }
  const collisionCount = ds.status?.collisionCount
  const hash = hashControllerRevision(ds.spec.template, collisionCount)
  const name = controllerRevisionName(ds.metadata.name, hash)
  const taken = getObject(state.objects, { kind: 'ControllerRevision', namespace: ds.metadata.namespace ?? 'default', name })
  if (taken !== undefined) return { hash, generation: next, current: undefined, old, actions, collision: true }
  const revision = newRevision(ds, name, data, next, { ...(ds.spec.template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash }, ds.metadata.annotations)
  actions.push({ type: 'create', by: NAME, object: revision })
  return { hash, generation: next, current: revision, old, actions, collision: false }
}

/** Resolves maxSurge and maxUnavailable against the desired count, both rounded up. */
const budgets = (ds: StoredDaemonSet, desired: number): { readonly maxSurge: number; readonly maxUnavailable: number } => {
  const rolling = ds.spec.updateStrategy?.rollingUpdate
  const resolve = (value: IntOrString | undefined): number =>
    value === undefined ? 0 : E.getOrElse(() => 0)(resolveIntOrPercent(value, desired, true))
  const maxSurge = resolve(rolling?.maxSurge)
  let maxUnavailable = resolve(rolling?.maxUnavailable)
  // An impossible configuration falls back to one unavailable pod, as upstream does.
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1
  return { maxSurge, maxUnavailable }
}

const allowsSurge = (ds: StoredDaemonSet): boolean => {
  const rolling = ds.spec.updateStrategy?.rollingUpdate
  if (ds.spec.updateStrategy?.type !== 'RollingUpdate' || rolling?.maxSurge === undefined) return false
  return E.getOrElse(() => 0)(resolveIntOrPercent(rolling.maxSurge, 1, true)) > 0
}

/** The old and new pod on a node, or undefined when there are several of either (`findUpdatedPodsOnNode`). */
const updatedPodsOnNode = (pods: ReadonlyArray<KubeObject>, hash: string): { readonly newPod?: KubeObject; readonly oldPod?: KubeObject } | undefined => {
  let newPod: KubeObject | undefined
  let oldPod: KubeObject | undefined
  for (const pod of pods) {
    if (isTerminating(pod)) continue
    if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) {
      if (newPod !== undefined) return undefined
      newPod = pod
    } else {
      if (oldPod !== undefined) return undefined
      oldPod = pod
    }
  }
  return { ...(newPod === undefined ? {} : { newPod }), ...(oldPod === undefined ? {} : { oldPod }) }
}

interface Sync {
  readonly deletes: ReadonlyArray<KubeObject>
  readonly createOn: ReadonlyArray<string>
}

/** `manage`: create on eligible nodes without a pod, delete from ineligible ones, prune extras. */
const manage = (
  ds: StoredDaemonSet,
  nodes: ReadonlyArray<NodeView>,
  verdicts: ReadonlyMap<string, NodeVerdict>,
  byNode: ReadonlyMap<string, KubeObject[]>,
  hash: string,
  minReady: number,
  now: number,
): Sync & { readonly failed: ReadonlyArray<readonly [KubeObject, string]> } => {
  const deletes: KubeObject[] = []
  const createOn: string[] = []
  const failed: Array<readonly [KubeObject, string]> = []
  const surge = allowsSurge(ds)
  for (const node of nodes) {
    const { shouldRun, shouldContinueRunning } = verdicts.get(node.name) ?? NO
    const pods = byNode.get(node.name)
    if (shouldRun && pods === undefined) {
      createOn.push(node.name)
      continue
    }
    if (pods === undefined) continue
    if (!shouldContinueRunning) {
      for (const pod of pods) if (!isTerminating(pod)) deletes.push(pod)
      continue
    }
    const running: KubeObject[] = []
    for (const pod of pods) {
      if (isTerminating(pod)) continue
      if (isFinished(pod)) {
        // Finished daemon pods are deleted and replaced on the next pass.
        deletes.push(pod)
        if (podPhase(pod) === 'Failed') failed.push([pod, node.name])
      } else running.push(pod)
    }
    running.sort(byAgeScheduledFirst)
    if (!surge) {
      for (const extra of running.slice(1)) deletes.push(extra)
      continue
    }
    if (running.length === 0) {
      if (shouldRun) createOn.push(node.name)
      continue
    }
    // With surge two pods may share a node: the oldest new one and the oldest old one.
    let oldestNew: KubeObject | undefined
    let oldestOld: KubeObject | undefined
    for (const pod of running) {
      if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) {
        if (oldestNew === undefined) {
          oldestNew = pod
          continue
        }
      } else if (oldestOld === undefined) {
        oldestOld = pod
        continue
      }
      deletes.push(pod)
    }
    if (oldestNew !== undefined && oldestOld !== undefined && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) deletes.push(oldestOld)
  }
  // Unscheduled pods aimed at nodes that no longer exist can never be placed.
  const known = new Set(nodes.map((n) => n.name))
  for (const [name, pods] of byNode)
    if (!known.has(name)) for (const pod of pods) if (podNodeName(pod) === '' && !isTerminating(pod)) deletes.push(pod)
  return { deletes, createOn, failed }
}

/** `rollingUpdate`: which old pods go, and (with surge) which nodes get a new pod first. */
const rollingUpdate = (
  ds: StoredDaemonSet,
  nodes: ReadonlyArray<NodeView>,
  verdicts: ReadonlyMap<string, NodeVerdict>,
  byNode: ReadonlyMap<string, KubeObject[]>,
  hash: string,
  minReady: number,
  now: number,
): Sync => {
  // Nodes that should run the pod but have none count as entries without pods.
  const entries = new Map<string, ReadonlyArray<KubeObject>>()
  let desired = 0
  for (const node of nodes) if (verdicts.get(node.name)?.shouldRun === true) desired++
  for (const node of nodes) {
    const pods = byNode.get(node.name)
    if (pods !== undefined) entries.set(node.name, pods)
    else if (verdicts.get(node.name)?.shouldRun === true) entries.set(node.name, [])
  }
  for (const [name, pods] of byNode) if (!entries.has(name)) entries.set(name, pods)
  const names = [...entries.keys()].sort()
  const { maxSurge, maxUnavailable } = budgets(ds, desired)
  const available = (pod: KubeObject): boolean => isPodAvailable(pod, minReady, now)

  if (maxSurge === 0) {
    let numUnavailable = 0
    const allowed: KubeObject[] = []
    const candidates: KubeObject[] = []
    for (const name of names) {
      const found = updatedPodsOnNode(entries.get(name) ?? [], hash)
      if (found === undefined) {
        numUnavailable++
        continue
      }
      const { newPod, oldPod } = found
      if ((oldPod === undefined && newPod === undefined) || (oldPod !== undefined && newPod !== undefined)) numUnavailable++
      else if (newPod !== undefined) {
        if (!available(newPod)) numUnavailable++
      } else if (oldPod !== undefined) {
        if (!available(oldPod)) {
          allowed.push(oldPod)
          numUnavailable++
        } else if (numUnavailable < maxUnavailable) candidates.push(oldPod)
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length)
    return { deletes: [...allowed, ...candidates.slice(0, remaining)], createOn: [] }
  }

  const deletes: KubeObject[] = []
  const shouldNotRun: KubeObject[] = []
  const candidateNodes: string[] = []
  const allowedNodes: string[] = []
  let numSurge = 0
  let numAvailable = 0
  for (const name of names) {
    const found = updatedPodsOnNode(entries.get(name) ?? [], hash)
    if (found === undefined) {
      numSurge++
      continue
    }
    const { newPod, oldPod } = found
    if (oldPod !== undefined) {
      if (available(oldPod)) numAvailable++
    } else if (newPod !== undefined && available(newPod)) numAvailable++
    if (oldPod === undefined) continue
    const shouldRun = verdicts.get(name)?.shouldRun === true
    if (newPod === undefined) {
      if (!available(oldPod)) {
        if (!shouldRun) deletes.push(oldPod)
        else allowedNodes.push(name)
      } else if (!shouldRun) shouldNotRun.push(oldPod)
      else if (numSurge < maxSurge) candidateNodes.push(name)
      continue
    }
    if (!available(newPod)) {
      numSurge++
      continue
    }
    deletes.push(oldPod)
  }
  // With surge the owner expects full availability: pods on nodes that no longer qualify go only
  // once enough pods elsewhere are available.
  const deletable = Math.min(numAvailable - desired, shouldNotRun.length)
  for (const pod of shouldNotRun.slice(0, Math.max(0, deletable))) deletes.push(pod)
  const remainingSurge = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length)
  return { deletes, createOn: [...allowedNodes, ...candidateNodes.slice(0, remainingSurge)] }
}

const event = (ds: StoredDaemonSet, type: 'Normal' | 'Warning', reason: string, message: string): Action => ({
  type: 'event',
  by: NAME,
  event: {
    involvedObject: { kind: 'DaemonSet', namespace: ds.metadata.namespace, name: ds.metadata.name, ...(ds.metadata.uid === undefined ? {} : { uid: ds.metadata.uid }), apiVersion: 'apps/v1' },
    type,
    reason,
    message,
  },
})

const setCount = (status: Record<string, unknown>, key: string, value: number): void => {
  if (value !== 0) status[key] = value
}

/** `updateDaemonSetStatus`, from the pods this pass observed. */
const calculateStatus = (
  ds: StoredDaemonSet,
  nodes: ReadonlyArray<NodeView>,
  verdicts: ReadonlyMap<string, NodeVerdict>,
  byNode: ReadonlyMap<string, KubeObject[]>,
  hash: string,
  now: number,
  observedGeneration: boolean,
): DaemonSetStatus => {
  const minReady = ds.spec.minReadySeconds ?? 0
  let desired = 0
  let current = 0
  let misscheduled = 0
  let ready = 0
  let available = 0
  let updated = 0
  for (const node of nodes) {
    const pods = byNode.get(node.name) ?? []
    if (verdicts.get(node.name)?.shouldRun === true) {
      desired++
      if (pods.length === 0) continue
      current++
      const pod = [...pods].sort(byAgeScheduledFirst)[0] as KubeObject
      if (isPodReady(pod)) {
        ready++
        if (isPodAvailable(pod, minReady, now)) available++
      }
      if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) updated++
    } else if (pods.length > 0) misscheduled++
  }
  // Zero counts are omitted, as the API server's JSON omits them (omitempty).
  const status: Record<string, unknown> = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
  }
  // Without satisfied expectations the controller did not act on this generation, so it does not claim to have observed it.
  const generation = observedGeneration ? ds.metadata.generation : ds.status?.observedGeneration
  if (generation !== undefined) status['observedGeneration'] = generation
  setCount(status, 'updatedNumberScheduled', updated)
  setCount(status, 'numberAvailable', available)
  setCount(status, 'numberUnavailable', desired - available)
  if (ds.status?.collisionCount !== undefined) status['collisionCount'] = ds.status.collisionCount
  if (ds.status?.conditions !== undefined) status['conditions'] = ds.status.conditions
  return status as DaemonSetStatus
}

interface SetPlan {
  readonly actions: Action[]
  readonly rng: Rng
  readonly next: number | undefined
  /** The expectations this pass's pod creates and deletes set, if it made any. */
  readonly expect?: Expectation
}

/**
 * `syncDaemonSet` for one set. With expectations not yet satisfied (`satisfied` false) it only
 * claims pods, keeps the history and writes the status, as upstream does, so pods it created a
 * moment ago but does not see yet are not created twice.
 */
const syncDaemonSet = (state: ClusterState, ds: StoredDaemonSet, nodes: ReadonlyArray<NodeView>, rng: Rng, taken: Set<string>, satisfied: boolean): SetPlan => {
  const actions: Action[] = []
  if (ds.spec.selector === undefined || ds.metadata.deletionTimestamp !== undefined) return { actions, rng, next: undefined }
  const selector = fromLabelSelector(ds.spec.selector)
  const claim = claimPods(state, ds, selector)
  actions.push(...claim.actions)
  const history = constructHistory(state, ds, selector)
  actions.push(...history.actions)
  if (history.collision) {
    const status = { ...(ds.status ?? {}), collisionCount: (ds.status?.collisionCount ?? 0) + 1 }
    actions.push({ type: 'updateStatus', by: NAME, object: { ...ds, status } })
    return { actions, rng, next: undefined }
  }
  const { hash, generation } = history
  const template = ds.spec.template
  const tolerations = daemonPodTolerations(template.spec)
  const verdicts = new Map<string, NodeVerdict>()
  for (const node of nodes) verdicts.set(node.name, verdictFor(template.spec, tolerations, node))
  const byNode = new Map<string, KubeObject[]>()
  for (const pod of claim.pods) {
    if (isFinished(pod) && isTerminating(pod)) continue
    const node = targetNodeName(pod)
    if (node === undefined) continue
    const list = byNode.get(node)
    if (list === undefined) byNode.set(node, [pod])
    else list.push(pod)
  }
  const minReady = ds.spec.minReadySeconds ?? 0
  if (!satisfied) {
    const status = calculateStatus(ds, nodes, verdicts, byNode, hash, state.now, false)
    if (!deepEqual(status, ds.status ?? {})) actions.push({ type: 'updateStatus', by: NAME, object: { ...ds, status } })
    const next = minReady > 0 && (status.numberReady ?? 0) !== (status.numberAvailable ?? 0) ? nextAvailability(claim.pods, minReady, state.now) : undefined
    return { actions, rng, next }
  }
  const managed = manage(ds, nodes, verdicts, byNode, hash, minReady, state.now)
  let sync: Sync = managed
  // The rolling update runs only once the manage loop's expectations are satisfied, i.e. when
  // this pass created and deleted nothing.
  if (managed.deletes.length === 0 && managed.createOn.length === 0 && ds.spec.updateStrategy?.type === 'RollingUpdate')
    sync = rollingUpdate(ds, nodes, verdicts, byNode, hash, minReady, state.now)
  for (const [pod, node] of managed.failed)
    actions.push(event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name} on node ${node}, will try to kill it`))
  let r = rng
  const namespace = ds.metadata.namespace ?? 'default'
  const podWrites: Action[] = []
  for (const node of sync.createOn) {
    let name = ''
    for (let attempt = 0; attempt < 8; attempt++) {
      const [candidate, next] = nextGeneratedName(r, `${ds.metadata.name}-`)
      r = next
      name = candidate
      if (!taken.has(`${namespace}/${name}`) && getObject(state.objects, { kind: 'Pod', namespace, name }) === undefined) break
    }
    taken.add(`${namespace}/${name}`)
    const create: Action = { type: 'create', by: NAME, object: podForNode(ds, template, node, name, hash, generation) }
    podWrites.push(create)
    actions.push(create)
    actions.push(event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`))
  }
  const deleted = new Set<string>()
  for (const pod of sync.deletes) {
    if (deleted.has(pod.metadata.name)) continue
    deleted.add(pod.metadata.name)
    const del: Action = { type: 'delete', by: NAME, ref: refOfObject(pod), ...(pod.metadata.uid === undefined ? {} : { preconditionUid: pod.metadata.uid }) }
    podWrites.push(del)
    actions.push(del)
    actions.push(event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`))
  }
  // History: keep revisionHistoryLimit old revisions, never one a pod still carries.
  const liveHashes = new Set(claim.pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).filter((h) => h !== undefined))
  actions.push(
    ...truncateHistory(history.old, (r) => liveHashes.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? r.metadata.name), ds.spec.revisionHistoryLimit ?? 10, true, NAME),
  )
  const status = calculateStatus(ds, nodes, verdicts, byNode, hash, state.now, true)
  if (!deepEqual(status, ds.status ?? {})) actions.push({ type: 'updateStatus', by: NAME, object: { ...ds, status } })
  const ready = status.numberReady ?? 0
  const next = minReady > 0 && ready !== (status.numberAvailable ?? 0) ? nextAvailability(claim.pods, minReady, state.now) : undefined
  const expect = expectWrites(podWrites, namespace, state.now)
  return { actions, rng: r, next, ...(expect === undefined ? {} : { expect }) }
}

/** A DaemonSet a pass found nothing to do for: the object it saw, when, and its next timed work. */
interface QuietDaemonSet {
  readonly ds: KubeObject
  readonly at: number
  readonly next: number | undefined
}

/**
 * The previous pass: the Pod, Node and ControllerRevision maps it saw and its quiet DaemonSets by
 * uid. A DaemonSet's sync reads its own pods (owned, or orphans its selector matches), the
 * nodes, its revisions and the clock; while none of those changed, a quiet one stays quiet, as a
 * DaemonSet no informer event enqueued is not synced. A cache of a pure function: the next pass
 * diffs against these maps, whatever state it is given.
 */
let previousPass:
  | {
      readonly pods: IMap<string, KubeObject> | undefined
      readonly nodes: IMap<string, KubeObject> | undefined
      readonly revisions: IMap<string, KubeObject> | undefined
      readonly quiet: ReadonlyMap<string, QuietDaemonSet>
    }
  | undefined

const planCluster = (state: ClusterState): Plan => {
  const actions: Action[] = []
  let next: number | undefined
  const wakeAt = (t: number | undefined): void => {
    if (t !== undefined && (next === undefined || t < next)) next = t
  }
  const sets = listObjects(state.objects, 'DaemonSet')
  const memory = expectationsOf(state, NAME)
  const expectations: Record<string, Expectation> = {}
  const pods = state.objects.kinds.get('Pod')
  const nodeMap = state.objects.kinds.get('Node')
  const revisions = state.objects.kinds.get('ControllerRevision')
  const quiet = new Map<string, QuietDaemonSet>()
  if (sets.length > 0) {
    const last = previousPass
    const changes = last !== undefined && last.nodes === nodeMap && last.revisions === revisions ? podChangesSince(last.pods, pods) : undefined
    const nodes = listObjects(state.objects, 'Node').map(nodeView)
    let rng = forkRng(state.rng, NAME)
    const taken = new Set<string>()
    for (const object of sets) {
      const uid = object.metadata.uid ?? ''
      const known = last?.quiet.get(uid)
      if (
        known !== undefined &&
        changes !== undefined &&
        known.ds === object &&
        memory[uid] === undefined &&
        !ownerTouched(changes, object) &&
        state.now >= known.at &&
        (known.next === undefined || state.now < known.next)
      ) {
        if (verifyingQuiescence()) checkQuietSkip(`DaemonSet ${object.metadata.namespace}/${object.metadata.name}`, syncDaemonSet(state, object as StoredDaemonSet, nodes, rng, new Set(), true).actions)
        quiet.set(uid, known)
        wakeAt(known.next)
        continue
      }
      const observed = observe(memory[uid], state)
      const satisfied = isSatisfied(observed, state.now)
      const result = syncDaemonSet(state, object as StoredDaemonSet, nodes, rng, taken, satisfied)
      // Nothing written, nothing expected, no name drawn: the same sync would plan nothing again.
      if (result.actions.length === 0 && result.expect === undefined && observed === undefined && result.rng === rng) quiet.set(uid, { ds: object, at: state.now, next: result.next })
      rng = result.rng
      actions.push(...result.actions)
      wakeAt(result.next)
      // New writes replace the expectations (SetExpectations); expired ones are dropped.
      const kept = result.expect ?? (satisfied ? undefined : observed)
      if (kept !== undefined) {
        expectations[uid] = kept
        wakeAt(expiryOf(kept, state.now))
      }
    }
  }
  previousPass = { pods, nodes: nodeMap, revisions, quiet }
  actions.push(...rememberExpectations(NAME, memory, expectations))
  const plan: Plan = { actions, next }
  return plan
}

/**
 * The DaemonSet controller: one pod per eligible node, placed through required node affinity
 * and bound by the scheduler; RollingUpdate (maxUnavailable or maxSurge, rounded up) and
 * OnDelete updates; ControllerRevisions and history cleanup; status counts; expectations of its
 * own pod writes (upstream `ControllerExpectations`). `nextWakeup` is the moment a ready pod
 * outlasts minReadySeconds, or pending expectations expire.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, createCluster, list, settle } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const ds = {
 *   apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' },
 *   spec: { selector: { matchLabels: { app: 'agent' } },
 *     template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } } },
 * }
 * const s = E.chain(settle)(applyManifests(createCluster({ nodes: 3, seed: 1 }), [ds]))
 * const pods = E.isRight(s) ? list(s.right, 'Pod', { namespace: 'default' }) : []
 * expect(pods.map((p) => (p['spec'] as { nodeName: string }).nodeName).sort()).toEqual(['node-1', 'node-2', 'node-3'])
 * ```
 */
export const daemonSetController: Controller = plannedController(NAME, planCluster, ['DaemonSet', 'Pod', 'Node', 'ControllerRevision'])
