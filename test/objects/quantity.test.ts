import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Quantity,
  QUANTITY_FORMAT_ERROR,
  QuantityString,
  addQuantity,
  compareQuantity,
  formatQuantity,
  isZero,
  milliValue,
  parseQuantity,
  quantityFromMillis,
  quantityOrZero,
  quantityToMillis,
  quantityValue,
  subQuantity,
  validateResourceQuantities,
} from '../../src/objects/quantity.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const q = (s: string | number): Quantity => {
  const r = parseQuantity(s)
  if (E.isLeft(r)) throw new Error(`test setup: ${s}: ${r.left}`)
  return r.right
}
const fmt = (s: string | number): string => formatQuantity(q(s))

const arbQuantity: fc.Arbitrary<Quantity> = fc.record({
  nanos: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  format: fc.constantFrom('DecimalSI' as const, 'BinarySI' as const, 'DecimalExponent' as const),
})

describe('parseQuantity', () => {
  it.each([
    ['500m', 500_000_000n],
    ['1Gi', 1073741824n * 10n ** 9n],
    ['1e3', 1000n * 10n ** 9n],
    ['1E3', 1000n * 10n ** 9n],
    ['1.5', 1_500_000_000n],
    ['128974848', 128974848n * 10n ** 9n],
    ['129e6', 129_000_000n * 10n ** 9n],
    ['123Mi', 123n * 1048576n * 10n ** 9n],
    ['1k', 1000n * 10n ** 9n],
    ['1M', 10n ** 15n],
    ['0.1', 100_000_000n],
    ['+1', 10n ** 9n],
    ['-1', -(10n ** 9n)],
    ['1n', 1n],
    ['1u', 1000n],
    ['1T', 10n ** 21n],
    ['1P', 10n ** 24n],
    ['1E', 10n ** 27n],
    ['1Ki', 1024n * 10n ** 9n],
    ['1Ti', 1024n ** 4n * 10n ** 9n],
    ['1Pi', 1024n ** 5n * 10n ** 9n],
    ['1Ei', 1024n ** 6n * 10n ** 9n],
    ['12e-3', 12_000_000n],
    ['0', 0n],
  ])('parses %s', (input, nanos) => {
    expect(q(input).nanos).toBe(nanos)
  })
  it('rounds values below a nano up, away from zero', () => {
    expect(q('0.5n').nanos).toBe(1n)
    expect(q('-0.5n').nanos).toBe(-1n)
    expect(q('0.0000000001').nanos).toBe(1n)
  })
  it('accepts numbers', () => {
    expect(q(1.5).nanos).toBe(1_500_000_000n)
    expect(q(1e21).nanos).toBe(10n ** 30n)
    expect(parseQuantity(Number.NaN)).toEqual(E.left(QUANTITY_FORMAT_ERROR))
  })
  it('rejects garbage with the Kubernetes messages', () => {
    expect(parseQuantity('')).toEqual(E.left(QUANTITY_FORMAT_ERROR))
    expect(parseQuantity('1 Gi')).toEqual(E.left(QUANTITY_FORMAT_ERROR))
    expect(parseQuantity('1.2.3')).toEqual(E.left(QUANTITY_FORMAT_ERROR))
    expect(parseQuantity('abc')).toEqual(E.left(QUANTITY_FORMAT_ERROR))
    expect(parseQuantity('1K')).toEqual(E.left("unable to parse quantity's suffix"))
    expect(parseQuantity('1Gb')).toEqual(E.left(QUANTITY_FORMAT_ERROR))
    expect(parseQuantity('5e')).toEqual(E.left("unable to parse quantity's suffix"))
  })
  it('never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+-]?[0-9.]{0,6}[eEinumkKMGTP]{0,3}[-+]?[0-9]{0,4}$/)), (s) => {
      const r = parseQuantity(s)
      expect(E.isLeft(r) || E.isRight(r)).toBe(true)
    }))
  })
})

