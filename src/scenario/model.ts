/**
 * Scenario files: a cluster set-up and a list of steps (apply, advance, scale, faults, ...)
 * with `expect` assertions, written in YAML. `parseScenario` reads one and reports every
 * problem with its line, column and path, so an editor or CI log points at the right place.
 * The format is described in docs/scenarios.md and by the JSON Schema shipped as
 * `kubesim/scenario.schema.json`.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { isMap, isScalar, isSeq, LineCounter, type Node as YamlNode, parseDocument } from 'yaml'
import { closestWord } from '../internal/suggest.js'
import type { ObjectRef } from '../objects/object.js'
import { parseDuration } from '../objects/duration.js'
import { resolveKindAlias } from '../objects/kinds.js'
import { parseSelector } from '../objects/selector.js'
import { BEHAVIOUR_ANNOTATIONS, parseBehaviourAnnotations, type PodBehaviour } from '../sim/behaviour.js'
import type { NodeOptions } from '../sim/nodes.js'
import { parseFieldPath, type PathSegment } from './path.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Overrides of the pod behaviour for the pods a rule selects (first matching rule wins). */
export interface BehaviourRule {
  /** A label selector in kubectl's syntax (`app=web,tier!=db`); absent selects every pod. */
  readonly selector?: string
  readonly namespace?: string
  readonly overrides: Partial<PodBehaviour>
}

/** The cluster a scenario starts from. */
export interface ScenarioCluster {
  readonly seed?: number
  readonly now?: string
  readonly nodes?: number | ReadonlyArray<NodeOptions>
  readonly behaviour?: ReadonlyArray<BehaviourRule>
}

/** Where an apply step's manifests come from. */
export type ManifestSourceRef =
  | { readonly file: string }
  | { readonly text: string }
  | { readonly objects: ReadonlyArray<unknown> }

/** A value check: every given check must hold. */
export interface Check {
  readonly equals?: unknown
  readonly matches?: string
  readonly atLeast?: number
  readonly atMost?: number
  readonly exists?: boolean
}

/** One assertion of an `expect` step. */
export type Expectation =
  | { readonly type: 'get'; readonly line: number; readonly ref: ObjectRef; readonly path?: ReadonlyArray<PathSegment>; readonly pathText?: string; readonly check: Check }
  | {
      readonly type: 'count'
      readonly line: number
      readonly kind: string
      /** undefined: every namespace. */
      readonly namespace?: string
      readonly selector?: string
      readonly where: ReadonlyArray<{ readonly path: ReadonlyArray<PathSegment>; readonly pathText: string; readonly equals: unknown }>
      readonly check: Check
    }
  | {
      readonly type: 'event'
      readonly line: number
      readonly reason?: string
      readonly eventType?: string
      readonly involved?: ObjectRef
      readonly namespace?: string
      readonly message?: string
      readonly check: Check
    }
  | {
      /** A DNS query: the value is the answers' data, sorted (absent for NXDOMAIN). */
      readonly type: 'resolve'
      readonly line: number
      readonly name: string
      readonly recordType: 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'PTR' | 'TXT'
      readonly from?: string
      readonly namespace?: string
      readonly check: Check
    }
  | {
      /** A connection: the value is the backend pods' names, sorted, or the reason nothing is reachable. */
      readonly type: 'route'
      readonly line: number
      readonly host: string
      readonly port: number
      readonly from?: string
      readonly protocol?: string
      readonly path?: string
      readonly check: Check
    }
  | {
      /** `kubectl rollout status`: the value is its message. */
      readonly type: 'rolloutStatus'
      readonly line: number
      readonly ref: ObjectRef
      readonly check: Check
    }

/** Node operations that take a node name. */
export const NODE_OPERATIONS = ['failNode', 'recoverNode', 'cordon', 'uncordon', 'drain', 'deleteNode'] as const
export type NodeOperation = (typeof NODE_OPERATIONS)[number]

