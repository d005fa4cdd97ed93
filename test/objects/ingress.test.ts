import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type HTTPIngressPath, Ingress, type IngressSpec, ingressModel, isWildcardDns1123Subdomain, validateIngress } from '../../src/objects/ingress.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const ing = (spec?: IngressSpec): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  ...(spec === undefined ? {} : { spec }),
})
const backend = { service: { name: 'web', port: { number: 80 } } }
const path = (p: Partial<HTTPIngressPath>): HTTPIngressPath => ({ path: '/', pathType: 'Prefix', backend, ...p })
const rule = (...paths: HTTPIngressPath[]) => ({ rules: [{ host: 'example.com', http: { paths } }] })
const errs = (spec?: IngressSpec) => validateIngress(ing(spec)).map(formatFieldError)

describe('Ingress codec', () => {
  it('decodes a manifest', () => expect(E.isRight(Ingress.decode(ing(rule(path({})))))).toBe(true))
  it('requires a backend on each path', () => {
    expect(E.isLeft(Ingress.decode(ing({ rules: [{ http: { paths: [{ path: '/' } as HTTPIngressPath] } }] })))).toBe(true)
  })
})

describe('validation', () => {
  it('accepts a valid ingress', () => expect(errs(rule(path({})))).toEqual([]))
  it('requires rules or a default backend', () => {
    expect(errs({})).toEqual(['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified'])
    expect(errs(undefined)).toHaveLength(1)
    expect(errs({ defaultBackend: backend })).toEqual([])
  })
  it('requires pathType', () => {
    const { pathType: _, ...noType } = path({})
    expect(errs(rule(noType))).toEqual(['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'])
  })
  it('rejects unsupported pathTypes', () => {
    expect(errs(rule(path({ pathType: 'Regex' })))).toEqual([
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ])
  })
  it('requires absolute paths for Exact and Prefix', () => {
    expect(errs(rule(path({ path: 'api', pathType: 'Exact' })))).toEqual([
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
    ])
    expect(errs(rule(path({ path: '', pathType: 'Prefix' })))).toEqual([
      'spec.rules[0].http.paths[0].path: Invalid value: "": must be an absolute path',
    ])
    expect(errs(rule(path({ path: '', pathType: 'ImplementationSpecific' })))).toEqual([])
    expect(errs(rule(path({ path: 'x', pathType: 'ImplementationSpecific' })))).toHaveLength(1)
    expect(errs(rule(path({ path: '/a//b/..' })))).toEqual([
      "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/..\": must not contain '//'",
      "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/..\": cannot end with '/..'",
    ])
  })
  it('validates hosts, allowing a leading wildcard', () => {
    expect(errs({ rules: [{ host: '*.example.com', http: { paths: [path({})] } }] })).toEqual([])
    expect(errs({ rules: [{ host: 'foo.*.com', http: { paths: [path({})] } }] })[0]).toContain(
      "spec.rules[0].host: Invalid value: \"foo.*.com\": a wildcard DNS-1123 subdomain must start with '*.'",
    )
    expect(errs({ rules: [{ host: 'Example.com', http: { paths: [path({})] } }] })[0]).toContain('a lowercase RFC 1123 subdomain')
    expect(errs({ rules: [{ host: '10.0.0.1', http: { paths: [path({})] } }] })).toEqual([
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    ])
    expect(isWildcardDns1123Subdomain('*.a')).toEqual([])
  })
  it('requires paths in an http rule', () => {
    expect(errs({ rules: [{ host: 'a.com', http: { paths: [] } }] })).toEqual(['spec.rules[0].http.paths: Required value'])
  })
  it('requires exactly one of port number and name', () => {
    const p = (port: object) => rule(path({ backend: { service: { name: 'web', port } } }))
    expect(errs(p({ number: 80, name: 'http' }))).toEqual([
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
    ])
    expect(errs(p({}))).toEqual(['spec.rules[0].http.paths[0].backend: Required value: port name or number is required'])
    expect(errs(p({ name: 'http' }))).toEqual([])
    expect(errs(p({ number: 70000 }))).toEqual([
      'spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ])
    expect(errs(p({ name: 'HTTP' }))[0]).toContain('backend.service.port.name: Invalid value: "HTTP"')
  })
  it('checks backend service names and kinds', () => {
    expect(errs(rule(path({ backend: { service: { port: { number: 80 } } } })))).toEqual([
      'spec.rules[0].http.paths[0].backend.service.name: Required value',
    ])
    expect(errs(rule(path({ backend: { service: { name: '1web', port: { number: 80 } } } })))[0]).toContain('DNS-1035')
    expect(errs(rule(path({ backend: {} })))).toEqual([
      'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required',
    ])
    expect(errs(rule(path({ backend: { ...backend, resource: { kind: 'Bucket', name: 'b' } } })))).toEqual([
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends',
    ])
  })
  it('validates TLS hosts, secret names and the class name', () => {
    expect(errs({ ...rule(path({})), tls: [{ hosts: ['*.example.com', 'Bad'], secretName: 'tls_cert' }], ingressClassName: 'Nginx' })).toHaveLength(3)
  })
})

describe('model', () => {
  it('has no defaults and a status subresource', () => {
    const i = ing(rule(path({})))
    expect(ingressModel.applyDefaults(i as Parameters<typeof ingressModel.applyDefaults>[0])).toBe(i)
    expect(ingressModel.hasStatusSubresource).toBe(true)
  })
})
