import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  ReplicaSet,
  defaultReplicaSet,
  replicaSetModel,
  validateReplicaSet,
  validateReplicaSetUpdate,
} from '../../src/objects/replicaSet.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { selector, template } from './workloadFixtures.js'

const rs = (spec: Partial<ReplicaSet['spec']> = {}): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web' },
  spec: { selector: selector(), template: template(), ...spec },
})
const errs = (r: ReplicaSet) => validateReplicaSet(defaultReplicaSet(r)).map(formatFieldError)

describe('ReplicaSet', () => {
  it('decodes and rejects a non-integer replicas', () => {
    expect(E.isRight(ReplicaSet.decode(rs()))).toBe(true)
    expect(E.isLeft(ReplicaSet.decode(rs({ replicas: 1.5 })))).toBe(true)
  })
  it('defaults replicas to 1, keeps a given value, and defaults the template', () => {
    expect(defaultReplicaSet(rs()).spec.replicas).toBe(1)
    expect(defaultReplicaSet(rs({ replicas: 0 })).spec.replicas).toBe(0)
    expect(defaultReplicaSet(rs()).spec.template.spec?.restartPolicy).toBe('Always')
    const d = defaultReplicaSet(rs())
    expect(defaultReplicaSet(d)).toBe(d)
  })
  it('accepts a valid object', () => expect(errs(rs())).toEqual([]))
  it('rejects negative replicas and minReadySeconds', () => {
    expect(errs(rs({ replicas: -1, minReadySeconds: -2 }))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0',
    ])
  })
  it('requires a non-empty selector matching the template', () => {
    const { selector: _, ...noSelector } = rs().spec
    expect(errs({ ...rs(), spec: noSelector })).toEqual(['spec.selector: Required value'])
    expect(errs(rs({ selector: {} }))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for deployment'])
    expect(errs(rs({ selector: selector({ app: 'api' }) }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ])
  })
  it('reports a selector that does not compile', () => {
    const bad = rs({ selector: { matchExpressions: [{ key: 'app', operator: 'Is' }] } })
    expect(errs(bad)).toContain('spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Is"}]}: invalid label selector')
  })
  it('requires restartPolicy Always and forbids activeDeadlineSeconds', () => {
    expect(errs(rs({ template: template({ app: 'web' }, 'Never') }))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ])
    const t = template()
    expect(errs(rs({ template: { ...t, spec: { ...t.spec, activeDeadlineSeconds: 5 } } }))).toEqual([
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ])
  })
  it('validates the pod template', () => {
    expect(errs(rs({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } }))).toContain(
      'spec.template.spec.containers: Required value',
    )
  })
  it('makes the selector immutable', () => {
    expect(validateReplicaSetUpdate(rs({ replicas: 3 }), rs())).toEqual([])
    expect(validateReplicaSetUpdate(rs({ selector: selector({ app: 'x' }) }), rs()).map(formatFieldError)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"x"}}: field is immutable',
    ])
  })
  it('exposes a model with a status subresource', () => {
    expect(replicaSetModel.info.resource).toBe('replicasets')
    expect(replicaSetModel.hasStatusSubresource).toBe(true)
  })
})
