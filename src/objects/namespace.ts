/**
 * Namespaces: the scope most objects live in. The API server gives every namespace the
 * `kubernetes` finalizer, the `kubernetes.io/metadata.name` label and the `Active` phase; the
 * namespace lifecycle controller moves it to `Terminating` on deletion.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, invalid } from '../validation/fieldError.js'
import { isQualifiedName } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A namespace condition (`NamespaceDeletionDiscoveryFailure`, ...). */
export const NamespaceCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ reason: t.string, message: t.string, lastTransitionTime: t.string }),
])
/** A namespace condition. */
export type NamespaceCondition = t.TypeOf<typeof NamespaceCondition>

/** A namespace. */
export const Namespace = t.intersection([
  t.type({ apiVersion: t.literal('v1'), kind: t.literal('Namespace'), metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]) }),
  optionalFields({
    spec: optionalFields({ finalizers: t.array(t.string) }),
    status: optionalFields({ phase: t.string, conditions: t.array(NamespaceCondition) }),
  }),
])
/** A namespace. */
export type Namespace = t.TypeOf<typeof Namespace>

/** The finalizer the namespace lifecycle controller removes once the namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes'
/** The label every namespace carries with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Applies the namespace defaults: `spec.finalizers: [kubernetes]`, `status.phase: Active` and the
 * `kubernetes.io/metadata.name` label.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultNamespace } from 'kubesim'
 * const ns = defaultNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } })
 * expect(ns.spec?.finalizers).toEqual(['kubernetes'])
 * expect(ns.status?.phase).toBe('Active')
 * expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' })
 * expect(defaultNamespace(ns)).toBe(ns)
 * ```
 */
export const defaultNamespace = (ns: Namespace): Namespace =>
  produce(ns, (d) => {
    if (d.spec === undefined) d.spec = {}
    if (d.spec.finalizers === undefined) d.spec.finalizers = [NAMESPACE_FINALIZER]
    if (d.status === undefined) d.status = {}
    if (d.status.phase === undefined || d.status.phase === '') d.status.phase = 'Active'
    if (d.metadata.labels === undefined) d.metadata.labels = {}
    if (d.metadata.labels[NAMESPACE_NAME_LABEL] !== d.metadata.name) d.metadata.labels[NAMESPACE_NAME_LABEL] = d.metadata.name
  })

/**
 * Validates a namespace's spec: finalizers must be `kubernetes` or qualified names.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateNamespace, formatFieldError } from 'kubesim'
 * const errors = validateNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, spec: { finalizers: ['custom'] } })
 * expect(errors.map(formatFieldError)).toEqual(['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'])
 * ```
 */
export const validateNamespace = (ns: Namespace): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  for (const f of ns.spec?.finalizers ?? []) {
    const msgs = isQualifiedName(f)
    for (const msg of msgs) errors.push(invalid('spec.finalizers', f, msg))
    if (msgs.length === 0 && !f.includes('/') && f !== NAMESPACE_FINALIZER)
      errors.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'))
  }
  const phase = ns.status?.phase
  if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating')
    errors.push(invalid('status.phase', phase, 'must be Active or Terminating'))
  return errors
}

/**
 * The admission pipeline for Namespaces.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { namespaceModel } from 'kubesim'
 * const ns = namespaceModel.applyDefaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } })
 * expect(namespaceModel.validate(ns)).toEqual([])
 * expect(namespaceModel.info.namespaced).toBe(false)
 * ```
 */
export const namespaceModel: KindModel<Namespace> = {
  info: kindInfo('Namespace') as KindInfo,
  codec: Namespace,
  schema: 'io.k8s.api.core.v1.Namespace',
  applyDefaults: defaultNamespace,
  validate: validateNamespace,
  hasStatusSubresource: true,
}
