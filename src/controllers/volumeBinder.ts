/**
 * The volume binder: the part of kube-controller-manager's PersistentVolume controller (and of
 * an external provisioner) that kubesim simulates. A Pending claim binds to the smallest
 * matching pre-created PersistentVolume (storage class, volume mode, access modes, capacity,
 * selector; a volume pre-bound through `claimRef`, or named by the claim's `volumeName`, wins),
 * or else gets a volume provisioned by its StorageClass, named `pvc-<claim uid>`. Claims without
 * a class get the default StorageClass (the retroactive assignment of Kubernetes 1.28+).
 * WaitForFirstConsumer classes bind only once a pod using the claim has a node. When a claim
 * goes, its volume is Released and, with reclaim policy Delete, deleted; a bound claim whose
 * volume vanished is Lost.
 *
 * Binding writes what the real controller writes: the volume's `claimRef` and phase Bound, the
 * claim's `volumeName`, annotations `pv.kubernetes.io/bind-completed` and
 * `pv.kubernetes.io/bound-by-controller`, and status Bound with the volume's capacity and access
 * modes.
 *
 * Not simulated: volume attach/mount (the kubelet starts pods whatever their volumes), topology
 * (`allowedTopologies`, volume node affinity), expansion, the pvc- and pv-protection finalizers,
 * and the provisioner `kubernetes.io/no-provisioner` aside (it never provisions), the difference
 * between in-tree and external provisioners: every other provisioner name provisions at once.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import { compareQuantity, parseQuantity } from '../objects/quantity.js'
import { fromLabelSelector, type LabelSelector, matchesSelector } from '../objects/selector.js'
import { podClaimNames } from '../scheduling/volumeBinding.js'
import { getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller, EventRecord } from './controller.js'
import { isFinished, podNodeName } from './podReadiness.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const NAME = 'persistentvolume-controller'

/**
 * Annotations the volume binder reads and writes, as Kubernetes names them.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { STORAGE_ANNOTATIONS } from 'kubesim'
 * expect(STORAGE_ANNOTATIONS.isDefaultClass).toBe('storageclass.kubernetes.io/is-default-class')
 * expect(STORAGE_ANNOTATIONS.bindCompleted).toBe('pv.kubernetes.io/bind-completed')
 * ```
 */
export const STORAGE_ANNOTATIONS = {
  isDefaultClass: 'storageclass.kubernetes.io/is-default-class',
  isDefaultClassBeta: 'storageclass.beta.kubernetes.io/is-default-class',
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  storageProvisionerBeta: 'volume.beta.kubernetes.io/storage-provisioner',
  selectedNode: 'volume.kubernetes.io/selected-node',
} as const

/**
 * The StorageClass every new cluster has: `standard (default)`, provisioner
 * `kubesim.dev/hostpath`, reclaim policy Delete, binding mode Immediate (minikube's shape).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, get, DEFAULT_STORAGE_CLASS } from 'kubesim'
 * import * as O from 'fp-ts/lib/Option.js'
 * const sc = get(createCluster(), 'StorageClass', undefined, 'standard')
 * expect(O.isSome(sc) && sc.value['provisioner']).toBe(DEFAULT_STORAGE_CLASS.provisioner)
 * ```
 */
export const DEFAULT_STORAGE_CLASS = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { [STORAGE_ANNOTATIONS.isDefaultClass]: 'true' } },
  provisioner: 'kubesim.dev/hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
} as const satisfies KubeObject

/** The provisioner name that means "no dynamic provisioning" (local volumes). */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner'

interface ClaimView extends KubeObject {
  readonly spec: {
    readonly accessModes?: ReadonlyArray<string>
    readonly resources?: { readonly requests?: Readonly<Record<string, string>> }
    readonly storageClassName?: string
    readonly volumeName?: string
    readonly volumeMode?: string
    readonly selector?: LabelSelector
  }
  readonly status?: { readonly phase?: string }
}

interface ClaimRef {
  readonly kind?: string
  readonly namespace?: string
  readonly name?: string
  readonly uid?: string
}

