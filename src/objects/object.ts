/**
 * The shape every stored object shares (apiVersion, kind, metadata) and references to objects.
 * Kind-specific codecs refine it; the store only relies on this much.
 *
 * @module
 */
import type { ObjectMeta } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Any Kubernetes object as the store holds it: plain, frozen, JSON-shaped. */
export interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: ObjectMeta & { readonly name: string }
  readonly [field: string]: unknown
}

/** Names one object: kind, namespace (absent for cluster-scoped kinds) and name. */
export interface ObjectRef {
  readonly kind: string
  readonly namespace?: string | undefined
  readonly name: string
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The store key of an object within its kind: `namespace/name`, or `name` when cluster-scoped.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { objectKey } from 'kubesim'
 * expect(objectKey({ kind: 'Pod', namespace: 'default', name: 'web' })).toBe('default/web')
 * expect(objectKey({ kind: 'Node', name: 'node-1' })).toBe('node-1')
 * ```
 */
export const objectKey = (ref: ObjectRef): string =>
  ref.namespace === undefined || ref.namespace === '' ? ref.name : `${ref.namespace}/${ref.name}`

/**
 * The reference naming a stored object.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { refOf } from 'kubesim'
 * const ref = refOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' } })
 * expect(ref).toEqual({ kind: 'Pod', namespace: 'ns', name: 'a' })
 * ```
 */
export const refOf = (object: KubeObject): ObjectRef =>
  object.metadata.namespace === undefined
    ? { kind: object.kind, name: object.metadata.name }
    : { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }

/**
 * Renders a reference the way kubectl names objects in messages: `Pod default/web`.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatRef } from 'kubesim'
 * expect(formatRef({ kind: 'Deployment', namespace: 'default', name: 'web' })).toBe('Deployment default/web')
 * ```
 */
export const formatRef = (ref: ObjectRef): string => `${ref.kind} ${objectKey(ref)}`
