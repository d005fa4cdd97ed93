import { describe, expect, it } from 'vitest'
import { type KindInfo, kindInfo } from '../../src/objects/kinds.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import {
  validateAnnotations,
  validateFinalizers,
  validateLabels,
  validateObjectMeta,
  validateOwnerReferences,
} from '../../src/validation/metadata.js'

const info = (kind: string): KindInfo => kindInfo(kind) as KindInfo
const check = (meta: Parameters<typeof validateObjectMeta>[0], kind = 'ConfigMap', namespaced = true): string[] =>
  validateObjectMeta(meta, info(kind), { namespaced }).map(formatFieldError)

describe('validateObjectMeta', () => {
  it('accepts a valid namespaced object', () => {
    expect(check({ name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { note: 'x' } })).toEqual([])
  })
  it('requires name or generateName', () => {
    expect(check({ namespace: 'default' })).toEqual(['metadata.name: Required value: name or generateName is required'])
    expect(check({ generateName: 'web-', namespace: 'default' })).toEqual([])
  })
  it('checks the name by the kind rule', () => {
    expect(check({ name: 'Web', namespace: 'default' })[0]).toMatch(/^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/)
    expect(check({ name: '1web', namespace: 'default' }, 'Service')[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label/)
    expect(check({ name: 'a.b' }, 'Namespace', false)).toEqual(['metadata.name: Invalid value: "a.b": must not contain dots'])
  })
  it('enforces the CronJob 52-character limit', () => {
    const name = 'a'.repeat(53)
    expect(check({ name, namespace: 'default' }, 'CronJob')).toEqual([`metadata.name: Invalid value: "${name}": must be no more than 52 characters`])
    expect(check({ name: 'a'.repeat(52), namespace: 'default' }, 'CronJob')).toEqual([])
  })
  it('validates generateName as a prefix that may end in a dash', () => {
    expect(check({ generateName: 'web-', namespace: 'default' })).toEqual([])
    expect(check({ generateName: 'Web-', namespace: 'default' })[0]).toMatch(/^metadata\.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain/)
    expect(check({ generateName: '-', namespace: 'default' })).toHaveLength(1)
  })
  it('requires a namespace on namespaced kinds and forbids it on cluster-scoped ones', () => {
    expect(check({ name: 'web' })).toEqual(['metadata.namespace: Required value'])
    expect(check({ name: 'n1', namespace: 'default' }, 'Node', false)).toEqual(['metadata.namespace: Forbidden: not allowed on this type'])
    expect(check({ name: 'web', namespace: 'My_NS' })[0]).toMatch(/^metadata\.namespace: Invalid value: "My_NS": a lowercase RFC 1123 label/)
  })
  it('collects every error', () => {
    expect(check({ name: 'Web', labels: { 'a b': 'c' }, finalizers: ['x', 'x'] })).toHaveLength(4)
  })
})

describe('labels and annotations', () => {
  it('checks label keys and values on the map path', () => {
    const errs = validateLabels({ 'example.com/app': 'ok', '-bad': 'v', good: 'a'.repeat(64) }, 'metadata.labels').map(formatFieldError)
    expect(errs).toHaveLength(2)
    expect(errs[0]).toMatch(/^metadata\.labels: Invalid value: "-bad": name part must consist/)
    expect(errs[1]).toMatch(/^metadata\.labels: Invalid value: "a{64}": must be no more than 63 characters/)
  })
  it('checks annotation keys lower-cased', () => {
    expect(validateAnnotations({ 'Example.COM/Owner': 'x' }, 'metadata.annotations')).toEqual([])
    expect(validateAnnotations({ 'a/b/c': 'x' }, 'metadata.annotations')).toHaveLength(1)
  })
  it('limits the total annotation size to 256 KiB', () => {
    expect(validateAnnotations({ a: 'x'.repeat(262143) }, 'metadata.annotations')).toEqual([])
    expect(validateAnnotations({ a: 'x'.repeat(262144) }, 'metadata.annotations').map(formatFieldError)).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ])
  })
})

describe('owner references', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1' }
  it('accepts a complete reference', () => {
    expect(validateOwnerReferences([ref], 'metadata.ownerReferences')).toEqual([])
  })
  it('requires apiVersion, kind, name and uid', () => {
    expect(validateOwnerReferences([{ apiVersion: '', kind: '', name: '', uid: '' }], 'metadata.ownerReferences').map(formatFieldError)).toEqual([
      'metadata.ownerReferences[0].apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences[0].kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences[0].name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences[0].uid: Invalid value: "": uid must not be empty',
    ])
  })
  it('allows only one controller', () => {
    const errs = validateOwnerReferences(
      [{ ...ref, controller: true }, { ...ref, kind: 'Deployment', name: 'x', uid: 'u2', controller: true }],
      'metadata.ownerReferences',
    )
    expect(errs).toHaveLength(1)
    expect(errs[0]?.field).toBe('metadata.ownerReferences')
    expect(errs[0]?.detail).toBe('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/web and Deployment/x')
  })
})

describe('finalizers', () => {
  it('checks names and duplicates', () => {
    const errs = validateFinalizers(['kubernetes.io/pvc-protection', 'bad name', 'kubernetes.io/pvc-protection'], 'metadata.finalizers').map(formatFieldError)
    expect(errs[0]).toMatch(/^metadata\.finalizers: Invalid value: "bad name": name part must consist/)
    expect(errs[1]).toBe('metadata.finalizers[2]: Duplicate value: "kubernetes.io/pvc-protection"')
  })
})