interface VolumeView extends KubeObject {
  readonly spec: {
    readonly capacity?: Readonly<Record<string, string>>
    readonly accessModes?: ReadonlyArray<string>
    readonly storageClassName?: string
    readonly volumeMode?: string
    readonly claimRef?: ClaimRef
    readonly persistentVolumeReclaimPolicy?: string
  }
  readonly status?: { readonly phase?: string }
}

/** Pending claims already reported, by uid, with the reason: events are not repeated each pass. */
type BinderMemory = ReadonlyMap<string, string>

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const classOf = (state: ClusterState, name: string): KubeObject | undefined => getObject(state.objects, { kind: 'StorageClass', name })

const isDefaultClass = (sc: KubeObject): boolean =>
  sc.metadata.annotations?.[STORAGE_ANNOTATIONS.isDefaultClass] === 'true' || sc.metadata.annotations?.[STORAGE_ANNOTATIONS.isDefaultClassBeta] === 'true'

/**
 * The default StorageClass: the newest class annotated as default (Kubernetes picks the newest
 * when several are), or undefined.
 *
 * @internal
 */
export const defaultStorageClass = (state: ClusterState): KubeObject | undefined => {
  let best: KubeObject | undefined
  for (const sc of listObjects(state.objects, 'StorageClass')) {
    if (!isDefaultClass(sc) || sc.metadata.deletionTimestamp !== undefined) continue
    const t = sc.metadata.creationTimestamp ?? ''
    const bt = best?.metadata.creationTimestamp ?? ''
    if (best === undefined || t > bt || (t === bt && sc.metadata.name < best.metadata.name)) best = sc
  }
  return best
}

const storageRequest = (claim: ClaimView): string | undefined => claim.spec.resources?.requests?.['storage']

const refersTo = (ref: ClaimRef | undefined, claim: KubeObject): boolean =>
  ref !== undefined &&
  ref.name === claim.metadata.name &&
  (ref.namespace ?? 'default') === (claim.metadata.namespace ?? 'default') &&
  (ref.uid === undefined || ref.uid === '' || ref.uid === claim.metadata.uid)

const capacityOf = (pv: VolumeView) => {
  const text = pv.spec.capacity?.['storage']
  const q = text === undefined ? undefined : parseQuantity(text)
  return q !== undefined && q._tag === 'Right' ? q.right : undefined
}

/** Whether a volume satisfies a claim (`checkVolumeSatisfyClaim` plus the matcher's filters). */
const satisfies = (pv: VolumeView, claim: ClaimView, className: string): boolean => {
  if ((pv.spec.storageClassName ?? '') !== className) return false
  if ((pv.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem')) return false
  const modes = pv.spec.accessModes ?? []
  if (!(claim.spec.accessModes ?? []).every((m) => modes.includes(m))) return false
  const request = storageRequest(claim)
  const want = request === undefined ? undefined : parseQuantity(request)
  const have = capacityOf(pv)
  if (want === undefined || want._tag === 'Left' || have === undefined || compareQuantity(have, want.right) < 0) return false
  if (claim.spec.selector !== undefined && !matchesSelector(fromLabelSelector(claim.spec.selector), pv.metadata.labels)) return false
  return true
}

/** The smallest available volume for a claim; a volume pre-bound to it wins (`findMatchingVolume`). */
const findMatchingVolume = (volumes: ReadonlyArray<VolumeView>, claim: ClaimView, className: string, taken: ReadonlySet<string>): VolumeView | undefined => {
  let best: VolumeView | undefined
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp !== undefined || taken.has(pv.metadata.name)) continue
    const phase = pv.status?.phase ?? ''
    if (phase === 'Released' || phase === 'Failed') continue
    const ref = pv.spec.claimRef
    if (ref !== undefined) {
      if (refersTo(ref, claim) && satisfies(pv, claim, className)) return pv
      continue
    }
    if (!satisfies(pv, claim, className)) continue
    const cap = capacityOf(pv)
    const bestCap = best === undefined ? undefined : capacityOf(best)
    if (best === undefined || (cap !== undefined && bestCap !== undefined && compareQuantity(cap, bestCap) < 0)) best = pv
  }
  return best
}

