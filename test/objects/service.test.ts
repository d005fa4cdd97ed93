import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  Service,
  type ServiceSpec,
  defaultService,
  isHeadlessService,
  serviceModel,
  validateService,
  validateServiceUpdate,
} from '../../src/objects/service.js'
import { isValidPortName } from '../../src/objects/pod.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const svc = (spec: ServiceSpec): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec })
const errs = (spec: ServiceSpec) => validateService(defaultService(svc(spec))).map(formatFieldError)
const port80 = { ports: [{ port: 80 }] }

describe('Service codec', () => {
  it('decodes and keeps unknown fields', () => {
    const r = Service.decode({ ...svc({ ...port80, loadBalancerIP: '1.2.3.4' } as ServiceSpec) })
    expect(E.isRight(r) && (r.right.spec as Record<string, unknown>)['loadBalancerIP']).toBe('1.2.3.4')
  })
  it('rejects a non-numeric port', () => {
    expect(E.isLeft(Service.decode(svc({ ports: [{ port: '80' as unknown as number }] })))).toBe(true)
  })
})

describe('defaults', () => {
  it('defaults a plain service', () => {
    const d = defaultService(svc({ selector: { app: 'web' }, ...port80 }))
    expect(d.spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
    })
  })
  it('is idempotent (same reference on second pass)', () => {
    const d = defaultService(svc(port80))
    expect(defaultService(d)).toBe(d)
  })
  it('keeps a named targetPort and replaces 0', () => {
    const d = defaultService(svc({ ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 0, name: 'b' }] }))
    expect(d.spec.ports?.map((p) => p.targetPort)).toEqual(['http', 81])
  })
  it('gives ClientIP affinity a 10800 s timeout', () => {
    const d = defaultService(svc({ ...port80, sessionAffinity: 'ClientIP' }))
    expect(d.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } })
  })
  it('sets externalTrafficPolicy Cluster for NodePort and LoadBalancer only', () => {
    expect(defaultService(svc({ ...port80, type: 'NodePort' })).spec.externalTrafficPolicy).toBe('Cluster')
    expect(defaultService(svc({ ...port80, type: 'LoadBalancer' })).spec.externalTrafficPolicy).toBe('Cluster')
    expect(defaultService(svc(port80)).spec.externalTrafficPolicy).toBeUndefined()
  })
  it('sets allocateLoadBalancerNodePorts for LoadBalancer only', () => {
    expect(defaultService(svc({ ...port80, type: 'LoadBalancer' })).spec.allocateLoadBalancerNodePorts).toBe(true)
    expect(defaultService(svc({ ...port80, type: 'NodePort' })).spec.allocateLoadBalancerNodePorts).toBeUndefined()
  })
  it('gives ExternalName no internalTrafficPolicy or ipFamilyPolicy', () => {
    const d = defaultService(svc({ type: 'ExternalName', externalName: 'db.example.com' }))
    expect(d.spec.internalTrafficPolicy).toBeUndefined()
    expect(d.spec.ipFamilyPolicy).toBeUndefined()
  })
  it('keeps clusterIP and clusterIPs in step', () => {
    expect(defaultService(svc({ ...port80, clusterIP: 'None' })).spec.clusterIPs).toEqual(['None'])
    expect(defaultService(svc({ ...port80, clusterIPs: ['10.96.0.5'] })).spec.clusterIP).toBe('10.96.0.5')
  })
  it('makes selector-less headless services RequireDualStack', () => {
    expect(defaultService(svc({ clusterIP: 'None' })).spec.ipFamilyPolicy).toBe('RequireDualStack')
    expect(defaultService(svc({ clusterIP: 'None', selector: { a: 'b' } })).spec.ipFamilyPolicy).toBe('SingleStack')
  })
})

