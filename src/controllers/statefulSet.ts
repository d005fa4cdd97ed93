/**
 * The StatefulSet controller: pods with stable identities `<set>-<ordinal>` (labels
 * `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`, hostname = pod name,
 * subdomain = serviceName), each with its own PersistentVolumeClaims `<template>-<set>-<ordinal>`
 * created before the pod and kept across pod deletion, scale-down and set deletion unless
 * `persistentVolumeClaimRetentionPolicy` says Delete.
 *
 * The reconcile follows upstream's `updateStatefulSet` step for step. Ordinals in
 * `[start, start + replicas)` are replicas, the rest condemned. Under OrderedReady
 * ("monotonic") the replicas are walked in ascending order: a missing pod is created and the
 * pass ends; a pod that is terminating, not Running and Ready, or not yet available
 * (minReadySeconds) ends the pass. Only then are condemned pods deleted, highest ordinal first,
 * one at a time, and only then does the rolling update delete the highest-ordinal pod not on the
 * update revision (never below the partition), one at a time, waiting for each replacement to
 * be healthy. Parallel does all creations and deletions at once but still updates one pod at a
 * time. OnDelete never deletes for updates.
 *
 * The known upstream trap (kubernetes/kubernetes#67250) is reproduced, not fixed: under
 * OrderedReady a pod that never becomes Ready halts the walk before the rolling update is
 * reached, so reverting the template does not replace it; the rollout stays stuck until the
 * pod is deleted by hand. `isStuckOrderedRollout` recognises that state so convergence checks
 * can treat it as the documented exception it is.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { deepEqual } from '../internal/deepEqual.js'
import { resolveIntOrPercent } from '../objects/intOrString.js'
import type { OwnerReference } from '../objects/meta.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { PodSpec, PodTemplateSpec, Volume } from '../objects/pod.js'
import { fromLabelSelector, matchesSelector, type Selector } from '../objects/selector.js'
import type { StatefulSet, StatefulSetStatus } from '../objects/statefulSet.js'
import { dependentsOf, getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { type Action, type Controller, plannedController, type Plan } from './controller.js'
import {
  claimRevisions,
  CONTROLLER_REVISION_HASH_LABEL,
  controllerRevisionName,
  equalRevisions,
  hashControllerRevision,
  newRevision,
  nextRevisionNumber,
  REVISION_HASH_LABEL,
  type StoredRevision,
  templateOfRevision,
  templatePatch,
  truncateHistory,
} from './controllerRevision.js'
import {
  controllerRef,
  isFinished,
  isPodAvailable,
  isRunningAndReady,
  isTerminating,
  newControllerRef,
  nextAvailability,
  podPhase,
} from './podReadiness.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'statefulset-controller'

/**
 * The label with a StatefulSet pod's own name (a stable selector for one replica).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { STATEFULSET_POD_NAME_LABEL } from 'kubesim'
 * expect(STATEFULSET_POD_NAME_LABEL).toBe('statefulset.kubernetes.io/pod-name')
 * ```
 */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'

/**
 * The label with a StatefulSet pod's ordinal (Kubernetes 1.28+).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { POD_INDEX_LABEL } from 'kubesim'
 * expect(POD_INDEX_LABEL).toBe('apps.kubernetes.io/pod-index')
 * ```
 */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index'

type StoredStatefulSet = StatefulSet & KubeObject

interface ClaimTemplate {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> }
  readonly spec?: object
}