/** One step of a scenario. `line` is where it starts in the file (1-based). */
export type ScenarioStep = { readonly line: number } & (
  | { readonly type: 'apply'; readonly source: ManifestSourceRef }
  | { readonly type: 'advance'; readonly durationMs: number; readonly text: string }
  | { readonly type: 'settle' }
  | { readonly type: 'scale'; readonly ref: ObjectRef; readonly replicas: number }
  | { readonly type: 'setImage'; readonly ref: ObjectRef; readonly container: string; readonly image: string }
  | { readonly type: 'delete'; readonly ref: ObjectRef }
  | { readonly type: NodeOperation; readonly node: string }
  | { readonly type: 'addNode'; readonly node: NodeOptions }
  | { readonly type: 'killPod'; readonly ref: ObjectRef; readonly exitCode: number }
  | { readonly type: 'rolloutUndo'; readonly ref: ObjectRef; readonly toRevision?: number }
  | { readonly type: 'rolloutRestart' | 'rolloutPause' | 'rolloutResume'; readonly ref: ObjectRef }
  | { readonly type: 'expect'; readonly expectations: ReadonlyArray<Expectation> }
)

/** A parsed scenario. */
export interface Scenario {
  readonly name?: string
  readonly cluster: ScenarioCluster
  readonly steps: ReadonlyArray<ScenarioStep>
}

/** A problem in a scenario file, with its place. */
export interface ScenarioError {
  readonly line: number
  readonly column: number
  /** The field path, e.g. `steps[2].advance`. */
  readonly path: string
  readonly message: string
}

// ---------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------

type Key = string | number
type Json = Record<string, unknown>