describe('validation', () => {
  it('accepts a defaulted service', () => expect(errs({ selector: { app: 'web' }, ...port80 })).toEqual([]))
  it('requires ports unless headless or ExternalName', () => {
    expect(errs({})).toEqual(['spec.ports: Required value'])
    expect(errs({ clusterIP: 'None' })).toEqual([])
  })
  it('checks the port range', () => {
    expect(errs({ ports: [{ port: 0 }] })).toEqual([
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ])
    expect(errs({ ports: [{ port: 65536, targetPort: 8080 }] })).toEqual([
      'spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive',
    ])
  })
  it('checks named target ports', () => {
    expect(errs({ ports: [{ port: 80, targetPort: 'a-very-long-port-name' }] })).toEqual([
      'spec.ports[0].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
    ])
    expect(isValidPortName('Http')).toEqual(['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'])
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens'])
  })
  it('requires names on multiple ports and rejects duplicates', () => {
    expect(errs({ ports: [{ port: 80, name: 'http' }, { port: 81 }] })).toEqual(['spec.ports[1].name: Required value'])
    expect(errs({ ports: [{ port: 80, name: 'http' }, { port: 81, name: 'http' }] })).toEqual([
      'spec.ports[1].name: Duplicate value: "http"',
    ])
    expect(errs({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] })).toEqual([
      'spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}',
    ])
    expect(errs({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b', protocol: 'UDP' }] })).toEqual([])
  })
  it('rejects unsupported protocol, type, affinity and traffic policies', () => {
    expect(errs({ ports: [{ port: 80, protocol: 'ICMP' }] })).toEqual([
      'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ])
    expect(errs({ ...port80, type: 'Foo' })).toEqual([
      'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ])
    expect(errs({ ...port80, sessionAffinity: 'Sticky' })).toEqual([
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    ])
    expect(errs({ ...port80, internalTrafficPolicy: 'Node' })).toEqual([
      'spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"',
    ])
    expect(errs({ ...port80, type: 'NodePort', externalTrafficPolicy: 'Node' })).toEqual([
      'spec.externalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"',
    ])
    expect(errs({ ...port80, externalTrafficPolicy: 'Local' })).toEqual([
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ])
  })
  it('rejects headless NodePort and LoadBalancer services', () => {
    expect(errs({ ...port80, type: 'NodePort', clusterIP: 'None' })).toEqual([
      `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`,
    ])
    expect(errs({ ...port80, type: 'LoadBalancer', clusterIP: 'None' })).toEqual([
      `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`,
    ])
  })
  it('validates ExternalName services', () => {
    expect(errs({ type: 'ExternalName', externalName: 'db.example.com.' })).toEqual([])
    expect(errs({ type: 'ExternalName' })).toEqual(['spec.externalName: Required value'])
    expect(errs({ type: 'ExternalName', externalName: 'Bad_Name' })[0]).toContain(
      'spec.externalName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    )
    expect(errs({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.0.0.1' })).toEqual([
      'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
    ])
    expect(errs({ type: 'ExternalName', externalName: 'db.example.com', ipFamilyPolicy: 'SingleStack' })).toEqual([
      'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services',
    ])
  })
  it('forbids nodePort on ClusterIP services', () => {
    expect(errs({ ports: [{ port: 80, nodePort: 30080 }] })).toEqual([
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ])
    expect(errs({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })).toEqual([])
  })
  it('rejects duplicate node ports', () => {
    expect(errs({ type: 'NodePort', ports: [{ port: 80, name: 'a', nodePort: 30080 }, { port: 81, name: 'b', nodePort: 30080 }] })).toEqual([
      'spec.ports[1].nodePort: Duplicate value: 30080',
    ])
  })
  it('validates selector labels', () => {
    expect(errs({ ...port80, selector: { 'bad key!': 'v' } })[0]).toContain('spec.selector: Invalid value: "bad key!"')
    expect(errs({ ...port80, selector: { app: 'bad value!' } })[0]).toContain('spec.selector: Invalid value: "bad value!"')
  })
  it('checks ClientIP timeouts and forbids config with affinity None', () => {
    expect(errs({ ...port80, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } })).toEqual([
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
    ])
    expect(errs({ ...port80, sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } })).toEqual([
      'spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None',
    ])
  })
  it('validates cluster IPs', () => {
    expect(errs({ ...port80, clusterIP: 'x' })).toEqual([
      'spec.clusterIPs[0]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ])
    expect(errs({ ...port80, clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'] })).toEqual([
      'spec.clusterIPs: Invalid value: ["10.0.0.2"]: first value must match `clusterIP`',
    ])
    expect(errs({ ...port80, clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '10.0.0.2'], ipFamilyPolicy: 'PreferDualStack' })).toEqual([
      'spec.clusterIPs: Invalid value: ["10.0.0.1","10.0.0.2"]: may specify no more than one IP for each IP family',
    ])
    expect(errs({ ...port80, ipFamilyPolicy: 'Dual' })[0]).toContain('spec.ipFamilyPolicy: Unsupported value: "Dual"')
    expect(errs({ ...port80, ipFamilies: ['IPv4', 'IPv4'], ipFamilyPolicy: 'SingleStack' })).toEqual([
      'spec.ipFamilies[1]: Duplicate value: "IPv4"',
    ])
  })
  it('validates external IPs', () => {
    expect(errs({ ...port80, externalIPs: ['127.0.0.1'] })).toEqual([
      'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ])
  })
  it('restricts load-balancer-only fields', () => {
    expect(errs({ ...port80, loadBalancerClass: 'x/y' })).toEqual([
      "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'",
    ])
    expect(errs({ ...port80, allocateLoadBalancerNodePorts: false })).toEqual([
      "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
    ])
    expect(errs({ ...port80, type: 'NodePort', healthCheckNodePort: 30000 })).toEqual([
      "spec.healthCheckNodePort: Invalid value: 30000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
    ])
  })
  it('never throws on odd but decodable input', () => {
    expect(() => validateService(svc({ ports: [{ port: Number.NaN, targetPort: '' }] }))).not.toThrow()
  })
})

describe('update rules', () => {
  const old = defaultService(svc({ ...port80, clusterIP: '10.96.0.10' }))
  it('keeps the cluster IP immutable once set', () => {
    const next = defaultService(svc({ ...port80, clusterIP: '10.96.0.11' }))
    expect(validateServiceUpdate(next, old).map(formatFieldError)).toEqual([
      'spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set',
    ])
    expect(validateServiceUpdate(old, old)).toEqual([])
  })
  it('refuses to unset the primary cluster IP', () => {
    const next: Service = { ...old, spec: { ...old.spec, clusterIP: '', clusterIPs: [] } }
    expect(validateServiceUpdate(next, old).map(formatFieldError)).toEqual([
      'spec.clusterIPs[0]: Invalid value: []: primary clusterIP can not be unset',
    ])
  })
  it('allows switching to and from ExternalName', () => {
    const ext = defaultService(svc({ type: 'ExternalName', externalName: 'db.example.com' }))
    expect(validateServiceUpdate(ext, old)).toEqual([])
    expect(validateServiceUpdate(old, ext)).toEqual([])
  })
  it('makes loadBalancerClass immutable on LoadBalancers', () => {
    const lb = defaultService(svc({ ...port80, type: 'LoadBalancer', loadBalancerClass: 'a/b' }))
    const next: Service = { ...lb, spec: { ...lb.spec, loadBalancerClass: 'a/c' } }
    expect(validateServiceUpdate(next, lb).map(formatFieldError)).toEqual([
      'spec.loadBalancerClass: Invalid value: "a/c": may not change once set',
    ])
  })
})

describe('guards and model', () => {
  it('detects headless services', () => {
    expect(isHeadlessService(svc({ clusterIP: 'None' }))).toBe(true)
    expect(isHeadlessService(svc({ clusterIP: '10.0.0.1' }))).toBe(false)
  })
  it('has a status subresource', () => {
    expect(serviceModel.info.kind).toBe('Service')
    expect(serviceModel.hasStatusSubresource).toBe(true)
  })
})