const ORDINAL = /^(.*)-([0-9]+)$/
const MAX_INT32 = 2 ** 31 - 1

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * Splits a StatefulSet pod name into the set's name and the ordinal, as upstream's
 * `getParentNameAndOrdinal` (greedy: `web-1-2` is ordinal 2 of `web-1`); `('', -1)` when the
 * name has no ordinal or it does not fit in an int32.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseStatefulPodName } from 'kubesim'
 * expect(parseStatefulPodName('web-1-2')).toEqual({ parent: 'web-1', ordinal: 2 })
 * expect(parseStatefulPodName('web')).toEqual({ parent: '', ordinal: -1 })
 * ```
 */
export const parseStatefulPodName = (name: string): { readonly parent: string; readonly ordinal: number } => {
  const m = ORDINAL.exec(name)
  if (m === null) return { parent: '', ordinal: -1 }
  const ordinal = Number(m[2])
  if (!Number.isSafeInteger(ordinal) || ordinal > MAX_INT32) return { parent: '', ordinal: -1 }
  return { parent: m[1] ?? '', ordinal }
}

const ordinalOf = (pod: KubeObject): number => parseStatefulPodName(pod.metadata.name).ordinal

const startOrdinal = (set: StoredStatefulSet): number => set.spec.ordinals?.start ?? 0

const revisionOf = (pod: KubeObject): string => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? ''

const claimTemplates = (set: StoredStatefulSet): ReadonlyArray<ClaimTemplate> => (set.spec.volumeClaimTemplates ?? []) as ReadonlyArray<ClaimTemplate>

/**
 * The claim name a volume claim template gives an ordinal: `<template>-<set>-<ordinal>`.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { statefulSetClaimName } from 'kubesim'
 * expect(statefulSetClaimName('www', 'web', 0)).toBe('www-web-0')
 * ```
 */
export const statefulSetClaimName = (template: string, set: string, ordinal: number): string => `${template}-${set}-${ordinal}`

const healthy = (pod: KubeObject | undefined): boolean => pod !== undefined && isRunningAndReady(pod) && !isTerminating(pod)

const policyOf = (set: StoredStatefulSet): { readonly whenDeleted: string; readonly whenScaled: string } => ({
  whenDeleted: set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain',
  whenScaled: set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain',
})

const refOfObject = (o: KubeObject): ObjectRef => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

const inRange = (set: StoredStatefulSet, ordinal: number): boolean => {
  const start = startOrdinal(set)
  return ordinal >= start && ordinal < start + (set.spec.replicas ?? 1)
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/** The claims a pod of the set needs (`getPersistentVolumeClaims`), in template order. */
const claimsFor = (set: StoredStatefulSet, ordinal: number): ReadonlyArray<readonly [string, KubeObject]> => {
  const selectorLabels = set.spec.selector?.matchLabels ?? {}
  return claimTemplates(set).map((t) => {
    const template = t.metadata?.name ?? ''
    const annotations = t.metadata?.annotations
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: statefulSetClaimName(template, set.metadata.name, ordinal),
        namespace: set.metadata.namespace ?? 'default',
        labels: { ...(t.metadata?.labels ?? {}), ...selectorLabels },
        ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
      },
      spec: { ...(t.spec ?? {}) },
    }
    return [template, claim] as const
  })
}