const refOfObject = (o: KubeObject): ObjectRef => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const claimEvent = (claim: KubeObject, type: EventRecord['type'], reason: string, message: string): Action => ({
  type: 'event',
  by: NAME,
  event: {
    involvedObject: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, ...(claim.metadata.uid === undefined ? {} : { uid: claim.metadata.uid }), apiVersion: 'v1' },
    type,
    reason,
    message,
  },
})

const withoutVersion = (object: KubeObject): KubeObject => {
  const { resourceVersion: _rv, ...metadata } = object.metadata
  return { ...object, metadata }
}

/** The writes that bind a claim to a volume (the volume side first, as upstream binds). */
const bindActions = (claim: ClaimView, pv: VolumeView, extraClaimAnnotations: Readonly<Record<string, string>>, volumeIsNew: boolean): Action[] => {
  const actions: Action[] = []
  const ref = { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name, uid: claim.metadata.uid ?? '', apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion ?? '' }
  let volume: KubeObject = pv
  if (!volumeIsNew) {
    const needsRef = !(pv.spec.claimRef?.uid === claim.metadata.uid)
    if (needsRef) {
      volume = {
        ...pv,
        metadata: { ...pv.metadata, annotations: { ...(pv.metadata.annotations ?? {}), ...(pv.spec.claimRef === undefined ? { [STORAGE_ANNOTATIONS.boundByController]: 'yes' } : {}) } },
        spec: { ...pv.spec, claimRef: ref },
      }
      actions.push({ type: 'update', by: NAME, object: volume })
    }
  }
  if ((pv.status?.phase ?? '') !== 'Bound' || volumeIsNew)
    actions.push({ type: 'updateStatus', by: NAME, object: { ...withoutVersion(volume), status: { ...(pv.status ?? {}), phase: 'Bound' } } })
  const preBound = (claim.spec.volumeName ?? '') !== ''
  const annotations = {
    ...(claim.metadata.annotations ?? {}),
    ...extraClaimAnnotations,
    [STORAGE_ANNOTATIONS.bindCompleted]: 'yes',
    ...(preBound ? {} : { [STORAGE_ANNOTATIONS.boundByController]: 'yes' }),
  }
  const bound: KubeObject = { ...claim, metadata: { ...claim.metadata, annotations }, spec: { ...claim.spec, volumeName: pv.metadata.name } }
  actions.push({ type: 'update', by: NAME, object: bound })
  actions.push({
    type: 'updateStatus',
    by: NAME,
    object: {
      ...withoutVersion(bound),
      status: { ...(claim.status ?? {}), phase: 'Bound', accessModes: [...(pv.spec.accessModes ?? [])], capacity: { ...(pv.spec.capacity ?? {}) } },
    },
  })
  return actions
}

