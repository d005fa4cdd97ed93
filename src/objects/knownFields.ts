/**
 * Unknown-field warnings, as `kubectl apply` prints them (`Warning: unknown field
 * "spec.replica"`): a decoded object is walked against the field table generated from
 * `kubernetes-types` (see scripts/gen-known-fields.ts), and every key Kubernetes would drop is
 * reported with its path. Maps (labels, annotations, data, nodeSelector) are leaves.
 *
 * @module
 */
import { KNOWN_FIELD_TABLE } from './knownFields.generated.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * The schema name of each simulated kind's root, as `KindModel.schema` takes it (the OpenAPI
 * definition name).
 */
export const KNOWN_ROOT = {
  Namespace: 'io.k8s.api.core.v1.Namespace',
  Node: 'io.k8s.api.core.v1.Node',
  Pod: 'io.k8s.api.core.v1.Pod',
  ReplicaSet: 'io.k8s.api.apps.v1.ReplicaSet',
  Deployment: 'io.k8s.api.apps.v1.Deployment',
  StatefulSet: 'io.k8s.api.apps.v1.StatefulSet',
  DaemonSet: 'io.k8s.api.apps.v1.DaemonSet',
  ControllerRevision: 'io.k8s.api.apps.v1.ControllerRevision',
  Job: 'io.k8s.api.batch.v1.Job',
  CronJob: 'io.k8s.api.batch.v1.CronJob',
  Service: 'io.k8s.api.core.v1.Service',
  EndpointSlice: 'io.k8s.api.discovery.v1.EndpointSlice',
  ConfigMap: 'io.k8s.api.core.v1.ConfigMap',
  Secret: 'io.k8s.api.core.v1.Secret',
  PersistentVolumeClaim: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  PersistentVolume: 'io.k8s.api.core.v1.PersistentVolume',
  StorageClass: 'io.k8s.api.storage.v1.StorageClass',
  Ingress: 'io.k8s.api.networking.v1.Ingress',
  Event: 'io.k8s.api.core.v1.Event',
} as const

interface Field {
  /** The struct the field holds, if any. */
  readonly ref?: string
  readonly shape: 'leaf' | 'struct' | 'list' | 'map'
}

const parsed = new Map<string, ReadonlyMap<string, Field>>()

const fieldsOf = (key: string): ReadonlyMap<string, Field> | undefined => {
  const cached = parsed.get(key)
  if (cached !== undefined) return cached
  const encoded = Object.hasOwn(KNOWN_FIELD_TABLE, key) ? KNOWN_FIELD_TABLE[key] : undefined
  if (encoded === undefined) return undefined
  const fields = new Map<string, Field>()
  for (const item of encoded.split(' ')) {
    const colon = item.indexOf(':')
    if (colon < 0) {
      fields.set(item, { shape: 'leaf' })
      continue
    }
    const ref = item.slice(colon + 1)
    const name = item.slice(0, colon)
    if (ref.endsWith('[]')) fields.set(name, { ref: ref.slice(0, -2), shape: 'list' })
    else if (ref.endsWith('{}')) fields.set(name, { ref: ref.slice(0, -2), shape: 'map' })
    else fields.set(name, { ref, shape: 'struct' })
  }
  parsed.set(key, fields)
  return fields
}

/** `io.k8s.api.apps.v1.Deployment` or `apps.v1.Deployment` or `apps.Deployment` -> `apps.Deployment`. */
const tableKey = (name: string): string => {
  const meta = /^io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.(.+)$/.exec(name)
  if (meta !== null) return `meta.${meta[1] ?? ''}`
  const full = /^(?:io\.k8s\.api\.)?([a-z]+)\.v1\.(.+)$/.exec(name)
  if (full !== null) return `${full[1] ?? ''}.${full[2] ?? ''}`
  return name
}

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

/**
 * Whether kubesim has a known-field schema for a root type name.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { hasKnownFields, KNOWN_ROOT } from 'kubesim'
 * expect(hasKnownFields(KNOWN_ROOT.Deployment)).toBe(true)
 * expect(hasKnownFields('example.com.v1.Widget')).toBe(false)
 * ```
 */
export const hasKnownFields = (rootTypeName: string): boolean => fieldsOf(tableKey(rootTypeName)) !== undefined

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * The warnings `kubectl apply` prints for fields Kubernetes does not know, in document order:
 * `unknown field "spec.template.spec.containers[0].imagee"`. Unknown root types give none.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { unknownFieldWarnings, KNOWN_ROOT } from 'kubesim'
 * const deploy = {
 *   apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { anything: 'ok' } },
 *   spec: { replica: 3, template: { spec: { containers: [{ name: 'web', imagee: 'nginx' }] } } },
 * }
 * expect(unknownFieldWarnings(KNOWN_ROOT.Deployment, deploy)).toEqual([
 *   'unknown field "spec.replica"',
 *   'unknown field "spec.template.spec.containers[0].imagee"',
 * ])
 * ```
 */
export const unknownFieldWarnings = (rootTypeName: string, object: unknown): ReadonlyArray<string> =>
  unknownFieldWarningsSkipping(rootTypeName, object, undefined)

/**
 * `unknownFieldWarnings`, not descending into list items `knownCleanItem` vouches for: items a
 * kind's admission already walked and found clean (an EndpointSlice's unchanged endpoints), so
 * rewriting one endpoint of a hundred does not walk the other 99; nor into fields
 * `knownCleanStruct` vouches for (a pod template carried over from the stored object).
 *
 * @internal
 */
export const unknownFieldWarningsSkipping = (
  rootTypeName: string,
  object: unknown,
  knownCleanItem: ((itemType: string, list: ReadonlyArray<unknown>, index: number) => boolean) | undefined,
  knownCleanStruct?: (type: string, value: unknown) => boolean,
): ReadonlyArray<string> => {
  const warnings: string[] = []
  const walk = (key: string, value: unknown, path: string, depth: number): void => {
    if (depth > 64 || !isPlainObject(value)) return
    const fields = fieldsOf(key)
    if (fields === undefined) return
    for (const [name, child] of Object.entries(value)) {
      const at = path === '' ? name : `${path}.${name}`
      const field = fields.get(name)
      if (field === undefined) {
        warnings.push(`unknown field ${JSON.stringify(at)}`)
        continue
      }
      if (field.ref === undefined) continue
      switch (field.shape) {
        case 'struct':
          if (knownCleanStruct === undefined || !knownCleanStruct(field.ref, child)) walk(field.ref, child, at, depth + 1)
          break
        case 'list':
          // The clean check before the path string: most items of a long list are vouched for.
          if (Array.isArray(child))
            for (let i = 0; i < child.length; i++) {
              if (knownCleanItem === undefined || !knownCleanItem(field.ref, child, i)) walk(field.ref, child[i], `${at}[${i}]`, depth + 1)
            }
          break
        case 'map':
          if (isPlainObject(child))
            for (const [k, item] of Object.entries(child)) walk(field.ref, item, `${at}[${k}]`, depth + 1)
          break
        case 'leaf':
          break
      }
    }
  }
  walk(tableKey(rootTypeName), object, '', 0)
  return warnings
}
