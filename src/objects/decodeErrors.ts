/**
 * Decoding failures reported the way the API server reports a bad field: io-ts errors become
 * `FieldError`s with Kubernetes paths (`spec.template.spec.containers[0].ports[1].containerPort`),
 * missing values become `Required value` and wrongly typed ones `Invalid value: ...: must be of
 * type integer`. Also the integer codecs Kubernetes' int32 and int64 fields use.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type FieldError, invalid, required } from '../validation/fieldError.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * `t.partial` that validates only the fields present. io-ts's own validates every declared
 * field, building (and dropping) a failure for each absent one: a PodSpec declares about forty,
 * so most of a decode went to fields the object does not have. Same results otherwise.
 *
 * A frozen value that decoded to itself is remembered (per codec) and passes at once the next
 * time: stored objects share their unchanged parts from version to version, and every version
 * is decoded again (an update's admission, the validation-closure invariant).
 *
 * @internal
 */
export const optionalFields = <P extends t.Props>(props: P, name?: string): t.PartialC<P> => {
  const plain = t.partial(props, name)
  const keys = Object.keys(props)
  const decodedAsIs = new WeakSet<object>()
  return new t.PartialType(
    plain.name,
    plain.is,
    (u, c) => {
      if (typeof u === 'object' && u !== null && decodedAsIs.has(u)) return t.success(u as t.TypeOfPartialProps<P>)
      const record = t.UnknownRecord.validate(u, c)
      if (E.isLeft(record)) return record
      const input = record.right
      let output = input
      const errors: t.ValidationError[] = []
      for (const key of keys) {
        const value = input[key]
        if (value === undefined) continue
        const codec = props[key] as t.Mixed
        const result = codec.validate(value, t.appendContext(c, key, codec, value))
        if (E.isLeft(result)) {
          for (const error of result.left) errors.push(error)
        } else if (result.right !== value) {
          if (output === input) output = { ...input }
          ;(output as Record<string, unknown>)[key] = result.right
        }
      }
      if (errors.length > 0) return t.failures(errors)
      if (output === input && Object.isFrozen(input)) decodedAsIs.add(input)
      return t.success(output as t.TypeOfPartialProps<P>)
    },
    plain.encode,
    props,
  )
}

const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647

/**
 * An integer in [-2^31, 2^31-1], as Kubernetes' int32 fields (`replicas`, `containerPort`).
 * Its type is plain `number`, so object literals need no brand.
 */
export const Int32 = new t.Type<number, number, unknown>(
  'Int32',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= INT32_MIN && u <= INT32_MAX,
  (u, c) =>
    typeof u !== 'number' || !Number.isInteger(u)
      ? t.failure(u, c)
      : u < INT32_MIN || u > INT32_MAX
        ? t.failure(u, c, `must be between ${INT32_MIN} and ${INT32_MAX}, inclusive`)
        : t.success(u),
  t.identity,
)
/** An int32 value. */
export type Int32 = t.TypeOf<typeof Int32>

/**
 * A safe integer, as Kubernetes' int64 fields (`revision`, `tolerationSeconds`,
 * `terminationGracePeriodSeconds`). Plain `number`, no brand.
 */
export const Int64 = new t.Type<number, number, unknown>(
  'Int64',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) =>
    typeof u !== 'number' || !Number.isInteger(u)
      ? t.failure(u, c)
      : Number.isSafeInteger(u)
        ? t.success(u)
        : t.failure(u, c, 'must be a safe integer (between -(2^53-1) and 2^53-1)'),
  t.identity,
)
/** An int64 value (within JavaScript's safe integer range). */
export type Int64 = t.TypeOf<typeof Int64>

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

type AnyCodec = t.Decoder<unknown, unknown> & { readonly _tag?: string; readonly name: string }

/** Follows codecs that validate through an inner codec without adding a context entry. */
const unwrap = (codec: AnyCodec): AnyCodec => {
  let current = codec
  for (let depth = 0; depth < 32; depth++) {
    const tag = current._tag
    if (tag === 'ReadonlyType' || tag === 'RefinementType' || tag === 'ExactType' || tag === 'RecursiveType') {
      const inner = (current as unknown as { readonly type?: AnyCodec }).type
      if (inner === undefined) return current
      current = inner
    } else return current
  }
  return current
}

const KEYED = new Set(['InterfaceType', 'PartialType', 'StrictType', 'DictionaryType'])
const INDEXED = new Set(['ArrayType', 'ReadonlyArrayType', 'TupleType'])
const OBJECTS = new Set(['InterfaceType', 'PartialType', 'StrictType', 'DictionaryType', 'AnyDictionaryType', 'ObjectType'])
const ARRAYS = new Set(['ArrayType', 'ReadonlyArrayType', 'TupleType', 'AnyArrayType'])

/**
 * The JSON type name Kubernetes users know for a codec: `integer`, `string`, `object`, `array`.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { friendlyTypeName, Int32 } from 'kubesim'
 * import * as t from 'io-ts'
 * expect(friendlyTypeName(Int32)).toBe('integer')
 * expect(friendlyTypeName(t.record(t.string, t.string))).toBe('object')
 * expect(friendlyTypeName(t.union([t.string, t.number]))).toBe('string or number')
 * ```
 */
