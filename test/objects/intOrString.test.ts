import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  IntOrString,
  intOrPercentValue,
  isPercentString,
  resolveIntOrPercent,
  validateIntOrPercent,
  validateNotMoreThan100Percent,
} from '../../src/objects/intOrString.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

describe('IntOrString codec', () => {
  it('accepts numbers and strings, rejects others', () => {
    expect(E.isRight(IntOrString.decode(3))).toBe(true)
    expect(E.isRight(IntOrString.decode('25%'))).toBe(true)
    expect(E.isLeft(IntOrString.decode(true))).toBe(true)
    expect(E.isLeft(IntOrString.decode(null))).toBe(true)
  })
})

describe('resolveIntOrPercent', () => {
  it('passes integers through unclamped', () => {
    expect(resolveIntOrPercent(7, 3, true)).toEqual(E.right(7))
  })
  it('rounds percentages up or down (90% of 95)', () => {
    expect(resolveIntOrPercent('90%', 95, true)).toEqual(E.right(86))
    expect(resolveIntOrPercent('90%', 95, false)).toEqual(E.right(85))
  })
  it('resolves 25% of 1 to 1 up and 0 down (the deployment fencepost)', () => {
    expect(resolveIntOrPercent('25%', 1, true)).toEqual(E.right(1))
    expect(resolveIntOrPercent('25%', 1, false)).toEqual(E.right(0))
  })
  it('rejects a bare number string', () => {
    expect(resolveIntOrPercent('90', 95, true)).toEqual(
      E.left('invalid value for IntOrString: invalid type: string is not a percentage'),
    )
  })
  it('rejects malformed percentages with the strconv message', () => {
    expect(resolveIntOrPercent('%', 10, true)).toEqual(
      E.left('invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax'),
    )
    expect(resolveIntOrPercent('#%', 10, true)).toEqual(
      E.left('invalid value for IntOrString: invalid value "#%": strconv.Atoi: parsing "#": invalid syntax'),
    )
    expect(resolveIntOrPercent('90#', 10, true)).toEqual(
      E.left('invalid value for IntOrString: invalid type: string is not a percentage'),
    )
  })
  it('law: for valid percentages, floor <= ceil <= floor + 1', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(100000), (p, total) => {
        const up = resolveIntOrPercent(`${p}%`, total, true)
        const down = resolveIntOrPercent(`${p}%`, total, false)
        if (E.isLeft(up) || E.isLeft(down)) return false
        return down.right <= up.right && up.right <= down.right + 1
      }),
    )
  })
  it('never throws on any string', () => {
    fc.assert(fc.property(fc.string(), fc.integer(), fc.boolean(), (s, n, r) => {
      resolveIntOrPercent(s, n, r)
    }))
  })
})

describe('validateIntOrPercent', () => {
  it('accepts non-negative integers and percentages', () => {
    expect(validateIntOrPercent(0, 'x')).toEqual([])
    expect(validateIntOrPercent('0%', 'x')).toEqual([])
  })
  it('rejects negative integers', () => {
    expect(validateIntOrPercent(-1, 'spec.x').map(formatFieldError)).toEqual([
      'spec.x: Invalid value: -1: must be greater than or equal to 0',
    ])
  })
  it('rejects malformed percent strings with the full Kubernetes message', () => {
    expect(validateIntOrPercent('5', 'spec.x').map(formatFieldError)).toEqual([
      `spec.x: Invalid value: "5": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    ])
    expect(validateIntOrPercent('-5%', 'spec.x')).toHaveLength(1)
  })
  it('rejects percentages above 100%', () => {
    expect(validateNotMoreThan100Percent('101%', 'p').map(formatFieldError)).toEqual([
      'p: Invalid value: "101%": must not be greater than 100%',
    ])
    expect(validateNotMoreThan100Percent(500, 'p')).toEqual([])
    expect(validateNotMoreThan100Percent('100%', 'p')).toEqual([])
  })
  it('reads values as Go does', () => {
    expect(intOrPercentValue('0%')).toBe(0)
    expect(intOrPercentValue('50')).toBe(50)
    expect(intOrPercentValue('x')).toBe(0)
    expect(isPercentString('5%')).toBe(true)
  })
})
