/**
 * Resource quantities (`500m`, `1Gi`, `1e3`), as Kubernetes' `resource.Quantity`: an exact
 * decimal number with nano precision, plus the notation it was written in (decimal SI suffixes,
 * binary suffixes or a decimal exponent), which decides how it is printed back. Arithmetic is
 * exact: a quantity is an integer number of nano units held in a `bigint`.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type FieldError, invalid } from '../validation/fieldError.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** How a quantity is printed: `1k` (DecimalSI), `1Ki` (BinarySI) or `1e3` (DecimalExponent). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent'

/** An exact quantity: `nanos` is the value times 10^9. */
export interface Quantity {
  readonly nanos: bigint
  readonly format: QuantityFormat
}

/**
 * A quantity as it appears in manifests: a string that parses, or a number (decoded to its
 * string form), as `kubernetes-types` declares `Quantity = string`.
 */
export const QuantityString = new t.Type<string, string, unknown>(
  'Quantity',
  (u): u is string => typeof u === 'string' && E.isRight(parseQuantity(u)),
  (u, c) => {
    if (typeof u !== 'string' && typeof u !== 'number') return t.failure(u, c)
    const s = typeof u === 'number' ? String(u) : u
    const parsed = parseQuantity(s)
    return E.isRight(parsed) ? t.success(s) : t.failure(u, c, parsed.left)
  },
  (s) => s,
)
/** A quantity as it appears in manifests (`"500m"`, `"1Gi"`). */
export type QuantityString = t.TypeOf<typeof QuantityString>

/** The message Kubernetes gives for a string that is not a quantity at all. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
const NUMERIC_ERROR = 'unable to parse numeric part of quantity'
const SUFFIX_ERROR = "unable to parse quantity's suffix"

const NANO = 1_000_000_000n

const DECIMAL_SUFFIXES: ReadonlyArray<readonly [string, number]> = [
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]
const BINARY_SUFFIXES: ReadonlyArray<readonly [string, number]> = [
  ['', 0],
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]
const decimalByExp: ReadonlyMap<number, string> = new Map(DECIMAL_SUFFIXES.map(([s, e]) => [e, s]))
const binaryByExp: ReadonlyMap<number, string> = new Map(BINARY_SUFFIXES.map(([s, e]) => [e, s]))

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

const pow10 = (n: number): bigint => 10n ** BigInt(n)

/** Rounds `num / den` away from zero (Kubernetes rounds requests up to the next nano). */
const divUp = (num: bigint, den: bigint): bigint => {
  const q = num / den
  return num % den === 0n ? q : num < 0n ? q - 1n : q + 1n
}

const interpretSuffix = (
  suffix: string,
): { readonly base: 10 | 2; readonly exponent: number; readonly format: QuantityFormat } | undefined => {
  const dec = DECIMAL_SUFFIXES.find(([s]) => s === suffix)
  if (dec !== undefined) return { base: 10, exponent: dec[1], format: 'DecimalSI' }
  const bin = BINARY_SUFFIXES.find(([s]) => s === suffix && s !== '')
  if (bin !== undefined) return { base: 2, exponent: bin[1], format: 'BinarySI' }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1)
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined
    const exponent = Number(rest)
    // Go parses the exponent as an int32-sized value; anything that large is unusable anyway.
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 2_147_483_647) return undefined
    return { base: 10, exponent, format: 'DecimalExponent' }
  }
  return undefined
}

/**
 * Parses a quantity as the API server does (`resource.ParseQuantity`): sign, digits with an
 * optional fraction, then a suffix (`n u m k M G T P E`, `Ki`…`Ei`) or a decimal exponent
 * (`e3`, `E-2`). Values finer than a nano unit are rounded up, away from zero.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, formatQuantity } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const q = parseQuantity('1.5')
 * expect(E.isRight(q) && formatQuantity(q.right)).toBe('1500m')
 * expect(parseQuantity('1 Gi')).toEqual(E.left("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
 * ```
 */
