/**
 * Field errors shaped like Kubernetes' `field.Error`: a path, a type, the offending value and a
 * detail, rendered as `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
 * Validators return lists of these so that every independent problem is reported at once.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The kinds of field error Kubernetes reports, with its own wording. */
export type FieldErrorType =
  | 'Required value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Forbidden'
  | 'Duplicate value'
  | 'Not found'
  | 'Too long'
  | 'Too many'
  | 'Internal error'

/** One problem with one field. `value` is omitted for types that do not print it. */
export interface FieldError {
  readonly field: string
  readonly type: FieldErrorType
  readonly value?: unknown
  readonly detail: string
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * A required field is missing.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { required, formatFieldError } from 'kubesim'
 * expect(formatFieldError(required('spec.selector'))).toBe('spec.selector: Required value')
 * ```
 */
export const required = (field: string, detail = ''): FieldError => ({ field, type: 'Required value', detail })

/**
 * A field has a value that breaks a rule.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { invalid, formatFieldError } from 'kubesim'
 * expect(formatFieldError(invalid('spec.replicas', -1, 'must be greater than or equal to 0')))
 *   .toBe('spec.replicas: Invalid value: -1: must be greater than or equal to 0')
 * ```
 */
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  type: 'Invalid value',
  value,
  detail,
})

/**
 * A field has a value outside a fixed set.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { unsupported, formatFieldError } from 'kubesim'
 * expect(formatFieldError(unsupported('spec.type', 'Foo', ['ClusterIP', 'NodePort'])))
 *   .toBe('spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "NodePort"')
 * ```
 */
export const unsupported = (field: string, value: unknown, supported: ReadonlyArray<string>): FieldError => ({
  field,
  type: 'Unsupported value',
  value,
  detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
})

/**
 * A field may not be set, or not changed, in this context.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { forbidden, formatFieldError } from 'kubesim'
 * expect(formatFieldError(forbidden('spec.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\'')))
 *   .toBe("spec.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'")
 * ```
 */
export const forbidden = (field: string, detail: string): FieldError => ({ field, type: 'Forbidden', detail })

/**
 * A value appears twice where it must be unique.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { duplicate, formatFieldError } from 'kubesim'
 * expect(formatFieldError(duplicate('spec.ports[1].name', 'http'))).toBe('spec.ports[1].name: Duplicate value: "http"')
 * ```
 */
export const duplicate = (field: string, value: unknown): FieldError => ({
  field,
  type: 'Duplicate value',
  value,
  detail: '',
})

/**
 * A referenced thing does not exist.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { notFound, formatFieldError } from 'kubesim'
 * expect(formatFieldError(notFound('spec.ports[0].targetPort', 'http'))).toBe('spec.ports[0].targetPort: Not found: "http"')
 * ```
 */
export const notFound = (field: string, value: unknown): FieldError => ({ field, type: 'Not found', value, detail: '' })

/**
 * A string is longer than allowed.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { tooLong, formatFieldError } from 'kubesim'
 * expect(formatFieldError(tooLong('metadata.name', 'x'.repeat(60), 52)))
 *   .toBe('metadata.name: Too long: may not be more than 52 bytes')
 * ```
 */
export const tooLong = (field: string, value: unknown, max: number): FieldError => ({
  field,
  type: 'Too long',
  value,
  detail: `may not be more than ${max} bytes`,
})

/**
 * A list has more items than allowed.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { tooMany, formatFieldError } from 'kubesim'
 * expect(formatFieldError(tooMany('spec.ports', 3, 2))).toBe('spec.ports: Too many: 3: must have at most 2 items')
 * ```
 */
export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  field,
  type: 'Too many',
  value: actual,
  detail: `must have at most ${max} items`,
})

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Renders a value the way Kubernetes prints it inside a field error: strings quoted, numbers and
 * booleans bare, other values as compact JSON.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatFieldValue } from 'kubesim'
 * expect(formatFieldValue('web')).toBe('"web"')
 * expect(formatFieldValue(-1)).toBe('-1')
 * expect(formatFieldValue({ app: 'web' })).toBe('{"app":"web"}')
 * ```
 */
export const formatFieldValue = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === undefined) return 'null'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Renders one field error as Kubernetes does: `<path>: <Type>: <value>: <detail>`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatFieldError, invalid } from 'kubesim'
 * expect(formatFieldError(invalid('metadata.name', 'Web', 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\''))).toContain('metadata.name: Invalid value: "Web": ')
 * ```
 */
export const formatFieldError = (error: FieldError): string => {
  const parts: string[] = [error.field === '' ? '<nil>' : error.field, error.type]
  const printsValue =
    error.type === 'Invalid value' ||
    error.type === 'Unsupported value' ||
    error.type === 'Duplicate value' ||
    error.type === 'Not found' ||
    error.type === 'Too many'
  if (printsValue) parts.push(formatFieldValue(error.value))
  if (error.detail !== '') parts.push(error.detail)
  return parts.join(': ')
}

/**
 * Prefixes a list of field errors with a parent path, so a validator written for a nested struct
 * (a pod template, a container) can be reused at any depth.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { atPath, required } from 'kubesim'
 * expect(atPath('spec.template', [required('spec.containers')])[0]?.field).toBe('spec.template.spec.containers')
 * ```
 */
export const atPath = (prefix: string, errors: ReadonlyArray<FieldError>): ReadonlyArray<FieldError> =>
  errors.map((e) => ({ ...e, field: e.field === '' ? prefix : e.field.startsWith('[') ? `${prefix}${e.field}` : `${prefix}.${e.field}` }))
