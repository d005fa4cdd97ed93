/**
 * The Deployment controller: owns one ReplicaSet per template revision (`<deployment>-<hash>`)
 * and moves replicas from old to new ones, all at once (Recreate) or within the maxSurge /
 * maxUnavailable budgets (RollingUpdate), following upstream's sync loop: paused deployments and
 * scaling events only scale (proportionally while a rollout is in flight), a new template rolls
 * over, finished rollouts clean up history beyond revisionHistoryLimit, and the status reports
 * counts and the Progressing (with progressDeadlineSeconds) and Available conditions.
 *
 * One pass plans every write for a Deployment against a working copy of its ReplicaSets, then
 * emits at most one write per object: a ReplicaSet scaled and re-annotated in the same pass gets
 * one update, as the API would see two consecutive updates of one object.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { Map as IMap } from 'immutable'
import { deepEqual } from '../internal/deepEqual.js'
import type { Deployment, DeploymentCondition, DeploymentStatus } from '../objects/deployment.js'
import { resolveIntOrPercent, type IntOrString } from '../objects/intOrString.js'
import type { OwnerReference } from '../objects/meta.js'
import type { KubeObject } from '../objects/object.js'
import type { PodTemplateSpec } from '../objects/pod.js'
import type { ReplicaSet } from '../objects/replicaSet.js'
import { fromLabelSelector, type LabelSelector, matchesSelector } from '../objects/selector.js'
import { formatTimestamp, timestampMs } from '../sim/clock.js'
import { dependentsOf, dependentUids, getByUid, getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'
import { computePodTemplateHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './deployment/podTemplateHash.js'
import {
  ANNOTATIONS_TO_SKIP,
  DESIRED_REPLICAS_ANNOTATION,
  intAnnotation,
  MAX_REPLICAS_ANNOTATION,
  raiseRevision,
  REVISION_ANNOTATION,
  revisionOf,
} from './deployment/revisions.js'
import { checkQuietSkip, verifyingQuiescence } from '../sim/quiescence.js'
import { ownerTouched, podChangesSince } from './podChanges.js'
import { controllerRefOf } from './replicaSet.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'deployment-controller'
const MAX_INT32 = 2147483647

type StoredDeployment = Deployment & KubeObject
type StoredReplicaSet = ReplicaSet & KubeObject

/** A ReplicaSet as this pass sees and changes it. */
interface Work {
  readonly base: StoredReplicaSet
  readonly create: boolean
  replicas: number
  annotations: Record<string, string>
  minReadySeconds: number | undefined
  ownerReferences: ReadonlyArray<OwnerReference> | undefined
}

/** Deployment status as this pass builds it (counts are numbers; zeros are dropped on write). */
interface Status {
  observedGeneration: number
  replicas: number
  updatedReplicas: number
  readyReplicas: number
  availableReplicas: number
  unavailableReplicas: number
  collisionCount: number | undefined
  conditions: DeploymentCondition[]
}

/** Condition reasons, as upstream's deployment util names them. */
const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  updated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const

interface Ctx {
  readonly state: ClusterState
  readonly d: StoredDeployment
  readonly now: string
  readonly actions: Action[]
  /** The deployment's status as upstream's in-place edits leave it (d.Status). */
  cur: Status
  /** The revision annotation the deployment should carry. */
  revision: string | undefined
  /** A write failed to plan (hash collision): stop after writing the status. */
  stop: boolean
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const replicasOf = (d: StoredDeployment): number => d.spec.replicas ?? 1
const isRolling = (d: StoredDeployment): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'

const resolve = (value: IntOrString | undefined, total: number, roundUp: boolean): number => {
  const r = resolveIntOrPercent(value ?? 0, total, roundUp)
  return r._tag === 'Right' ? r.right : 0
}

/**
 * `ResolveFenceposts`: maxSurge rounded up and maxUnavailable rounded down against `desired`;
 * when both come out 0, unavailable becomes 1.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { resolveFenceposts } from 'kubesim'
 * expect(resolveFenceposts('25%', '25%', 10)).toEqual([3, 2])
 * expect(resolveFenceposts('39%', '39%', 10)).toEqual([4, 3])
 * expect(resolveFenceposts('0%', '0%', 0)).toEqual([0, 1])
 * expect(resolveFenceposts('25%', '25%', 1)).toEqual([1, 0])
 * ```
 */
export const resolveFenceposts = (maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): readonly [number, number] => {
  const surge = resolve(maxSurge, desired, true)
  const unavailable = resolve(maxUnavailable, desired, false)
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable]
}

const fenceposts = (d: StoredDeployment): readonly [number, number] =>
  resolveFenceposts(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, replicasOf(d))

/** `MaxSurge`: the resolved surge for RollingUpdate, else 0. */
const maxSurge = (d: StoredDeployment): number => (isRolling(d) ? fenceposts(d)[0] : 0)

/** `MaxUnavailable`: 0 for Recreate or no replicas; else the resolved value capped at replicas. */
const maxUnavailable = (d: StoredDeployment): number => {
  if (!isRolling(d) || replicasOf(d) === 0) return 0
  return Math.min(fenceposts(d)[1], replicasOf(d))
}

const hasProgressDeadline = (d: StoredDeployment): boolean =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32

