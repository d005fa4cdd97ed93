import { describe, expect, it } from 'vitest'
import {
  type StatefulSet,
  defaultStatefulSet,
  statefulSetModel,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from '../../src/objects/statefulSet.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { selector, template } from './workloadFixtures.js'

const sts = (spec: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db' },
  spec: { serviceName: 'db', selector: selector(), template: template(), ...spec },
})
const errs = (s: StatefulSet) => validateStatefulSet(defaultStatefulSet(s)).map(formatFieldError)
const FORBIDDEN =
  "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

describe('StatefulSet defaults', () => {
  it('fills every default', () => {
    const s = defaultStatefulSet(sts())
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    })
    expect(defaultStatefulSet(s)).toBe(s)
  })
  it('leaves an explicit RollingUpdate without rollingUpdate alone, and OnDelete', () => {
    expect(defaultStatefulSet(sts({ updateStrategy: { type: 'RollingUpdate' } })).spec.updateStrategy).toEqual({ type: 'RollingUpdate' })
    expect(defaultStatefulSet(sts({ updateStrategy: { type: 'OnDelete' } })).spec.updateStrategy).toEqual({ type: 'OnDelete' })
    expect(
      defaultStatefulSet(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: {} } })).spec.updateStrategy?.rollingUpdate,
    ).toEqual({ partition: 0 })
  })
  it('fills one missing retention field', () => {
    expect(defaultStatefulSet(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } })).spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    })
  })
})

describe('StatefulSet validation', () => {
  it('accepts a defaulted object', () => expect(errs(sts())).toEqual([]))
  it('checks podManagementPolicy and updateStrategy', () => {
    expect(errs(sts({ podManagementPolicy: 'Burst' }))).toEqual([
      `spec.podManagementPolicy: Invalid value: "Burst": must be 'OrderedReady' or 'Parallel'`,
    ])
    expect(errs(sts({ updateStrategy: { type: 'Random' } }))).toEqual([
      `spec.updateStrategy: Invalid value: {"type":"Random"}: must be 'RollingUpdate' or 'OnDelete'`,
    ])
    expect(errs(sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }))).toEqual([
      `spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy 'RollingUpdate'`,
    ])
    expect(errs(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } }))).toEqual([
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(errs(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0',
    ])
  })
  it('rejects an empty selector with the statefulset message', () => {
    expect(errs(sts({ selector: {} }))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for statefulset'])
  })
  it('rejects a selector that does not match the template', () => {
    expect(errs(sts({ selector: selector({ app: 'x' }) }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ])
  })
  it('requires restartPolicy Always and forbids activeDeadlineSeconds', () => {
    expect(errs(sts({ template: template({ app: 'web' }, 'Never') }))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ])
    const t = template()
    expect(errs(sts({ template: { ...t, spec: { ...t.spec, activeDeadlineSeconds: 10 } } }))).toEqual([
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
    ])
  })
  it('rejects negative numbers and bad retention policies', () => {
    expect(errs(sts({ replicas: -1, minReadySeconds: -1, ordinals: { start: -1 }, revisionHistoryLimit: -1 }))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
      'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(errs(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } }))).toEqual([
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ])
  })
})

describe('StatefulSet update', () => {
  const base = defaultStatefulSet(sts())
  const withSpec = (spec: Partial<StatefulSet['spec']>): StatefulSet => ({ ...base, spec: { ...base.spec, ...spec } })
  it('allows the mutable fields', () => {
    expect(
      validateStatefulSetUpdate(
        withSpec({
          replicas: 3,
          ordinals: { start: 1 },
          template: template({ app: 'web', v: '2' }),
          updateStrategy: { type: 'OnDelete' },
          revisionHistoryLimit: 2,
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
          minReadySeconds: 5,
        }),
        base,
      ),
    ).toEqual([])
  })
  it('forbids everything else with one error', () => {
    for (const change of [
      { serviceName: 'other' },
      { podManagementPolicy: 'Parallel' },
      { selector: selector({ app: 'x' }) },
      { volumeClaimTemplates: [{ metadata: { name: 'data' } }] },
    ])
      expect(validateStatefulSetUpdate(withSpec(change), base).map(formatFieldError)).toEqual([FORBIDDEN])
  })
  it('has a model', () => expect(statefulSetModel.info.kind).toBe('StatefulSet'))
})
