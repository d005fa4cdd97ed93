/**
 * Field paths for scenario expectations: `status.readyReplicas`, `spec.containers[0].image`,
 * `metadata.labels['app.kubernetes.io/name']`, and `status.conditions[type=Ready].status` (the
 * first element of a list whose field equals a value, as kubectl's jsonpath filter
 * `[?(@.type=="Ready")]` would pick it).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One step of a field path. */
export type PathSegment =
  | { readonly type: 'field'; readonly name: string }
  | { readonly type: 'index'; readonly index: number }
  | { readonly type: 'where'; readonly field: string; readonly equals: string }

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][\w$-]*/

/**
 * Parses a field path, or says where it stops making sense.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseFieldPath } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(parseFieldPath("status.conditions[type=Ready].status")).toEqual(E.right([
 *   { type: 'field', name: 'status' },
 *   { type: 'field', name: 'conditions' },
 *   { type: 'where', field: 'type', equals: 'Ready' },
 *   { type: 'field', name: 'status' },
 * ]))
 * expect(E.isLeft(parseFieldPath('spec..replicas'))).toBe(true)
 * ```
 */
export const parseFieldPath = (path: string): E.Either<string, ReadonlyArray<PathSegment>> => {
  const segments: PathSegment[] = []
  let rest = path.trim()
  if (rest === '') return E.left('a field path must not be empty')
  let expectField = true
  while (rest !== '') {
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']')
      if (close < 0) return E.left(`unclosed "[" in field path ${JSON.stringify(path)}`)
      const inner = rest.slice(1, close).trim()
      rest = rest.slice(close + 1)
      const quoted = /^(['"])(.*)\1$/.exec(inner)
      if (quoted !== null) segments.push({ type: 'field', name: quoted[2] ?? '' })
      else if (/^[0-9]+$/.test(inner)) segments.push({ type: 'index', index: Number(inner) })
      else {
        const eq = /^([\w$.-]+)\s*=\s*(.*)$/.exec(inner)
        if (eq === null) return E.left(`invalid selector [${inner}] in field path ${JSON.stringify(path)}: use [0], ['key'] or [field=value]`)
        segments.push({ type: 'where', field: eq[1] ?? '', equals: (eq[2] ?? '').replace(/^(['"])(.*)\1$/, '$2') })
      }
      expectField = false
      continue
    }
    if (rest.startsWith('.')) {
      if (expectField && segments.length > 0) return E.left(`empty segment in field path ${JSON.stringify(path)}`)
      rest = rest.slice(1)
      expectField = true
      if (rest === '' || rest.startsWith('.')) return E.left(`empty segment in field path ${JSON.stringify(path)}`)
      continue
    }
    if (!expectField) return E.left(`expected "." or "[" at ${JSON.stringify(rest)} in field path ${JSON.stringify(path)}`)
    const ident = IDENT.exec(rest)
    if (ident === null) return E.left(`invalid field name at ${JSON.stringify(rest)} in field path ${JSON.stringify(path)}`)
    segments.push({ type: 'field', name: ident[0] })
    rest = rest.slice(ident[0].length)
    expectField = false
  }
  return E.right(segments)
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The value at a parsed path, or undefined when any step is missing.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseFieldPath, valueAtPath } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const pod = { status: { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] } }
 * const path = parseFieldPath('status.conditions[type=Ready].status')
 * expect(E.isRight(path) && valueAtPath(pod, path.right)).toBe('False')
 * ```
 */
export const valueAtPath = (value: unknown, path: ReadonlyArray<PathSegment>): unknown => {
  let current = value
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    if (segment.type === 'field') {
      if (Array.isArray(current)) return undefined
      current = (current as Record<string, unknown>)[segment.name]
    } else if (segment.type === 'index') {
      if (!Array.isArray(current)) return undefined
      current = current[segment.index]
    } else {
      if (!Array.isArray(current)) return undefined
      current = current.find((item) => item !== null && typeof item === 'object' && String((item as Record<string, unknown>)[segment.field]) === segment.equals)
    }
  }
  return current
}