const statusCount = (rs: Work, key: 'replicas' | 'readyReplicas' | 'availableReplicas'): number => rs.base.status?.[key] ?? 0
const sum = (list: ReadonlyArray<Work>, f: (w: Work) => number): number => list.reduce((n, w) => n + f(w), 0)
const created = (w: Work): number => timestampMs(w.base.metadata.creationTimestamp) ?? 0
const nameOf = (w: Work): string => w.base.metadata.name

/** `ReplicaSetsByCreationTimestamp`: oldest first, then by name. */
const byCreation = (a: Work, b: Work): number => created(a) - created(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0)

const getCondition = (status: Status, type: string): DeploymentCondition | undefined => status.conditions.find((c) => c.type === type)

const newCondition = (ctx: Ctx, type: string, status: string, reason: string, message: string): DeploymentCondition => ({
  type,
  status,
  lastUpdateTime: ctx.now,
  lastTransitionTime: ctx.now,
  reason,
  message,
})

/** `SetDeploymentCondition`: same status and reason is a no-op; same status keeps lastTransitionTime. */
const setCondition = (status: Status, condition: DeploymentCondition): void => {
  const current = getCondition(status, condition.type)
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason) return
  const next =
    current !== undefined && current.status === condition.status && current.lastTransitionTime !== undefined
      ? { ...condition, lastTransitionTime: current.lastTransitionTime }
      : condition
  status.conditions = [...status.conditions.filter((c) => c.type !== condition.type), next]
}

const removeCondition = (status: Status, type: string): void => {
  status.conditions = status.conditions.filter((c) => c.type !== type)
}

const readStatus = (d: StoredDeployment): Status => {
  const s = d.status ?? {}
  return {
    observedGeneration: s.observedGeneration ?? 0,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    collisionCount: s.collisionCount,
    conditions: [...(s.conditions ?? [])],
  }
}

/** The status as the API's JSON writes it: zero counts omitted (collisionCount is a pointer). */
const writeStatus = (s: Status, previous: DeploymentStatus | undefined): DeploymentStatus => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(previous ?? {})) if (!(key in s)) out[key] = value
  const put = (key: string, value: number) => {
    if (value !== 0) out[key] = value
  }
  put('observedGeneration', s.observedGeneration)
  put('replicas', s.replicas)
  put('updatedReplicas', s.updatedReplicas)
  put('readyReplicas', s.readyReplicas)
  put('availableReplicas', s.availableReplicas)
  put('unavailableReplicas', s.unavailableReplicas)
  if (s.conditions.length > 0) out['conditions'] = s.conditions
  if (s.collisionCount !== undefined) out['collisionCount'] = s.collisionCount
  return out as DeploymentStatus
}

// ---------------------------------------------------------------------------------------------
// ReplicaSet writes
// ---------------------------------------------------------------------------------------------

const controllerRef = (d: StoredDeployment): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: d.metadata.name,
  uid: d.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
})

const work = (rs: StoredReplicaSet, create = false): Work => ({
  base: rs,
  create,
  replicas: rs.spec.replicas ?? 1,
  annotations: { ...(rs.metadata.annotations ?? {}) },
  minReadySeconds: rs.spec.minReadySeconds,
  ownerReferences: rs.metadata.ownerReferences,
})

const changed = (w: Work): boolean =>
  w.create ||
  w.replicas !== (w.base.spec.replicas ?? 1) ||
  w.minReadySeconds !== w.base.spec.minReadySeconds ||
  !deepEqual(w.annotations, w.base.metadata.annotations ?? {}) ||
  !deepEqual(w.ownerReferences, w.base.metadata.ownerReferences)

const written = (w: Work): KubeObject => {
  const { annotations: _a, ownerReferences: _o, ...meta } = w.base.metadata
  const spec: Record<string, unknown> = { ...w.base.spec, replicas: w.replicas }
  if (w.minReadySeconds === undefined) delete spec['minReadySeconds']
  else spec['minReadySeconds'] = w.minReadySeconds
  return {
    ...w.base,
    metadata: {
      ...meta,
      ...(Object.keys(w.annotations).length === 0 ? {} : { annotations: w.annotations }),
      ...(w.ownerReferences === undefined || w.ownerReferences.length === 0 ? {} : { ownerReferences: w.ownerReferences }),
    },
    spec,
  } as unknown as KubeObject
}

const deploymentEvent = (ctx: Ctx, type: 'Normal' | 'Warning', reason: string, message: string): void => {
  const d = ctx.d
  ctx.actions.push({
    type: 'event',
    by: NAME,
    event: {
      involvedObject: { kind: 'Deployment', apiVersion: 'apps/v1', namespace: d.metadata.namespace, name: d.metadata.name, ...(d.metadata.uid === undefined ? {} : { uid: d.metadata.uid }) },
      type,
      reason,
      message,
    },
  })
}

const annotationsNeedUpdate = (w: Work, desired: number, max: number): boolean =>
  w.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || w.annotations[MAX_REPLICAS_ANNOTATION] !== String(max)

const setReplicasAnnotations = (w: Work, desired: number, max: number): boolean => {
  if (!annotationsNeedUpdate(w, desired, max)) return false
  w.annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired)
  w.annotations[MAX_REPLICAS_ANNOTATION] = String(max)
  return true
}

