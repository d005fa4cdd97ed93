/**
 * Nodes: the machines pods run on. The spec carries scheduling controls (unschedulable, taints,
 * pod CIDR); the status carries what the kubelet reports (capacity, allocatable, conditions,
 * addresses), which the scheduler and the node lifecycle controller read.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, duplicate, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { isQualifiedName, isValidLabelValue } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, LooseObject } from './meta.js'
import { ResourceList, TAINT_EFFECTS } from './pod.js'
import { validateResourceQuantities } from './quantity.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A node taint: pods that do not tolerate it are kept off (or evicted from) the node. */
export const Taint = t.intersection([
  t.type({ key: t.string, effect: t.string }),
  optionalFields({ value: t.string, timeAdded: t.string }),
])
/** A node taint. */
export type Taint = t.TypeOf<typeof Taint>

/** A node condition (`Ready`, `MemoryPressure`, ...). */
export const NodeCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ reason: t.string, message: t.string, lastHeartbeatTime: t.string, lastTransitionTime: t.string }),
])
/** A node condition. */
export type NodeCondition = t.TypeOf<typeof NodeCondition>

/** A node address (`InternalIP`, `Hostname`, ...). */
export const NodeAddress = t.type({ type: t.string, address: t.string })
/** A node address. */
export type NodeAddress = t.TypeOf<typeof NodeAddress>

/** The node spec. */
export const NodeSpec = optionalFields({
  unschedulable: t.boolean,
  taints: t.array(Taint),
  podCIDR: t.string,
  podCIDRs: t.array(t.string),
  providerID: t.string,
})
/** The node spec. */
export type NodeSpec = t.TypeOf<typeof NodeSpec>

/** The node status. */
export const NodeStatus = optionalFields({
  capacity: ResourceList,
  allocatable: ResourceList,
  conditions: t.array(NodeCondition),
  addresses: t.array(NodeAddress),
  nodeInfo: LooseObject,
})
/** The node status. */
export type NodeStatus = t.TypeOf<typeof NodeStatus>

/** A node. */
export const Node = t.intersection([
  t.type({ apiVersion: t.literal('v1'), kind: t.literal('Node'), metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]) }),
  optionalFields({ spec: NodeSpec, status: NodeStatus }),
])
/** A node. */
export type Node = t.TypeOf<typeof Node>

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Applies the node defaults: `status.allocatable` copies `status.capacity` when unset.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultNode } from 'kubesim'
 * const node = defaultNode({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4', pods: '110' } } })
 * expect(node.status?.allocatable).toEqual({ cpu: '4', pods: '110' })
 * expect(defaultNode(node)).toBe(node)
 * ```
 */
export const defaultNode = (node: Node): Node =>
  produce(node, (d) => {
    if (d.status?.capacity !== undefined && d.status.allocatable === undefined) d.status.allocatable = { ...d.status.capacity }
  })

/**
 * Validates a list of node taints (`validateNodeTaints`): key a qualified name, value a label
 * value, effect one of NoSchedule, PreferNoSchedule, NoExecute, and unique by key and effect.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateTaints, formatFieldError } from 'kubesim'
 * const errors = validateTaints([{ key: 'gpu', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoSchedule' }], 'spec.taints')
 * expect(errors.map(formatFieldError)[0]).toMatch(/^spec\.taints\[1\]: Duplicate value: .*: taints must be unique by key and effect pair$/)
 * ```
 */
export const validateTaints = (taints: ReadonlyArray<Taint> | undefined, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  ;(taints ?? []).forEach((taint, i) => {
    const at = `${path}[${i}]`
    for (const msg of isQualifiedName(taint.key)) errors.push(invalid(`${at}.key`, taint.key, msg))
    const valueErrors = isValidLabelValue(taint.value ?? '')
    if (valueErrors.length > 0) errors.push(invalid(`${at}.value`, taint.value, valueErrors.join(';')))
    if (taint.effect === '') errors.push(required(`${at}.effect`))
    else if (!TAINT_EFFECTS.includes(taint.effect)) errors.push(unsupported(`${at}.effect`, taint.effect, TAINT_EFFECTS))
    const key = `${taint.effect}\u0000${taint.key}`
    if (seen.has(key)) errors.push({ ...duplicate(at, taint), detail: 'taints must be unique by key and effect pair' })
    seen.add(key)
  })
  return errors
}

/**
 * Validates a node: taints, and capacity/allocatable quantities.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateNode, formatFieldError } from 'kubesim'
 * const errors = validateNode({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'Never' }] } })
 * expect(errors.map(formatFieldError)).toEqual(['spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'])
 * ```
 */
export const validateNode = (node: Node): ReadonlyArray<FieldError> => [
  ...validateTaints(node.spec?.taints, 'spec.taints'),
  ...validateResourceQuantities(node.status?.capacity ?? {}, 'status.capacity'),
  ...validateResourceQuantities(node.status?.allocatable ?? {}, 'status.allocatable'),
]

/**
 * Update rules for nodes: the pod CIDR may be set once, not changed.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateNodeUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.0.0/24' } }
 * const next = { ...old, spec: { podCIDR: '10.244.1.0/24' } }
 * expect(validateNodeUpdate(next, old).map(formatFieldError)).toEqual(['spec.podCIDR: Forbidden: node updates may not change podCIDR except from "" to valid'])
 * ```
 */
export const validateNodeUpdate = (next: Node, previous: Node): ReadonlyArray<FieldError> => {
  const old = previous.spec?.podCIDR ?? ''
  return old !== '' && (next.spec?.podCIDR ?? '') !== old
    ? [forbidden('spec.podCIDR', 'node updates may not change podCIDR except from "" to valid')]
    : []
}

/**
 * The admission pipeline for Nodes.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeModel } from 'kubesim'
 * const node = nodeModel.applyDefaults({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })
 * expect(nodeModel.validate(node)).toEqual([])
 * expect(nodeModel.info.namespaced).toBe(false)
 * ```
 */
export const nodeModel: KindModel<Node> = {
  info: kindInfo('Node') as KindInfo,
  codec: Node,
  schema: 'io.k8s.api.core.v1.Node',
  applyDefaults: defaultNode,
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  hasStatusSubresource: true,
}
