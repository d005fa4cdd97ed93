import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  apply,
  applyManifests,
  applyManifestsDetailed,
  createCluster,
  formatApiError,
  get,
  type KubeObject,
  list,
  remove,
  scale,
  threeWayMerge,
  tryCreateCluster,
} from '../../src/index.js'
import { left, right } from '../helpers.js'

const deployment = (name: string, replicas: unknown = 2): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
})

describe('createCluster', () => {
  it('has the system namespaces and the kubernetes Service on the first service address', () => {
    const s = createCluster()
    expect(list(s, 'Namespace').map((n) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system'])
    const svc = get(s, 'Service', 'default', 'kubernetes')
    expect(O.isSome(svc) && (svc.value['spec'] as { clusterIP: string }).clusterIP).toBe('10.96.0.1')
  })

  it('uses the configured service range', () => {
    const s = right(tryCreateCluster({ serviceCidr: '10.0.0.0/24' }))
    const svc = get(s, 'Service', 'default', 'kubernetes')
    expect(O.isSome(svc) && (svc.value['spec'] as { clusterIP: string }).clusterIP).toBe('10.0.0.1')
  })

  it('refuses malformed options with a message', () => {
    expect(left(tryCreateCluster({ now: 'tomorrow' })).message).toContain('invalid timestamp')
    expect(left(tryCreateCluster({ nodePortRange: [40000, 30000] })).message).toContain('nodePortRange')
    expect(left(tryCreateCluster({ nodes: [{ name: 'a' }, { name: 'a' }] })).message).toContain('already exists')
  })
})

describe('applyManifests', () => {
  it('applies multi-document YAML in order, so a namespace can precede its contents', () => {
    const yaml = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
`
    const s = right(applyManifests(createCluster(), yaml))
    expect(O.isSome(get(s, 'ConfigMap', 'shop', 'settings'))).toBe(true)
  })

  it('is atomic: one bad document refuses the whole apply and every error names its document', () => {
    const s = createCluster()
    const errors = left(
      applyManifests(s, [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } },
        deployment('web', -1),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: '9lives' }, spec: { ports: [{ port: 80 }] } },
      ]),
    )
    expect(errors.map((e) => e.documentIndex)).toEqual([1, 2])
    expect(formatApiError(errors[0] as never)).toContain('The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
    expect(errors[1]?.causes[0]?.field).toBe('metadata.name')
    expect(list(s, 'ConfigMap')).toEqual([])
  })

  it('flattens List objects', () => {
    const s = right(
      applyManifests(createCluster(), {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
        ],
      }),
    )
    expect(list(s, 'ConfigMap').map((c) => c.metadata.name)).toEqual(['a', 'b'])
  })

  it('stores kinds it does not simulate as opaque objects, with a warning', () => {
    const result = right(
      applyManifestsDetailed(createCluster(), [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader' }, rules: [{ verbs: ['get'] }] },
        { apiVersion: 'example.com/v1alpha1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } },
      ]),
    )
    expect(result.warnings).toHaveLength(2)
    expect(result.items.map((i) => i.display)).toEqual(['role.rbac.authorization.k8s.io/reader', 'widget.example.com/w'])
    const widget = get(result.state, 'Widget', 'default', 'w')
    expect(O.isSome(widget) && widget.value['spec']).toEqual({ size: 3 })
  })

  it('warns about fields Kubernetes does not know, and keeps them', () => {
    const typo = deployment('web')
    ;(typo['spec'] as Record<string, unknown>)['replica'] = 3
    const result = right(applyManifestsDetailed(createCluster(), typo))
    expect(result.warnings.some((w) => w.includes('unknown field "spec.replica"'))).toBe(true)
  })

  it('refuses missing apiVersion and kind, and known kinds under a version kubesim does not serve', () => {
    const missing = left(applyManifests(createCluster(), [{ metadata: { name: 'x' } }]))
    expect(missing[0]?.message).toBe('error validating data: [apiVersion not set, kind not set]')
    const legacy = left(applyManifests(createCluster(), [{ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } }]))
    expect(legacy[0]?.message).toContain('no matches for kind "Deployment" in version "extensions/v1beta1"')
  })

  it('refuses the same object twice in one apply', () => {
    const errors = left(applyManifests(createCluster(), [deployment('web'), deployment('web')]))
    expect(errors[0]?.message).toContain('duplicate object Deployment default/web')
  })

  it('reports wrong types with field paths', () => {
    const errors = left(applyManifests(createCluster(), deployment('web', 'three')))
    expect(errors[0]?.causes.map((c) => c.field)).toContain('spec.replicas')
  })
})

describe('apply', () => {
  it('updates with a three-way merge that keeps fields set by others', () => {
    // A manifest that never set replicas keeps the scaled value, as kubectl apply does.
    const withoutReplicas = deployment('web')
    delete (withoutReplicas['spec'] as Record<string, unknown>)['replicas']
    let s = right(apply(createCluster(), withoutReplicas))
    s = right(scale(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, 5))
    const d0 = get(s, 'Deployment', 'default', 'web')
    s = right(apply(s, { ...withoutReplicas, metadata: { name: 'web', labels: { team: 'a' } } }))
    const d = get(s, 'Deployment', 'default', 'web')
    expect(O.isSome(d) && (d.value['spec'] as { replicas: number }).replicas).toBe(5)
    expect(O.isSome(d) && d.value.metadata.labels).toEqual({ team: 'a' })
    expect(O.isSome(d0) && O.isSome(d) && d.value.metadata.generation).toBe(O.isSome(d0) ? (d0.value.metadata.generation ?? 0) : -1)
  })

  it('drops replicas set by scale when the previous manifest had them and the new one omits them (kubectl behaves so)', () => {
    let s = right(apply(createCluster(), deployment('web', 2)))
    s = right(scale(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, 5))
    const withoutReplicas = deployment('web')
    delete (withoutReplicas['spec'] as Record<string, unknown>)['replicas']
    s = right(apply(s, withoutReplicas))
    const d = get(s, 'Deployment', 'default', 'web')
    expect(O.isSome(d) && (d.value['spec'] as { replicas: number }).replicas).toBe(1)
  })

  it('removes fields the previous manifest set and the new one dropped', () => {
    const withLabels = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1', b: '2' } }, data: { x: '1', y: '2' } }
    let s = right(apply(createCluster(), withLabels))
    s = right(apply(s, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { x: '1' } }))
    const c = get(s, 'ConfigMap', 'default', 'c')
    expect(O.isSome(c) && c.value.metadata.labels).toEqual({ a: '1' })
    expect(O.isSome(c) && c.value['data']).toEqual({ x: '1' })
  })

  it('refuses immutable-field changes and leaves the state as it was', () => {
    const s = right(apply(createCluster(), deployment('web')))
    const changed = deployment('web')
    ;(changed['spec'] as Record<string, unknown>)['selector'] = { matchLabels: { app: 'web', v: '2' } }
    ;((changed['spec'] as Record<string, unknown>)['template'] as { metadata: { labels: Record<string, string> } }).metadata.labels = { app: 'web', v: '2' }
    const err = left(apply(s, changed))
    expect(formatApiError(err)).toContain('spec.selector')
    expect(formatApiError(err)).toContain('field is immutable')
  })

  it('merges nested maps three ways', () => {
    expect(threeWayMerge({ a: { b: 1, c: 2 }, z: 1 }, { a: { b: 1 } }, { a: { d: 4 } })).toEqual({ a: { c: 2, d: 4 }, z: 1 })
  })
})

describe('get, list, remove, scale', () => {
  it('lists by namespace and selector, sorted', () => {
    let s = right(applyManifests(createCluster(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }))
    s = right(
      applyManifests(s, [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'z', namespace: 'b', labels: { tier: 'fe' } } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y', labels: { tier: 'be' } } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { tier: 'fe' } } },
      ]),
    )
    expect(list(s, 'cm').map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['b/z', 'default/x', 'default/y'])
    expect(list(s, 'ConfigMap', { labelSelector: 'tier in (fe)' }).map((c) => c.metadata.name)).toEqual(['z', 'x'])
    expect(list(s, 'ConfigMap', { namespace: 'default', labelSelector: 'tier!=fe' }).map((c) => c.metadata.name)).toEqual(['y'])
    expect(list(s, 'ConfigMap', { labelSelector: 'tier in fe' })).toEqual([])
  })

  it('remove reports NotFound', () => {
    expect(formatApiError(left(remove(createCluster(), { kind: 'Deployment', namespace: 'default', name: 'web' })))).toBe(
      'Error from server (NotFound): deployments.apps "web" not found',
    )
  })

  it('scale validates the count and the kind', () => {
    const s = right(apply(createCluster(), deployment('web')))
    expect(left(scale(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, -2)).reason).toBe('Invalid')
    expect(left(scale(s, { kind: 'ConfigMap', namespace: 'default', name: 'web' }, 2)).reason).toBe('BadRequest')
    const scaled = right(scale(s, { kind: 'deploy', namespace: 'default', name: 'web' }, 4))
    const d = get(scaled, 'Deployment', 'default', 'web')
    expect(O.isSome(d) && (d.value['spec'] as { replicas: number }).replicas).toBe(4)
    expect(O.isSome(d) && d.value.metadata.generation).toBe(2)
  })

  it('a failed call leaves the input state untouched', () => {
    const s = createCluster()
    const revision = s.revision
    const objects = s.objects
    expect(E.isLeft(applyManifests(s, 'kind: ['))).toBe(true)
    expect(E.isLeft(applyManifests(s, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' } }, deployment('bad', -1)]))).toBe(true)
    expect(s.revision).toBe(revision)
    expect(s.objects).toBe(objects)
    expect(list(s, 'ConfigMap')).toEqual([])
  })
})

describe('nodes', () => {
  it('createCluster registers nodes with a Ready status, capacity and labels', () => {
    const s = createCluster({ nodes: [{ name: 'big', labels: { 'topology.kubernetes.io/zone': 'z1' }, capacity: { cpu: '16' } }] })
    const node = get(s, 'Node', undefined, 'big')
    expect(O.isSome(node) && node.value.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'big', 'topology.kubernetes.io/zone': 'z1' })
    const status = O.isSome(node) ? (node.value['status'] as { conditions: { type: string; status: string }[]; allocatable: Record<string, string> }) : undefined
    expect(status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True')
    expect(status?.allocatable).toMatchObject({ cpu: '16', memory: '16Gi', pods: '110' })
  })
})

describe('secrets stay secret', () => {
  it('keeps Secret values out of the last-applied annotation, errors and the trace', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } }
    const s = right(apply(createCluster(), secret))
    const stored = get(s, 'Secret', 'default', 's')
    expect(O.isSome(stored) && JSON.stringify(stored.value.metadata.annotations)).not.toContain('hunter2')
    expect(JSON.stringify(s.trace.entries.toArray())).not.toContain('hunter2')
    const bad = left(apply(createCluster(), { ...secret, data: { token: 12345 } }))
    expect(formatApiError(bad)).not.toContain('12345')
    expect(formatApiError(bad)).toContain('data')
  })

  it('a Secret re-applied without a key loses that key', () => {
    const s1 = right(apply(createCluster(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==', b: 'Yg==' } }))
    const s2 = right(apply(s1, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' } }))
    const stored = get(s2, 'Secret', 'default', 's')
    expect(O.isSome(stored) && stored.value['data']).toEqual({ a: 'YQ==' })
  })
})

describe('list', () => {
  it('returns an array the caller may sort, without changing the next answer', () => {
    const s = createCluster({ nodes: 3 })
    const nodes = list(s, 'Node') as KubeObject[]
    nodes.sort((a, b) => (a.metadata.name < b.metadata.name ? 1 : -1))
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-3', 'node-2', 'node-1'])
    expect(list(s, 'Node').map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3'])
  })
})
