import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type ConfigMap,
  base64DecodedLength,
  configMapModel,
  encodeBase64,
  isBase64,
  isConfigKey,
  validateConfigMap,
  validateImmutableData,
} from '../../src/objects/configMap.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const cm = (extra: Partial<ConfigMap> = {}): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, ...extra })
const errs = (c: ConfigMap) => validateConfigMap(c).map(formatFieldError)

describe('config keys', () => {
  it('accepts valid keys', () => {
    for (const k of ['a', 'KEY_NAME', 'key-name', 'key.name', '.hidden']) expect(isConfigKey(k)).toEqual([])
  })
  it('rejects bad keys with the Kubernetes messages', () => {
    expect(isConfigKey('a b')).toEqual([
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ])
    expect(isConfigKey('.')).toEqual(["must not be '.'"])
    expect(isConfigKey('..')).toEqual(["must not be '..'"])
    expect(isConfigKey('..x')).toEqual(["must not start with '..'"])
    expect(isConfigKey('a'.repeat(254))).toEqual(['must be no more than 253 characters'])
    expect(isConfigKey('')).toHaveLength(1)
  })
})

describe('base64', () => {
  it('encodes UTF-8 like the API server', () => {
    expect(encodeBase64('hello')).toBe('aGVsbG8=')
    expect(encodeBase64('hi')).toBe('aGk=')
    expect(encodeBase64('abc')).toBe('YWJj')
    expect(encodeBase64('é')).toBe('w6k=')
  })
  it('encodes what Node decodes, and measures decoded length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const b = encodeBase64(s)
        expect(isBase64(b)).toBe(true)
        expect(Buffer.from(b, 'base64').toString('utf8')).toBe(s)
        expect(base64DecodedLength(b)).toBe(Buffer.byteLength(s, 'utf8'))
      }),
    )
  })
  it('rejects non-base64', () => {
    expect(isBase64('abc')).toBe(false)
    expect(isBase64('ab!=')).toBe(false)
  })
})

describe('configMap validation', () => {
  it('accepts valid data', () => {
    expect(errs(cm({ data: { 'app.properties': 'a=1' }, binaryData: { logo: 'aGk=' } }))).toEqual([])
  })
  it('reports bad keys in data and binaryData', () => {
    const e = errs(cm({ data: { 'a b': 'x' }, binaryData: { 'c/d': 'aGk=' } }))
    expect(e[0]).toMatch(/^data\[a b\]: Invalid value: "a b": a valid config key/)
    expect(e[1]).toMatch(/^binaryData\[c\/d\]: Invalid value: "c\/d": a valid config key/)
  })
  it('rejects a key in both data and binaryData', () => {
    expect(errs(cm({ data: { k: 'x' }, binaryData: { k: 'aGk=' } }))).toEqual(['binaryData[k]: Invalid value: "k": duplicate of key present in data'])
  })
  it('rejects non-base64 binaryData', () => {
    expect(errs(cm({ binaryData: { k: 'not base64' } }))).toEqual(['binaryData[k]: Invalid value: "<binary>": illegal base64 data'])
  })
  it('limits the total size to 1 MiB', () => {
    expect(errs(cm({ data: { a: 'x'.repeat(1048576) } }))).toEqual([])
    expect(errs(cm({ data: { a: 'x'.repeat(1048576), b: 'y' } }))).toEqual(['data: Too long: may not be more than 1048576 bytes'])
  })
})

describe('immutable', () => {
  const old = cm({ immutable: true, data: { a: '1' }, binaryData: { b: 'aGk=' } })
  it('allows metadata-only updates', () => {
    expect(configMapModel.validateUpdate?.({ ...old, metadata: { ...old.metadata, labels: { x: 'y' } } }, old)).toEqual([])
  })
  it('forbids data, binaryData and immutable changes', () => {
    expect(configMapModel.validateUpdate?.({ ...old, immutable: false, data: { a: '2' }, binaryData: {} }, old)?.map(formatFieldError)).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
      'binaryData: Forbidden: field is immutable when `immutable` is set',
    ])
  })
  it('does nothing when the old object was mutable', () => {
    expect(validateImmutableData({ data: { a: '2' } }, { data: { a: '1' } }, ['data'])).toEqual([])
  })
  it('model returns the same object from defaults', () => {
    const c = cm()
    expect(configMapModel.applyDefaults(c)).toBe(c)
  })
})
