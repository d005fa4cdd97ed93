/**
 * IntOrString: a field that holds either an integer or a string, as Kubernetes' `intstr`.
 * Rolling-update budgets use it as "a count or a percentage of a total" (`maxSurge: 25%`),
 * Service ports as "a port number or a named container port" (`targetPort: http`). This module
 * resolves percentages exactly as apimachinery does and validates them with its messages.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type FieldError, invalid } from '../validation/fieldError.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** An integer or a string, as `kubernetes-types`' `IntOrString` (`number | string`). */
export const IntOrString = t.union([t.number, t.string])
/** An integer or a string, as `kubernetes-types`' `IntOrString` (`number | string`). */
export type IntOrString = t.TypeOf<typeof IntOrString>

const PERCENT_REGEX = '[0-9]+%'
const percentRe = new RegExp(`^${PERCENT_REGEX}$`)
const MAX_INT64 = 9223372036854775807n
const MIN_INT64 = -9223372036854775808n

/** Go's `strconv.Atoi` on a 64-bit platform: an optional sign and decimal digits. */
const atoi = (s: string): E.Either<string, number> => {
  if (!/^[+-]?[0-9]+$/.test(s)) return E.left(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`)
  const big = BigInt(s)
  if (big > MAX_INT64 || big < MIN_INT64) return E.left(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`)
  return E.right(Number(big))
}

const nonNegative = 'must be greater than or equal to 0'

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

/**
 * Whether a string is a valid percentage (`<digits>%`), as apimachinery's `IsValidPercent`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isPercentString } from 'kubesim'
 * expect(isPercentString('25%')).toBe(true)
 * expect(isPercentString('25')).toBe(false)
 * expect(isPercentString('-5%')).toBe(false)
 * ```
 */
export const isPercentString = (value: string): boolean => percentRe.test(value)

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The number an int-or-percent stands for before scaling, as the apps validation reads it
 * (`getIntOrPercentValue`): the integer itself, the digits of a valid percentage, and for any
 * other string whatever Go's `IntValue()` gives (its digits if it is a plain integer, else 0).
 * Validation uses it to reject `maxSurge` and `maxUnavailable` both being 0.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { intOrPercentValue } from 'kubesim'
 * expect(intOrPercentValue('25%')).toBe(25)
 * expect(intOrPercentValue(3)).toBe(3)
 * expect(intOrPercentValue('abc')).toBe(0)
 * ```
 */
export const intOrPercentValue = (value: IntOrString): number => {
  if (typeof value === 'number') return value
  const digits = isPercentString(value) ? value.slice(0, -1) : value
  return E.getOrElse(() => 0)(atoi(digits))
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Resolves an int-or-percent against a total, as apimachinery's `GetScaledValueFromIntOrPercent`:
 * an integer is returned as it is (the caller clamps), a string must be `<integer>%` and gives
 * `value * total / 100` rounded up (`roundUp`) or down. A bare number string such as `"90"` is
 * rejected, as in current Kubernetes releases.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { resolveIntOrPercent } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(resolveIntOrPercent('90%', 95, true)).toEqual(E.right(86))
 * expect(resolveIntOrPercent('90%', 95, false)).toEqual(E.right(85))
 * expect(resolveIntOrPercent(3, 10, false)).toEqual(E.right(3))
 * expect(resolveIntOrPercent('90', 95, true)).toEqual(
 *   E.left('invalid value for IntOrString: invalid type: string is not a percentage'),
 * )
 * ```
 */
export const resolveIntOrPercent = (value: IntOrString, total: number, roundUp: boolean): E.Either<string, number> => {
  if (typeof value === 'number') return E.right(value)
  if (!value.endsWith('%')) return E.left('invalid value for IntOrString: invalid type: string is not a percentage')
  const parsed = atoi(value.slice(0, -1))
  if (E.isLeft(parsed)) return E.left(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}: ${parsed.left}`)
  const scaled = (parsed.right * total) / 100
  return E.right(roundUp ? Math.ceil(scaled) : Math.floor(scaled))
}

/**
 * Validates an int-or-percent that must be a non-negative integer or a valid percentage, as
 * the apps validation's `ValidatePositiveIntOrPercent`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateIntOrPercent, formatFieldError } from 'kubesim'
 * expect(validateIntOrPercent('25%', 'spec.maxSurge')).toEqual([])
 * expect(validateIntOrPercent(-1, 'spec.maxSurge').map(formatFieldError)).toEqual([
 *   'spec.maxSurge: Invalid value: -1: must be greater than or equal to 0',
 * ])
 * expect(validateIntOrPercent('x', 'spec.maxSurge')[0]?.detail).toContain("a valid percent string must be a numeric string followed by an ending '%'")
 * ```
 */
export const validateIntOrPercent = (value: IntOrString, path: string): ReadonlyArray<FieldError> => {
  if (typeof value === 'number') return value < 0 ? [invalid(path, value, nonNegative)] : []
  return isPercentString(value)
    ? []
    : [
        invalid(
          path,
          value,
          `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '${PERCENT_REGEX}')`,
        ),
      ]
}

/**
 * Rejects a percentage above 100% (`IsNotMoreThan100Percent`); integers and malformed strings
 * pass here (the other checks report them).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateNotMoreThan100Percent, formatFieldError } from 'kubesim'
 * expect(validateNotMoreThan100Percent('100%', 'spec.maxUnavailable')).toEqual([])
 * expect(validateNotMoreThan100Percent('101%', 'spec.maxUnavailable').map(formatFieldError)).toEqual([
 *   'spec.maxUnavailable: Invalid value: "101%": must not be greater than 100%',
 * ])
 * ```
 */
export const validateNotMoreThan100Percent = (value: IntOrString, path: string): ReadonlyArray<FieldError> =>
  typeof value === 'string' && isPercentString(value) && intOrPercentValue(value) > 100
    ? [invalid(path, value, 'must not be greater than 100%')]
    : []