/** `newStatefulSetPod`: the template's pod with its identity, storage and revision. */
const newPod = (set: StoredStatefulSet, template: PodTemplateSpec, ordinal: number, revision: string): KubeObject => {
  const name = `${set.metadata.name}-${ordinal}`
  const spec = (template.spec ?? { containers: [] }) as PodSpec
  const claimVolumes: Volume[] = claimsFor(set, ordinal).map(([volume, claim]) => ({ name: volume, persistentVolumeClaim: { claimName: claim.metadata.name } }))
  const names = new Set(claimVolumes.map((v) => v.name))
  const volumes = [...claimVolumes, ...(spec.volumes ?? []).filter((v) => !names.has(v.name))]
  const serviceName = set.spec.serviceName ?? ''
  const annotations = template.metadata?.annotations
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace ?? 'default',
      labels: {
        ...(template.metadata?.labels ?? {}),
        [STATEFULSET_POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [CONTROLLER_REVISION_HASH_LABEL]: revision,
      },
      ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
      ownerReferences: [newControllerRef(set)],
    },
    spec: {
      ...spec,
      ...(volumes.length === 0 ? {} : { volumes }),
      hostname: name,
      ...(serviceName === '' ? {} : { subdomain: serviceName }),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const setEvent = (set: StoredStatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): Action => ({
  type: 'event',
  by: NAME,
  event: {
    involvedObject: { kind: 'StatefulSet', namespace: set.metadata.namespace, name: set.metadata.name, ...(set.metadata.uid === undefined ? {} : { uid: set.metadata.uid }), apiVersion: 'apps/v1' },
    type,
    reason,
    message,
  },
})

/** The set's pods: controlled ones still matching, plus matching orphans named like its pods. */
const claimPods = (state: ClusterState, set: StoredStatefulSet, selector: Selector): { pods: KubeObject[]; actions: Action[] } => {
  const uid = set.metadata.uid ?? ''
  const pods: KubeObject[] = []
  const actions: Action[] = []
  for (const dep of dependentsOf(state.objects, uid)) {
    if (dep.kind !== 'Pod' || controllerRef(dep)?.uid !== uid) continue
    if (matchesSelector(selector, dep.metadata.labels)) pods.push(dep)
    else if (set.metadata.deletionTimestamp === undefined) {
      const kept = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
      const { ownerReferences: _drop, ...metadata } = dep.metadata
      actions.push({ type: 'update', by: NAME, object: { ...dep, metadata: kept.length === 0 ? metadata : { ...metadata, ownerReferences: kept } } })
    }
  }
  if (set.metadata.deletionTimestamp === undefined)
    for (const orphan of listObjects(state.objects, 'Pod', { namespace: set.metadata.namespace ?? 'default', selector })) {
      if (controllerRef(orphan) !== undefined || isTerminating(orphan) || parseStatefulPodName(orphan.metadata.name).parent !== set.metadata.name) continue
      const adopted = { ...orphan, metadata: { ...orphan.metadata, ownerReferences: [...(orphan.metadata.ownerReferences ?? []), newControllerRef(set)] } }
      actions.push({ type: 'update', by: NAME, object: adopted })
      pods.push(adopted)
    }
  return { pods, actions }
}

interface Revisions {
  readonly current: StoredRevision
  readonly update: StoredRevision
  readonly collisionCount: number
  readonly all: ReadonlyArray<StoredRevision>
  readonly actions: ReadonlyArray<Action>
}

/** `getStatefulSetRevisions`: the update revision (reused, renumbered or created) and the current one. */
const statefulSetRevisions = (state: ClusterState, set: StoredStatefulSet, selector: Selector): Revisions => {
  const claimed = claimRevisions(state, set, selector, NAME)
  const actions: Action[] = [...claimed.actions]
  const revisions = claimed.revisions
  let collisionCount = set.status?.collisionCount ?? 0
  const data = templatePatch(set.spec.template)
  const next = nextRevisionNumber(revisions)
  const equal = equalRevisions(revisions, data)
  let update: StoredRevision
  let all = revisions
  const latestEqual = equal.at(-1)
  // A set being deleted writes no revision. Its revisions are dependents the garbage collector is
  // deleting (Foreground) or releasing (Orphan); one written now would be collected again.
  // Upstream writes it once per sync, and only events trigger a sync, so the race ends there; a
  // controller that plans from the state every pass would recreate it forever at one instant.
  const deleting = set.metadata.deletionTimestamp !== undefined
  if (latestEqual !== undefined && latestEqual === revisions.at(-1)) update = latestEqual
  else if (latestEqual !== undefined) {
    // The template went back to an earlier revision: reuse it with the next number.
    update = { ...latestEqual, revision: next }
    if (!deleting) actions.push({ type: 'update', by: NAME, object: update })
    all = revisions.map((r) => (r === latestEqual ? update : r))
  } else {
    const hash = hashControllerRevision(data, collisionCount)
    let name = controllerRevisionName(set.metadata.name, hash)
    let existing: KubeObject | undefined
    // CreateControllerRevision: a name taken by different data bumps the collision count.
    for (let attempt = 0; attempt < 100; attempt++) {
      existing = getObject(state.objects, { kind: 'ControllerRevision', namespace: set.metadata.namespace ?? 'default', name })
      if (existing === undefined || deepEqual((existing as StoredRevision).data, data)) break
      collisionCount++
      name = controllerRevisionName(set.metadata.name, hashControllerRevision(data, collisionCount))
    }
    if (existing !== undefined) update = existing as StoredRevision
    else {
      update = newRevision(set, name, data, next, { ...(set.spec.template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash })
      if (!deleting) actions.push({ type: 'create', by: NAME, object: update })
    }
    all = deleting && existing === undefined ? revisions : [...revisions, update]
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update
  return { current, update, collisionCount, all, actions }
}

/** The owner references a claim should carry under the retention policy (`updateClaimOwnerRefForSetAndPod`). */
const retentionOwners = (set: StoredStatefulSet, claim: KubeObject, pod: KubeObject | undefined, ordinal: number): ReadonlyArray<OwnerReference> => {
  const { whenDeleted, whenScaled } = policyOf(set)
  const setRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name, uid: set.metadata.uid ?? '' }
  const podRef: OwnerReference | undefined =
    pod?.metadata.uid === undefined ? undefined : { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }
  let refs = [...(claim.metadata.ownerReferences ?? [])]
  const add = (ref: OwnerReference | undefined) => {
    if (ref !== undefined && !refs.some((r) => r.uid === ref.uid)) refs.push(ref)
  }
  const drop = (uid: string | undefined) => {
    if (uid !== undefined) refs = refs.filter((r) => r.uid !== uid)
  }
  const scaledDown = !inRange(set, ordinal)
  if (whenScaled === 'Delete' && whenDeleted === 'Delete') {
    if (scaledDown) {
      drop(setRef.uid)
      add(podRef)
    } else {
      add(setRef)
      drop(podRef?.uid)
    }
  } else if (whenScaled === 'Delete') {
    drop(setRef.uid)
    if (scaledDown) add(podRef)
    else drop(podRef?.uid)
  } else if (whenDeleted === 'Delete') {
    add(setRef)
    drop(podRef?.uid)
  } else {
    drop(setRef.uid)
    drop(podRef?.uid)
  }
  return refs
}

const withOwners = (claim: KubeObject, refs: ReadonlyArray<OwnerReference>): KubeObject => {
  const { ownerReferences: _old, ...metadata } = claim.metadata
  return { ...claim, metadata: refs.length === 0 ? metadata : { ...metadata, ownerReferences: [...refs] } }
}

interface Sync {
  readonly actions: Action[]
}

const getClaim = (state: ClusterState, claim: KubeObject): KubeObject | undefined =>
  getObject(state.objects, { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name })

/** Whether a claim still belongs to a previous pod of this ordinal (`PodClaimIsStale`). */
const claimIsStale = (state: ClusterState, set: StoredStatefulSet, ordinal: number, podUid: string | undefined): boolean => {
  if (policyOf(set).whenScaled === 'Retain') return false
  const podName = `${set.metadata.name}-${ordinal}`
  return claimsFor(set, ordinal).some(([, claim]) => {
    const stored = getClaim(state, claim)
    return (stored?.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === podName && r.uid !== podUid)
  })
}

/** Creates the claims an ordinal lacks; false when one is being deleted (the pod must wait). */
const createClaims = (state: ClusterState, set: StoredStatefulSet, ordinal: number, sync: Sync): boolean => {
  let ok = true
  const podName = `${set.metadata.name}-${ordinal}`
  for (const [, claim] of claimsFor(set, ordinal)) {
    const stored = getClaim(state, claim)
    if (stored === undefined) {
      sync.actions.push({ type: 'create', by: NAME, object: withOwners(claim, retentionOwners(set, claim, undefined, ordinal)) })
      sync.actions.push(setEvent(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${podName} in StatefulSet ${set.metadata.name} success`))
    } else if (stored.metadata.deletionTimestamp !== undefined) ok = false
  }
  return ok
}

const deletePod = (set: StoredStatefulSet, pod: KubeObject, sync: Sync): void => {
  sync.actions.push({ type: 'delete', by: NAME, ref: refOfObject(pod), ...(pod.metadata.uid === undefined ? {} : { preconditionUid: pod.metadata.uid }) })
  sync.actions.push(setEvent(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`))
}

/** Fixes a pod's identity labels and its claims' owner references when they drifted. */
const enforceInvariants = (state: ClusterState, set: StoredStatefulSet, pod: KubeObject, ordinal: number, sync: Sync): void => {
  const labels = pod.metadata.labels ?? {}
  if (labels[STATEFULSET_POD_NAME_LABEL] !== pod.metadata.name || labels[POD_INDEX_LABEL] !== String(ordinal)) {
    const fixed = { ...pod, metadata: { ...pod.metadata, labels: { ...labels, [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) } } }
    sync.actions.push({ type: 'update', by: NAME, object: fixed })
    sync.actions.push(setEvent(set, 'Normal', 'SuccessfulUpdate', `update Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`))
  }
  fixClaimOwners(state, set, pod, ordinal, sync)
}

const fixClaimOwners = (state: ClusterState, set: StoredStatefulSet, pod: KubeObject, ordinal: number, sync: Sync): void => {
  for (const [, claim] of claimsFor(set, ordinal)) {
    const stored = getClaim(state, claim)
    if (stored === undefined || stored.metadata.deletionTimestamp !== undefined) continue
    const refs = retentionOwners(set, stored, pod, ordinal)
    if (!deepEqual(refs, stored.metadata.ownerReferences ?? [])) sync.actions.push({ type: 'update', by: NAME, object: withOwners(stored, refs) })
  }
}

/** Status from the observed pods (`computeReplicaStatus` and `completeRollingUpdate`). */
const calculateStatus = (set: StoredStatefulSet, pods: ReadonlyArray<KubeObject>, revisions: Revisions, now: number): StatefulSetStatus => {
  const minReady = set.spec.minReadySeconds ?? 0
  let replicas = 0
  let ready = 0
  let available = 0
  let current = 0
  let updated = 0
  for (const pod of pods) {
    if (podPhase(pod) !== '') replicas++
    if (isRunningAndReady(pod)) {
      ready++
      if (isPodAvailable(pod, minReady, now)) available++
    }
    if (podPhase(pod) !== '' && !isTerminating(pod)) {
      if (revisionOf(pod) === revisions.current.metadata.name) current++
      if (revisionOf(pod) === revisions.update.metadata.name) updated++
    }
  }
  let currentRevision = revisions.current.metadata.name
  if (set.spec.updateStrategy?.type === 'RollingUpdate' && updated === replicas && ready === replicas) {
    current = updated
    currentRevision = revisions.update.metadata.name
  }
  // Zero counts are omitted, as the API server's JSON omits them (omitempty).
  const status: Record<string, unknown> = { replicas, availableReplicas: available }
  if (set.metadata.generation !== undefined) status['observedGeneration'] = set.metadata.generation
  if (ready !== 0) status['readyReplicas'] = ready
  if (current !== 0) status['currentReplicas'] = current
  if (updated !== 0) status['updatedReplicas'] = updated
  status['currentRevision'] = currentRevision
  status['updateRevision'] = revisions.update.metadata.name
  status['collisionCount'] = revisions.collisionCount
  if (set.status?.conditions !== undefined) status['conditions'] = set.status.conditions
  return status as StatefulSetStatus
}

interface Walk {
  /** The replica slots: an existing pod, or undefined where one must be created. */
  readonly replicas: ReadonlyArray<KubeObject | undefined>
  /** Pods outside the range, highest ordinal first. */
  readonly condemned: ReadonlyArray<KubeObject>
}

const walkOf = (set: StoredStatefulSet, pods: ReadonlyArray<KubeObject>): Walk => {
  const start = startOrdinal(set)
  const count = set.spec.replicas ?? 1
  const replicas: Array<KubeObject | undefined> = Array.from({ length: count }, () => undefined)
  const condemned: KubeObject[] = []
  for (const pod of pods) {
    const ordinal = ordinalOf(pod)
    if (ordinal >= start && ordinal < start + count) replicas[ordinal - start] = pod
    else if (ordinal >= 0) condemned.push(pod)
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a))
  return { replicas, condemned }
}

/** The revision a missing pod gets (`newVersionedStatefulSetPod`). */
const revisionForNewPod = (set: StoredStatefulSet, index: number): 'current' | 'update' => {
  const strategy = set.spec.updateStrategy
  const rolling = strategy?.rollingUpdate
  if (strategy?.type === 'RollingUpdate' && rolling === undefined && index < (set.status?.currentReplicas ?? 0)) return 'current'
  if (rolling !== undefined && index < (rolling.partition ?? 0)) return 'current'
  return 'update'
}

/** The replicas and condemned pods: create, recreate, delete, in upstream's order. Returns false when the pass must stop. */
const processPods = (state: ClusterState, set: StoredStatefulSet, walk: Walk, revisions: Revisions, sync: Sync): boolean => {
  const monotonic = set.spec.podManagementPolicy !== 'Parallel'
  const minReady = set.spec.minReadySeconds ?? 0
  const start = startOrdinal(set)
  const currentTemplate = templateOfRevision(revisions.current) ?? set.spec.template
  for (let i = 0; i < walk.replicas.length; i++) {
    const ordinal = start + i
    const pod = walk.replicas[i]
    if (pod === undefined) {
      if (claimIsStale(state, set, ordinal, undefined)) {
        if (monotonic) return false
        continue
      }
      const which = revisionForNewPod(set, i)
      const revision = which === 'current' ? revisions.current : revisions.update
      const template = which === 'current' ? currentTemplate : set.spec.template
      if (!createClaims(state, set, ordinal, sync)) {
        if (monotonic) return false
        continue
      }
      const created = newPod(set, template, ordinal, revision.metadata.name)
      sync.actions.push({ type: 'create', by: NAME, object: created })
      sync.actions.push(setEvent(set, 'Normal', 'SuccessfulCreate', `create Pod ${created.metadata.name} in StatefulSet ${set.metadata.name} successful`))
      if (monotonic) return false
      continue
    }
    if (isFinished(pod)) {
      // A finished pod is deleted and recreated on a later pass, once it is gone.
      if (!isTerminating(pod)) deletePod(set, pod, sync)
      if (monotonic) return false
      continue
    }
    if (podPhase(pod) === 'Pending' && !createClaims(state, set, ordinal, sync) && monotonic) return false
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isPodAvailable(pod, minReady, state.now))) return false
    enforceInvariants(state, set, pod, ordinal, sync)
  }
  // Claims of condemned pods get the pod as owner under whenScaled: Delete, before the pods go.
  for (const pod of walk.condemned) fixClaimOwners(state, set, pod, ordinalOf(pod), sync)
  let firstUnhealthy: KubeObject | undefined
  for (const pod of walk.replicas)
    if (!healthy(pod)) {
      firstUnhealthy = pod
      break
    }
  if (firstUnhealthy === undefined && walk.replicas.every(healthy))
    for (let i = walk.condemned.length - 1; i >= 0; i--) if (!healthy(walk.condemned[i])) { firstUnhealthy = walk.condemned[i]; break }
  for (const pod of walk.condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return false
      continue
    }
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isPodAvailable(pod, minReady, state.now))) return false
    deletePod(set, pod, sync)
    if (monotonic) return false
  }
  return true
}

