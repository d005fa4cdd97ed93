import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeWithFieldErrors } from '../../src/objects/decodeErrors.js'
import {
  StorageClass,
  defaultStorageClass,
  storageClassModel,
  validateStorageClass,
  validateStorageClassUpdate,
} from '../../src/objects/storageClass.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const sc = (extra: Partial<StorageClass> = {}): StorageClass =>
  defaultStorageClass({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'kubesim.dev/hostpath', ...extra })

describe('storageClass', () => {
  it('defaults reclaimPolicy Delete and volumeBindingMode Immediate', () => {
    const s = sc()
    expect(s.reclaimPolicy).toBe('Delete')
    expect(s.volumeBindingMode).toBe('Immediate')
    expect(defaultStorageClass(s)).toBe(s)
    expect(sc({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' })).toMatchObject({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' })
  })
  it('provisioner is required', () => {
    expect(validateStorageClass(sc({ provisioner: '' })).map(formatFieldError)).toEqual(['provisioner: Required value'])
    const { provisioner: _, ...none } = sc()
    const decoded = decodeWithFieldErrors(StorageClass, none)
    expect(E.isLeft(decoded) && decoded.left.map(formatFieldError)).toEqual(['provisioner: Required value'])
    expect(validateStorageClass(sc({ provisioner: 'a/b/c' }))).toHaveLength(1)
  })
  it('checks reclaimPolicy and volumeBindingMode', () => {
    expect(validateStorageClass(sc({ reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' })).map(formatFieldError)).toEqual([
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ])
  })
  it('forbids updates to provisioner, parameters, reclaimPolicy and volumeBindingMode', () => {
    const old = sc({ parameters: { type: 'ssd' } })
    expect(validateStorageClassUpdate({ ...old, allowVolumeExpansion: true, metadata: { ...old.metadata, labels: { a: 'b' } } }, old)).toEqual([])
    expect(
      validateStorageClassUpdate({ ...old, provisioner: 'other.io/x', parameters: {}, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' }, old).map(formatFieldError),
    ).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ])
  })
  it('model', () => {
    expect(storageClassModel.validate(sc())).toEqual([])
    expect(storageClassModel.info.namespaced).toBe(false)
  })
})
