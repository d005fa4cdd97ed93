import { describe, expect, it } from 'vitest'
import { type Node, defaultNode, nodeModel, validateNode, validateNodeUpdate, validateTaints } from '../../src/objects/node.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const node = (extra: Partial<Node> = {}): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, ...extra })
const taintErrs = (taints: Parameters<typeof validateTaints>[0]) => validateTaints(taints, 'spec.taints').map(formatFieldError)

describe('node', () => {
  it('defaults allocatable from capacity, keeping an explicit one', () => {
    expect(defaultNode(node({ status: { capacity: { cpu: '2' } } })).status?.allocatable).toEqual({ cpu: '2' })
    expect(defaultNode(node({ status: { capacity: { cpu: '2' }, allocatable: { cpu: '1' } } })).status?.allocatable).toEqual({ cpu: '1' })
    const n = node()
    expect(defaultNode(n)).toBe(n)
  })
  it('accepts valid taints', () => {
    expect(taintErrs([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'gpu', value: 'true', effect: 'NoExecute' }])).toEqual([])
  })
  it('rejects unsupported effects and empty effects', () => {
    expect(taintErrs([{ key: 'a', effect: 'Sometimes' }, { key: 'b', effect: '' }])).toEqual([
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'spec.taints[1].effect: Required value',
    ])
  })
  it('checks keys and values', () => {
    const errs = taintErrs([{ key: 'bad key', effect: 'NoSchedule' }, { key: 'k', value: 'a b', effect: 'NoSchedule' }])
    expect(errs[0]).toMatch(/^spec\.taints\[0\]\.key: Invalid value: "bad key": name part must consist/)
    expect(errs[1]).toMatch(/^spec\.taints\[1\]\.value: Invalid value: "a b": a valid label must be/)
  })
  it('rejects duplicate key and effect pairs, not same key with another effect', () => {
    expect(taintErrs([{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoExecute' }])).toEqual([])
    const errs = validateTaints([{ key: 'k', effect: 'NoSchedule' }, { key: 'k', value: 'x', effect: 'NoSchedule' }], 'spec.taints')
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatchObject({ field: 'spec.taints[1]', type: 'Duplicate value', detail: 'taints must be unique by key and effect pair' })
  })
  it('validates capacity quantities', () => {
    expect(validateNode(node({ status: { capacity: { cpu: '-1' }, allocatable: { memory: 'lots' } } })).map(formatFieldError)).toEqual([
      'status.capacity[cpu]: Invalid value: "-1": must be greater than or equal to 0',
      `status.allocatable[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ])
  })
  it('podCIDR may be set once but not changed', () => {
    expect(validateNodeUpdate(node({ spec: { podCIDR: '10.0.0.0/24' } }), node())).toEqual([])
    expect(validateNodeUpdate(node({ spec: { podCIDR: '10.0.1.0/24' } }), node({ spec: { podCIDR: '10.0.0.0/24' } }))).toHaveLength(1)
  })
  it('model', () => {
    expect(nodeModel.info.kind).toBe('Node')
    expect(nodeModel.validate(nodeModel.applyDefaults(node({ spec: { unschedulable: true } })))).toEqual([])
  })
})
