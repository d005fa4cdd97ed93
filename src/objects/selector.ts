/**
 * Label selectors: the `LabelSelector` struct in manifests (matchLabels + matchExpressions) and
 * the string form kubectl accepts (`app=web,tier in (fe,be),!canary`), both compiled to one
 * list of requirements that are ANDed together.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { type FieldError, forbidden, invalid, required } from '../validation/fieldError.js'
import { isQualifiedName, isValidLabelValue } from '../validation/names.js'
import { StringMap } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One `matchExpressions` entry. */
export const LabelSelectorRequirement = t.intersection([
  t.type({ key: t.string, operator: t.string }),
  optionalFields({ values: t.array(t.string) }),
])
/** One `matchExpressions` entry. */
export type LabelSelectorRequirement = t.TypeOf<typeof LabelSelectorRequirement>

/** The `LabelSelector` struct of manifests. */
export const LabelSelector = optionalFields({
  matchLabels: StringMap,
  matchExpressions: t.array(LabelSelectorRequirement),
})
/** The `LabelSelector` struct of manifests. */
export type LabelSelector = t.TypeOf<typeof LabelSelector>

/** The operators a compiled requirement can have. `a=b` compiles to `In [b]`, `a!=b` to `NotIn [b]`. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

/** One compiled requirement. */
export interface Requirement {
  readonly key: string
  readonly operator: SelectorOperator
  readonly values: ReadonlyArray<string>
}

/** A compiled selector: every requirement must hold. The empty list matches everything. */
export type Selector = ReadonlyArray<Requirement>

const OPERATORS: ReadonlyArray<SelectorOperator> = ['In', 'NotIn', 'Exists', 'DoesNotExist']

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * Validates a `LabelSelector` struct, reporting problems under `path`.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateLabelSelector } from 'kubesim'
 * expect(validateLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'In' }] }, 'spec.selector')[0]?.field)
 *   .toBe('spec.selector.matchExpressions[0].values')
 * ```
 */
export const validateLabelSelector = (selector: LabelSelector, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    for (const msg of isQualifiedName(key)) errors.push(invalid(`${path}.matchLabels`, key, msg))
    for (const msg of isValidLabelValue(value)) errors.push(invalid(`${path}.matchLabels`, value, msg))
  }
  ;(selector.matchExpressions ?? []).forEach((expr, i) => {
    const at = `${path}.matchExpressions[${i}]`
    const values = expr.values ?? []
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errors.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"))
        break
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          errors.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        break
      default:
        errors.push(invalid(`${at}.operator`, expr.operator, 'not a valid selector operator'))
    }
    for (const msg of isQualifiedName(expr.key)) errors.push(invalid(`${at}.key`, expr.key, msg))
  })
  return errors
}

/**
 * Compiles a `LabelSelector` struct. Invalid operators make the selector match nothing, as the
 * API server would never have stored it; validate first to report them.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { fromLabelSelector, matchesSelector } from 'kubesim'
 * const sel = fromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] })
 * expect(matchesSelector(sel, { app: 'web', tier: 'fe' })).toBe(true)
 * expect(matchesSelector(sel, { app: 'web', tier: 'db' })).toBe(false)
 * ```
 */
export const fromLabelSelector = (selector: LabelSelector): Selector => {
  const known = compiledSelectors.get(selector)
  if (known !== undefined) return known
  const compiled = compileLabelSelector(selector)
  // A stored object's selector is compiled on every controller pass; frozen, it cannot change.
  if (isFrozenSelector(selector)) compiledSelectors.set(selector, compiled)
  return compiled
}

const compiledSelectors = new WeakMap<LabelSelector, Selector>()

const isFrozenSelector = (selector: LabelSelector): boolean =>
  Object.isFrozen(selector) &&
  (selector.matchLabels === undefined || Object.isFrozen(selector.matchLabels)) &&
  (selector.matchExpressions === undefined ||
    (Object.isFrozen(selector.matchExpressions) && selector.matchExpressions.every((e) => Object.isFrozen(e) && (e.values === undefined || Object.isFrozen(e.values)))))

const compileLabelSelector = (selector: LabelSelector): Selector => {
  const requirements: Requirement[] = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, operator: 'In' as const, values: [value] }))
  for (const expr of selector.matchExpressions ?? []) {
    const operator = OPERATORS.find((op) => op === expr.operator)
    if (operator === undefined) return [{ key: expr.key, operator: 'In', values: [] }]
    requirements.push({ key: expr.key, operator, values: [...(expr.values ?? [])].sort() })
  }
  return requirements
}

/**
 * Parses kubectl's selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * joined by commas.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseSelector } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const parsed = parseSelector('app=web,tier in (fe,be),!canary')
 * expect(E.isRight(parsed) && parsed.right.length).toBe(3)
 * expect(E.isLeft(parseSelector('app in web'))).toBe(true)
 * ```
 */