const formatPath = (path: ReadonlyArray<Key>): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`), '')

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Collects errors while walking the plain value; positions come from the YAML nodes. */
class Decoder {
  readonly errors: ScenarioError[] = []
  constructor(private readonly locate: (path: ReadonlyArray<Key>) => { line: number; column: number }) {}

  fail(path: ReadonlyArray<Key>, message: string): undefined {
    this.errors.push({ ...this.locate(path), path: formatPath(path), message })
    return undefined
  }

  line(path: ReadonlyArray<Key>): number {
    return this.locate(path).line
  }

  /** Reports keys outside `allowed`, as kubectl's strict decoding does. */
  knownKeys(value: Json, path: ReadonlyArray<Key>, allowed: ReadonlyArray<string>): void {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue
      const guess = closestWord(key, allowed)
      this.fail([...path, key], `unknown field "${key}"${guess === undefined ? `; expected one of: ${allowed.join(', ')}` : `; did you mean "${guess}"?`}`)
    }
  }

  string(value: unknown, path: ReadonlyArray<Key>): string | undefined {
    return typeof value === 'string' && value !== '' ? value : this.fail(path, `must be a non-empty string, got ${describe(value)}`)
  }

  integer(value: unknown, path: ReadonlyArray<Key>, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? value
      : this.fail(path, `must be an integer between ${min} and ${max}, got ${describe(value)}`)
  }

  duration(value: unknown, path: ReadonlyArray<Key>): number | undefined {
    if (typeof value !== 'string' && typeof value !== 'number') return this.fail(path, `must be a duration such as "30s" or "5m", got ${describe(value)}`)
    const parsed = parseDuration(value)
    return E.isLeft(parsed) ? this.fail(path, parsed.left) : parsed.right
  }

  stringMap(value: unknown, path: ReadonlyArray<Key>): Record<string, string> | undefined {
    if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string'))
      return this.fail(path, `must map strings to strings, got ${describe(value)}`)
    return value as Record<string, string>
  }

  /** `Kind/name`, with an optional separate namespace. */
  objectRef(value: unknown, path: ReadonlyArray<Key>, namespace: unknown, namespacePath: ReadonlyArray<Key>): ObjectRef | undefined {
    const text = this.string(value, path)
    if (text === undefined) return undefined
    const slash = text.indexOf('/')
    if (slash <= 0 || slash === text.length - 1) return this.fail(path, `must be "<kind>/<name>", e.g. "Deployment/web", got ${JSON.stringify(text)}`)
    const kind = resolveKindAlias(text.slice(0, slash))
    const ns = namespace === undefined ? undefined : this.string(namespace, namespacePath)
    return { kind: kind?.kind ?? text.slice(0, slash), name: text.slice(slash + 1), ...(ns === undefined ? {} : { namespace: ns }) }
  }
}

const describe = (value: unknown): string =>
  value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : JSON.stringify(value)

const BEHAVIOUR_KEYS = Object.keys(BEHAVIOUR_ANNOTATIONS) as ReadonlyArray<keyof typeof BEHAVIOUR_ANNOTATIONS>

const decodeBehaviour = (d: Decoder, value: unknown, path: ReadonlyArray<Key>): ReadonlyArray<BehaviourRule> => {
  if (!Array.isArray(value)) return d.fail(path, `must be a list of rules, got ${describe(value)}`) ?? []
  return value.flatMap((rule, i): BehaviourRule[] => {
    const at = [...path, i]
    if (!isObject(rule)) return d.fail(at, `must be a mapping, got ${describe(rule)}`) ?? []
    d.knownKeys(rule, at, ['selector', 'namespace', ...BEHAVIOUR_KEYS])
    const selector = rule['selector'] === undefined ? undefined : d.string(rule['selector'], [...at, 'selector'])
    if (selector !== undefined) {
      const parsed = parseSelector(selector)
      if (E.isLeft(parsed)) d.fail([...at, 'selector'], parsed.left)
    }
    const namespace = rule['namespace'] === undefined ? undefined : d.string(rule['namespace'], [...at, 'namespace'])
    const annotations: Record<string, string> = {}
    for (const key of BEHAVIOUR_KEYS) {
      const v = rule[key]
      if (v === undefined) continue
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        d.fail([...at, key], `must be a scalar, got ${describe(v)}`)
        continue
      }
      annotations[BEHAVIOUR_ANNOTATIONS[key]] = String(v)
      const parsed = parseBehaviourAnnotations({ [BEHAVIOUR_ANNOTATIONS[key]]: String(v) })
      for (const problem of parsed.problems) d.fail([...at, key], problem.replace(/^kubesim\.dev\/[a-z-]+: /, ''))
    }
    return [{ ...(selector === undefined ? {} : { selector }), ...(namespace === undefined ? {} : { namespace }), overrides: parseBehaviourAnnotations(annotations).overrides }]
  })
}

const NODE_KEYS = ['name', 'labels', 'capacity', 'allocatable', 'taints', 'unschedulable']

const decodeNode = (d: Decoder, value: unknown, path: ReadonlyArray<Key>): NodeOptions | undefined => {
  if (!isObject(value)) return d.fail(path, `must be a node spec with a name, got ${describe(value)}`)
  d.knownKeys(value, path, NODE_KEYS)
  const name = d.string(value['name'], [...path, 'name'])
  const maps: Partial<Record<'labels' | 'capacity' | 'allocatable', Record<string, string>>> = {}
  for (const key of ['labels', 'capacity', 'allocatable'] as const)
    if (value[key] !== undefined) {
      const m = d.stringMap(value[key], [...path, key])
      if (m !== undefined) maps[key] = m
    }
  const taints = value['taints']
  if (taints !== undefined && !Array.isArray(taints)) d.fail([...path, 'taints'], `must be a list of taints, got ${describe(taints)}`)
  if (value['unschedulable'] !== undefined && typeof value['unschedulable'] !== 'boolean')
    d.fail([...path, 'unschedulable'], `must be true or false, got ${describe(value['unschedulable'])}`)
  if (name === undefined) return undefined
  return {
    name,
    ...maps,
    ...(Array.isArray(taints) ? { taints: taints as NodeOptions['taints'] & object } : {}),
    ...(value['unschedulable'] === true ? { unschedulable: true } : {}),
  }
}

const decodeCluster = (d: Decoder, value: unknown): ScenarioCluster => {
  if (value === undefined) return {}
  const path = ['cluster']
  if (!isObject(value)) return d.fail(path, `must be a mapping, got ${describe(value)}`) ?? {}
  d.knownKeys(value, path, ['seed', 'now', 'nodes', 'behaviour'])
  const seed = value['seed'] === undefined ? undefined : d.integer(value['seed'], [...path, 'seed'], 0)
  const now = value['now'] === undefined ? undefined : value['now'] instanceof Date ? value['now'].toISOString() : d.string(value['now'], [...path, 'now'])
  let nodes: ScenarioCluster['nodes']
  const rawNodes = value['nodes']
  if (typeof rawNodes === 'number') nodes = d.integer(rawNodes, [...path, 'nodes'], 0, 5000)
  else if (Array.isArray(rawNodes)) nodes = rawNodes.flatMap((n, i) => decodeNode(d, n, [...path, 'nodes', i]) ?? [])
  else if (rawNodes !== undefined) d.fail([...path, 'nodes'], `must be a number of nodes or a list of node specs, got ${describe(rawNodes)}`)
  const behaviour = value['behaviour'] === undefined ? undefined : decodeBehaviour(d, value['behaviour'], [...path, 'behaviour'])
  return {
    ...(seed === undefined ? {} : { seed }),
    ...(now === undefined ? {} : { now }),
    ...(nodes === undefined ? {} : { nodes }),
    ...(behaviour === undefined ? {} : { behaviour }),
  }
}

const CHECK_KEYS = ['equals', 'matches', 'atLeast', 'atMost', 'exists'] as const

const decodeCheck = (d: Decoder, value: Json, path: ReadonlyArray<Key>, fallback: Check): Check => {
  const check: { -readonly [K in keyof Check]: Check[K] } = {}
  if ('equals' in value) check.equals = value['equals']
  if (value['matches'] !== undefined) {
    const pattern = d.string(value['matches'], [...path, 'matches'])
    if (pattern !== undefined) {
      try {
        new RegExp(pattern)
        check.matches = pattern
      } catch (e) {
        d.fail([...path, 'matches'], `invalid regular expression: ${(e as Error).message}`)
      }
    }
  }
  for (const key of ['atLeast', 'atMost'] as const)
    if (value[key] !== undefined) {
      const n = value[key]
      if (typeof n === 'number' && Number.isFinite(n)) check[key] = n
      else d.fail([...path, key], `must be a number, got ${describe(n)}`)
    }
  if (value['exists'] !== undefined) {
    if (typeof value['exists'] === 'boolean') check.exists = value['exists']
    else d.fail([...path, 'exists'], `must be true or false, got ${describe(value['exists'])}`)
  }
  return Object.keys(check).length === 0 ? fallback : check
}

const EXPECTATION_SUBJECTS = ['get', 'count', 'event', 'resolve', 'route', 'rolloutStatus'] as const
const RECORD_TYPES = ['A', 'AAAA', 'SRV', 'CNAME', 'PTR', 'TXT'] as const

const decodeExpectation = (d: Decoder, value: unknown, path: ReadonlyArray<Key>): Expectation | undefined => {
  if (!isObject(value)) return d.fail(path, `must be a mapping, got ${describe(value)}`)
  const subjects = EXPECTATION_SUBJECTS.filter((s) => s in value)
  if (subjects.length !== 1)
    return d.fail(path, `must have exactly one of ${EXPECTATION_SUBJECTS.join(', ')}${subjects.length > 1 ? `, got ${subjects.join(' and ')}` : ''}`)
  const line = d.line(path)
  switch (subjects[0]) {
    case 'get': {
      d.knownKeys(value, path, ['get', 'namespace', 'path', ...CHECK_KEYS])
      const ref = d.objectRef(value['get'], [...path, 'get'], value['namespace'], [...path, 'namespace'])
      let fieldPath: ReadonlyArray<PathSegment> | undefined
      const pathText = value['path'] === undefined ? undefined : d.string(value['path'], [...path, 'path'])
      if (pathText !== undefined) {
        const parsed = parseFieldPath(pathText)
        if (E.isLeft(parsed)) d.fail([...path, 'path'], parsed.left)
        else fieldPath = parsed.right
      }
      const check = decodeCheck(d, value, path, { exists: true })
      if (ref === undefined) return undefined
      return { type: 'get', line, ref, ...(fieldPath === undefined || pathText === undefined ? {} : { path: fieldPath, pathText }), check }
    }
    case 'count': {
      d.knownKeys(value, path, ['count', 'namespace', 'allNamespaces', 'selector', 'where', ...CHECK_KEYS])
      const kindText = d.string(value['count'], [...path, 'count'])
      const all = value['allNamespaces'] === true
      const namespace = all ? undefined : value['namespace'] === undefined ? 'default' : d.string(value['namespace'], [...path, 'namespace'])
      const selector = value['selector'] === undefined ? undefined : d.string(value['selector'], [...path, 'selector'])
      if (selector !== undefined && E.isLeft(parseSelector(selector))) d.fail([...path, 'selector'], (parseSelector(selector) as E.Left<string>).left)
      const where: Array<{ path: ReadonlyArray<PathSegment>; pathText: string; equals: unknown }> = []
      if (value['where'] !== undefined) {
        if (!isObject(value['where'])) d.fail([...path, 'where'], `must map field paths to values, got ${describe(value['where'])}`)
        else
          for (const [pathText, equals] of Object.entries(value['where'])) {
            const parsed = parseFieldPath(pathText)
            if (E.isLeft(parsed)) d.fail([...path, 'where', pathText], parsed.left)
            else where.push({ path: parsed.right, pathText, equals })
          }
      }
      const check = decodeCheck(d, value, path, { atLeast: 1 })
      if (kindText === undefined) return undefined
      const kind = resolveKindAlias(kindText)?.kind ?? kindText
      return { type: 'count', line, kind, ...(namespace === undefined ? {} : { namespace }), ...(selector === undefined ? {} : { selector }), where, check }
    }
    case 'resolve': {
      d.knownKeys(value, path, ['resolve', 'type', 'from', 'namespace', ...CHECK_KEYS])
      const name = d.string(value['resolve'], [...path, 'resolve'])
      const recordType = value['type'] ?? 'A'
      if (!RECORD_TYPES.includes(recordType as (typeof RECORD_TYPES)[number])) d.fail([...path, 'type'], `must be one of ${RECORD_TYPES.join(', ')}, got ${describe(recordType)}`)
      const from = value['from'] === undefined ? undefined : d.string(value['from'], [...path, 'from'])
      const namespace = value['namespace'] === undefined ? undefined : d.string(value['namespace'], [...path, 'namespace'])
      const check = decodeCheck(d, value, path, { exists: true })
      if (name === undefined) return undefined
      return {
        type: 'resolve',
        line,
        name,
        recordType: recordType as (typeof RECORD_TYPES)[number],
        ...(from === undefined ? {} : { from }),
        ...(namespace === undefined ? {} : { namespace }),
        check,
      }
    }
    case 'route': {
      d.knownKeys(value, path, ['route', 'from', 'protocol', 'path', ...CHECK_KEYS])
      const target = d.string(value['route'], [...path, 'route'])
      const m = target === undefined ? null : /^(.+):([0-9]+)$/.exec(target)
      if (target !== undefined && (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535))
        d.fail([...path, 'route'], `must be "<host>:<port>", e.g. "web.default.svc.cluster.local:80", got ${JSON.stringify(target)}`)
      const from = value['from'] === undefined ? undefined : d.string(value['from'], [...path, 'from'])
      const protocol = value['protocol'] === undefined ? undefined : d.string(value['protocol'], [...path, 'protocol'])
      const httpPath = value['path'] === undefined ? undefined : d.string(value['path'], [...path, 'path'])
      const check = decodeCheck(d, value, path, { atLeast: 1 })
      if (m === null) return undefined
      return {
        type: 'route',
        line,
        host: m[1] ?? '',
        port: Number(m[2]),
        ...(from === undefined ? {} : { from }),
        ...(protocol === undefined ? {} : { protocol }),
        ...(httpPath === undefined ? {} : { path: httpPath }),
        check,
      }
    }
    case 'rolloutStatus': {
      d.knownKeys(value, path, ['rolloutStatus', 'namespace', ...CHECK_KEYS])
      const ref = d.objectRef(value['rolloutStatus'], [...path, 'rolloutStatus'], value['namespace'], [...path, 'namespace'])
      const check = decodeCheck(d, value, path, { matches: 'successfully rolled out' })
      return ref === undefined ? undefined : { type: 'rolloutStatus', line, ref, check }
    }
    default: {
      d.knownKeys(value, path, ['event', 'namespace', ...CHECK_KEYS])
      const spec = value['event']
      const at = [...path, 'event']
      if (!isObject(spec)) return d.fail(at, `must be a mapping of reason, type, involved and message, got ${describe(spec)}`)
      d.knownKeys(spec, at, ['reason', 'type', 'involved', 'message'])
      const reason = spec['reason'] === undefined ? undefined : d.string(spec['reason'], [...at, 'reason'])
      const eventType = spec['type'] === undefined ? undefined : d.string(spec['type'], [...at, 'type'])
      if (eventType !== undefined && eventType !== 'Normal' && eventType !== 'Warning') d.fail([...at, 'type'], `must be "Normal" or "Warning", got ${JSON.stringify(eventType)}`)
      const involved = spec['involved'] === undefined ? undefined : d.objectRef(spec['involved'], [...at, 'involved'], value['namespace'], [...path, 'namespace'])
      const message = spec['message'] === undefined ? undefined : d.string(spec['message'], [...at, 'message'])
      const namespace = value['namespace'] === undefined ? undefined : d.string(value['namespace'], [...path, 'namespace'])
      const check = decodeCheck(d, value, path, { atLeast: 1 })
      return {
        type: 'event',
        line,
        ...(reason === undefined ? {} : { reason }),
        ...(eventType === undefined ? {} : { eventType }),
        ...(involved === undefined ? {} : { involved }),
        ...(namespace === undefined ? {} : { namespace }),
        ...(message === undefined ? {} : { message }),
        check,
      }
    }
  }
}

/** The step kinds, each with the keys its mapping may carry. */
export const STEP_TYPES = [
  'apply',
  'advance',
  'settle',
  'scale',
  'setImage',
  'delete',
  ...NODE_OPERATIONS,
  'addNode',
  'killPod',
  'rolloutUndo',
  'rolloutRestart',
  'rolloutPause',
  'rolloutResume',
  'expect',
] as const

const decodeStep = (d: Decoder, value: unknown, path: ReadonlyArray<Key>): ScenarioStep | undefined => {
  if (!isObject(value)) return d.fail(path, `must be a mapping with one step, e.g. "advance: 30s", got ${describe(value)}`)
  const present = STEP_TYPES.filter((t) => t in value)
  if (present.length !== 1) {
    const unknown = Object.keys(value).filter((k) => k !== 'note')
    return d.fail(
      path,
      present.length > 1
        ? `must have exactly one step, got ${present.join(' and ')}`
        : `unknown step ${unknown.map((k) => JSON.stringify(k)).join(', ') || '(empty)'}; ${
            unknown.length === 1 && closestWord(unknown[0] ?? '', STEP_TYPES) !== undefined
              ? `did you mean "${closestWord(unknown[0] ?? '', STEP_TYPES) ?? ''}"?`
              : `expected one of: ${STEP_TYPES.join(', ')}`
          }`,
    )
  }
  const type = present[0] as (typeof STEP_TYPES)[number]
  d.knownKeys(value, path, [type, 'note'])
  const body = value[type]
  const at = [...path, type]
  const line = d.line(path)
  const refWithNamespace = (spec: Json, keys: ReadonlyArray<string>): ObjectRef | undefined => {
    d.knownKeys(spec, at, ['object', 'namespace', ...keys])
    return d.objectRef(spec['object'], [...at, 'object'], spec['namespace'], [...at, 'namespace'])
  }
  switch (type) {
    case 'apply': {
      if (typeof body === 'string') return { line, type, source: { file: body } }
      if (!isObject(body)) return d.fail(at, `must be a file path or a mapping with "file" or "manifests", got ${describe(body)}`)
      d.knownKeys(body, at, ['file', 'manifests'])
      if (typeof body['file'] === 'string' && body['manifests'] === undefined) return { line, type, source: { file: body['file'] } }
      const manifests = body['manifests']
      if (body['file'] === undefined && typeof manifests === 'string') return { line, type, source: { text: manifests } }
      if (body['file'] === undefined && Array.isArray(manifests)) return { line, type, source: { objects: manifests } }
      if (body['file'] === undefined && isObject(manifests)) return { line, type, source: { objects: [manifests] } }
      return d.fail(at, 'must have either "file" (a path) or "manifests" (YAML text, an object or a list of objects)')
    }
    case 'advance': {
      const ms = d.duration(body, at)
      return ms === undefined ? undefined : { line, type, durationMs: ms, text: String(body) }
    }
    case 'settle':
      if (body !== true && body !== null && !(isObject(body) && Object.keys(body).length === 0)) return d.fail(at, `must be true, got ${describe(body)}`)
      return { line, type }
    case 'scale': {
      if (!isObject(body)) return d.fail(at, `must be a mapping with object and replicas, got ${describe(body)}`)
      const ref = refWithNamespace(body, ['replicas'])
      const replicas = d.integer(body['replicas'], [...at, 'replicas'], 0, 2147483647)
      return ref === undefined || replicas === undefined ? undefined : { line, type, ref, replicas }
    }
    case 'setImage': {
      if (!isObject(body)) return d.fail(at, `must be a mapping with object, container and image, got ${describe(body)}`)
      const ref = refWithNamespace(body, ['container', 'image'])
      const container = d.string(body['container'], [...at, 'container'])
      const image = d.string(body['image'], [...at, 'image'])
      return ref === undefined || container === undefined || image === undefined ? undefined : { line, type, ref, container, image }
    }
    case 'delete': {
      if (!isObject(body)) return d.fail(at, `must be a mapping with object, got ${describe(body)}`)
      const ref = refWithNamespace(body, [])
      return ref === undefined ? undefined : { line, type, ref }
    }
    case 'addNode': {
      const node = decodeNode(d, body, at)
      return node === undefined ? undefined : { line, type, node }
    }
    case 'killPod': {
      if (!isObject(body)) return d.fail(at, `must be a mapping with object (Pod/<name>) and exitCode, got ${describe(body)}`)
      const ref = refWithNamespace(body, ['exitCode'])
      const exitCode = body['exitCode'] === undefined ? 137 : d.integer(body['exitCode'], [...at, 'exitCode'], 0, 255)
      if (ref !== undefined && ref.kind !== 'Pod') return d.fail([...at, 'object'], `must name a Pod, got ${ref.kind}`)
      return ref === undefined || exitCode === undefined ? undefined : { line, type, ref, exitCode }
    }
    case 'rolloutUndo': {
      if (!isObject(body)) return d.fail(at, `must be a mapping with object (Deployment/<name>) and optionally toRevision, got ${describe(body)}`)
      const ref = refWithNamespace(body, ['toRevision'])
      const toRevision = body['toRevision'] === undefined ? undefined : d.integer(body['toRevision'], [...at, 'toRevision'], 0)
      if (ref === undefined || (body['toRevision'] !== undefined && toRevision === undefined)) return undefined
      return { line, type, ref, ...(toRevision === undefined ? {} : { toRevision }) }
    }
    case 'rolloutRestart':
    case 'rolloutPause':
    case 'rolloutResume': {
      if (!isObject(body)) return d.fail(at, `must be a mapping with object (Deployment/<name>), got ${describe(body)}`)
      const ref = refWithNamespace(body, [])
      return ref === undefined ? undefined : { line, type, ref }
    }
    case 'expect': {
      const list = Array.isArray(body) ? body : [body]
      const expectations = list.flatMap((e, i) => decodeExpectation(d, e, Array.isArray(body) ? [...at, i] : at) ?? [])
      return expectations.length === list.length ? { line, type, expectations } : undefined
    }
    default: {
      const node = d.string(body, at)
      return node === undefined ? undefined : { line, type, node }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

const nodeAt = (root: YamlNode | null, path: ReadonlyArray<Key>): YamlNode | undefined => {
  let current: YamlNode | null | undefined = root
  let best: YamlNode | undefined = root ?? undefined
  for (const key of path) {
    if (isMap(current)) {
      const items: ReadonlyArray<{ readonly key: unknown; readonly value: unknown }> = current.items
      const pair = items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key)
      if (pair === undefined) return best
      // A missing value points at its key.
      current = (pair.value as YamlNode | null) ?? (pair.key as YamlNode)
    } else if (isSeq(current) && typeof key === 'number') current = current.items[key] as YamlNode | undefined
    else return best
    if (current !== undefined && current !== null) best = current
  }
  return best
}

/**
 * Parses a scenario file. Every problem is reported with its line and column (1-based), its
 * field path and a message; nothing throws.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseScenario } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const ok = parseScenario('cluster:\n  nodes: 2\nsteps:\n  - apply: app.yaml\n  - advance: 30s\n')
 * expect(E.isRight(ok) && ok.right.steps.map((s) => s.type)).toEqual(['apply', 'advance'])
 * const bad = parseScenario('steps:\n  - advance: soon\n')
 * expect(E.isLeft(bad) && bad.left[0]).toMatchObject({ line: 2, column: 14, path: 'steps[0].advance' })
 * ```
 */