export const parseQuantity = (input: string | number): E.Either<string, Quantity> => {
  if (typeof input === 'number' && !Number.isFinite(input)) return E.left(QUANTITY_FORMAT_ERROR)
  const str = typeof input === 'number' ? String(input) : input
  if (typeof str !== 'string' || str.length === 0) return E.left(QUANTITY_FORMAT_ERROR)
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(str)
  if (m === null) return E.left(QUANTITY_FORMAT_ERROR)
  const negative = m[1] === '-'
  const whole = m[2] ?? ''
  const fraction = m[3] ?? ''
  const suffix = m[4] ?? ''
  // Kubernetes reads a bare sign or a lone '.' as zero; keep that leniency.
  const info = interpretSuffix(suffix)
  if (info === undefined) return E.left(SUFFIX_ERROR)
  const digits = `${whole}${fraction}`.replace(/^0+/, '')
  const mantissa = digits === '' ? 0n : BigInt(digits)
  if (info.base === 10 && Math.abs(info.exponent) > 1000) return E.left(NUMERIC_ERROR)
  // value = mantissa * 10^-len(fraction) * base^exponent; nanos = value * 10^9
  let num = mantissa * NANO
  let den = pow10(fraction.length)
  if (info.base === 2) num *= 2n ** BigInt(info.exponent)
  else if (info.exponent >= 0) num *= pow10(info.exponent)
  else den *= pow10(-info.exponent)
  const magnitude = divUp(num, den)
  const nanos = negative ? -magnitude : magnitude
  // A binary quantity below one unit cannot be printed with a binary suffix.
  const format: QuantityFormat = info.format === 'BinarySI' && magnitude < NANO ? 'DecimalSI' : info.format
  return E.right({ nanos, format })
}

/**
 * A quantity from a whole number of milli-units (CPU millicores), printed in DecimalSI.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { quantityFromMillis, formatQuantity } from 'kubesim'
 * expect(formatQuantity(quantityFromMillis(1500))).toBe('1500m')
 * expect(formatQuantity(quantityFromMillis(2000))).toBe('2')
 * ```
 */
export const quantityFromMillis = (millis: number): Quantity => ({
  nanos: Number.isFinite(millis) ? BigInt(Math.trunc(millis)) * 1_000_000n : 0n,
  format: 'DecimalSI',
})

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

/**
 * Whether a quantity is zero.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, isZero } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(E.exists(isZero)(parseQuantity('0Gi'))).toBe(true)
 * expect(E.exists(isZero)(parseQuantity('1n'))).toBe(false)
 * ```
 */
export const isZero = (q: Quantity): boolean => q.nanos === 0n

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The value in milli-units as a number, rounded up away from zero (`MilliValue()`); the unit
 * the scheduler uses for CPU.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, quantityToMillis } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(E.map(quantityToMillis)(parseQuantity('1.5'))).toEqual(E.right(1500))
 * expect(E.map(quantityToMillis)(parseQuantity('1n'))).toEqual(E.right(1))
 * ```
 */
export const quantityToMillis = (q: Quantity): number => Number(divUp(q.nanos, 1_000_000n))

/**
 * Alias of {@link quantityToMillis}, named after Go's `Quantity.MilliValue()`.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, milliValue } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(E.map(milliValue)(parseQuantity('250m'))).toEqual(E.right(250))
 * ```
 */
export const milliValue = quantityToMillis

/**
 * The value in whole units as a number, rounded up away from zero (`Value()`); the unit the
 * scheduler uses for memory and storage bytes.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, quantityValue } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(E.map(quantityValue)(parseQuantity('1Gi'))).toEqual(E.right(1073741824))
 * expect(E.map(quantityValue)(parseQuantity('100m'))).toEqual(E.right(1))
 * ```
 */
export const quantityValue = (q: Quantity): number => Number(divUp(q.nanos, NANO))

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * The sum of two quantities, exact. Keeps the first one's format unless it is zero (as Go's
 * `Quantity.Add`).
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, addQuantity, formatQuantity } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const [a, b] = [parseQuantity('500m'), parseQuantity('1.5')]
 * if (E.isLeft(a) || E.isLeft(b)) throw new Error('unreachable')
 * expect(formatQuantity(addQuantity(a.right, b.right))).toBe('2')
 * ```
 */
export const addQuantity = (a: Quantity, b: Quantity): Quantity => ({
  nanos: a.nanos + b.nanos,
  format: a.nanos === 0n ? b.format : a.format,
})

/**
 * The difference of two quantities, exact (as Go's `Quantity.Sub`).
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, subQuantity, formatQuantity } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const [a, b] = [parseQuantity('2Gi'), parseQuantity('512Mi')]
 * if (E.isLeft(a) || E.isLeft(b)) throw new Error('unreachable')
 * expect(formatQuantity(subQuantity(a.right, b.right))).toBe('1536Mi')
 * ```
 */