export const parseSelector = (input: string): E.Either<string, Selector> => {
  const requirements: Requirement[] = []
  let pos = 0
  const text = input
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++
  }
  const readToken = (): string => {
    skipSpace()
    const start = pos
    while (pos < text.length && !/[\s,()=!]/.test(text[pos] ?? '')) pos++
    return text.slice(start, pos)
  }
  const fail = (message: string): E.Either<string, Selector> =>
    E.left(`unable to parse requirement: ${message} in selector ${JSON.stringify(input)}`)
  const checkKey = (key: string): string | undefined => {
    const problems = isQualifiedName(key)
    return problems.length > 0 ? `invalid label key ${JSON.stringify(key)}: ${problems.join('; ')}` : undefined
  }
  const checkValue = (value: string): string | undefined => {
    const problems = isValidLabelValue(value)
    return problems.length > 0 ? `invalid label value: ${JSON.stringify(value)}: ${problems.join('; ')}` : undefined
  }
  skipSpace()
  if (pos >= text.length) return E.right([])
  for (;;) {
    skipSpace()
    let negated = false
    if (text[pos] === '!') {
      negated = true
      pos++
    }
    const key = readToken()
    if (key === '') return fail('found empty key')
    const keyProblem = checkKey(key)
    if (keyProblem !== undefined) return fail(keyProblem)
    skipSpace()
    const rest = text.slice(pos)
    if (negated) {
      requirements.push({ key, operator: 'DoesNotExist', values: [] })
    } else if (rest.startsWith('==') || rest.startsWith('!=') || rest.startsWith('=')) {
      const op = rest.startsWith('==') || rest.startsWith('!=') ? rest.slice(0, 2) : '='
      pos += op.length
      const value = readToken()
      const valueProblem = checkValue(value)
      if (valueProblem !== undefined) return fail(valueProblem)
      requirements.push({ key, operator: op === '!=' ? 'NotIn' : 'In', values: [value] })
    } else if (/^(in|notin)\s*\(/.test(rest)) {
      const operator: SelectorOperator = rest.startsWith('in') ? 'In' : 'NotIn'
      pos += operator === 'In' ? 2 : 5
      skipSpace()
      pos++ // the '('
      const close = text.indexOf(')', pos)
      if (close < 0) return fail("found '', expected: ')'")
      const values = text
        .slice(pos, close)
        .split(',')
        .map((v) => v.trim())
      for (const value of values) {
        const valueProblem = checkValue(value)
        if (valueProblem !== undefined) return fail(valueProblem)
      }
      pos = close + 1
      requirements.push({ key, operator, values: [...new Set(values)].sort() })
    } else if (rest === '' || rest.startsWith(',')) {
      requirements.push({ key, operator: 'Exists', values: [] })
    } else {
      return fail(`found '${rest.split(/[\s,]/)[0] ?? ''}', expected: in, notin, =, ==, !=, ',' or end of string`)
    }
    skipSpace()
    if (pos >= text.length) break
    if (text[pos] !== ',') return fail(`found '${text[pos] ?? ''}', expected: ','`)
    pos++
  }
  return E.right(requirements)
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Whether a label set satisfies every requirement.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { matchesSelector } from 'kubesim'
 * expect(matchesSelector([{ key: 'canary', operator: 'DoesNotExist', values: [] }], { app: 'web' })).toBe(true)
 * expect(matchesSelector([], undefined)).toBe(true)
 * ```
 */
export const matchesSelector = (selector: Selector, labels: Readonly<Record<string, string>> | undefined): boolean => {
  for (const req of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key)
    const value = has ? labels[req.key] : undefined
    switch (req.operator) {
      case 'In':
        if (value === undefined || !req.values.includes(value)) return false
        break
      case 'NotIn':
        if (value !== undefined && req.values.includes(value)) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
    }
  }
  return true
}

/**
 * The selector in kubectl's string syntax.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatSelector, fromLabelSelector } from 'kubesim'
 * expect(formatSelector(fromLabelSelector({ matchLabels: { app: 'web' } }))).toBe('app=web')
 * ```
 */
export const formatSelector = (selector: Selector): string =>
  selector
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0] ?? ''}` : `${r.key} in (${r.values.join(',')})`
        case 'NotIn':
          return r.values.length === 1 ? `${r.key}!=${r.values[0] ?? ''}` : `${r.key} notin (${r.values.join(',')})`
        case 'Exists':
          return r.key
        case 'DoesNotExist':
          return `!${r.key}`
      }
    })
    .join(',')

/**
 * The `key=value` pairs a selector pins exactly: what a label index can look up directly.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { equalityPairs, fromLabelSelector } from 'kubesim'
 * expect(equalityPairs(fromLabelSelector({ matchLabels: { app: 'web' } }))).toEqual([['app', 'web']])
 * ```
 */
export const equalityPairs = (selector: Selector): ReadonlyArray<readonly [string, string]> =>
  selector.flatMap((r) => (r.operator === 'In' && r.values.length === 1 ? [[r.key, r.values[0] ?? ''] as const] : []))

/**
 * Whether a selector can match no label set at all (an `In` with no values).
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { selectsNothing } from 'kubesim'
 * expect(selectsNothing([{ key: 'a', operator: 'In', values: [] }])).toBe(true)
 * ```
 */
export const selectsNothing = (selector: Selector): boolean =>
  selector.some((r) => r.operator === 'In' && r.values.length === 0)
