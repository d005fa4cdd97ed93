/**
 * The kinds kubesim knows: API group and version, REST resource name, scope, short names and
 * the naming rule the API server applies to each. Kinds not listed here are stored as opaque
 * objects (see `resourceInfoFor`).
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Which DNS rule an object's name must follow. */
export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label' | 'pathSegment'

/** What the API server knows about one kind. */
export interface KindInfo {
  readonly kind: string
  /** The preferred `apiVersion`, e.g. `apps/v1`. */
  readonly apiVersion: string
  /** The API group, '' for the core group. */
  readonly group: string
  /** The plural REST resource, e.g. `deployments`. */
  readonly resource: string
  readonly namespaced: boolean
  readonly shortNames: ReadonlyArray<string>
  readonly nameRule: NameRule
  /** Maximum name length when stricter than the rule's own (CronJob: 52). */
  readonly maxNameLength?: number
  /** True when kubesim simulates the kind (typed codec, validation, controllers). */
  readonly simulated: boolean
}

const info = (
  kind: string,
  apiVersion: string,
  resource: string,
  namespaced: boolean,
  shortNames: ReadonlyArray<string>,
  nameRule: NameRule,
  extra: { readonly maxNameLength?: number; readonly simulated?: boolean } = {},
): KindInfo => ({
  kind,
  apiVersion,
  group: apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '',
  resource,
  namespaced,
  shortNames,
  nameRule,
  simulated: extra.simulated ?? true,
  ...(extra.maxNameLength === undefined ? {} : { maxNameLength: extra.maxNameLength }),
})

/** Every kind with a typed model, in the order kubectl would list them. */
export const KNOWN_KINDS: ReadonlyArray<KindInfo> = [
  info('Namespace', 'v1', 'namespaces', false, ['ns'], 'dns1123Label'),
  info('Node', 'v1', 'nodes', false, ['no'], 'dns1123Subdomain'),
  info('Pod', 'v1', 'pods', true, ['po'], 'dns1123Subdomain'),
  info('ReplicaSet', 'apps/v1', 'replicasets', true, ['rs'], 'dns1123Subdomain'),
  info('Deployment', 'apps/v1', 'deployments', true, ['deploy'], 'dns1123Subdomain'),
  info('StatefulSet', 'apps/v1', 'statefulsets', true, ['sts'], 'dns1123Subdomain'),
  info('DaemonSet', 'apps/v1', 'daemonsets', true, ['ds'], 'dns1123Subdomain'),
  info('ControllerRevision', 'apps/v1', 'controllerrevisions', true, [], 'dns1123Subdomain'),
  info('Job', 'batch/v1', 'jobs', true, [], 'dns1123Subdomain'),
  info('CronJob', 'batch/v1', 'cronjobs', true, ['cj'], 'dns1123Subdomain', { maxNameLength: 52 }),
  info('Service', 'v1', 'services', true, ['svc'], 'dns1035Label'),
  info('EndpointSlice', 'discovery.k8s.io/v1', 'endpointslices', true, [], 'dns1123Subdomain'),
  info('ConfigMap', 'v1', 'configmaps', true, ['cm'], 'dns1123Subdomain'),
  info('Secret', 'v1', 'secrets', true, [], 'dns1123Subdomain'),
  info('PersistentVolumeClaim', 'v1', 'persistentvolumeclaims', true, ['pvc'], 'dns1123Subdomain'),
  info('PersistentVolume', 'v1', 'persistentvolumes', false, ['pv'], 'dns1123Subdomain'),
  info('StorageClass', 'storage.k8s.io/v1', 'storageclasses', false, ['sc'], 'dns1123Subdomain'),
  info('Ingress', 'networking.k8s.io/v1', 'ingresses', true, ['ing'], 'dns1123Subdomain'),
  info('Event', 'v1', 'events', true, ['ev'], 'pathSegment'),
]

/**
 * Well-known kinds kubesim stores without simulating, so that their scope and resource name are
 * right. Any other well-formed kind is accepted too, as a namespaced opaque object.
 */