export const friendlyTypeName = (codec: t.Decoder<unknown, unknown>): string => {
  const go = (c: AnyCodec, depth: number): string => {
    if (depth > 16) return c.name
    if (c.name === 'Int' || c.name === 'Int32' || c.name === 'Int64' || c.name === 'Integer') return 'integer'
    const u = unwrap(c)
    if (u !== c && (u.name === 'Int' || u.name === 'Int32' || u.name === 'Int64')) return 'integer'
    const tag = u._tag
    if (tag === undefined) return u.name === 'Quantity' ? 'quantity (string or number)' : u.name
    if (OBJECTS.has(tag)) return 'object'
    if (ARRAYS.has(tag)) return 'array'
    switch (tag) {
      case 'StringType':
      case 'KeyofType':
        return 'string'
      case 'NumberType':
        return 'number'
      case 'BooleanType':
        return 'boolean'
      case 'NullType':
        return 'null'
      case 'UnknownType':
      case 'AnyType':
        return 'any'
      case 'LiteralType':
        return JSON.stringify((u as unknown as { readonly value: unknown }).value) ?? u.name
      case 'IntersectionType': {
        const names = [...new Set(((u as unknown as { readonly types: ReadonlyArray<AnyCodec> }).types).map((m) => go(m, depth + 1)))]
        return names.length === 1 ? (names[0] ?? u.name) : u.name
      }
      case 'UnionType': {
        const names = [...new Set(((u as unknown as { readonly types: ReadonlyArray<AnyCodec> }).types).map((m) => go(m, depth + 1)))]
        return names.join(' or ')
      }
      default:
        return u.name
    }
  }
  return go(codec as AnyCodec, 0)
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Converts io-ts errors to Kubernetes field errors: one per field path (unions, which report
 * once per branch, collapse to one error at the union's field), in the order io-ts found them.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { fieldErrorsFromDecode, formatFieldError, Int32 } from 'kubesim'
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * const Spec = t.type({ spec: t.type({ ports: t.array(t.type({ containerPort: Int32 })) }) })
 * const result = Spec.decode({ spec: { ports: [{ containerPort: 'http' }, {}] } })
 * expect(E.isLeft(result) && fieldErrorsFromDecode(result.left).map(formatFieldError)).toEqual([
 *   'spec.ports[0].containerPort: Invalid value: "http": must be of type integer',
 *   'spec.ports[1].containerPort: Required value',
 * ])
 * ```
 */
export const fieldErrorsFromDecode = (errors: t.Errors): ReadonlyArray<FieldError> => {
  const out: FieldError[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    const ctx = error.context
    const root = ctx[0]
    let path = ''
    let declared: AnyCodec | undefined = root?.type as AnyCodec | undefined
    let union: { readonly path: string; readonly type: AnyCodec; readonly actual: unknown } | undefined =
      root !== undefined && unwrap(root.type as AnyCodec)._tag === 'UnionType'
        ? { path: '', type: root.type as AnyCodec, actual: root.actual }
        : undefined
    for (let i = 1; i < ctx.length; i++) {
      const entry = ctx[i]
      const parentEntry = ctx[i - 1]
      if (entry === undefined || parentEntry === undefined) continue
      const parentTag = unwrap(parentEntry.type as AnyCodec)._tag ?? ''
      if (INDEXED.has(parentTag)) {
        path = `${path}[${entry.key}]`
        declared = entry.type as AnyCodec
      } else if (parentTag === 'DictionaryType') {
        path = path === '' ? entry.key : `${path}[${entry.key}]`
        declared = entry.type as AnyCodec
      } else if (KEYED.has(parentTag)) {
        path = path === '' ? entry.key : `${path}.${entry.key}`
        declared = entry.type as AnyCodec
      }
      if (union === undefined && unwrap(entry.type as AnyCodec)._tag === 'UnionType')
        union = { path, type: entry.type as AnyCodec, actual: entry.actual }
    }
    const fe: FieldError =
      union !== undefined
        ? union.actual === undefined
          ? required(union.path)
          : invalid(union.path, union.actual, `must be of type ${friendlyTypeName(union.type)}`)
        : error.message !== undefined
          ? invalid(path, error.value, error.message)
          : error.value === undefined
            ? required(path)
            : invalid(path, error.value, `must be of type ${declared === undefined ? 'unknown' : friendlyTypeName(declared)}`)
    if (seen.has(fe.field)) continue
    seen.add(fe.field)
    out.push(fe)
  }
  return out
}

/**
 * Decodes input with a codec, reporting failures as Kubernetes field errors.
 *
 * @category errors
 * @since 0.1.0
 * @example
 * ```ts
 * import { decodeWithFieldErrors, formatFieldError } from 'kubesim'
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * const Meta = t.type({ metadata: t.type({ name: t.string, labels: t.record(t.string, t.string) }) })
 * const result = decodeWithFieldErrors(Meta, { metadata: { labels: { app: 1 } } })
 * expect(E.isLeft(result) && result.left.map(formatFieldError)).toEqual([
 *   'metadata.name: Required value',
 *   'metadata.labels[app]: Invalid value: 1: must be of type string',
 * ])
 * expect(decodeWithFieldErrors(t.string, 'ok')).toEqual(E.right('ok'))
 * ```
 */
export const decodeWithFieldErrors = <A>(
  codec: t.Decoder<unknown, A>,
  input: unknown,
): E.Either<ReadonlyArray<FieldError>, A> => {
  let result: t.Validation<A>
  try {
    result = codec.decode(input)
  } catch (e) {
    // A codec must not throw; if a user-supplied one does, report it instead of crashing.
    return E.left([{ field: '', type: 'Internal error', detail: e instanceof Error ? e.message : String(e) }])
  }
  return E.isRight(result) ? result : E.left(fieldErrorsFromDecode(result.left))
}