/** The rolling update, one pod (or maxUnavailable pods) at a time, highest ordinal first. */
const rollingUpdate = (set: StoredStatefulSet, walk: Walk, revisions: Revisions, sync: Sync): void => {
  const rolling = set.spec.updateStrategy?.rollingUpdate
  const updateMin = rolling?.partition ?? 0
  const updateName = revisions.update.metadata.name
  const replicas = walk.replicas
  if (rolling?.maxUnavailable !== undefined) {
    // The MaxUnavailableStatefulSet path: up to maxUnavailable pods may be down at once.
    const resolved = E.getOrElse(() => 1)(resolveIntOrPercent(rolling.maxUnavailable, replicas.length, false))
    const maxUnavailable = Math.max(1, resolved)
    const unavailable = replicas.filter((p) => !healthy(p)).length
    if (unavailable >= maxUnavailable) return
    let toDelete = maxUnavailable - unavailable
    for (let target = replicas.length - 1; target >= updateMin && toDelete > 0; target--) {
      const pod = replicas[target]
      if (pod === undefined || isTerminating(pod) || revisionOf(pod) === updateName) continue
      deletePod(set, pod, sync)
      toDelete--
    }
    return
  }
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target]
    if (pod === undefined) return
    if (revisionOf(pod) !== updateName && !isTerminating(pod)) {
      deletePod(set, pod, sync)
      return
    }
    if (!healthy(pod)) return
  }
}