export const parseScenario = (text: string): E.Either<ReadonlyArray<ScenarioError>, Scenario> => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'silent', uniqueKeys: true })
  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset)
    return { line: pos.line, column: pos.col }
  }
  if (doc.errors.length > 0)
    return E.left(doc.errors.map((e) => ({ ...position(e.pos[0]), path: '', message: e.message.split('\n')[0] ?? e.message })))
  const root = doc.contents as YamlNode | null
  const d = new Decoder((path) => {
    const node = nodeAt(root, path)
    return position(node?.range?.[0] ?? 0)
  })
  const value: unknown = doc.toJS({ maxAliasCount: 100 })
  if (!isObject(value)) return E.left([{ line: 1, column: 1, path: '', message: `a scenario must be a mapping with "steps", got ${describe(value)}` }])
  d.knownKeys(value, [], ['name', 'description', 'cluster', 'steps'])
  const name = value['name'] === undefined ? undefined : d.string(value['name'], ['name'])
  const cluster = decodeCluster(d, value['cluster'])
  const rawSteps = value['steps']
  const steps: ScenarioStep[] = []
  if (!Array.isArray(rawSteps)) d.fail(['steps'], `must be a list of steps, got ${describe(rawSteps)}`)
  else rawSteps.forEach((step, i) => {
    const decoded = decodeStep(d, step, ['steps', i])
    if (decoded !== undefined) steps.push(decoded)
  })
  if (d.errors.length > 0) return E.left([...d.errors].sort((a, b) => a.line - b.line || a.column - b.column))
  return E.right({ ...(name === undefined ? {} : { name }), cluster, steps })
}

/**
 * Formats a scenario error as compilers do: `file:line:column: path: message`.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatScenarioError } from 'kubesim'
 * expect(formatScenarioError('s.yaml', { line: 3, column: 5, path: 'steps[1].advance', message: 'invalid duration "soon"' }))
 *   .toBe('s.yaml:3:5: steps[1].advance: invalid duration "soon"')
 * ```
 */
export const formatScenarioError = (file: string, error: ScenarioError): string =>
  `${file}:${error.line}:${error.column}: ${error.path === '' ? '' : `${error.path}: `}${error.message}`
