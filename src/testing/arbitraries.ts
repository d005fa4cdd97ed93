/**
 * fast-check arbitraries for Kubernetes inputs: names that follow (or break) the DNS rules,
 * label maps, and valid manifests of the simulated kinds. Every arbitrary's values pass the
 * codecs and validation (a test checks it), so properties can start from valid clusters and
 * mutate from there.
 *
 * @module
 */
import fc from 'fast-check'
import type { KubeObject } from '../objects/object.js'

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''))

/**
 * RFC 1123 labels (1-20 characters here, to keep counterexamples short): namespace names.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { dnsLabel, isDns1123Label } from 'kubesim/testing'
 * expect(() => fc.assert(fc.property(dnsLabel(), (name) => isDns1123Label(name).length === 0))).not.toThrow()
 * ```
 */
export const dnsLabel = (): fc.Arbitrary<string> =>
  fc
    .tuple(chars(ALNUM), fc.string({ unit: chars(ALNUM + '-'), maxLength: 18 }), chars(ALNUM))
    .map(([a, mid, b]) => (mid.length === 0 ? a : `${a}${mid}${b}`))

/**
 * RFC 1035 labels (start with a letter): Service names.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { dns1035Label, isDns1035Label } from 'kubesim/testing'
 * expect(() => fc.assert(fc.property(dns1035Label(), (name) => isDns1035Label(name).length === 0))).not.toThrow()
 * ```
 */
export const dns1035Label = (): fc.Arbitrary<string> =>
  fc.tuple(chars('abcdefghijklmnopqrstuvwxyz'), dnsLabel()).map(([first, rest]) => `${first}${rest}`.slice(0, 63).replace(/-+$/, ''))

/**
 * Label maps with valid keys (optionally prefixed) and values.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { labelMap, isQualifiedName, isValidLabelValue } from 'kubesim/testing'
 * const valid = (labels: Record<string, string>) =>
 *   Object.entries(labels).every(([k, v]) => isQualifiedName(k).length === 0 && isValidLabelValue(v).length === 0)
 * expect(() => fc.assert(fc.property(labelMap(), valid))).not.toThrow()
 * ```
 */
export const labelMap = (): fc.Arbitrary<Record<string, string>> =>
  fc.dictionary(
    fc.oneof(dnsLabel(), fc.tuple(dnsLabel(), dnsLabel()).map(([prefix, name]) => `${prefix}.io/${name}`)),
    fc.oneof(fc.constant(''), dnsLabel()),
    { maxKeys: 4 },
  )

const container = () =>
  fc.record({
    name: dnsLabel(),
    image: fc.constantFrom('nginx:1.27', 'busybox:1.36', 'registry.example.com/app:v2'),
  })

const podTemplate = (labels: Record<string, string>, restartPolicy: 'Always' | 'OnFailure' | 'Never') =>
  container().map((c) => ({ metadata: { labels }, spec: { restartPolicy, containers: [c] } }))

/**
 * A valid ConfigMap in the given namespace.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { configMapManifest } from 'kubesim/testing'
 * const [cm] = fc.sample(configMapManifest('default'), { numRuns: 1, seed: 1 })
 * expect(cm?.kind).toBe('ConfigMap')
 * ```
 */
export const configMapManifest = (namespace: string): fc.Arbitrary<KubeObject> =>
  fc
    .record({ name: dnsLabel(), labels: labelMap(), data: fc.dictionary(fc.constantFrom('a', 'b.txt', 'KEY_1'), fc.string({ maxLength: 10 })) })
    .map(({ name, labels, data }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data }))

/**
 * A valid Deployment whose selector matches its template.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { deploymentManifest } from 'kubesim/testing'
 * const [d] = fc.sample(deploymentManifest('default'), { numRuns: 1, seed: 2 })
 * expect(d?.kind).toBe('Deployment')
 * ```
 */
export const deploymentManifest = (namespace: string): fc.Arbitrary<KubeObject> =>
  fc.record({ name: dnsLabel(), replicas: fc.integer({ min: 0, max: 5 }), app: dnsLabel() }).chain(({ name, replicas, app }) =>
    podTemplate({ app }, 'Always').map((template) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: { replicas, selector: { matchLabels: { app } }, template },
    })),
  )

/**
 * A valid ClusterIP Service selecting an app label.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { serviceManifest } from 'kubesim/testing'
 * const [svc] = fc.sample(serviceManifest('default'), { numRuns: 1, seed: 3 })
 * expect(svc?.kind).toBe('Service')
 * ```
 */
export const serviceManifest = (namespace: string): fc.Arbitrary<KubeObject> =>
  fc.record({ name: dns1035Label(), app: dnsLabel(), port: fc.integer({ min: 1, max: 65535 }) }).map(({ name, app, port }) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app }, ports: [{ port }] },
  }))

/**
 * A valid Job that runs to completion.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { jobManifest } from 'kubesim/testing'
 * const [job] = fc.sample(jobManifest('default'), { numRuns: 1, seed: 4 })
 * expect(job?.kind).toBe('Job')
 * ```
 */
export const jobManifest = (namespace: string): fc.Arbitrary<KubeObject> =>
  fc.record({ name: dnsLabel(), completions: fc.integer({ min: 1, max: 5 }), parallelism: fc.integer({ min: 1, max: 3 }) }).chain(({ name, completions, parallelism }) =>
    podTemplate({}, 'Never').map((template) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace },
      spec: { completions, parallelism, template },
    })),
  )

/**
 * A valid manifest set in one namespace: ConfigMaps, Deployments, Services and Jobs with
 * distinct names per kind.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { manifestSet } from 'kubesim/testing'
 * const [set] = fc.sample(manifestSet('default'), { numRuns: 1, seed: 5 })
 * expect(Array.isArray(set)).toBe(true)
 * ```
 */
export const manifestSet = (namespace: string): fc.Arbitrary<ReadonlyArray<KubeObject>> =>
  fc
    .array(fc.oneof(configMapManifest(namespace), deploymentManifest(namespace), serviceManifest(namespace), jobManifest(namespace)), {
      maxLength: 8,
    })
    .map((objects) => {
      const seen = new Set<string>()
      return objects.filter((o) => {
        const key = `${o.kind}/${o.metadata.name}`
        if (seen.has(key)) return false
        seen.add(key)
        return true
      })
    })

/**
 * A manifest with one random change: a field removed, retyped or replaced by arbitrary data.
 * For fuzzing entry points with almost-valid input.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { mutatedManifest, deploymentManifest } from 'kubesim/testing'
 * const [m] = fc.sample(mutatedManifest(deploymentManifest('default')), { numRuns: 1, seed: 6 })
 * expect(m).toBeDefined()
 * ```
 */
export const mutatedManifest = (base: fc.Arbitrary<KubeObject>): fc.Arbitrary<unknown> =>
  fc.tuple(base, fc.nat(), fc.oneof(fc.anything(), fc.constant(undefined), fc.constant('__proto__'))).map(([object, pick, replacement]) => {
    const paths: string[][] = []
    const walk = (value: unknown, path: string[]): void => {
      paths.push(path)
      if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
    }
    walk(object, [])
    const path = paths[pick % paths.length] ?? []
    const clone = JSON.parse(JSON.stringify(object)) as Record<string, unknown>
    if (path.length === 0) return replacement
    let target: Record<string, unknown> = clone
    for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>
    const last = path[path.length - 1] as string
    if (replacement === undefined) delete target[last]
    else Object.defineProperty(target, last, { value: replacement, enumerable: true, writable: true, configurable: true })
    return clone
  })