const syncStatefulSet = (state: ClusterState, set: StoredStatefulSet): { actions: Action[]; next: number | undefined } => {
  const sync: Sync = { actions: [] }
  if (set.spec.selector === undefined) return { actions: sync.actions, next: undefined }
  const selector = fromLabelSelector(set.spec.selector)
  const claimed = claimPods(state, set, selector)
  sync.actions.push(...claimed.actions)
  const revisions = statefulSetRevisions(state, set, selector)
  sync.actions.push(...revisions.actions)
  const pods = claimed.pods
  if (set.metadata.deletionTimestamp === undefined) {
    const walk = walkOf(set, pods)
    const proceed = processPods(state, set, walk, revisions, sync)
    if (proceed && set.spec.updateStrategy?.type === 'RollingUpdate') rollingUpdate(set, walk, revisions, sync)
  }
  const status = calculateStatus(set, pods, revisions, state.now)
  if (!deepEqual(status, set.status ?? {})) sync.actions.push({ type: 'updateStatus', by: NAME, object: { ...set, status } })
  // History: revisions no pod uses beyond revisionHistoryLimit go, oldest first.
  const live = new Set<string>([revisions.current.metadata.name, revisions.update.metadata.name, ...pods.map(revisionOf)])
  const old = revisions.all.filter((r) => !live.has(r.metadata.name))
  sync.actions.push(...truncateHistory(old, () => false, set.spec.revisionHistoryLimit ?? 10, false, NAME))
  const minReady = set.spec.minReadySeconds ?? 0
  return { actions: sync.actions, next: nextAvailability(pods, minReady, state.now) }
}

