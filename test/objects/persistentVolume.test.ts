import { describe, expect, it } from 'vitest'
import {
  type PersistentVolume,
  defaultPersistentVolume,
  persistentVolumeModel,
  validateAccessModes,
  validatePersistentVolume,
  validatePersistentVolumeUpdate,
} from '../../src/objects/persistentVolume.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const pv = (spec: Partial<PersistentVolume['spec']> & Record<string, unknown> = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv1' },
  spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' }, ...spec } as PersistentVolume['spec'],
})
const errs = (p: PersistentVolume) => validatePersistentVolume(p).map(formatFieldError)

describe('pv defaults', () => {
  it('defaults reclaim policy Retain, volumeMode and phase Pending', () => {
    const d = defaultPersistentVolume(pv())
    expect(d.spec.persistentVolumeReclaimPolicy).toBe('Retain')
    expect(d.spec.volumeMode).toBe('Filesystem')
    expect(d.status?.phase).toBe('Pending')
    expect(defaultPersistentVolume(d)).toBe(d)
    expect(defaultPersistentVolume(pv({ persistentVolumeReclaimPolicy: 'Delete' })).spec.persistentVolumeReclaimPolicy).toBe('Delete')
  })
})

describe('pv validation', () => {
  it('accepts a valid volume', () => {
    expect(persistentVolumeModel.validate(persistentVolumeModel.applyDefaults(pv({ storageClassName: 'standard' })))).toEqual([])
  })
  it('requires capacity.storage, positive', () => {
    expect(errs(pv({ capacity: {} }))).toEqual(['spec.capacity: Required value', 'spec.capacity: Unsupported value: {}: supported values: "storage"'])
    expect(errs(pv({ capacity: { storage: '1Gi', cpu: '1' } }))).toEqual([
      'spec.capacity: Unsupported value: {"storage":"1Gi","cpu":"1"}: supported values: "storage"',
    ])
    expect(errs(pv({ capacity: { storage: '0' } }))).toEqual(['spec.capacity[storage]: Invalid value: "0": must be greater than zero'])
  })
  it('requires access modes', () => {
    expect(errs(pv({ accessModes: [] }))).toEqual(['spec.accessModes: Required value'])
    expect(validateAccessModes(['ReadOnlyMany', 'ReadWriteMany'], 'x', '')).toEqual([])
  })
  it('checks the reclaim policy and volume mode', () => {
    expect(errs(pv({ persistentVolumeReclaimPolicy: 'Keep', volumeMode: 'Raw' }))).toEqual([
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
      'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"',
    ])
  })
  it('needs exactly one volume source', () => {
    const { hostPath: _, ...noSource } = pv().spec as Record<string, unknown>
    expect(errs({ ...pv(), spec: noSource })).toEqual(['spec: Required value: must specify a volume type'])
    expect(errs(pv({ nfs: { server: 'x', path: '/' } }))).toEqual(['spec.nfs: Forbidden: may not specify more than 1 volume type'])
  })
})

describe('pv updates', () => {
  it('allows capacity and claimRef changes', () => {
    expect(validatePersistentVolumeUpdate(pv({ capacity: { storage: '20Gi' }, claimRef: { name: 'data', namespace: 'default' } }), pv())).toEqual([])
  })
  it('forbids changing the volume source or mode', () => {
    expect(validatePersistentVolumeUpdate(pv({ hostPath: { path: '/other' } }), pv()).map(formatFieldError)).toEqual([
      'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is forbidden.',
    ])
    expect(validatePersistentVolumeUpdate(pv({ volumeMode: 'Block' }), pv({ volumeMode: 'Filesystem' })).map(formatFieldError)).toEqual([
      'spec.volumeMode: Invalid value: "Block": field is immutable',
    ])
  })
})
