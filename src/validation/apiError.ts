/**
 * API errors shaped like the Kubernetes API server's `Status` failures (Invalid, NotFound,
 * AlreadyExists, Conflict, Forbidden, BadRequest), with the server's message and kubectl's
 * rendering. Every failed call returns one of these as a value; nothing throws.
 *
 * @module
 */
import { type KindInfo, qualifiedKind, qualifiedResource } from '../objects/kinds.js'
import { type FieldError, formatFieldError } from './fieldError.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The failure reasons kubesim returns, as in `metav1.StatusReason`. */
export type ApiErrorReason = 'Invalid' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Forbidden' | 'BadRequest' | 'InternalError'

/** A failed API call. `message` is the API server's text; `formatApiError` gives kubectl's. */
export interface ApiError {
  readonly reason: ApiErrorReason
  /** The HTTP status code the API server would answer with. */
  readonly code: number
  readonly kind: string
  /** API group, '' for core. */
  readonly group: string
  readonly name: string
  readonly namespace?: string
  readonly message: string
  readonly causes: ReadonlyArray<FieldError>
  /** Where the failing object came from in a multi-document apply: its index, 0-based. */
  readonly documentIndex?: number
}

type Target = Pick<KindInfo, 'kind' | 'group' | 'resource'>

const base = (target: Target, name: string, namespace: string | undefined) => ({
  kind: target.kind,
  group: target.group,
  name,
  ...(namespace === undefined ? {} : { namespace }),
})

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * An object failed validation. Each cause is one field error; all are reported at once.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { invalidError, invalid, kindInfo } from 'kubesim'
 * const err = invalidError(kindInfo('Deployment')!, 'web', 'default', [invalid('spec.replicas', -1, 'must be greater than or equal to 0')])
 * expect(err.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
 * ```
 */
export const invalidError = (
  target: Target,
  name: string,
  namespace: string | undefined,
  causes: ReadonlyArray<FieldError>,
): ApiError => {
  const details = causes.map(formatFieldError)
  const joined = details.length === 1 ? (details[0] ?? '') : `[${details.join(', ')}]`
  return {
    reason: 'Invalid',
    code: 422,
    ...base(target, name, namespace),
    message: `${qualifiedKind(target)} ${JSON.stringify(name)} is invalid: ${joined}`,
    causes,
  }
}

/**
 * The named object does not exist.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { notFoundError, kindInfo } from 'kubesim'
 * expect(notFoundError(kindInfo('Deployment')!, 'web', 'default').message).toBe('deployments.apps "web" not found')
 * ```
 */
export const notFoundError = (target: Target, name: string, namespace?: string): ApiError => ({
  reason: 'NotFound',
  code: 404,
  ...base(target, name, namespace),
  message: `${qualifiedResource(target)} ${JSON.stringify(name)} not found`,
  causes: [],
})

/**
 * An object with that name already exists.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { alreadyExistsError, kindInfo } from 'kubesim'
 * expect(alreadyExistsError(kindInfo('Pod')!, 'web', 'default').message).toBe('pods "web" already exists')
 * ```
 */
export const alreadyExistsError = (target: Target, name: string, namespace?: string): ApiError => ({
  reason: 'AlreadyExists',
  code: 409,
  ...base(target, name, namespace),
  message: `${qualifiedResource(target)} ${JSON.stringify(name)} already exists`,
  causes: [],
})

/**
 * A write was based on a stale resourceVersion.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { conflictError, kindInfo } from 'kubesim'
 * expect(conflictError(kindInfo('Deployment')!, 'web', 'default').message).toBe(
 *   'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
 * )
 * ```
 */
export const conflictError = (target: Target, name: string, namespace?: string, detail?: string): ApiError => ({
  reason: 'Conflict',
  code: 409,
  ...base(target, name, namespace),
  message: `Operation cannot be fulfilled on ${qualifiedResource(target)} ${JSON.stringify(name)}: ${
    detail ?? 'the object has been modified; please apply your changes to the latest version and try again'
  }`,
  causes: [],
})

/**
 * The request is not allowed (for example, new content in a terminating namespace).
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { forbiddenError, kindInfo } from 'kubesim'
 * const err = forbiddenError(kindInfo('Pod')!, 'web', 'shop', 'unable to create new content in namespace shop because it is being terminated')
 * expect(err.message).toBe('pods "web" is forbidden: unable to create new content in namespace shop because it is being terminated')
 * ```
 */
export const forbiddenError = (target: Target, name: string, namespace: string | undefined, detail: string): ApiError => ({
  reason: 'Forbidden',
  code: 403,
  ...base(target, name, namespace),
  message: `${qualifiedResource(target)} ${JSON.stringify(name)} is forbidden: ${detail}`,
  causes: [],
})

/**
 * The input could not be read as an object at all (bad YAML, wrong types, missing kind).
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { badRequestError } from 'kubesim'
 * expect(badRequestError('Object \'Kind\' is missing in \'{}\'').reason).toBe('BadRequest')
 * ```
 */
export const badRequestError = (
  message: string,
  causes: ReadonlyArray<FieldError> = [],
  target: Partial<Target> & { readonly name?: string; readonly namespace?: string } = {},
): ApiError => ({
  reason: 'BadRequest',
  code: 400,
  kind: target.kind ?? '',
  group: target.group ?? '',
  name: target.name ?? '',
  ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
  message,
  causes,
})

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Tags an error with the index of the document it came from in a multi-document apply.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { badRequestError, withDocumentIndex } from 'kubesim'
 * expect(withDocumentIndex(badRequestError('bad'), 2).documentIndex).toBe(2)
 * ```
 */
export const withDocumentIndex = (error: ApiError, documentIndex: number): ApiError => ({ ...error, documentIndex })

/**
 * Renders an error the way kubectl prints it: `The Deployment "web" is invalid: ...` with one
 * `* cause` line per field error when there are several, `Error from server (NotFound): ...`
 * for the rest.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatApiError, invalidError, invalid, required, kindInfo } from 'kubesim'
 * const err = invalidError(kindInfo('Deployment')!, 'web', 'default', [
 *   invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
 *   required('spec.selector'),
 * ])
 * expect(formatApiError(err)).toBe(
 *   'The Deployment "web" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.selector: Required value',
 * )
 * ```
 */
export const formatApiError = (error: ApiError): string => {
  const where = error.documentIndex === undefined ? '' : `error in document ${error.documentIndex}: `
  if (error.reason === 'Invalid' && error.causes.length > 0) {
    const head = `The ${error.kind} ${JSON.stringify(error.name)} is invalid: `
    const causes = error.causes.map(formatFieldError)
    return where + (causes.length === 1 ? head + (causes[0] ?? '') : `${head}\n${causes.map((c) => `* ${c}`).join('\n')}`)
  }
  if (error.reason === 'BadRequest') return `${where}error: ${error.message}`
  return `${where}Error from server (${error.reason}): ${error.message}`
}
