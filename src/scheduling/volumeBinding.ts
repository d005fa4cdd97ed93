/**
 * kube-scheduler's VolumeBinding plugin, reduced to what kubesim's storage model needs: a pod
 * whose PersistentVolumeClaims are missing, being deleted, lost, or unbound with an Immediate
 * binding mode cannot be placed on any node. Claims of a WaitForFirstConsumer class may stay
 * unbound: the volume binder provisions them once the pod has a node.
 *
 * @module
 */
import type { KubeObject } from '../objects/object.js'
import { getObject } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * kube-scheduler's reason for a pod with unbound claims of an Immediate class.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { REASON_UNBOUND_IMMEDIATE_PVC } from 'kubesim'
 * expect(REASON_UNBOUND_IMMEDIATE_PVC).toBe('pod has unbound immediate PersistentVolumeClaims')
 * ```
 */
export const REASON_UNBOUND_IMMEDIATE_PVC = 'pod has unbound immediate PersistentVolumeClaims'

interface PvcView {
  readonly metadata: KubeObject['metadata']
  readonly spec?: { readonly volumeName?: string; readonly storageClassName?: string }
  readonly status?: { readonly phase?: string }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** The claim names a pod's volumes refer to, in volume order, without repeats. */
export const podClaimNames = (pod: KubeObject): ReadonlyArray<string> => {
  const volumes = (pod['spec'] as { readonly volumes?: ReadonlyArray<{ readonly persistentVolumeClaim?: { readonly claimName?: string } }> } | undefined)?.volumes
  if (volumes === undefined) return []
  const names: string[] = []
  for (const v of volumes) {
    const name = v.persistentVolumeClaim?.claimName
    if (typeof name === 'string' && name !== '' && !names.includes(name)) names.push(name)
  }
  return names
}

/** Whether a claim's class binds only once a consumer is scheduled. */
const delaysBinding = (state: ClusterState, claim: PvcView): boolean => {
  const className = claim.spec?.storageClassName ?? ''
  if (className === '') return false
  const sc = getObject(state.objects, { kind: 'StorageClass', name: className })
  return sc !== undefined && sc['volumeBindingMode'] === 'WaitForFirstConsumer'
}

/**
 * Why the VolumeBinding plugin rejects every node for this pod, or undefined when its claims
 * allow scheduling. Messages are kube-scheduler's: `persistentvolumeclaim "x" not found`,
 * `persistentvolumeclaim "x" is being deleted`, `persistentvolumeclaim "x" bound to
 * non-existent persistentvolume "y"`, `pod has unbound immediate PersistentVolumeClaims`.
 *
 * @internal
 */
export const volumeBindingRejection = (state: ClusterState, pod: KubeObject): string | undefined => {
  const names = podClaimNames(pod)
  if (names.length === 0) return undefined
  const namespace = pod.metadata.namespace ?? 'default'
  let unboundImmediate = false
  for (const name of names) {
    const claim = getObject(state.objects, { kind: 'PersistentVolumeClaim', namespace, name }) as PvcView | undefined
    if (claim === undefined) return `persistentvolumeclaim ${JSON.stringify(name)} not found`
    if (claim.metadata.deletionTimestamp !== undefined) return `persistentvolumeclaim ${JSON.stringify(name)} is being deleted`
    const volumeName = claim.spec?.volumeName ?? ''
    if (volumeName !== '') {
      if (getObject(state.objects, { kind: 'PersistentVolume', name: volumeName }) === undefined)
        return `persistentvolumeclaim ${JSON.stringify(name)} bound to non-existent persistentvolume ${JSON.stringify(volumeName)}`
      if (claim.status?.phase === 'Bound') continue
    }
    if (!delaysBinding(state, claim)) unboundImmediate = true
  }
  return unboundImmediate ? REASON_UNBOUND_IMMEDIATE_PVC : undefined
}
