import { describe, expect, it } from 'vitest'
import { type Secret, defaultSecret, secretModel, validateSecret, validateSecretUpdate } from '../../src/objects/secret.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const secret = (extra: Partial<Secret> = {}): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...extra })
const errs = (s: Secret) => validateSecret(s).map(formatFieldError)

describe('secret defaults', () => {
  it('defaults type to Opaque', () => {
    expect(defaultSecret(secret()).type).toBe('Opaque')
    expect(defaultSecret(secret({ type: 'kubernetes.io/tls' })).type).toBe('kubernetes.io/tls')
  })
  it('merges stringData into data, overriding, and drops stringData', () => {
    const s = defaultSecret(secret({ data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'hello', c: 'hi' } }))
    expect(s.data).toEqual({ a: 'eA==', b: 'aGVsbG8=', c: 'aGk=' })
    expect('stringData' in s).toBe(false)
    expect(defaultSecret(s)).toBe(s)
  })
})

describe('secret validation', () => {
  it('accepts valid data', () => {
    expect(errs(secret({ data: { token: 'aGk=' } }))).toEqual([])
  })
  it('checks keys and base64 values', () => {
    const e = errs(secret({ data: { 'a b': 'aGk=', ok: 'plain text' } }))
    expect(e[0]).toMatch(/^data\[a b\]: Invalid value: "a b": a valid config key/)
    expect(e[1]).toBe('data[ok]: Invalid value: "<secret contents redacted>": illegal base64 data')
  })
  it('limits the total size', () => {
    const big = 'A'.repeat(1398104) // decodes to 1048578 bytes
    expect(errs(secret({ data: { a: big } }))).toEqual(['data: Too long: may not be more than 1048576 bytes'])
  })
  it('requires the keys of well-known types', () => {
    expect(errs(secret({ type: 'kubernetes.io/tls', data: {} }))).toEqual(['data[tls.crt]: Required value', 'data[tls.key]: Required value'])
    expect(errs(secret({ type: 'kubernetes.io/dockerconfigjson' }))).toEqual(['data[.dockerconfigjson]: Required value'])
    expect(errs(secret({ type: 'kubernetes.io/dockercfg' }))).toEqual(['data[.dockercfg]: Required value'])
    expect(errs(secret({ type: 'kubernetes.io/ssh-auth' }))).toEqual(['data[ssh-privatekey]: Required value'])
    expect(errs(secret({ type: 'kubernetes.io/basic-auth' }))).toEqual(['data[username]: Required value', 'data[password]: Required value'])
    expect(errs(secret({ type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } }))).toEqual([])
    expect(errs(secret({ type: 'kubernetes.io/service-account-token' }))).toEqual([
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ])
  })
})

describe('secret updates', () => {
  const old = defaultSecret(secret({ immutable: true, data: { a: 'eA==' } }))
  it('type is immutable', () => {
    expect(validateSecretUpdate({ ...old, immutable: false, type: 'kubernetes.io/tls' }, { ...old, immutable: false }).map(formatFieldError)).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
    ])
  })
  it('data is immutable when immutable is set', () => {
    expect(secretModel.validateUpdate?.({ ...old, data: { a: 'eQ==' } }, old)?.map(formatFieldError)).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ])
    expect(secretModel.validateUpdate?.(old, old)).toEqual([])
  })
})
