import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { advance, applyManifests, type ClusterState, createCluster, formatTable, get, type KubeObject, list, remove, settle } from '../../src/index.js'
import { right } from '../helpers.js'

const T0 = Date.UTC(2025, 0, 1)

const claim = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
})
const volume = (name: string, storage: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(labels === undefined ? {} : { labels }) },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` }, ...spec },
})
const podUsing = (name: string, claimName: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] },
})
const obj = (s: ClusterState, kind: string, name: string, namespace: string | undefined = 'default'): KubeObject | undefined => {
  const o = get(s, kind, kind === 'PersistentVolume' || kind === 'StorageClass' ? undefined : namespace, name)
  return O.isSome(o) ? o.value : undefined
}
const pvc = (s: ClusterState, name: string) => obj(s, 'PersistentVolumeClaim', name) as (KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> }) | undefined
const pv = (s: ClusterState, name: string) => obj(s, 'PersistentVolume', name) as (KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> }) | undefined
const events = (s: ClusterState, reason: string) => list(s, 'Event', { namespace: 'default' }).filter((e) => e['reason'] === reason).map((e) => e['message'])
const scheduled = (s: ClusterState, name: string) => ((obj(s, 'Pod', name)?.['status'] as { conditions?: { type: string; status: string; message?: string }[] }).conditions ?? []).find((c) => c.type === 'PodScheduled')

describe('storage classes and dynamic provisioning', () => {
  it('a new cluster has one default StorageClass, printed as kubectl prints it', () => {
    const s = createCluster({ now: T0 })
    expect(formatTable(list(s, 'StorageClass'), { now: s.now })).toBe(
      'NAME                 PROVISIONER            RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE\nstandard (default)   kubesim.dev/hostpath   Delete          Immediate           false                  0s\n',
    )
  })

  it('gives a claim without a class the default one and binds it to a provisioned volume pvc-<uid>', () => {
    const s = right(settle(right(applyManifests(createCluster({ now: T0 }), [claim('data')]))))
    const c = pvc(s, 'data')
    const volumeName = `pvc-${c?.metadata.uid ?? ''}`
    expect(c?.spec).toMatchObject({ storageClassName: 'standard', volumeName })
    expect(c?.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } })
    expect(c?.metadata.annotations).toMatchObject({
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.kubernetes.io/storage-provisioner': 'kubesim.dev/hostpath',
      'volume.beta.kubernetes.io/storage-provisioner': 'kubesim.dev/hostpath',
    })
    const v = pv(s, volumeName)
    expect(v?.spec).toMatchObject({
      capacity: { storage: '1Gi' },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: c?.metadata.uid },
    })
    expect(v?.metadata.annotations).toEqual({ 'pv.kubernetes.io/provisioned-by': 'kubesim.dev/hostpath' })
    expect(v?.status).toEqual({ phase: 'Bound' })
    expect(events(s, 'ProvisioningSucceeded')).toEqual([`Successfully provisioned volume ${volumeName}`])
  })

  it('deletes a Delete-policy volume when its claim goes, and releases a Retain one', () => {
    let s = right(settle(right(applyManifests(createCluster({ now: T0 }), [claim('data'), claim('kept', { storageClassName: '' }), volume('pv-retain', '1Gi')]))))
    const dynamic = pvc(s, 'data')?.spec['volumeName'] as string
    expect(pvc(s, 'kept')?.spec['volumeName']).toBe('pv-retain')
    s = right(remove(s, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data' }))
    s = right(remove(s, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'kept' }))
    s = right(settle(s))
    expect(pv(s, dynamic)).toBeUndefined()
    expect(pv(s, 'pv-retain')?.status).toEqual({ phase: 'Released' })
    // A Released volume is not bound again.
    s = right(settle(right(applyManifests(s, [claim('again', { storageClassName: '' })]))))
    expect(pvc(s, 'again')?.status['phase']).toBe('Pending')
  })
})

describe('binding to pre-created volumes', () => {
  it('picks the smallest volume that satisfies class, access modes, volume mode, capacity and selector', () => {
    const s = right(
      settle(
        right(
          applyManifests(createCluster({ now: T0 }), [
            volume('big', '10Gi'),
            volume('small', '2Gi'),
            volume('tiny', '500Mi'),
            volume('rwx', '2Gi', { accessModes: ['ReadWriteMany'] }),
            volume('block', '2Gi', { volumeMode: 'Block' }),
            volume('fast', '1Gi', { storageClassName: 'fast' }),
            volume('labelled', '3Gi', {}, { tier: 'gold' }),
            claim('a', { storageClassName: '' }),
            claim('b', { storageClassName: '', selector: { matchLabels: { tier: 'gold' } } }),
            claim('c', { storageClassName: '', accessModes: ['ReadWriteMany'] }),
          ]),
        ),
      ),
    )
    expect(pvc(s, 'a')?.spec['volumeName']).toBe('small')
    expect(pvc(s, 'b')?.spec['volumeName']).toBe('labelled')
    expect(pvc(s, 'c')?.spec['volumeName']).toBe('rwx')
    expect(pv(s, 'small')?.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bound-by-controller': 'yes' })
    expect(pvc(s, 'a')?.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } })
    expect(pv(s, 'big')?.status).toEqual({ phase: 'Available' })
    expect(pv(s, 'tiny')?.status).toEqual({ phase: 'Available' })
  })

  it('honours a claim that names its volume and a volume pre-bound to a claim', () => {
    const s = right(
      settle(
        right(
          applyManifests(createCluster({ now: T0 }), [
            volume('chosen', '5Gi'),
            volume('reserved', '5Gi', { claimRef: { namespace: 'default', name: 'owner' } }),
            claim('named', { storageClassName: '', volumeName: 'chosen' }),
            claim('other', { storageClassName: '' }),
            claim('owner', { storageClassName: '' }),
          ]),
        ),
      ),
    )
    expect(pvc(s, 'named')?.spec['volumeName']).toBe('chosen')
    expect(pvc(s, 'named')?.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes' })
    expect(pvc(s, 'named')?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined()
    expect(pvc(s, 'owner')?.spec['volumeName']).toBe('reserved')
    expect(pvc(s, 'other')?.status['phase']).toBe('Pending')
    expect(events(s, 'FailedBinding')).toEqual(['no persistent volumes available for this claim and no storage class is set'])
  })

  it('reports a missing class, and marks a bound claim Lost when its volume vanishes', () => {
    let s = right(settle(right(applyManifests(createCluster({ now: T0 }), [claim('ghost', { storageClassName: 'nope' }), claim('data')]))))
    expect(pvc(s, 'ghost')?.status['phase']).toBe('Pending')
    expect(events(s, 'ProvisioningFailed')).toEqual(['storageclass.storage.k8s.io "nope" not found'])
    // Reported once, not on every pass (within the Events' 1 h lifetime).
    s = right(advance(s, '30m'))
    expect(list(s, 'Event', { namespace: 'default' }).find((e) => e['reason'] === 'ProvisioningFailed')?.['count']).toBe(1)
    s = right(settle(right(remove(s, { kind: 'PersistentVolume', name: pvc(s, 'data')?.spec['volumeName'] as string }))))
    expect(pvc(s, 'data')?.status['phase']).toBe('Lost')
    expect(events(s, 'ClaimLost')).toEqual(['Bound claim has lost its PersistentVolume. Data on the volume is lost!'])
  })
})

describe('pods and claims (VolumeBinding)', () => {
  it('keeps a pod Pending with kube-scheduler reasons until its claim exists and is bound', () => {
    let s = createCluster({ now: T0, nodes: 2 })
    s = right(advance(right(applyManifests(s, [podUsing('app', 'data')])), '5s'))
    expect(scheduled(s, 'app')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message: '0/2 nodes are available: 2 persistentvolumeclaim "data" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    })
    s = right(advance(right(applyManifests(s, [claim('data', { storageClassName: '' })])), '5s'))
    expect(scheduled(s, 'app')?.message).toBe(
      '0/2 nodes are available: 2 pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    )
    // A matching volume appears: the claim binds and the scheduler retries the pod at once.
    s = right(advance(right(applyManifests(s, [volume('pv1', '1Gi')])), '5s'))
    expect(scheduled(s, 'app')?.status).toBe('True')
    expect((obj(s, 'Pod', 'app')?.['status'] as { phase: string }).phase).toBe('Running')
  })

  it('binds a WaitForFirstConsumer claim only once a pod using it is scheduled, recording the node', () => {
    const wffc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubesim.dev/hostpath', volumeBindingMode: 'WaitForFirstConsumer' }
    let s = right(settle(right(applyManifests(createCluster({ now: T0, nodes: 1 }), [wffc, claim('data', { storageClassName: 'local' })]))))
    expect(pvc(s, 'data')?.status['phase']).toBe('Pending')
    expect(events(s, 'WaitForFirstConsumer')).toEqual(['waiting for first consumer to be created before binding'])
    s = right(advance(right(applyManifests(s, [podUsing('app', 'data')])), '5s'))
    expect(pvc(s, 'data')?.status['phase']).toBe('Bound')
    expect(pvc(s, 'data')?.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-1')
    expect((obj(s, 'Pod', 'app')?.['status'] as { phase: string }).phase).toBe('Running')
  })

  it('refuses to change a claim class once set, but lets an unset class be filled in', () => {
    const s = right(applyManifests(createCluster({ now: T0 }), [claim('data', { storageClassName: 'fast' })]))
    const changed = applyManifests(s, [claim('data', { storageClassName: 'slow' })])
    expect(E.isLeft(changed) && changed.left[0]?.message).toContain('spec: Forbidden: spec is immutable after creation')
    const unset = right(applyManifests(createCluster({ now: T0, controllers: [] }), [claim('x')]))
    expect(E.isRight(applyManifests(unset, [claim('x', { storageClassName: 'standard' })]))).toBe(true)
  })
})
