import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { Int32, Int64, decodeWithFieldErrors, fieldErrorsFromDecode, friendlyTypeName } from '../../src/objects/decodeErrors.js'
import { Pod } from '../../src/objects/pod.js'
import { QuantityString } from '../../src/objects/quantity.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const errs = <A>(codec: t.Decoder<unknown, A>, input: unknown): string[] => {
  const r = decodeWithFieldErrors(codec, input)
  return E.isLeft(r) ? r.left.map(formatFieldError) : []
}

describe('Int32 / Int64', () => {
  it('accepts integers in range', () => {
    expect(Int32.decode(2147483647)).toEqual(E.right(2147483647))
    expect(Int32.decode(-2147483648)).toEqual(E.right(-2147483648))
    expect(Int64.decode(2 ** 40)).toEqual(E.right(2 ** 40))
  })
  it('rejects fractions, strings and out-of-range values', () => {
    expect(E.isLeft(Int32.decode(1.5))).toBe(true)
    expect(E.isLeft(Int32.decode('1'))).toBe(true)
    expect(errs(t.type({ replicas: Int32 }), { replicas: 2147483648 })).toEqual([
      'replicas: Invalid value: 2147483648: must be between -2147483648 and 2147483647, inclusive',
    ])
    expect(E.isLeft(Int64.decode(2 ** 60))).toBe(true)
    expect(Int32.is(3)).toBe(true)
    expect(Int32.is(3.5)).toBe(false)
  })
})

describe('friendlyTypeName', () => {
  it('maps io-ts names to JSON type names', () => {
    expect(friendlyTypeName(t.Int)).toBe('integer')
    expect(friendlyTypeName(Int32)).toBe('integer')
    expect(friendlyTypeName(t.number)).toBe('number')
    expect(friendlyTypeName(t.string)).toBe('string')
    expect(friendlyTypeName(t.boolean)).toBe('boolean')
    expect(friendlyTypeName(t.record(t.string, t.string))).toBe('object')
    expect(friendlyTypeName(t.type({ a: t.string }))).toBe('object')
    expect(friendlyTypeName(t.partial({ a: t.string }))).toBe('object')
    expect(friendlyTypeName(t.intersection([t.type({ a: t.string }), t.partial({ b: t.string })]))).toBe('object')
    expect(friendlyTypeName(t.array(t.string))).toBe('array')
    expect(friendlyTypeName(t.readonlyArray(t.string))).toBe('array')
    expect(friendlyTypeName(t.readonly(t.type({ a: t.string })))).toBe('object')
    expect(friendlyTypeName(t.union([t.string, Int32]))).toBe('string or integer')
  })
})

describe('decodeWithFieldErrors', () => {
  it('builds dotted paths with array indices', () => {
    const Deployment = t.type({
      spec: t.type({ template: t.type({ spec: t.type({ containers: t.array(t.type({ ports: t.array(t.type({ containerPort: Int32 })) })) }) }) }),
    })
    expect(errs(Deployment, { spec: { template: { spec: { containers: [{ ports: [{ containerPort: 80 }, { containerPort: 'x' }] }] } } } })).toEqual([
      'spec.template.spec.containers[0].ports[1].containerPort: Invalid value: "x": must be of type integer',
    ])
  })
  it('reports missing values as Required', () => {
    expect(errs(Pod, { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} })).toEqual([
      'metadata.name: Required value',
      'spec.containers: Required value',
    ])
  })
  it('names the expected type', () => {
    expect(errs(Pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: [] }, spec: { containers: {}, hostNetwork: 'yes' } })).toEqual([
      'metadata.labels: Invalid value: []: must be of type object',
      'spec.containers: Invalid value: {}: must be of type array',
      'spec.hostNetwork: Invalid value: "yes": must be of type boolean',
    ])
  })
  it('uses map keys in brackets', () => {
    expect(errs(t.type({ data: t.record(t.string, t.string) }), { data: { a: 1 } })).toEqual(['data[a]: Invalid value: 1: must be of type string'])
  })
  it('keeps codec messages (quantities)', () => {
    expect(errs(t.type({ requests: t.record(t.string, QuantityString) }), { requests: { cpu: 'lots' } })).toEqual([
      "requests[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ])
  })
  it('collapses union branches into one error at the union field', () => {
    const IntOrString = t.union([Int32, t.string])
    expect(errs(t.type({ spec: t.type({ maxSurge: IntOrString }) }), { spec: { maxSurge: true } })).toEqual([
      'spec.maxSurge: Invalid value: true: must be of type integer or string',
    ])
    expect(errs(t.type({ a: IntOrString }), {})).toEqual(['a: Required value'])
  })
  it('deduplicates errors on the same path', () => {
    const Both = t.intersection([t.type({ a: t.string }), t.type({ a: t.string })])
    expect(errs(Both, {})).toEqual(['a: Required value'])
  })
  it('reports a root type mismatch', () => {
    expect(errs(t.type({ a: t.string }), 'x')).toEqual(['<nil>: Invalid value: "x": must be of type object'])
  })
  it('succeeds with the decoded value', () => {
    expect(decodeWithFieldErrors(t.type({ a: Int32 }), { a: 1, b: 2 })).toEqual(E.right({ a: 1, b: 2 }))
  })
  it('never throws and always reports at least one error on failure', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const r = decodeWithFieldErrors(Pod, input)
        if (E.isLeft(r)) expect(r.left.length).toBeGreaterThan(0)
      }),
    )
    expect(fieldErrorsFromDecode([])).toEqual([])
  })
})
