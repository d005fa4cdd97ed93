import { describe, expect, it } from 'vitest'
import {
  type Deployment,
  defaultDeployment,
  deploymentModel,
  validateDeployment,
  validateDeploymentUpdate,
} from '../../src/objects/deployment.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { selector, template } from './workloadFixtures.js'

const dep = (spec: Partial<Deployment['spec']> = {}): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector: selector(), template: template(), ...spec },
})
const errs = (d: Deployment) => validateDeployment(defaultDeployment(d)).map(formatFieldError)
const rolling = (maxSurge: number | string, maxUnavailable: number | string) => ({
  strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
})

describe('Deployment defaults', () => {
  it('fills every default', () => {
    const d = defaultDeployment(dep())
    expect(d.spec.replicas).toBe(1)
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } })
    expect(d.spec.revisionHistoryLimit).toBe(10)
    expect(d.spec.progressDeadlineSeconds).toBe(600)
    expect(d.spec.template.spec?.dnsPolicy).toBe('ClusterFirst')
    expect(defaultDeployment(d)).toBe(d)
  })
  it('keeps given values and fills only the missing budget', () => {
    const d = defaultDeployment(dep({ replicas: 0, strategy: { rollingUpdate: { maxSurge: 2 } } }))
    expect(d.spec.replicas).toBe(0)
    expect(d.spec.strategy?.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: '25%' })
  })
  it('adds no rollingUpdate to Recreate', () => {
    expect(defaultDeployment(dep({ strategy: { type: 'Recreate' } })).spec.strategy).toEqual({ type: 'Recreate' })
  })
})

describe('Deployment validation', () => {
  it('accepts a defaulted object', () => expect(errs(dep())).toEqual([]))
  it('rejects negative replicas, minReadySeconds and revisionHistoryLimit', () => {
    expect(errs(dep({ replicas: -1, minReadySeconds: -1, revisionHistoryLimit: -1 }))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ])
  })
  it('rejects an empty selector and a mismatched one', () => {
    expect(errs(dep({ selector: { matchLabels: {} } }))).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{}}: empty selector is invalid for deployment',
    ])
    expect(errs(dep({ selector: selector({ app: 'other' }) }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ])
  })
  it('requires restartPolicy Always', () => {
    expect(errs(dep({ template: template({ app: 'web' }, 'OnFailure') }))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ])
  })
  it('rejects both budgets 0, including 0%', () => {
    expect(errs(dep(rolling(0, 0)))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ])
    expect(errs(dep(rolling('0%', 0)))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ])
  })
  it('rejects bad percentages, negatives and maxUnavailable above 100%', () => {
    expect(errs(dep(rolling('5', 1)))[0]).toContain(
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: "5": a valid percent string must be a numeric string followed by an ending '%'`,
    )
    expect(errs(dep(rolling(-1, 1)))).toEqual([
      'spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(errs(dep(rolling(1, '120%')))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
    ])
    expect(errs(dep(rolling('200%', 0)))).toEqual([])
  })
  it('forbids rollingUpdate with Recreate and rejects unknown strategy types', () => {
    expect(errs(dep({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }))).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ])
    expect(errs(dep({ strategy: { type: 'BlueGreen' } }))).toEqual([
      'spec.strategy: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"',
    ])
  })
  it('requires progressDeadlineSeconds > minReadySeconds', () => {
    expect(errs(dep({ minReadySeconds: 600 }))).toEqual([
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
    ])
    expect(errs(dep({ minReadySeconds: 599 }))).toEqual([])
  })
  it('treats a template without a spec as an empty pod spec, as the API server does', () => {
    const { spec: _, ...noSpec } = template()
    expect(errs(dep({ template: noSpec }))).toEqual(['spec.template.spec.containers: Required value'])
  })
  it('collects independent errors together', () => {
    expect(errs(dep({ replicas: -1, ...rolling(0, 0) }))).toHaveLength(2)
  })
})

describe('Deployment update', () => {
  it('makes the selector immutable and allows other changes', () => {
    expect(validateDeploymentUpdate(dep({ replicas: 5 }), dep())).toEqual([])
    expect(validateDeploymentUpdate(dep({ selector: selector({ app: 'v2' }) }), dep()).map(formatFieldError)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"v2"}}: field is immutable',
    ])
  })
  it('has a model', () => expect(deploymentModel.info.kind).toBe('Deployment'))
})