/** `scaleReplicaSet`: new size and fresh desired/max annotations; an event when the size changes. */
const scaleReplicaSet = (ctx: Ctx, w: Work, size: number, operation?: string): boolean => {
  const desired = replicasOf(ctx.d)
  const max = desired + maxSurge(ctx.d)
  const sizeChanges = w.replicas !== size
  if (!sizeChanges && !annotationsNeedUpdate(w, desired, max)) return false
  const old = w.replicas
  w.replicas = size
  setReplicasAnnotations(w, desired, max)
  if (!sizeChanges) return false
  const op = operation ?? (old < size ? 'up' : 'down')
  deploymentEvent(ctx, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${nameOf(w)} from ${old} to ${size}`)
  return true
}

/** `scaleReplicaSetAndRecordEvent`: nothing to do when the size already matches. */
const scaleAndRecord = (ctx: Ctx, w: Work, size: number): boolean => (w.replicas === size ? false : scaleReplicaSet(ctx, w, size))

// ---------------------------------------------------------------------------------------------
// finding ReplicaSets
// ---------------------------------------------------------------------------------------------

/**
 * `getReplicaSetsForDeployment`: the ReplicaSets this Deployment controls after adopting matching
 * orphans and releasing those whose labels stopped matching.
 */
const claimReplicaSets = (ctx: Ctx): Work[] => {
  const { state, d } = ctx
  const uid = d.metadata.uid ?? ''
  const namespace = d.metadata.namespace ?? 'default'
  const selector = fromLabelSelector(d.spec.selector)
  const deleting = d.metadata.deletionTimestamp !== undefined
  const candidates = new Map<string, KubeObject>()
  for (const rs of listObjects(state.objects, 'ReplicaSet', { namespace, selector })) candidates.set(rs.metadata.uid ?? rs.metadata.name, rs)
  // Sorted by name below, so the dependents are read unsorted.
  for (const dependent of dependentUids(state.objects, uid)) {
    const rs = getByUid(state.objects, dependent)
    if (rs?.kind === 'ReplicaSet') candidates.set(rs.metadata.uid ?? rs.metadata.name, rs)
  }
  const out: Work[] = []
  const byName = [...candidates.values()]
  if (byName.length > 1) byName.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
  for (const object of byName) {
    const rs = object as StoredReplicaSet
    const owner = controllerRefOf(rs)
    const matches = matchesSelector(selector, rs.metadata.labels)
    if (owner !== undefined) {
      if (owner.uid !== uid) continue
      if (matches) out.push(work(rs))
      else if (!deleting) {
        const w = work(rs)
        w.ownerReferences = (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
        ctx.actions.push({ type: 'update', by: NAME, object: written(w) })
      }
      continue
    }
    if (!matches || deleting || rs.metadata.deletionTimestamp !== undefined) continue
    const w = work(rs)
    w.ownerReferences = [...(rs.metadata.ownerReferences ?? []), controllerRef(d)]
    out.push(w)
  }
  return out
}

const maxRevision = (list: ReadonlyArray<Work>): number => list.reduce((m, w) => Math.max(m, revisionOf({ metadata: { annotations: w.annotations } }) ?? 0), 0)

/** Copies the deployment's annotations to the new ReplicaSet, except the skip list. */
const copyDeploymentAnnotations = (d: StoredDeployment, w: Work): boolean => {
  let changedAny = false
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || w.annotations[k] === v) continue
    w.annotations[k] = v
    changedAny = true
  }
  return changedAny
}

/** `SetNewReplicaSetAnnotations`. */
const setNewReplicaSetAnnotations = (d: StoredDeployment, w: Work, newRevision: number, exists: boolean): boolean => {
  let changedAny = copyDeploymentAnnotations(d, w)
  const raised = raiseRevision(w.annotations, newRevision)
  if (raised === undefined) return false
  changedAny ||= raised
  if (!exists && setReplicasAnnotations(w, replicasOf(d), replicasOf(d) + maxSurge(d))) changedAny = true
  return changedAny
}

/** `NewRSNewReplicas`: how big the new ReplicaSet may be now. */
const newRSNewReplicas = (d: StoredDeployment, all: ReadonlyArray<Work>, newRS: Work): number => {
  if (!isRolling(d)) return replicasOf(d)
  const surge = resolve(d.spec.strategy?.rollingUpdate?.maxSurge, replicasOf(d), true)
  const current = sum(all, (w) => w.replicas)
  const maxTotal = replicasOf(d) + surge
  if (current >= maxTotal) return newRS.replicas
  return newRS.replicas + Math.min(maxTotal - current, replicasOf(d) - newRS.replicas)
}

interface Split {
  readonly newRS: Work | undefined
  readonly oldRSs: Work[]
}

/**
 * `getAllReplicaSetsAndSyncRevision`: finds the new ReplicaSet (the oldest whose template equals
 * the deployment's, ignoring the hash label), syncs its revision annotations, and when asked
 * creates it.
 */
const splitAndSyncRevision = (ctx: Ctx, all: Work[], createIfMissing: boolean): Split => {
  const d = ctx.d
  // The oldest ReplicaSet with the Deployment's template (upstream sorts by creation and takes the first).
  let newRS: Work | undefined
  for (const w of all) if (equalIgnoreHash(w.base.spec.template, d.spec.template) && (newRS === undefined || byCreation(w, newRS) < 0)) newRS = w
  const oldRSs = all.filter((w) => w !== newRS)
  const newRevision = maxRevision(oldRSs) + 1
  if (newRS !== undefined) {
    const updated = setNewReplicaSetAnnotations(d, newRS, newRevision, true)
    if (updated || newRS.minReadySeconds !== d.spec.minReadySeconds) {
      newRS.minReadySeconds = d.spec.minReadySeconds
      return { newRS, oldRSs }
    }
    ctx.revision = newRS.annotations[REVISION_ANNOTATION] ?? ctx.revision
    if (hasProgressDeadline(d) && getCondition(ctx.cur, 'Progressing') === undefined)
      setCondition(ctx.cur, newCondition(ctx, 'Progressing', 'True', REASON.foundNewRS, `Found new replica set ${JSON.stringify(nameOf(newRS))}`))
    return { newRS, oldRSs }
  }
  if (!createIfMissing) return { newRS: undefined, oldRSs }
  const hash = computePodTemplateHash(d.spec.template, ctx.cur.collisionCount)
  const labels = { ...(d.spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash }
  const template: PodTemplateSpec = { ...d.spec.template, metadata: { ...(d.spec.template.metadata ?? {}), labels } }
  const selector: LabelSelector = { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } }
  const name = `${d.metadata.name}-${hash}`
  const namespace = d.metadata.namespace ?? 'default'
  const existing = getObject(ctx.state.objects, { kind: 'ReplicaSet', namespace, name }) as StoredReplicaSet | undefined
  if (existing !== undefined) {
    // A ReplicaSet with this name that is not ours or holds another template: a hash collision.
    if (controllerRefOf(existing)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, existing.spec.template)) return { newRS: work(existing), oldRSs }
    ctx.cur.collisionCount = (ctx.cur.collisionCount ?? 0) + 1
    ctx.stop = true
    return { newRS: undefined, oldRSs }
  }
  const base = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace, labels, ownerReferences: [controllerRef(d)], creationTimestamp: ctx.now },
    spec: {
      replicas: 0,
      ...(d.spec.minReadySeconds === undefined ? {} : { minReadySeconds: d.spec.minReadySeconds }),
      selector,
      template,
    },
  } as unknown as StoredReplicaSet
  newRS = work(base, true)
  newRS.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS)
  setNewReplicaSetAnnotations(d, newRS, newRevision, false)
  if (newRS.replicas > 0) deploymentEvent(ctx, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${newRS.replicas}`)
  ctx.revision = String(newRevision)
  if (hasProgressDeadline(d)) setCondition(ctx.cur, newCondition(ctx, 'Progressing', 'True', REASON.newRSCreated, `Created new replica set ${JSON.stringify(name)}`))
  all.push(newRS)
  return { newRS, oldRSs }
}