/** A volume provisioned for a claim by its class. */
const provisionedVolume = (claim: ClaimView, sc: KubeObject): VolumeView => {
  const uid = claim.metadata.uid ?? ''
  const namespace = claim.metadata.namespace ?? 'default'
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${uid}`, annotations: { [STORAGE_ANNOTATIONS.provisionedBy]: String(sc['provisioner']) } },
    spec: {
      capacity: { storage: storageRequest(claim) ?? '0' },
      accessModes: [...(claim.spec.accessModes ?? [])],
      persistentVolumeReclaimPolicy: typeof sc['reclaimPolicy'] === 'string' ? sc['reclaimPolicy'] : 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: claim.spec.volumeMode ?? 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', namespace, name: claim.metadata.name, uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion ?? '' },
      hostPath: { path: `/var/lib/kubesim/volumes/${namespace}/${claim.metadata.name}`, type: 'DirectoryOrCreate' },
    } as VolumeView['spec'],
  }
}

interface Plan {
  readonly actions: ReadonlyArray<Action>
}

const memoryOf = (state: ClusterState): BinderMemory => {
  const m = state.memory.get(NAME)
  return m instanceof Map ? (m as BinderMemory) : new Map()
}

/** The nodes of scheduled pods that use pending claims, for WaitForFirstConsumer classes. */
const consumersIn = (state: ClusterState, namespace: string): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  for (const pod of listObjects(state.objects, 'Pod', { namespace })) {
    const node = podNodeName(pod)
    if (node === '' || isFinished(pod) || pod.metadata.deletionTimestamp !== undefined) continue
    for (const claim of podClaimNames(pod)) if (!out.has(claim)) out.set(claim, node)
  }
  return out
}

const plans = new WeakMap<ClusterState, Plan>()

const planCluster = (state: ClusterState): Plan => {
  const cached = plans.get(state)
  if (cached !== undefined) return cached
  const actions: Action[] = []
  const memory = memoryOf(state)
  const reported = new Map<string, string>()
  const pending: ClaimView[] = []
  const claimKinds = state.objects.kinds.get('PersistentVolumeClaim')
  const volumeKinds = state.objects.kinds.get('PersistentVolume')
  // Only claims needing work are collected, then sorted: a quiet store costs one pass over claims.
  const lost: ClaimView[] = []
  if (claimKinds !== undefined)
    for (const object of claimKinds.values()) {
      const claim = object as ClaimView
      if (claim.metadata.deletionTimestamp !== undefined) continue
      const volumeName = claim.spec.volumeName ?? ''
      const phase = claim.status?.phase ?? ''
      if (phase === 'Bound' && volumeName !== '') {
        if (volumeKinds?.get(volumeName) === undefined) lost.push(claim)
        continue
      }
      if (phase === 'Lost') continue
      pending.push(claim)
    }
  const byKey = (a: KubeObject, b: KubeObject) => {
    const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`
    const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
  pending.sort(byKey)
  lost.sort(byKey)
  for (const claim of lost) {
    actions.push({ type: 'updateStatus', by: NAME, object: { ...claim, status: { ...(claim.status ?? {}), phase: 'Lost' } } })
    actions.push(claimEvent(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!'))
  }

  const volumes: VolumeView[] = volumeKinds === undefined ? [] : ([...volumeKinds.values()] as VolumeView[]).sort(byKey)
  const taken = new Set<string>()
  const fallback = pending.some((c) => c.spec.storageClassName === undefined) ? defaultStorageClass(state) : undefined
  const consumers = new Map<string, ReadonlyMap<string, string>>()
  for (const claim of pending) {
    const uid = claim.metadata.uid ?? ''
    const report = (type: EventRecord['type'], reason: string, message: string): void => {
      reported.set(uid, reason)
      if (memory.get(uid) !== reason) actions.push(claimEvent(claim, type, reason, message))
    }
    if (claim.spec.storageClassName === undefined && fallback !== undefined && (claim.spec.volumeName ?? '') === '') {
      // Retroactive default class: the claim is bound on a later pass, once it names the class.
      actions.push({ type: 'update', by: NAME, object: { ...claim, spec: { ...claim.spec, storageClassName: fallback.metadata.name } } })
      continue
    }
    const className = claim.spec.storageClassName ?? ''
    const volumeName = claim.spec.volumeName ?? ''
    if (volumeName !== '') {
      // Pre-bound by the user: only that volume will do.
      const pv = volumeKinds?.get(volumeName) as VolumeView | undefined
      // A missing volume may still be created; one bound elsewhere is reported.
      if (pv === undefined) continue
      if (pv.spec.claimRef !== undefined && !refersTo(pv.spec.claimRef, claim)) {
        report('Warning', 'FailedBinding', `volume ${JSON.stringify(volumeName)} already bound to a different claim.`)
        continue
      }
      taken.add(pv.metadata.name)
      actions.push(...bindActions(claim, pv, {}, false))
      continue
    }
    const sc = className === '' ? undefined : classOf(state, className)
    const waitForConsumer = sc?.['volumeBindingMode'] === 'WaitForFirstConsumer'
    let selectedNode = claim.metadata.annotations?.[STORAGE_ANNOTATIONS.selectedNode]
    if (waitForConsumer && selectedNode === undefined) {
      const namespace = claim.metadata.namespace ?? 'default'
      let inNamespace = consumers.get(namespace)
      if (inNamespace === undefined) {
        inNamespace = consumersIn(state, namespace)
        consumers.set(namespace, inNamespace)
      }
      selectedNode = inNamespace.get(claim.metadata.name)
      if (selectedNode === undefined) {
        report('Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding')
        continue
      }
    }
    const match = findMatchingVolume(volumes, claim, className, taken)
    const nodeAnnotation: Record<string, string> = waitForConsumer && selectedNode !== undefined ? { [STORAGE_ANNOTATIONS.selectedNode]: selectedNode } : {}
    if (match !== undefined) {
      taken.add(match.metadata.name)
      actions.push(...bindActions(claim, match, nodeAnnotation, false))
      continue
    }
    if (className === '') {
      report('Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set')
      continue
    }
    if (sc === undefined) {
      report('Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io ${JSON.stringify(className)} not found`)
      continue
    }
    const provisioner = String(sc['provisioner'])
    if (provisioner === NO_PROVISIONER) {
      report('Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set')
      continue
    }
    if (volumeKinds?.get(`pvc-${uid}`) !== undefined) continue
    const pv = provisionedVolume(claim, sc)
    actions.push({ type: 'create', by: NAME, object: pv })
    actions.push(claimEvent(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`))
    actions.push(
      ...bindActions(claim, pv, { ...nodeAnnotation, [STORAGE_ANNOTATIONS.storageProvisioner]: provisioner, [STORAGE_ANNOTATIONS.storageProvisionerBeta]: provisioner }, true),
    )
  }

  // Volumes: new ones become Available; those whose claim went are Released, then reclaimed.
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp !== undefined || taken.has(pv.metadata.name)) continue
    const phase = pv.status?.phase ?? ''
    const ref = pv.spec.claimRef
    if (ref === undefined) {
      if (phase !== 'Available') actions.push({ type: 'updateStatus', by: NAME, object: { ...pv, status: { ...(pv.status ?? {}), phase: 'Available' } } })
      continue
    }
    const claim = getObject(state.objects, { kind: 'PersistentVolumeClaim', namespace: ref.namespace ?? 'default', name: ref.name ?? '' })
    const claimGone = (ref.uid ?? '') !== '' && (claim === undefined || claim.metadata.uid !== ref.uid)
    if (!claimGone) {
      if (phase === 'Pending' || phase === '') actions.push({ type: 'updateStatus', by: NAME, object: { ...pv, status: { ...(pv.status ?? {}), phase: 'Available' } } })
      continue
    }
    const policy = pv.spec.persistentVolumeReclaimPolicy ?? 'Retain'
    if (policy === 'Delete') actions.push({ type: 'delete', by: NAME, ref: refOfObject(pv), ...(pv.metadata.uid === undefined ? {} : { preconditionUid: pv.metadata.uid }) })
    else if (policy === 'Recycle') {
      const { claimRef: _released, ...spec } = pv.spec
      actions.push({ type: 'update', by: NAME, object: { ...pv, spec } })
    } else if (phase !== 'Released') actions.push({ type: 'updateStatus', by: NAME, object: { ...pv, status: { ...(pv.status ?? {}), phase: 'Released' } } })
  }

  const same = reported.size === memory.size && [...reported].every(([k, v]) => memory.get(k) === v)
  if (!same) actions.push({ type: 'remember', by: NAME, value: reported })
  const plan: Plan = { actions }
  plans.set(state, plan)
  return plan
}

/**
 * The volume binder as a controller: binds Pending PersistentVolumeClaims to matching volumes
 * or provisions them from their StorageClass, assigns the default class, and releases or
 * deletes volumes whose claims are gone. It has no timed work.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, createCluster, get, settle } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' },
 *   spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }
 * const s = E.chain(settle)(applyManifests(createCluster(), [pvc]))
 * const claim = E.isRight(s) ? get(s.right, 'PersistentVolumeClaim', 'default', 'data') : O.none
 * expect(O.isSome(claim) && claim.value['status']).toMatchObject({ phase: 'Bound', capacity: { storage: '1Gi' } })
 * expect(O.isSome(claim) && (claim.value['spec'] as { storageClassName: string }).storageClassName).toBe('standard')
 * ```
 */
export const volumeBinder: Controller = {
  name: NAME,
  watches: ['PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'Pod'],
  reconcile: (state) => planCluster(state).actions,
  nextWakeup: () => O.none,
}