export const OPAQUE_KINDS: ReadonlyArray<KindInfo> = [
  info('ServiceAccount', 'v1', 'serviceaccounts', true, ['sa'], 'dns1123Subdomain', { simulated: false }),
  info('LimitRange', 'v1', 'limitranges', true, ['limits'], 'dns1123Subdomain', { simulated: false }),
  info('ResourceQuota', 'v1', 'resourcequotas', true, ['quota'], 'dns1123Subdomain', { simulated: false }),
  info('Role', 'rbac.authorization.k8s.io/v1', 'roles', true, [], 'pathSegment', { simulated: false }),
  info('RoleBinding', 'rbac.authorization.k8s.io/v1', 'rolebindings', true, [], 'pathSegment', { simulated: false }),
  info('ClusterRole', 'rbac.authorization.k8s.io/v1', 'clusterroles', false, [], 'pathSegment', { simulated: false }),
  info('ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', 'clusterrolebindings', false, [], 'pathSegment', {
    simulated: false,
  }),
  info('HorizontalPodAutoscaler', 'autoscaling/v2', 'horizontalpodautoscalers', true, ['hpa'], 'dns1123Subdomain', {
    simulated: false,
  }),
  info('PodDisruptionBudget', 'policy/v1', 'poddisruptionbudgets', true, ['pdb'], 'dns1123Subdomain', {
    simulated: false,
  }),
  info('NetworkPolicy', 'networking.k8s.io/v1', 'networkpolicies', true, ['netpol'], 'dns1123Subdomain', {
    simulated: false,
  }),
  info('IngressClass', 'networking.k8s.io/v1', 'ingressclasses', false, [], 'dns1123Subdomain', { simulated: false }),
  info('PriorityClass', 'scheduling.k8s.io/v1', 'priorityclasses', false, ['pc'], 'dns1123Subdomain', {
    simulated: false,
  }),
  info('CustomResourceDefinition', 'apiextensions.k8s.io/v1', 'customresourcedefinitions', false, ['crd', 'crds'], 'dns1123Subdomain', {
    simulated: false,
  }),
  info('Endpoints', 'v1', 'endpoints', true, ['ep'], 'dns1123Subdomain', { simulated: false }),
  info('Lease', 'coordination.k8s.io/v1', 'leases', true, [], 'dns1123Subdomain', { simulated: false }),
  info('MutatingWebhookConfiguration', 'admissionregistration.k8s.io/v1', 'mutatingwebhookconfigurations', false, [], 'dns1123Subdomain', {
    simulated: false,
  }),
  info('ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/v1', 'validatingwebhookconfigurations', false, [], 'dns1123Subdomain', {
    simulated: false,
  }),
]

const byKind: ReadonlyMap<string, KindInfo> = new Map([...KNOWN_KINDS, ...OPAQUE_KINDS].map((k) => [k.kind, k]))

const byAlias: ReadonlyMap<string, KindInfo> = new Map(
  [...KNOWN_KINDS, ...OPAQUE_KINDS].flatMap((k) => [
    [k.kind.toLowerCase(), k] as const,
    [k.resource, k] as const,
    [k.resource.replace(/s$/, ''), k] as const,
    ...k.shortNames.map((s) => [s, k] as const),
  ]),
)

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The kind info for a simulated or well-known kind, if kubesim has it.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { kindInfo } from 'kubesim'
 * expect(kindInfo('Deployment')?.resource).toBe('deployments')
 * expect(kindInfo('Widget')).toBeUndefined()
 * ```
 */
export const kindInfo = (kind: string): KindInfo | undefined => byKind.get(kind)

/**
 * Resolves what a user typed on a command line (`deploy`, `pods`, `Service`) to a kind.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { resolveKindAlias } from 'kubesim'
 * expect(resolveKindAlias('deploy')?.kind).toBe('Deployment')
 * expect(resolveKindAlias('svc')?.kind).toBe('Service')
 * expect(resolveKindAlias('pods')?.kind).toBe('Pod')
 * ```
 */
export const resolveKindAlias = (alias: string): KindInfo | undefined =>
  byKind.get(alias) ?? byAlias.get(alias.toLowerCase())

/**
 * Kind info for any object: the table's entry, or for an unknown kind a namespaced, opaque entry
 * derived from its apiVersion and kind (resource = lower-case plural), as a CRD would declare.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { resourceInfoFor } from 'kubesim'
 * const widget = resourceInfoFor('example.com/v1', 'Widget')
 * expect(widget).toMatchObject({ group: 'example.com', resource: 'widgets', simulated: false })
 * ```
 */
export const resourceInfoFor = (apiVersion: string, kind: string): KindInfo =>
  byKind.get(kind) ?? info(kind, apiVersion, pluralize(kind.toLowerCase()), true, [], 'dns1123Subdomain', { simulated: false })

/** The resource name as it appears in API messages: `deployments.apps`, `pods`. */
export const qualifiedResource = (kind: Pick<KindInfo, 'group' | 'resource'>): string =>
  kind.group === '' ? kind.resource : `${kind.resource}.${kind.group}`

/** The kind as it appears in "is invalid" messages: `Deployment.apps`, `Pod`. */
export const qualifiedKind = (kind: Pick<KindInfo, 'group' | 'kind'>): string => (kind.group === '' ? kind.kind : `${kind.kind}.${kind.group}`)

const pluralize = (word: string): string =>
  /(s|x|z|ch|sh)$/.test(word) ? `${word}es` : /[^aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`