export const subQuantity = (a: Quantity, b: Quantity): Quantity => ({
  nanos: a.nanos - b.nanos,
  format: a.nanos === 0n ? b.format : a.format,
})

/**
 * Compares two quantities by value: -1, 0 or 1.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, compareQuantity } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const [a, b] = [parseQuantity('1Gi'), parseQuantity('1G')]
 * if (E.isLeft(a) || E.isLeft(b)) throw new Error('unreachable')
 * expect(compareQuantity(a.right, b.right)).toBe(1)
 * expect(compareQuantity(b.right, b.right)).toBe(0)
 * ```
 */
export const compareQuantity = (a: Quantity, b: Quantity): -1 | 0 | 1 =>
  a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0

const stripFactor = (value: bigint, factor: bigint): readonly [bigint, number] => {
  let v = value
  let times = 0
  if (v === 0n) return [0n, 0]
  while (v % factor === 0n) {
    v /= factor
    times++
  }
  return [v, times]
}

/**
 * Prints a quantity in Kubernetes' canonical form (`Quantity.String()`): decimal values with
 * the largest SI suffix (or `eN` exponent) that keeps an integer mantissa, binary values with
 * the largest binary suffix when exact, falling back to decimal otherwise.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseQuantity, formatQuantity } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const fmt = (s: string) => E.map(formatQuantity)(parseQuantity(s))
 * expect(fmt('1000m')).toEqual(E.right('1'))
 * expect(fmt('1024Mi')).toEqual(E.right('1Gi'))
 * expect(fmt('1536Mi')).toEqual(E.right('1536Mi'))
 * expect(fmt('0.5')).toEqual(E.right('500m'))
 * expect(fmt('129e6')).toEqual(E.right('129e6'))
 * ```
 */
export const formatQuantity = (q: Quantity): string => {
  if (q.nanos === 0n) return '0'
  const negative = q.nanos < 0n
  const magnitude = negative ? -q.nanos : q.nanos
  const sign = negative ? '-' : ''
  if (q.format === 'BinarySI' && magnitude >= 1024n * NANO && magnitude % NANO === 0n) {
    const [amount, times] = stripFactor(magnitude / NANO, 1024n)
    const exp = Math.min(times, 6)
    const mantissa = amount * 1024n ** BigInt(times - exp)
    return `${sign}${mantissa}${binaryByExp.get(exp * 10) ?? ''}`
  }
  const [stripped, times] = stripFactor(magnitude, 10n)
  let exponent = times - 9
  let amount = stripped
  const rem = ((exponent % 3) + 3) % 3
  amount *= pow10(rem)
  exponent -= rem
  if (q.format === 'DecimalExponent') return exponent === 0 ? `${sign}${amount}` : `${sign}${amount}e${exponent}`
  if (exponent > 18) {
    amount *= pow10(exponent - 18)
    exponent = 18
  }
  return `${sign}${amount}${decimalByExp.get(exponent) ?? ''}`
}

/**
 * Validates a map of resource quantities (`resources.requests`, `capacity`): every value must
 * parse and be non-negative. Reports under `path.<resource>`.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateResourceQuantities, formatFieldError } from 'kubesim'
 * const errors = validateResourceQuantities({ cpu: '-1', memory: '1Gi' }, 'spec.containers[0].resources.requests')
 * expect(errors.map(formatFieldError)).toEqual(['spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0'])
 * ```
 */
export const validateResourceQuantities = (
  quantities: Readonly<Record<string, string>>,
  path: string,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  for (const [name, value] of Object.entries(quantities)) {
    const at = `${path}[${name}]`
    const parsed = parseQuantity(value)
    if (E.isLeft(parsed)) errors.push(invalid(at, value, parsed.left))
    else if (parsed.right.nanos < 0n) errors.push(invalid(at, value, 'must be greater than or equal to 0'))
  }
  return errors
}

/**
 * Parses a quantity known to be valid (decoded by {@link QuantityString}); zero if it is not.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { quantityOrZero, quantityToMillis } from 'kubesim'
 * expect(quantityToMillis(quantityOrZero('2'))).toBe(2000)
 * expect(quantityToMillis(quantityOrZero('oops'))).toBe(0)
 * ```
 */
export const quantityOrZero = (s: string | number): Quantity => {
  const parsed = parseQuantity(s)
  return E.isRight(parsed) ? parsed.right : { nanos: 0n, format: 'DecimalSI' }
}