// ---------------------------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------------------------

/** `calculateStatus`: counts from the ReplicaSets' reports, and the Available condition. */
const calculateStatus = (ctx: Ctx, all: ReadonlyArray<Work>, newRS: Work | undefined): Status => {
  const d = ctx.d
  const available = sum(all, (w) => statusCount(w, 'availableReplicas'))
  const total = sum(all, (w) => w.replicas)
  const status: Status = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum(all, (w) => statusCount(w, 'replicas')),
    updatedReplicas: newRS === undefined ? 0 : statusCount(newRS, 'replicas'),
    readyReplicas: sum(all, (w) => statusCount(w, 'readyReplicas')),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    collisionCount: ctx.cur.collisionCount,
    conditions: [...ctx.cur.conditions],
  }
  if (available >= replicasOf(d) - maxUnavailable(d))
    setCondition(status, newCondition(ctx, 'Available', 'True', REASON.minAvailable, 'Deployment has minimum availability.'))
  else setCondition(status, newCondition(ctx, 'Available', 'False', REASON.minUnavailable, 'Deployment does not have minimum availability.'))
  return status
}

/** `DeploymentComplete`: every replica updated, available, and the spec observed. */
const isComplete = (d: StoredDeployment, s: Pick<Status, 'updatedReplicas' | 'replicas' | 'availableReplicas' | 'observedGeneration'>): boolean =>
  s.updatedReplicas === replicasOf(d) && s.replicas === replicasOf(d) && s.availableReplicas === replicasOf(d) && s.observedGeneration >= (d.metadata.generation ?? 0)

/** `DeploymentProgressing`: more updated, fewer old, more ready or more available than before. */
const isProgressing = (old: Status, next: Status): boolean =>
  next.updatedReplicas > old.updatedReplicas ||
  next.replicas - next.updatedReplicas < old.replicas - old.updatedReplicas ||
  next.readyReplicas > old.readyReplicas ||
  next.availableReplicas > old.availableReplicas

/** The first instant the Progressing condition counts as timed out (strictly after the deadline). */
const deadlineAt = (d: StoredDeployment, condition: DeploymentCondition): number | undefined => {
  const last = timestampMs(condition.lastUpdateTime)
  return last === undefined ? undefined : last + (d.spec.progressDeadlineSeconds ?? 0) * 1000 + 1
}

/** `DeploymentTimedOut`. */
const timedOut = (ctx: Ctx, status: Status): boolean => {
  if (!hasProgressDeadline(ctx.d)) return false
  const condition = getCondition(status, 'Progressing')
  if (condition === undefined) return false
  if (condition.reason === REASON.timedOut) return true
  if (condition.reason === REASON.newRSAvailable) return false
  const at = deadlineAt(ctx.d, condition)
  return at !== undefined && at <= ctx.state.now
}

const replicaFailure = (all: ReadonlyArray<Work>, newRS: Work | undefined): DeploymentCondition | undefined => {
  for (const w of newRS === undefined ? all : [newRS, ...all]) {
    const c = w.base.status?.conditions?.find((x) => x.type === 'ReplicaFailure')
    if (c !== undefined)
      return {
        type: c.type,
        status: c.status,
        ...(c.lastTransitionTime === undefined ? {} : { lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime }),
        ...(c.reason === undefined ? {} : { reason: c.reason }),
        ...(c.message === undefined ? {} : { message: c.message }),
      }
  }
  return undefined
}