const planCluster = (state: ClusterState): Plan => {
  const actions: Action[] = []
  let next: number | undefined
  for (const object of listObjects(state.objects, 'StatefulSet')) {
    const result = syncStatefulSet(state, object as StoredStatefulSet)
    actions.push(...result.actions)
    if (result.next !== undefined && (next === undefined || result.next < next)) next = result.next
  }
  const plan: Plan = { actions, next }
  return plan
}

/**
 * Whether a StatefulSet is caught in upstream's documented trap (kubernetes/kubernetes#67250):
 * under OrderedReady with RollingUpdate, the first pod the controller walks to is not Running
 * and Ready (or not yet available) and is not on the update revision, so the controller waits
 * for it forever instead of replacing it. Reverting a broken template leads here: the broken
 * pod blocks the walk, and only deleting it by hand lets the rollout continue. Convergence
 * checks should treat a set in this state as the documented exception, not as a bug. A pod
 * that is merely slow to start also matches while it is starting: call it on a settled state.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, advance, createCluster, isStuckOrderedRollout } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const sts = (image: string, annotations: Record<string, string> = {}) => ({
 *   apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' },
 *   spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
 *     template: { metadata: { labels: { app: 'db' }, annotations }, spec: { containers: [{ name: 'db', image }] } } },
 * })
 * const run = (s: E.Either<unknown, ReturnType<typeof createCluster>>) => E.chain((x: ReturnType<typeof createCluster>) => advance(x, '2m'))(s as never)
 * let s = run(applyManifests(createCluster({ nodes: 2 }), [sts('db:1')]))
 * s = E.isRight(s) ? run(applyManifests(s.right, [sts('db:broken', { 'kubesim.dev/never-ready': 'true' })])) : s
 * s = E.isRight(s) ? run(applyManifests(s.right, [sts('db:1')])) : s
 * expect(E.isRight(s) && isStuckOrderedRollout(s.right, { namespace: 'default', name: 'db' })).toBe(true)
 * ```
 */
