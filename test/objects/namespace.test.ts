import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { Namespace, defaultNamespace, namespaceModel, validateNamespace } from '../../src/objects/namespace.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const ns = (extra: Partial<Namespace> = {}): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, ...extra })

describe('namespace', () => {
  it('defaults finalizers, phase and the name label', () => {
    const d = defaultNamespace(ns())
    expect(d.spec).toEqual({ finalizers: ['kubernetes'] })
    expect(d.status).toEqual({ phase: 'Active' })
    expect(d.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' })
    expect(defaultNamespace(d)).toBe(d)
  })
  it('keeps explicit finalizers and phase', () => {
    const d = defaultNamespace(ns({ spec: { finalizers: [] }, status: { phase: 'Terminating' } }))
    expect(d.spec?.finalizers).toEqual([])
    expect(d.status?.phase).toBe('Terminating')
  })
  it('validates finalizer names', () => {
    expect(validateNamespace(ns({ spec: { finalizers: ['kubernetes', 'example.com/x'] } }))).toEqual([])
    expect(validateNamespace(ns({ spec: { finalizers: ['custom'] } })).map(formatFieldError)).toEqual([
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ])
    expect(validateNamespace(ns({ spec: { finalizers: ['-x'] } }))).toHaveLength(1)
  })
  it('validates the phase', () => {
    expect(validateNamespace(ns({ status: { phase: 'Gone' } })).map(formatFieldError)).toEqual(['status.phase: Invalid value: "Gone": must be Active or Terminating'])
  })
  it('model decodes and is cluster-scoped with a status subresource', () => {
    expect(E.isRight(namespaceModel.codec.decode(ns()))).toBe(true)
    expect(namespaceModel.info.namespaced).toBe(false)
    expect(namespaceModel.hasStatusSubresource).toBe(true)
    expect(namespaceModel.validate(namespaceModel.applyDefaults(ns()))).toEqual([])
  })
})