/** `syncRolloutStatus`: the status plus the Progressing and ReplicaFailure conditions. */
const syncRolloutStatus = (ctx: Ctx, all: ReadonlyArray<Work>, newRS: Work | undefined): Status => {
  const d = ctx.d
  const next = calculateStatus(ctx, all, newRS)
  if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing')
  const current = getCondition(ctx.cur, 'Progressing')
  const completeRollout = next.replicas === next.updatedReplicas && current?.reason === REASON.newRSAvailable
  if (hasProgressDeadline(d) && !completeRollout) {
    const rsName = newRS === undefined ? undefined : JSON.stringify(nameOf(newRS))
    if (isComplete(d, next)) {
      const message = rsName === undefined ? `Deployment ${JSON.stringify(d.metadata.name)} has successfully progressed.` : `ReplicaSet ${rsName} has successfully progressed.`
      setCondition(next, newCondition(ctx, 'Progressing', 'True', REASON.newRSAvailable, message))
    } else if (isProgressing(ctx.cur, next)) {
      const message = rsName === undefined ? `Deployment ${JSON.stringify(d.metadata.name)} is progressing.` : `ReplicaSet ${rsName} is progressing.`
      let condition = newCondition(ctx, 'Progressing', 'True', REASON.updated, message)
      if (current !== undefined) {
        if (current.status === 'True' && current.lastTransitionTime !== undefined) condition = { ...condition, lastTransitionTime: current.lastTransitionTime }
        removeCondition(next, 'Progressing')
      }
      setCondition(next, condition)
    } else if (timedOut(ctx, next)) {
      const message = rsName === undefined ? `Deployment ${JSON.stringify(d.metadata.name)} has timed out progressing.` : `ReplicaSet ${rsName} has timed out progressing.`
      setCondition(next, newCondition(ctx, 'Progressing', 'False', REASON.timedOut, message))
    }
  }
  const failure = replicaFailure(all, newRS)
  if (failure !== undefined) setCondition(next, failure)
  else removeCondition(next, 'ReplicaFailure')
  return next
}

// ---------------------------------------------------------------------------------------------
// scaling, rolling, recreating, cleaning up
// ---------------------------------------------------------------------------------------------

const active = (list: ReadonlyArray<Work>): Work[] => list.filter((w) => w.replicas > 0)

/** `getReplicaSetFraction`. */
const fraction = (d: StoredDeployment, w: Work, status: Status): number => {
  if (replicasOf(d) === 0) return -w.replicas
  const allowed = replicasOf(d) + maxSurge(d)
  let before = intAnnotation(w.annotations, MAX_REPLICAS_ANNOTATION) ?? 0
  if (before === 0) before = status.replicas
  if (before === 0) return 0
  const exact = (w.replicas * allowed) / before
  // Go's math.Round: half away from zero.
  const rounded = exact < 0 ? -Math.round(-exact) : Math.round(exact)
  return rounded - w.replicas
}

/** `GetProportion`. */
const proportion = (d: StoredDeployment, w: Work, toAdd: number, added: number, status: Status): number => {
  if (w.replicas === 0 || toAdd === 0 || toAdd === added) return 0
  const f = fraction(d, w, status)
  const allowed = toAdd - added
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed)
}

/** `FindActiveOrLatest`. */
const activeOrLatest = (newRS: Work | undefined, oldRSs: ReadonlyArray<Work>): Work | undefined => {
  if (newRS === undefined && oldRSs.length === 0) return undefined
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a))
  const all = active(newRS === undefined ? newestFirst : [...newestFirst, newRS])
  if (all.length === 0) return newRS ?? newestFirst[0]
  return all.length === 1 ? all[0] : undefined
}

/** `IsSaturated`. */
const isSaturated = (d: StoredDeployment, w: Work | undefined): boolean =>
  w !== undefined &&
  intAnnotation(w.annotations, DESIRED_REPLICAS_ANNOTATION) === replicasOf(d) &&
  w.replicas === replicasOf(d) &&
  statusCount(w, 'availableReplicas') === replicasOf(d)

/** `scale`: the single active ReplicaSet takes all; otherwise proportional scaling. */
const scale = (ctx: Ctx, newRS: Work | undefined, oldRSs: ReadonlyArray<Work>): void => {
  const d = ctx.d
  const only = activeOrLatest(newRS, oldRSs)
  if (only !== undefined) {
    if (only.replicas !== replicasOf(d)) scaleAndRecord(ctx, only, replicasOf(d))
    return
  }
  if (isSaturated(d, newRS)) {
    for (const old of active(oldRSs)) scaleAndRecord(ctx, old, 0)
    return
  }
  if (!isRolling(d)) return
  const all = active(newRS === undefined ? oldRSs : [...oldRSs, newRS])
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0
  const toAdd = allowed - sum(all, (w) => w.replicas)
  let operation = ''
  if (toAdd > 0) {
    // Larger first; ties newer first.
    all.sort((a, b) => (a.replicas !== b.replicas ? b.replicas - a.replicas : byCreation(b, a)))
    operation = 'up'
  } else if (toAdd < 0) {
    // Larger first; ties older first.
    all.sort((a, b) => (a.replicas !== b.replicas ? b.replicas - a.replicas : byCreation(a, b)))
    operation = 'down'
  }
  let added = 0
  const sizes = new Map<Work, number>()
  for (const w of all) {
    if (toAdd !== 0) {
      const p = proportion(d, w, toAdd, added, ctx.cur)
      sizes.set(w, w.replicas + p)
      added += p
    } else sizes.set(w, w.replicas)
  }
  all.forEach((w, i) => {
    let size = sizes.get(w) ?? w.replicas
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added)
    scaleReplicaSet(ctx, w, size, operation)
  })
}

