/**
 * Validation of `metadata`, shared by every kind, as the API server's `ValidateObjectMeta`:
 * name (or generateName) by the kind's rule, namespace by scope, labels, annotations, owner
 * references and finalizers. All problems are collected, none stops the others.
 *
 * @module
 */
import type { KindInfo } from '../objects/kinds.js'
import type { ObjectMeta, OwnerReference } from '../objects/meta.js'
import { type FieldError, duplicate, forbidden, invalid, required, tooLong } from './fieldError.js'
import { utf8Length } from '../internal/utf8.js'
import {
  ANNOTATIONS_MAX_BYTES,
  isDns1123Label,
  isQualifiedName,
  isValidLabelValue,
  validateNameByRule,
} from './names.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Options for {@link validateObjectMeta}. */
export interface ObjectMetaOptions {
  /** Whether the kind lives in a namespace (then `metadata.namespace` is required). */
  readonly namespaced: boolean
}

/**
 * How Kubernetes validates a generateName prefix (`maskTrailingDash`): a trailing '-' is allowed
 * because random characters follow it, so the last two characters are replaced by one 'a'.
 */
const maskTrailingDash = (name: string): string =>
  name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Validates a label map (`metadata.labels`, `spec.nodeSelector`): keys are qualified names,
 * values label values. Errors are reported on the map's path, as Kubernetes does.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateLabels } from 'kubesim'
 * expect(validateLabels({ app: 'web' }, 'metadata.labels')).toEqual([])
 * expect(validateLabels({ app: 'a b' }, 'metadata.labels')[0]?.field).toBe('metadata.labels')
 * ```
 */
export const validateLabels = (labels: Readonly<Record<string, string>> | undefined, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(key)) errors.push(invalid(path, key, msg))
    for (const msg of isValidLabelValue(String(value))) errors.push(invalid(path, value, msg))
  }
  return errors
}

/**
 * Validates annotations: keys are qualified names (checked lower-cased, as Kubernetes does) and
 * keys plus values together may not exceed 256 KiB.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateAnnotations, formatFieldError } from 'kubesim'
 * expect(validateAnnotations({ 'Example.com/Note': 'hi' }, 'metadata.annotations')).toEqual([])
 * const big = validateAnnotations({ a: 'x'.repeat(262144) }, 'metadata.annotations')
 * expect(big.map(formatFieldError)).toEqual(['metadata.annotations: Too long: may not be more than 262144 bytes'])
 * ```
 */
export const validateAnnotations = (
  annotations: Readonly<Record<string, string>> | undefined,
  path: string,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  let total = 0
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(key.toLowerCase())) errors.push(invalid(path, key, msg))
    total += utf8Length(key) + utf8Length(String(value))
  }
  if (total > ANNOTATIONS_MAX_BYTES) errors.push(tooLong(path, '', ANNOTATIONS_MAX_BYTES))
  return errors
}

/**
 * Validates `metadata.ownerReferences`: apiVersion, kind, name and uid are required, and at
 * most one reference may be the controller.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateOwnerReferences, formatFieldError } from 'kubesim'
 * const errors = validateOwnerReferences([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: '' }], 'metadata.ownerReferences')
 * expect(errors.map(formatFieldError)).toEqual(['metadata.ownerReferences[0].uid: Invalid value: "": uid must not be empty'])
 * ```
 */
export const validateOwnerReferences = (
  refs: ReadonlyArray<OwnerReference> | undefined,
  path: string,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  let firstController: string | undefined
  ;(refs ?? []).forEach((ref, i) => {
    const at = `${path}[${i}]`
    // As schema.FromAPIVersionAndKind: "group/version" or "version"; the version may not be empty.
    const slash = ref.apiVersion.indexOf('/')
    const version = slash < 0 ? ref.apiVersion : ref.apiVersion.slice(slash + 1)
    if (version === '') errors.push(invalid(`${at}.apiVersion`, ref.apiVersion, 'version must not be empty'))
    if (ref.kind === '') errors.push(invalid(`${at}.kind`, ref.kind, 'kind must not be empty'))
    if (ref.name === '') errors.push(invalid(`${at}.name`, ref.name, 'name must not be empty'))
    if (ref.uid === '') errors.push(invalid(`${at}.uid`, ref.uid, 'uid must not be empty'))
    if (ref.controller === true) {
      const who = `${ref.kind}/${ref.name}`
      if (firstController === undefined) firstController = who
      else
        errors.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${who}`,
          ),
        )
    }
  })
  return errors
}

/**
 * Validates `metadata.finalizers`: qualified names, no duplicates.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateFinalizers, formatFieldError } from 'kubesim'
 * const errors = validateFinalizers(['example.com/cleanup', 'example.com/cleanup'], 'metadata.finalizers')
 * expect(errors.map(formatFieldError)).toEqual(['metadata.finalizers[1]: Duplicate value: "example.com/cleanup"'])
 * ```
 */
export const validateFinalizers = (finalizers: ReadonlyArray<string> | undefined, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  ;(finalizers ?? []).forEach((f, i) => {
    for (const msg of isQualifiedName(f)) errors.push(invalid(path, f, msg))
    if (seen.has(f)) errors.push(duplicate(`${path}[${i}]`, f))
    seen.add(f)
  })
  return errors
}

/**
 * Validates an object's metadata as the API server does on create (`ValidateObjectMeta`):
 * name or generateName, namespace by scope, labels, annotations, owner references, finalizers.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateObjectMeta, kindInfo, formatFieldError } from 'kubesim'
 * const errors = validateObjectMeta({ name: 'Web' }, kindInfo('Deployment')!, { namespaced: true })
 * expect(errors.map(formatFieldError)).toEqual([
 *   expect.stringContaining('metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain'),
 *   'metadata.namespace: Required value',
 * ])
 * ```
 */
export const validateObjectMeta = (
  meta: ObjectMeta,
  kind: Pick<KindInfo, 'nameRule' | 'maxNameLength'>,
  opts: ObjectMetaOptions,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const name = meta.name ?? ''
  const generateName = meta.generateName ?? ''
  if (generateName !== '') {
    for (const msg of validateNameByRule(kind.nameRule, maskTrailingDash(generateName)))
      errors.push(invalid('metadata.generateName', generateName, msg))
  }
  if (name === '') {
    if (generateName === '') errors.push(required('metadata.name', 'name or generateName is required'))
  } else {
    for (const msg of validateNameByRule(kind.nameRule, name)) errors.push(invalid('metadata.name', name, msg))
    if (kind.maxNameLength !== undefined && name.length > kind.maxNameLength)
      errors.push(invalid('metadata.name', name, `must be no more than ${kind.maxNameLength} characters`))
  }
  const namespace = meta.namespace ?? ''
  if (opts.namespaced) {
    if (namespace === '') errors.push(required('metadata.namespace'))
    else for (const msg of isDns1123Label(namespace)) errors.push(invalid('metadata.namespace', namespace, msg))
  } else if (namespace !== '') errors.push(forbidden('metadata.namespace', 'not allowed on this type'))
  if (meta.generation !== undefined && meta.generation < 0)
    errors.push(invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'))
  errors.push(...validateLabels(meta.labels, 'metadata.labels'))
  errors.push(...validateAnnotations(meta.annotations, 'metadata.annotations'))
  errors.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'))
  errors.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'))
  return errors
}