export const isStuckOrderedRollout = (state: ClusterState, ref: { readonly namespace?: string; readonly name: string }): boolean => {
  const set = getObject(state.objects, { kind: 'StatefulSet', namespace: ref.namespace ?? 'default', name: ref.name }) as StoredStatefulSet | undefined
  if (set === undefined || set.metadata.deletionTimestamp !== undefined || set.spec.selector === undefined) return false
  if (set.spec.podManagementPolicy === 'Parallel' || set.spec.updateStrategy?.type !== 'RollingUpdate') return false
  const selector = fromLabelSelector(set.spec.selector)
  const data = templatePatch(set.spec.template)
  const uid = set.metadata.uid ?? ''
  const owned = dependentsOf(state.objects, uid).filter((d) => controllerRef(d)?.uid === uid)
  const update = equalRevisions(owned.filter((d): d is StoredRevision => d.kind === 'ControllerRevision'), data).at(-1)
  if (update === undefined) return false
  const pods = owned.filter((d) => d.kind === 'Pod' && matchesSelector(selector, d.metadata.labels))
  const minReady = set.spec.minReadySeconds ?? 0
  for (const pod of walkOf(set, pods).replicas) {
    // A missing, finished or terminating pod is work the controller will do: not stuck.
    if (pod === undefined || isFinished(pod) || isTerminating(pod)) return false
    if (isRunningAndReady(pod) && isPodAvailable(pod, minReady, state.now)) continue
    return revisionOf(pod) !== update.metadata.name
  }
  return false
}

/**
 * The StatefulSet controller: stable pod identities and claims, OrderedReady and Parallel pod
 * management, RollingUpdate (partition, maxUnavailable) and OnDelete updates, ControllerRevisions
 * with history cleanup, claim retention policies, and status. `nextWakeup` is the moment a ready
 * pod outlasts minReadySeconds.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, advance, createCluster, list } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = {
 *   apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
 *   spec: { replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } },
 *     template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
 *     volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
 * }
 * const s = E.chain((x: ReturnType<typeof createCluster>) => advance(x, '30s'))(applyManifests(createCluster({ nodes: 2 }), [web]))
 * const names = (kind: string) => (E.isRight(s) ? list(s.right, kind, { namespace: 'default' }).map((o) => o.metadata.name) : [])
 * expect(names('Pod')).toEqual(['web-0', 'web-1', 'web-2'])
 * expect(names('PersistentVolumeClaim')).toEqual(['www-web-0', 'www-web-1', 'www-web-2'])
 * ```
 */
export const statefulSetController: Controller = plannedController(NAME, planCluster, ['StatefulSet', 'Pod', 'PersistentVolumeClaim', 'ControllerRevision'])
