import { describe, expect, it } from 'vitest'
import {
  type PersistentVolumeClaim,
  defaultPersistentVolumeClaim,
  persistentVolumeClaimModel,
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeClaimUpdate,
} from '../../src/objects/persistentVolumeClaim.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const pvc = (spec: PersistentVolumeClaim['spec'] = {}, phase?: string): PersistentVolumeClaim =>
  defaultPersistentVolumeClaim({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
    ...(phase === undefined ? {} : { status: { phase } }),
  })
const errs = (spec: PersistentVolumeClaim['spec']) => validatePersistentVolumeClaimSpec(spec, 'spec').map(formatFieldError)

describe('pvc defaults', () => {
  it('defaults volumeMode and phase', () => {
    const p = pvc()
    expect(p.spec.volumeMode).toBe('Filesystem')
    expect(p.status?.phase).toBe('Pending')
    expect(defaultPersistentVolumeClaim(p)).toBe(p)
  })
})

describe('pvc validation', () => {
  it('accepts a valid claim', () => {
    expect(persistentVolumeClaimModel.validate(pvc({ storageClassName: 'standard' }))).toEqual([])
  })
  it('requires access modes and a storage request', () => {
    expect(errs({})).toEqual(['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'])
  })
  it('rejects unsupported access modes and ReadWriteOncePod with others', () => {
    expect(errs({ accessModes: ['RWO'], resources: { requests: { storage: '1Gi' } } })).toEqual([
      'spec.accessModes: Unsupported value: "RWO": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ])
    expect(errs({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } })).toEqual([
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    ])
  })
  it('storage must be positive', () => {
    expect(errs({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } })).toEqual([
      'spec.resources.requests[storage]: Invalid value: "0": must be greater than zero',
    ])
    expect(errs({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '-1Gi' } } })).toHaveLength(2)
  })
  it('checks storageClassName, volumeMode and selector', () => {
    const e = errs({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'Fast_SSD', volumeMode: 'Raw', selector: { matchExpressions: [{ key: 'a', operator: 'In' }] } })
    expect(e[0]).toMatch(/^spec\.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain/)
    expect(e[1]).toBe('spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"')
    expect(e[2]).toMatch(/^spec\.selector\.matchExpressions\[0\]\.values: Required value/)
  })
})

describe('pvc updates', () => {
  const SPEC = 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'
  it('no-op and metadata updates pass', () => {
    expect(validatePersistentVolumeClaimUpdate(pvc(), pvc())).toEqual([])
  })
  it('spec changes are forbidden', () => {
    expect(validatePersistentVolumeClaimUpdate(pvc({ accessModes: ['ReadWriteMany'] }), pvc()).map(formatFieldError)).toEqual([SPEC])
    expect(validatePersistentVolumeClaimUpdate(pvc({ storageClassName: 'x' }), pvc({ storageClassName: 'y' })).map(formatFieldError)).toEqual([SPEC])
  })
  it('an unset storageClassName may be set once (RetroactiveDefaultStorageClass)', () => {
    expect(validatePersistentVolumeClaimUpdate(pvc({ storageClassName: 'x' }), pvc())).toEqual([])
  })
  it('volumeName may be set once', () => {
    expect(validatePersistentVolumeClaimUpdate(pvc({ volumeName: 'pv-1' }), pvc())).toEqual([])
    expect(validatePersistentVolumeClaimUpdate(pvc({ volumeName: 'pv-2' }), pvc({ volumeName: 'pv-1' })).map(formatFieldError)).toEqual([SPEC])
  })
  it('a bound claim may grow but not shrink', () => {
    const bound = pvc({ resources: { requests: { storage: '2Gi' } } }, 'Bound')
    expect(validatePersistentVolumeClaimUpdate(pvc({ resources: { requests: { storage: '5Gi' } } }, 'Bound'), bound)).toEqual([])
    expect(validatePersistentVolumeClaimUpdate(pvc({ resources: { requests: { storage: '1Gi' } } }, 'Bound'), bound).map(formatFieldError)).toEqual([
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    ])
  })
  it('an unbound claim may not be resized', () => {
    expect(validatePersistentVolumeClaimUpdate(pvc({ resources: { requests: { storage: '5Gi' } } }), pvc()).map(formatFieldError)).toEqual([SPEC])
  })
})
