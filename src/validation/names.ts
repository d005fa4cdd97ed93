/**
 * Kubernetes' name and label syntax rules (apimachinery `util/validation`), with the API
 * server's exact messages. Each check returns the list of problems, empty when the value is valid.
 *
 * @module
 */
import type { NameRule } from '../objects/kinds.js'
import { memoised } from '../internal/memo.js'

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?'
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const LABEL_VALUE = `(${QUALIFIED_NAME})?`

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL}$`)
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN}$`)
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL}$`)
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME}$`)
const labelValueRe = new RegExp(`^${LABEL_VALUE}$`)

/** Maximum lengths Kubernetes enforces. */
export const DNS1123_LABEL_MAX = 63
export const DNS1123_SUBDOMAIN_MAX = 253
export const LABEL_VALUE_MAX = 63
export const QUALIFIED_NAME_MAX = 63
/** Total size of all annotations on one object. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024

const regexError = (message: string, regex: string, ...examples: ReadonlyArray<string>): string =>
  `${message} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${regex}')`

const maxLen = (max: number): string => `must be no more than ${max} characters`

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Checks an RFC 1123 label (namespace names, hostnames, container and port names).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isDns1123Label } from 'kubesim'
 * expect(isDns1123Label('web-1')).toEqual([])
 * expect(isDns1123Label('a.b')).toEqual(['must not contain dots'])
 * ```
 */
export const isDns1123Label = (value: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (value.length > DNS1123_LABEL_MAX) errors.push(maxLen(DNS1123_LABEL_MAX))
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) errors.push('must not contain dots')
    else
      errors.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL,
          'my-name',
          '123-abc',
        ),
      )
  }
  return errors
}

/**
 * Checks an RFC 1123 subdomain (most object names).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isDns1123Subdomain } from 'kubesim'
 * expect(isDns1123Subdomain('web.example')).toEqual([])
 * expect(isDns1123Subdomain('Web')[0]).toContain('a lowercase RFC 1123 subdomain must consist of')
 * ```
 */
export const isDns1123Subdomain = (value: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (value.length > DNS1123_SUBDOMAIN_MAX) errors.push(maxLen(DNS1123_SUBDOMAIN_MAX))
  if (!dns1123SubdomainRe.test(value))
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        'example.com',
      ),
    )
  return errors
}

/**
 * Checks an RFC 1035 label (Service names): like an RFC 1123 label but starting with a letter.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isDns1035Label } from 'kubesim'
 * expect(isDns1035Label('web')).toEqual([])
 * expect(isDns1035Label('1web')[0]).toContain('start with an alphabetic character')
 * ```
 */
export const isDns1035Label = (value: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (value.length > DNS1123_LABEL_MAX) errors.push(maxLen(DNS1123_LABEL_MAX))
  if (!dns1035LabelRe.test(value))
    errors.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL,
        'my-name',
        'abc-123',
      ),
    )
  return errors
}

/**
 * Checks a name used as a URL path segment (Events, RBAC objects): not `.` or `..`, no `/` or `%`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isPathSegmentName } from 'kubesim'
 * expect(isPathSegmentName('system:controller:x')).toEqual([])
 * expect(isPathSegmentName('a/b')).toEqual(["may not contain '/'"])
 * ```
 */
export const isPathSegmentName = (value: string): ReadonlyArray<string> => {
  if (value === '.' || value === '..') return [`may not be '${value}'`]
  const errors: string[] = []
  if (value.includes('/')) errors.push("may not contain '/'")
  if (value.includes('%')) errors.push("may not contain '%'")
  return errors
}

/**
 * Checks a qualified name: label and annotation keys, `[prefix/]name`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isQualifiedName } from 'kubesim'
 * expect(isQualifiedName('app.kubernetes.io/name')).toEqual([])
 * expect(isQualifiedName('-bad')[0]).toContain('name part must consist of')
 * ```
 */
export const isQualifiedName = (value: string): ReadonlyArray<string> => qualifiedNameFindings(value)

// Every write checks its label and annotation keys, and a cluster has few distinct ones.
const qualifiedNameFindings = memoised((value: string): ReadonlyArray<string> => Object.freeze(checkQualifiedName(value)))

const checkQualifiedName = (value: string): ReadonlyArray<string> => {
  const errors: string[] = []
  const parts = value.split('/')
  let name: string
  if (parts.length === 1) {
    name = parts[0] ?? ''
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? ''
    name = parts[1] ?? ''
    if (prefix.length === 0) errors.push('prefix part must be non-empty')
    else errors.push(...isDns1123Subdomain(prefix).map((e) => `prefix part ${e}`))
  } else {
    return [
      regexError(
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        QUALIFIED_NAME,
        'MyName',
        'my.name',
        '123-abc',
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]
  }
  if (name.length === 0) errors.push('name part must be non-empty')
  else if (name.length > QUALIFIED_NAME_MAX) errors.push(`name part ${maxLen(QUALIFIED_NAME_MAX)}`)
  if (name.length > 0 && !qualifiedNameRe.test(name))
    errors.push(
      regexError(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        QUALIFIED_NAME,
        'MyName',
        'my.name',
        '123-abc',
      ),
    )
  return errors
}

/**
 * Checks a label value: empty, or up to 63 alphanumerics with `-`, `_`, `.` inside.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isValidLabelValue } from 'kubesim'
 * expect(isValidLabelValue('')).toEqual([])
 * expect(isValidLabelValue('a b')[0]).toContain('a valid label must be an empty string or consist of')
 * ```
 */
export const isValidLabelValue = (value: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (value.length > LABEL_VALUE_MAX) errors.push(maxLen(LABEL_VALUE_MAX))
  if (!labelValueRe.test(value))
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        'MyValue',
        'my_value',
        '12345',
      ),
    )
  return errors
}

/**
 * Checks an object name against its kind's rule.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateNameByRule } from 'kubesim'
 * expect(validateNameByRule('dns1035Label', 'web')).toEqual([])
 * expect(validateNameByRule('dns1035Label', '9web')).toHaveLength(1)
 * ```
 */
export const validateNameByRule = (rule: NameRule, value: string): ReadonlyArray<string> => {
  switch (rule) {
    case 'dns1123Label':
      return isDns1123Label(value)
    case 'dns1123Subdomain':
      return isDns1123Subdomain(value)
    case 'dns1035Label':
      return isDns1035Label(value)
    case 'pathSegment':
      return isPathSegmentName(value)
  }
}