describe('formatQuantity', () => {
  it.each([
    ['1000m', '1'],
    ['1536Mi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['0.1', '100m'],
    ['1e3', '1e3'],
    ['129e6', '129e6'],
    ['1000k', '1M'],
    ['1.5Ki', '1536'],
    ['0.5Ki', '512'],
    ['1.1Ki', '1126400m'],
    ['+1', '1'],
    ['128974848', '128974848'],
    ['123Mi', '123Mi'],
    ['0Gi', '0'],
    ['-1Gi', '-1Gi'],
    ['1024Ei', '1024Ei'],
    ['100000000000000000000', '100E'],
    ['12e-3', '12e-3'],
  ])('%s prints as %s', (input, out) => {
    expect(fmt(input)).toBe(out)
  })
  it('round-trips: parse(format(q)) == q', () => {
    fc.assert(
      fc.property(arbQuantity, (x) => {
        const back = parseQuantity(formatQuantity(x))
        expect(E.isRight(back) && back.right.nanos).toBe(x.nanos)
        expect(E.isRight(back) && formatQuantity(back.right)).toBe(formatQuantity(x))
      }),
    )
  })
})

describe('arithmetic', () => {
  it('adds and subtracts exactly', () => {
    expect(formatQuantity(addQuantity(q('100m'), q('200m')))).toBe('300m')
    expect(formatQuantity(addQuantity(q('0.1'), q('0.2')))).toBe('300m')
    expect(formatQuantity(subQuantity(q('2Gi'), q('512Mi')))).toBe('1536Mi')
    expect(formatQuantity(addQuantity(q('0'), q('1Ki')))).toBe('1Ki')
  })
  it('addition commutes and associates; sub inverts add', () => {
    fc.assert(
      fc.property(arbQuantity, arbQuantity, arbQuantity, (a, b, c) => {
        expect(compareQuantity(addQuantity(a, b), addQuantity(b, a))).toBe(0)
        expect(compareQuantity(addQuantity(addQuantity(a, b), c), addQuantity(a, addQuantity(b, c)))).toBe(0)
        expect(compareQuantity(subQuantity(addQuantity(a, b), b), a)).toBe(0)
      }),
    )
  })
  it('comparison is consistent with order and antisymmetric', () => {
    fc.assert(
      fc.property(arbQuantity, arbQuantity, (a, b) => {
        expect(compareQuantity(a, b)).toBe(-compareQuantity(b, a) || 0)
        expect(compareQuantity(a, b) === 0).toBe(a.nanos === b.nanos)
        expect(compareQuantity(addQuantity(a, quantityFromMillis(1)), a)).toBe(1)
      }),
    )
  })
  it('compares across notations', () => {
    expect(compareQuantity(q('1Gi'), q('1G'))).toBe(1)
    expect(compareQuantity(q('1000m'), q('1'))).toBe(0)
    expect(compareQuantity(q('1k'), q('1e3'))).toBe(0)
  })
  it('isZero', () => {
    expect(isZero(q('0m'))).toBe(true)
    expect(isZero(q('1n'))).toBe(false)
  })
})

describe('getters', () => {
  it('milli values round up', () => {
    expect(quantityToMillis(q('1.5'))).toBe(1500)
    expect(milliValue(q('250m'))).toBe(250)
    expect(quantityToMillis(q('1n'))).toBe(1)
    expect(quantityToMillis(q('-1n'))).toBe(-1)
  })
  it('values round up like Value()', () => {
    expect(quantityValue(q('1Gi'))).toBe(1073741824)
    expect(quantityValue(q('100m'))).toBe(1)
    expect(quantityValue(q('1.5'))).toBe(2)
    expect(quantityValue(q('128974848'))).toBe(128974848)
  })
  it('quantityFromMillis and quantityOrZero', () => {
    expect(formatQuantity(quantityFromMillis(2500))).toBe('2500m')
    expect(quantityOrZero('bad').nanos).toBe(0n)
  })
})

describe('QuantityString codec', () => {
  it('accepts strings that parse and numbers, decoding to strings', () => {
    expect(QuantityString.decode('500m')).toEqual(E.right('500m'))
    expect(QuantityString.decode(2)).toEqual(E.right('2'))
    expect(QuantityString.decode(0.5)).toEqual(E.right('0.5'))
    expect(QuantityString.is('1Gi')).toBe(true)
    expect(QuantityString.is(1)).toBe(false)
  })
  it('rejects what does not parse, with the Kubernetes message', () => {
    const r = QuantityString.decode('lots')
    expect(E.isLeft(r) && r.left[0]?.message).toBe(QUANTITY_FORMAT_ERROR)
    expect(E.isLeft(QuantityString.decode(true))).toBe(true)
  })
})

describe('validateResourceQuantities', () => {
  it('reports invalid and negative values by key', () => {
    expect(validateResourceQuantities({ cpu: '-100m', memory: 'x', storage: '1Gi' }, 'spec.capacity').map(formatFieldError)).toEqual([
      'spec.capacity[cpu]: Invalid value: "-100m": must be greater than or equal to 0',
      `spec.capacity[memory]: Invalid value: "x": ${QUANTITY_FORMAT_ERROR}`,
    ])
  })
})
