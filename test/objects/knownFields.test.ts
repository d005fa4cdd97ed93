import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KNOWN_KINDS } from '../../src/objects/kinds.js'
import { KNOWN_ROOT, hasKnownFields, unknownFieldWarnings } from '../../src/objects/knownFields.js'
import { KNOWN_FIELD_TABLE } from '../../src/objects/knownFields.generated.js'

describe('known field table', () => {
  it('has a root for every simulated kind', () => {
    for (const kind of KNOWN_KINDS) {
      const root = (KNOWN_ROOT as Record<string, string>)[kind.kind]
      expect(root, kind.kind).toBeDefined()
      expect(hasKnownFields(root as string), kind.kind).toBe(true)
    }
  })
  it('every referenced struct is in the table', () => {
    for (const encoded of Object.values(KNOWN_FIELD_TABLE))
      for (const ref of encoded.matchAll(/:([^\s[{]+)/g)) expect(KNOWN_FIELD_TABLE[ref[1] as string], ref[1]).toBeDefined()
  })
  it('accepts short and full names', () => {
    expect(hasKnownFields('apps.v1.Deployment')).toBe(true)
    expect(hasKnownFields('apps.Deployment')).toBe(true)
    expect(hasKnownFields('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')).toBe(true)
    expect(hasKnownFields('nope')).toBe(false)
  })
})

describe('unknownFieldWarnings', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'any-key': 'v' }, annotations: { 'kubesim.dev/x': 'y' }, nmae: 'typo' },
    spec: {
      replicas: 2,
      replica: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavialable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            { name: 'a', image: 'x', ports: [{ containerPort: 80, protocl: 'TCP' }], resources: { requests: { cpu: '1' } } },
            { name: 'b', imagee: 'y', env: [{ name: 'A', value: '1', valueFrom: { fieldRef: { fieldPath: 'x' } } }] },
          ],
        },
      },
    },
  }
  it('reports unknown fields with kubectl paths', () => {
    expect(unknownFieldWarnings(KNOWN_ROOT.Deployment, deployment)).toEqual([
      'unknown field "metadata.nmae"',
      'unknown field "spec.replica"',
      'unknown field "spec.strategy.rollingUpdate.maxUnavialable"',
      'unknown field "spec.template.spec.containers[0].ports[0].protocl"',
      'unknown field "spec.template.spec.containers[1].imagee"',
    ])
  })
  it('treats maps and free-form values as leaves', () => {
    expect(unknownFieldWarnings(KNOWN_ROOT.ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { whatever: 'x' } })).toEqual([])
    expect(unknownFieldWarnings(KNOWN_ROOT.ControllerRevision, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { anything: { at: 'all' } } })).toEqual([])
  })
  it('covers the other simulated kinds', () => {
    expect(unknownFieldWarnings(KNOWN_ROOT.Service, { spec: { ports: [{ port: 80, targetport: 8080 }], type: 'ClusterIP' } })).toEqual([
      'unknown field "spec.ports[0].targetport"',
    ])
    expect(unknownFieldWarnings(KNOWN_ROOT.CronJob, { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } }, backofLimit: 1 } } } })).toEqual([
      'unknown field "spec.jobTemplate.spec.backofLimit"',
    ])
    expect(unknownFieldWarnings(KNOWN_ROOT.Node, { spec: { taints: [{ key: 'a', effect: 'NoSchedule', efect: 'x' }] } })).toEqual(['unknown field "spec.taints[0].efect"'])
    expect(unknownFieldWarnings(KNOWN_ROOT.Ingress, { spec: { rules: [{ host: 'a', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80, nmber: 1 } } } }] } }] } })).toEqual([
      'unknown field "spec.rules[0].http.paths[0].backend.service.port.nmber"',
    ])
  })
  it('gives nothing for an unknown root and is total', () => {
    expect(unknownFieldWarnings('example.com.v1.Widget', { spec: { x: 1 } })).toEqual([])
    fc.assert(fc.property(fc.anything(), (v) => {
      expect(Array.isArray(unknownFieldWarnings(KNOWN_ROOT.Pod, v))).toBe(true)
    }))
  })
  it('accepts every field a kubectl-style pod manifest uses', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u', controller: true, blockOwnerDeletion: true }] },
      spec: {
        containers: [{ name: 'c', image: 'i', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 }, volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
        volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } },
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '10.0.0.1' }] },
    }
    expect(unknownFieldWarnings(KNOWN_ROOT.Pod, pod)).toEqual([])
  })
})
