import { describe, expect, it } from 'vitest'
import { type DaemonSet, daemonSetModel, defaultDaemonSet, validateDaemonSet, validateDaemonSetUpdate } from '../../src/objects/daemonSet.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { selector, template } from './workloadFixtures.js'

const ds = (spec: Partial<DaemonSet['spec']> = {}): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent' },
  spec: { selector: selector(), template: template(), ...spec },
})
const errs = (d: DaemonSet) => validateDaemonSet(defaultDaemonSet(d)).map(formatFieldError)
const rolling = (maxUnavailable: number | string, maxSurge: number | string) => ({
  updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge } },
})

describe('DaemonSet', () => {
  it('fills defaults', () => {
    const d = defaultDaemonSet(ds())
    expect(d.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } })
    expect(d.spec.revisionHistoryLimit).toBe(10)
    expect(defaultDaemonSet(d)).toBe(d)
    expect(defaultDaemonSet(ds({ updateStrategy: { type: 'OnDelete' } })).spec.updateStrategy).toEqual({ type: 'OnDelete' })
  })
  it('accepts a defaulted object and surge-only updates', () => {
    expect(errs(ds())).toEqual([])
    expect(errs(ds(rolling(0, '10%')))).toEqual([])
  })
  it('requires exactly one non-zero budget', () => {
    expect(errs(ds(rolling(0, 0)))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ])
    expect(errs(ds(rolling(1, 1)))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    ])
  })
  it('rejects percentages above 100% on both budgets', () => {
    expect(errs(ds(rolling('101%', 0)))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater than 100%',
    ])
    expect(errs(ds(rolling(0, '150%')))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "150%": must not be greater than 100%',
    ])
  })
  it('rejects unknown strategies', () => {
    expect(errs(ds({ updateStrategy: { type: 'Surge' } }))).toEqual([
      'spec.updateStrategy: Unsupported value: "Surge": supported values: "RollingUpdate", "OnDelete"',
    ])
  })
  it('checks selector, template and restart policy', () => {
    expect(errs(ds({ selector: {} }))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for daemonset'])
    expect(errs(ds({ selector: selector({ app: 'x' }) }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ])
    expect(errs(ds({ template: template({ app: 'web' }, 'OnFailure') }))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ])
  })
  it('rejects negative minReadySeconds and revisionHistoryLimit', () => {
    expect(errs(ds({ minReadySeconds: -1, revisionHistoryLimit: -1 }))).toHaveLength(2)
  })
  it('makes the selector immutable', () => {
    expect(validateDaemonSetUpdate(ds({ minReadySeconds: 3 }), ds())).toEqual([])
    expect(validateDaemonSetUpdate(ds({ selector: selector({ app: 'x' }) }), ds())).toHaveLength(1)
    expect(daemonSetModel.info.kind).toBe('DaemonSet')
  })
})