/** `cleanupDeployment`: delete the oldest idle ReplicaSets beyond revisionHistoryLimit. */
const cleanup = (ctx: Ctx, oldRSs: ReadonlyArray<Work>): void => {
  const limit = ctx.d.spec.revisionHistoryLimit
  if (limit === undefined || limit === MAX_INT32) return
  const cleanable = oldRSs.filter((w) => !w.create && w.base.metadata.deletionTimestamp === undefined)
  const diff = cleanable.length - limit
  if (diff <= 0) return
  const byRevision = [...cleanable].sort((a, b) => {
    const ra = revisionOf({ metadata: { annotations: a.annotations } }) ?? 0
    const rb = revisionOf({ metadata: { annotations: b.annotations } }) ?? 0
    return ra !== rb ? ra - rb : byCreation(a, b)
  })
  for (const w of byRevision.slice(0, diff)) {
    const status = w.base.status ?? {}
    if ((status.replicas ?? 0) !== 0 || w.replicas !== 0 || (w.base.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) continue
    ctx.actions.push({
      type: 'delete',
      by: NAME,
      ref: { kind: 'ReplicaSet', namespace: w.base.metadata.namespace, name: nameOf(w) },
      ...(w.base.metadata.uid === undefined ? {} : { preconditionUid: w.base.metadata.uid }),
    })
  }
}

/** `sync`: scaling only (paused deployments and scaling events), then status. */
const syncOnly = (ctx: Ctx, all: Work[]): Status => {
  const { newRS, oldRSs } = splitAndSyncRevision(ctx, all, false)
  scale(ctx, newRS, oldRSs)
  if (ctx.d.spec.paused === true) cleanup(ctx, oldRSs)
  return calculateStatus(ctx, all, newRS)
}

/** `reconcileNewReplicaSet`. */
const reconcileNewReplicaSet = (ctx: Ctx, all: ReadonlyArray<Work>, newRS: Work): boolean => {
  const desired = replicasOf(ctx.d)
  if (newRS.replicas === desired) return false
  if (newRS.replicas > desired) return scaleAndRecord(ctx, newRS, desired)
  return scaleAndRecord(ctx, newRS, newRSNewReplicas(ctx.d, all, newRS))
}

/** `reconcileOldReplicaSets`: clean up unhealthy old replicas, then scale down within availability. */
const reconcileOldReplicaSets = (ctx: Ctx, all: ReadonlyArray<Work>, oldActive: Work[], newRS: Work): boolean => {
  const d = ctx.d
  if (sum(oldActive, (w) => w.replicas) === 0) return false
  const minAvailable = replicasOf(d) - maxUnavailable(d)
  const newUnavailable = newRS.replicas - statusCount(newRS, 'availableReplicas')
  const maxScaledDown = sum(all, (w) => w.replicas) - minAvailable - newUnavailable
  if (maxScaledDown <= 0) return false
  const oldest = [...oldActive].sort(byCreation)
  let cleaned = 0
  for (const w of oldest) {
    if (cleaned >= maxScaledDown) break
    if (w.replicas === 0 || w.replicas === statusCount(w, 'availableReplicas')) continue
    const count = Math.min(maxScaledDown - cleaned, w.replicas - statusCount(w, 'availableReplicas'))
    scaleAndRecord(ctx, w, w.replicas - count)
    cleaned += count
  }
  // scaleDownOldReplicaSetsForRollingUpdate: available counts come from the ReplicaSets' reports.
  const availableTotal = sum(all, (w) => statusCount(w, 'availableReplicas'))
  let scaledDown = 0
  if (availableTotal > minAvailable) {
    const budget = availableTotal - minAvailable
    for (const w of oldest) {
      if (scaledDown >= budget) break
      if (w.replicas === 0) continue
      const count = Math.min(w.replicas, budget - scaledDown)
      scaleAndRecord(ctx, w, w.replicas - count)
      scaledDown += count
    }
  }
  return cleaned + scaledDown > 0
}

/** `rolloutRolling`. */
const rolloutRolling = (ctx: Ctx, all: Work[]): Status => {
  const { newRS, oldRSs } = splitAndSyncRevision(ctx, all, true)
  if (newRS === undefined) return calculateStatus(ctx, all, undefined)
  if (reconcileNewReplicaSet(ctx, all, newRS)) return syncRolloutStatus(ctx, all, newRS)
  if (reconcileOldReplicaSets(ctx, all, active(oldRSs), newRS)) return syncRolloutStatus(ctx, all, newRS)
  if (isComplete(ctx.d, ctx.cur)) cleanup(ctx, oldRSs)
  return syncRolloutStatus(ctx, all, newRS)
}

/** `oldPodsRunning`: an old ReplicaSet reports pods, or has a pod in a non-terminal phase. */
const oldPodsRunning = (ctx: Ctx, newRS: Work | undefined, oldRSs: ReadonlyArray<Work>): boolean => {
  if (sum(oldRSs, (w) => statusCount(w, 'replicas')) > 0) return true
  for (const w of oldRSs) {
    const uid = w.base.metadata.uid
    if (uid === undefined || uid === newRS?.base.metadata.uid) continue
    for (const pod of dependentsOf(ctx.state.objects, uid)) {
      if (pod.kind !== 'Pod' || controllerRefOf(pod)?.uid !== uid) continue
      const phase = (pod['status'] as { readonly phase?: string } | undefined)?.phase
      if (phase !== 'Succeeded' && phase !== 'Failed') return true
    }
  }
  return false
}

/** `rolloutRecreate`: old ReplicaSets to zero, wait for their pods to stop, then the new one. */
const rolloutRecreate = (ctx: Ctx, all: Work[]): Status => {
  let split = splitAndSyncRevision(ctx, all, false)
  let scaledDown = false
  for (const w of active(split.oldRSs)) if (scaleAndRecord(ctx, w, 0)) scaledDown = true
  if (scaledDown) return syncRolloutStatus(ctx, all, split.newRS)
  if (oldPodsRunning(ctx, split.newRS, split.oldRSs)) return syncRolloutStatus(ctx, all, split.newRS)
  if (split.newRS === undefined) {
    split = splitAndSyncRevision(ctx, all, true)
    if (split.newRS === undefined) return calculateStatus(ctx, all, undefined)
  }
  scaleAndRecord(ctx, split.newRS, replicasOf(ctx.d))
  if (isComplete(ctx.d, ctx.cur)) cleanup(ctx, split.oldRSs)
  return syncRolloutStatus(ctx, all, split.newRS)
}

/** `checkPausedConditions`. */
const checkPausedConditions = (ctx: Ctx): void => {
  if (!hasProgressDeadline(ctx.d)) return
  const condition = getCondition(ctx.cur, 'Progressing')
  if (condition?.reason === REASON.timedOut) return
  const pausedCondition = condition?.reason === REASON.paused
  if (ctx.d.spec.paused === true && !pausedCondition)
    setCondition(ctx.cur, newCondition(ctx, 'Progressing', 'Unknown', REASON.paused, 'Deployment is paused'))
  else if (ctx.d.spec.paused !== true && pausedCondition)
    setCondition(ctx.cur, newCondition(ctx, 'Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed'))
}

/** `isScalingEvent`: an active ReplicaSet was last scaled for a different spec.replicas. */
const isScalingEvent = (ctx: Ctx, all: Work[]): boolean => {
  const { newRS, oldRSs } = splitAndSyncRevision(ctx, all, false)
  for (const w of active(newRS === undefined ? oldRSs : [...oldRSs, newRS])) {
    const desired = intAnnotation(w.annotations, DESIRED_REPLICAS_ANNOTATION)
    if (desired !== undefined && desired !== replicasOf(ctx.d)) return true
  }
  return false
}

/** One Deployment's pass: upstream's `syncDeployment`. */
const syncDeployment = (state: ClusterState, d: StoredDeployment): ReadonlyArray<Action> => {
  const ctx: Ctx = { state, d, now: formatTimestamp(state.now), actions: [], cur: readStatus(d), revision: d.metadata.annotations?.[REVISION_ANNOTATION], stop: false }
  const all = claimReplicaSets(ctx)
  let status: Status
  if (d.metadata.deletionTimestamp !== undefined) {
    const { newRS } = splitAndSyncRevision(ctx, all, false)
    status = calculateStatus(ctx, all, newRS)
  } else {
    checkPausedConditions(ctx)
    if (d.spec.paused === true) status = syncOnly(ctx, all)
    else if (isScalingEvent(ctx, all)) status = syncOnly(ctx, all)
    else status = (d.spec.strategy?.type ?? 'RollingUpdate') === 'Recreate' ? rolloutRecreate(ctx, all) : rolloutRolling(ctx, all)
  }
  if (ctx.stop) status = { ...readStatus(d), collisionCount: ctx.cur.collisionCount }
  const writes: Action[] = []
  if (!ctx.stop)
    for (const w of all) {
      if (!changed(w)) continue
      writes.push({ type: w.create ? 'create' : 'update', by: NAME, object: written(w) })
    }
  const nextStatus = writeStatus(status, d.status)
  if (!deepEqual(nextStatus, d.status ?? {})) writes.push({ type: 'updateStatus', by: NAME, object: { ...d, status: nextStatus } })
  else if (ctx.revision !== undefined && ctx.revision !== d.metadata.annotations?.[REVISION_ANNOTATION])
    // The revision annotation lags one pass behind a status write: both would carry the same
    // resourceVersion, and upstream writes them in one status update the simulator cannot express.
    writes.push({ type: 'update', by: NAME, object: { ...d, metadata: { ...d.metadata, annotations: { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: ctx.revision } } } })
  return [...ctx.actions.filter((a) => a.type !== 'event'), ...writes, ...ctx.actions.filter((a) => a.type === 'event')]
}

interface Plan {
  readonly actions: ReadonlyArray<Action>
}

const plans = new WeakMap<ClusterState, Plan>()

/** A Deployment a pass found nothing to do for: the object it saw, when, and its deadline check. */
interface QuietDeployment {
  readonly d: KubeObject
  readonly at: number
  readonly next: number | undefined
}

/**
 * The previous pass: the ReplicaSet and Pod maps it saw and its quiet Deployments by uid. A
 * cache of a pure function: the next pass diffs against those maps, whatever state comes next.
 */
let previousPass:
  | { readonly replicaSets: IMap<string, KubeObject> | undefined; readonly pods: IMap<string, KubeObject> | undefined; readonly quiet: ReadonlyMap<string, QuietDeployment> }
  | undefined

/** uids of the Deployments controlling the ReplicaSets whose pods changed (Recreate waits on pods). */
const deploymentsOfPodOwners = (state: ClusterState, replicaSetUids: ReadonlySet<string>): ReadonlySet<string> => {
  const out = new Set<string>()
  for (const uid of replicaSetUids) {
    const rs = getByUid(state.objects, uid)
    const owner = rs === undefined ? undefined : controllerRefOf(rs)?.uid
    if (owner !== undefined) out.add(owner)
  }
  return out
}

const planCluster = (state: ClusterState): Plan => {
  const cached = plans.get(state)
  if (cached !== undefined) return cached
  const actions: Action[] = []
  // Only Deployments that changed, whose ReplicaSets changed (or, for Recreate, whose old pods
  // changed) or whose progress deadline is due are synced: the others would write nothing,
  // as a Deployment no informer event enqueued is not synced.
  const replicaSets = state.objects.kinds.get('ReplicaSet')
  const pods = state.objects.kinds.get('Pod')
  const rsChanges = podChangesSince(previousPass?.replicaSets, replicaSets)
  const podChanges = podChangesSince(previousPass?.pods, pods)
  let podDeployments: ReadonlySet<string> | undefined
  const wasQuiet = previousPass?.quiet
  const quiet = new Map<string, QuietDeployment>()
  for (const object of listObjects(state.objects, 'Deployment')) {
    const d = object as StoredDeployment
    const uid = d.metadata.uid ?? ''
    const known = wasQuiet?.get(uid)
    if (known !== undefined && known.d === object && state.now >= known.at && (known.next === undefined || state.now < known.next) && !ownerTouched(rsChanges, object)) {
      const recreate = d.spec.strategy?.type === 'Recreate'
      const podsTouched = recreate && (podChanges.everything || (podDeployments ??= deploymentsOfPodOwners(state, podChanges.owners)).has(uid))
      if (!podsTouched) {
        if (verifyingQuiescence()) checkQuietSkip(`Deployment ${d.metadata.namespace}/${d.metadata.name}`, syncDeployment(state, d))
        quiet.set(uid, known)
        continue
      }
    }
    const planned = syncDeployment(state, d)
    for (const action of planned) actions.push(action)
    if (planned.length === 0) quiet.set(uid, { d: object, at: state.now, next: deadlineWakeup(state, d) })
  }
  previousPass = { replicaSets, pods, quiet }
  const plan = { actions }
  plans.set(state, plan)
  return plan
}

/** When a stuck rollout must be checked against its progress deadline (`requeueStuckDeployment`). */
const deadlineWakeup = (state: ClusterState, d: StoredDeployment): number | undefined => {
  if (d.spec.paused === true || d.metadata.deletionTimestamp !== undefined || !hasProgressDeadline(d)) return undefined
  const condition = d.status?.conditions?.find((c) => c.type === 'Progressing')
  if (condition === undefined || condition.reason === REASON.timedOut || condition.reason === REASON.newRSAvailable) return undefined
  const s = readStatus(d)
  if (isComplete(d, s)) return undefined
  const at = deadlineAt(d, condition)
  return at !== undefined && at > state.now ? at : undefined
}

/**
 * The Deployment controller. Each pass, for every Deployment: claims its ReplicaSets (adopting
 * matching orphans, releasing mismatches), syncs the new ReplicaSet's revision annotations, then
 * follows upstream's order: a paused Deployment or a scaling event only scales (proportionally
 * across old and new ReplicaSets mid-rollout); otherwise Recreate (old ReplicaSets to zero, wait
 * until no old pod runs, then the new one) or RollingUpdate (scale the new ReplicaSet up within
 * maxSurge, old ones down within maxUnavailable). A finished rollout deletes idle ReplicaSets
 * beyond revisionHistoryLimit. Status counts come from the ReplicaSets; the Progressing condition
 * moves through NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetUpdated /
 * NewReplicaSetAvailable, or ProgressDeadlineExceeded when no progress is made for
 * progressDeadlineSeconds (`nextWakeup` is that moment). Events: ScalingReplicaSet.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, list, deploymentController } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = {
 *   apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
 *     template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
 * }
 * const s = E.chain((x: ReturnType<typeof createCluster>) => advance(x, '10s'))(applyManifests(createCluster({ nodes: 2 }), web))
 * const rs = E.isRight(s) ? list(s.right, 'ReplicaSet', { namespace: 'default' }) : []
 * expect(rs).toHaveLength(1)
 * expect(rs[0]?.metadata.name).toMatch(/^web-[456789bcdf]+$/)
 * expect(rs[0]?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1')
 * expect(deploymentController.name).toBe('deployment-controller')
 * ```
 */
export const deploymentController: Controller = {
  name: NAME,
  watches: ['Deployment', 'ReplicaSet', 'Pod'],
  reconcile: (state) => planCluster(state).actions,
  nextWakeup: (state) => {
    let next: number | undefined
    for (const d of listObjects(state.objects, 'Deployment')) {
      const at = deadlineWakeup(state, d as StoredDeployment)
      if (at !== undefined && (next === undefined || at < next)) next = at
    }
    return next === undefined ? O.none : O.some(next)
  },
}
