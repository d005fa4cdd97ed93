/**
 * Node selection rules a pod carries: `nodeSelector` (every pair must match) and node affinity
 * (`nodeSelectorTerms` ORed, the expressions and fields of one term ANDed; operators In, NotIn,
 * Exists, DoesNotExist, Gt, Lt; `matchFields` on `metadata.name`), as kube-scheduler's
 * NodeAffinity plugin reads them.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One `matchExpressions` or `matchFields` entry of a node selector term. */
export interface NodeSelectorRequirementLike {
  readonly key: string
  readonly operator: string
  readonly values?: ReadonlyArray<string>
}

/** A node selector term: its expressions (on labels) and fields (on `metadata.name`) are ANDed. */
export interface NodeSelectorTermLike {
  readonly matchExpressions?: ReadonlyArray<NodeSelectorRequirementLike>
  readonly matchFields?: ReadonlyArray<NodeSelectorRequirementLike>
}

/** A weighted preferred term (`preferredDuringSchedulingIgnoredDuringExecution[]`). */
export interface PreferredSchedulingTermLike {
  readonly weight: number
  readonly preference: NodeSelectorTermLike
}

/** The part of a node that node affinity reads. */
export interface NodeLabelsView {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const INT = /^[+-]?[0-9]+$/

const requirementMatches = (req: NodeSelectorRequirementLike, value: string | undefined): boolean => {
  const values = req.values ?? []
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value)
    case 'NotIn':
      return value === undefined || !values.includes(value)
    case 'Exists':
      return value !== undefined
    case 'DoesNotExist':
      return value === undefined
    case 'Gt':
    case 'Lt': {
      const bound = values[0]
      if (value === undefined || values.length !== 1 || bound === undefined || !INT.test(value) || !INT.test(bound)) return false
      const v = BigInt(value)
      const b = BigInt(bound)
      return req.operator === 'Gt' ? v > b : v < b
    }
    default:
      return false
  }
}

/**
 * Whether a node matches one node selector term. A term with neither expressions nor fields
 * matches no node; `matchFields` supports `metadata.name` with In and NotIn only.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeSelectorTermMatches } from 'kubesim'
 * const node = { name: 'n1', labels: { 'node.kubernetes.io/instance-type': 'large', cores: '16' } }
 * expect(nodeSelectorTermMatches({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }, node)).toBe(true)
 * expect(nodeSelectorTermMatches({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, node)).toBe(false)
 * expect(nodeSelectorTermMatches({}, node)).toBe(false)
 * ```
 */
export const nodeSelectorTermMatches = (term: NodeSelectorTermLike, node: NodeLabelsView): boolean => {
  const expressions = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (expressions.length === 0 && fields.length === 0) return false
  for (const req of expressions) {
    const value = Object.prototype.hasOwnProperty.call(node.labels, req.key) ? node.labels[req.key] : undefined
    if (!requirementMatches(req, value)) return false
  }
  for (const req of fields) {
    if (req.key !== 'metadata.name' || (req.operator !== 'In' && req.operator !== 'NotIn')) return false
    if (!requirementMatches(req, node.name)) return false
  }
  return true
}

/**
 * Whether a node matches a list of node selector terms (ORed). An empty list matches no node.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeSelectorTermsMatch } from 'kubesim'
 * const node = { name: 'n1', labels: { zone: 'a' } }
 * const terms = [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]
 * expect(nodeSelectorTermsMatch(terms, node)).toBe(true)
 * ```
 */
export const nodeSelectorTermsMatch = (terms: ReadonlyArray<NodeSelectorTermLike>, node: NodeLabelsView): boolean => {
  for (const term of terms) if (nodeSelectorTermMatches(term, node)) return true
  return false
}

/**
 * Whether a node's labels contain every pair of a pod's `nodeSelector`.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeSelectorMatches } from 'kubesim'
 * expect(nodeSelectorMatches({ disktype: 'ssd' }, { disktype: 'ssd', zone: 'a' })).toBe(true)
 * expect(nodeSelectorMatches({ disktype: 'ssd' }, {})).toBe(false)
 * ```
 */
export const nodeSelectorMatches = (selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean => {
  if (selector === undefined) return true
  for (const key in selector) if (labels[key] !== selector[key] || !Object.prototype.hasOwnProperty.call(labels, key)) return false
  return true
}
