/**
 * Reading and writing manifests: multi-document YAML (and JSON, which is YAML) in, plain
 * JSON-shaped objects out, and `kubectl get -o yaml|json` style output back. Reading is hardened
 * for hostile input (size limit, alias limit, depth limit, duplicate keys, `__proto__` keys) and
 * never throws: every failure is an `ApiError` tagged with the index of its document.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseAllDocuments,
  type Tags,
  visit,
} from 'yaml'
import type { KubeObject } from '../objects/object.js'
import { utf8Length } from '../internal/utf8.js'
import { type ApiError, badRequestError, withDocumentIndex } from '../validation/apiError.js'
import { type FieldError, invalid, required } from '../validation/fieldError.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One object read from a manifest, with the document it came from. */
export interface ManifestDocument {
  /** Position of the source document in the stream (0-based, empty documents included). */
  readonly index: number
  /** The object as plain, JSON-shaped data. */
  readonly object: Record<string, unknown>
  /** 1-based line where the object starts, when it came from YAML text. */
  readonly line?: number
}

/** Options for `parseManifests`. */
export interface ParseManifestsOptions {
  /** Inputs larger than this many UTF-8 bytes are refused. Default 3 MiB, the API server's request size limit. */
  readonly maxBytes?: number
}

/** Options for `toYaml`. */
export interface ToYamlOptions {
  /**
   * Sort mapping keys alphabetically at every level, which is what `kubectl get -o yaml`
   * prints (it converts through JSON into Go maps). Default: keep the stored key order.
   */
  readonly sortKeys?: boolean
}

/** Options for `toJson`. */
export interface ToJsonOptions {
  /** Spaces per indentation level. Default 4, as `kubectl get -o json` prints. */
  readonly indent?: number
  /** Sort object keys alphabetically, as kubectl prints them. Default false (stored order). */
  readonly sortKeys?: boolean
}

/** The default input size limit of `parseManifests`: 3 MiB (the API server's request limit). */
export const DEFAULT_MAX_MANIFEST_BYTES = 3 * 1024 * 1024

/** Aliases a document may expand (yaml's default, enough for real manifests). */
const MAX_ALIAS_COUNT = 100

/** Nesting deeper than this is refused; real manifests stay far below it. */
const MAX_DEPTH = 1000

/**
 * Aliases share one JavaScript value, so a few of them can multiply a document's size (a
 * 100,000-item anchor aliased 99 times is ten million values). A document may expand to at most
 * this many values per byte of input, plus a fixed allowance.
 */
const MAX_VALUES_PER_BYTE = 4
const VALUE_ALLOWANCE = 10_000

/** A JavaScript value given to `manifestsFromValue` may hold at most this many values. */
const MAX_VALUES = 10_000_000

/** At most this many characters of a key are quoted in a duplicate-key message. */
const MAX_QUOTED_KEY = 64

const MAPPING_EXPECTED = 'expected a mapping (an object with apiVersion, kind and metadata)'

/**
 * The YAML schema. kubectl decodes YAML with a fork of go-yaml v2, which follows YAML 1.1:
 * `yes`, `no`, `on`, `off`, `y` and `n` are booleans and `0755` is octal, so `enabled: yes`
 * reaches the API server as `true` (and a ConfigMap value `yes` must be quoted, as with kubectl).
 * go-yaml v2 keeps timestamps and sexagesimal numbers (`1:20`) as strings when decoding into
 * untyped data, so those three 1.1 tags are removed here.
 */
const yamlSchemaTags = (tags: Tags): Tags =>
  tags.filter((tag) => {
    const id = typeof tag === 'string' ? tag : tag.tag
    const format = typeof tag === 'string' ? undefined : tag.format
    return id !== 'tag:yaml.org,2002:timestamp' && format !== 'TIME'
  })

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * Reads a manifest: one or more YAML documents separated by `---`, or JSON. Empty documents are
 * skipped; `List` documents (and `*List` kinds with `items`) are flattened into their items. Every
 * document's problems are reported, each tagged with its document index: the first syntax error
 * (with line and column), a duplicate key, excessive aliasing or nesting, a non-mapping document,
 * objects without `apiVersion` or `kind` (worded as kubectl's client-side validation). Input
 * over `maxBytes` (3 MiB by default) is refused before parsing.
 *
 * @category yaml
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseManifests } from 'kubesim'
 * const input = [
 *   'apiVersion: v1',
 *   'kind: ConfigMap',
 *   'metadata: {name: settings}',
 *   'data: {enabled: "yes"}',
 *   '---',
 *   'apiVersion: v1',
 *   'kind: Namespace',
 *   'metadata: {name: shop}',
 * ].join('\n')
 * const result = parseManifests(input)
 * expect(result._tag).toBe('Right')
 * if (result._tag === 'Right') {
 *   expect(result.right.map((d) => d.object.kind)).toEqual(['ConfigMap', 'Namespace'])
 *   expect(result.right[1]?.index).toBe(1)
 *   expect(result.right[1]?.line).toBe(6)
 * }
 * ```
 */
export const parseManifests = (
  input: string,
  options: ParseManifestsOptions = {},
): E.Either<ReadonlyArray<ApiError>, ReadonlyArray<ManifestDocument>> => {
  try {
    return parseManifestsUnsafe(input, options)
  } catch (e) {
    // Defensive: the parser reports its own failures as values, but a library bug must not
    // escape as an exception into the caller.
    return E.left([badRequestError(`yaml: unexpected failure: ${describeThrown(e)}`)])
  }
}

/**
 * Reads manifests that are already JavaScript values: one object, an array of objects, or a
 * `List`. Applies the same checks as `parseManifests` and returns a plain-data copy (functions,
 * cycles, non-finite numbers and other non-JSON values are refused).
 *
 * @category yaml
 * @since 0.1.0
 * @example
 * ```ts
 * import { manifestsFromValue } from 'kubesim'
 * const ok = manifestsFromValue([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }])
 * expect(ok._tag).toBe('Right')
 * const bad = manifestsFromValue({ metadata: { name: 'x' } })
 * expect(bad._tag === 'Left' && bad.left[0]?.message).toBe('error validating data: [apiVersion not set, kind not set]')
 * ```
 */
export const manifestsFromValue = (value: unknown): E.Either<ReadonlyArray<ApiError>, ReadonlyArray<ManifestDocument>> => {
  try {
    const errors: ApiError[] = []
    const documents: ManifestDocument[] = []
    const roots = Array.isArray(value) ? value : [value]
    roots.forEach((root: unknown, index) => {
      const plain = toPlainData(root, MAX_VALUES)
      if ('error' in plain) errors.push(withDocumentIndex(badRequestError(plain.error), index))
      else collectObjects(plain.value, index, undefined, undefined, '', 0, documents, errors)
    })
    return errors.length > 0 ? E.left(errors) : E.right(documents)
  } catch (e) {
    return E.left([badRequestError(`unreadable value: ${describeThrown(e)}`)])
  }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Renders objects as `kubectl get -o yaml` does: a single object as its own document; an array
 * (even of one, as for any list query) as a `kind: List` document with
 * `metadata: {resourceVersion: ""}`. Sequences are not indented under their key and long strings
 * are never folded, as go-yaml prints them. Values are exported faithfully (Secret `data`
 * included): redaction belongs to human-oriented output. The result reads back with
 * `parseManifests` to the same data.
 *
 * @category yaml
 * @since 0.1.0
 * @example
 * ```ts
 * import { toYaml } from 'kubesim'
 * const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }
 * expect(toYaml(ns)).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n')
 * expect(toYaml([ns])).toContain('kind: List\nmetadata:\n  resourceVersion: ""\n')
 * ```
 */
export const toYaml = (objects: KubeObject | ReadonlyArray<KubeObject>, options: ToYamlOptions = {}): string => {
  try {
    // The full YAML 1.1 schema (timestamps and `1:20` included) decides what to quote, so the
    // output reads the same in stricter YAML 1.1 readers too.
    const doc = new Document(toOutputData(asListOrObject(objects)), {
      schema: 'yaml-1.1',
      // Without this the merge tag claims every `<<` key and prints it bare.
      customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:merge'),
      aliasDuplicateObjects: false,
      sortMapEntries: options.sortKeys === true,
      logLevel: 'silent',
    })
    // A plain `<<` key would read back as a YAML 1.1 merge key: quote it.
    visit(doc, {
      Pair: (_, pair) => {
        if (isScalar(pair.key) && pair.key.value === '<<') pair.key.type = 'QUOTE_DOUBLE'
      },
    })
    return doc.toString({ indentSeq: false, lineWidth: 0 })
  } catch (e) {
    return `# kubesim: cannot render this value as YAML: ${describeThrown(e).replace(/[\r\n]/g, ' ')}\n`
  }
}

/**
 * Renders objects as `kubectl get -o json` does: 4-space indentation, `<`, `>` and `&` escaped as
 * Go's encoder does, and a `kind: List` wrapper for an array.
 *
 * @category yaml
 * @since 0.1.0
 * @example
 * ```ts
 * import { toJson } from 'kubesim'
 * const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }
 * expect(JSON.parse(toJson(ns))).toEqual(ns)
 * expect(toJson(ns, { indent: 2 })).toBe('{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "metadata": {\n    "name": "shop"\n  }\n}\n')
 * expect(JSON.parse(toJson([ns])).kind).toBe('List')
 * ```
 */
export const toJson = (objects: KubeObject | ReadonlyArray<KubeObject>, options: ToJsonOptions = {}): string => {
  const indent =
    typeof options.indent === 'number' && Number.isInteger(options.indent) && options.indent >= 0 && options.indent <= 10
      ? options.indent
      : 4
  try {
    const data = toOutputData(asListOrObject(objects))
    const json = JSON.stringify(options.sortKeys === true ? sortObjectKeys(data) : data, null, indent) ?? 'null'
    return `${escapeJsonLikeGo(json)}\n`
  } catch (e) {
    return `${JSON.stringify({ error: `cannot render this value as JSON: ${describeThrown(e)}` })}\n`
  }
}

const sortObjectKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortObjectKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort())
    Object.defineProperty(out, key, { value: sortObjectKeys((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true })
  return out
}

// ---------------------------------------------------------------------------------------------
// internals: parsing
// ---------------------------------------------------------------------------------------------

const parseManifestsUnsafe = (
  input: string,
  options: ParseManifestsOptions,
): E.Either<ReadonlyArray<ApiError>, ReadonlyArray<ManifestDocument>> => {
  if (typeof input !== 'string') {
    return E.left([badRequestError(`yaml: expected the manifest as a string, got ${typeName(input)}`)])
  }
  const maxBytes =
    typeof options.maxBytes === 'number' && Number.isFinite(options.maxBytes) && options.maxBytes >= 0
      ? Math.floor(options.maxBytes)
      : DEFAULT_MAX_MANIFEST_BYTES
  const size = utf8LengthUpTo(input, maxBytes)
  if (size > maxBytes) {
    return E.left([
      badRequestError(
        `yaml: input is too large: ${input.length > maxBytes ? `more than ${maxBytes}` : size} bytes, the limit is ${maxBytes} bytes`,
      ),
    ])
  }
  const lineCounter = new LineCounter()
  // uniqueKeys is checked below in linear time: yaml's own check compares every pair of keys in
  // a mapping, which a hostile document with 100,000 keys turns into a hang.
  const documents = parseAllDocuments(input, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
    schema: 'yaml-1.1',
    customTags: yamlSchemaTags,
    logLevel: 'silent',
  })
  const errors: ApiError[] = []
  const objects: ManifestDocument[] = []
  const at = (offset: number): { line: number; col: number } => {
    const pos = lineCounter.linePos(offset)
    return { line: pos.line, col: pos.col }
  }
  documents.forEach((doc, index) => {
    const fail = (message: string): void => {
      errors.push(withDocumentIndex(badRequestError(message), index))
    }
    const first = doc.errors[0]
    if (first !== undefined) {
      const { line, col } = at(first.pos[0])
      const detail =
        first.code === 'RESOURCE_EXHAUSTION' ? `document is too deeply nested or too complex (${first.message})` : first.message
      fail(`yaml: line ${line}, column ${col}: ${lowerFirst(detail)}`)
      return
    }
    const root = doc.contents
    if (root === null || (isScalar(root) && root.value === null && root.tag === undefined)) return // empty document
    const structural = checkStructure(root)
    if (structural !== undefined) {
      const { line, col } = at(structural.offset)
      fail(`yaml: line ${line}, column ${col}: ${structural.message}`)
      return
    }
    const js = toJsSafely(doc)
    if ('error' in js) {
      fail(js.error)
      return
    }
    const plain = toPlainData(js.value, MAX_VALUES_PER_BYTE * size + VALUE_ALLOWANCE)
    if ('error' in plain) {
      fail(plain.error)
      return
    }
    const lineOf = (node: YamlNode | undefined): number | undefined =>
      node?.range === undefined || node.range === null ? undefined : at(node.range[0]).line
    collectObjects(plain.value, index, root, lineOf, '', 0, objects, errors)
  })
  return errors.length > 0 ? E.left(errors) : E.right(objects)
}

/**
 * Walks a document's syntax tree without recursion, refusing duplicate keys (as go-yaml's strict
 * mode does: `key "x" already set in map`) and nesting deeper than `MAX_DEPTH`.
 */
const checkStructure = (root: YamlNode): { offset: number; message: string } | undefined => {
  const stack: Array<readonly [YamlNode, number]> = [[root, 1]]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next
    const offset = node.range?.[0] ?? 0
    if (depth > MAX_DEPTH) return { offset, message: `document is nested more than ${MAX_DEPTH} levels deep` }
    if (isMap(node)) {
      const seen = new Set<string>()
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = pair.key
        if (isScalar(key) && !(key.value === '<<' && key.type === 'PLAIN')) {
          const name = String(key.value)
          if (seen.has(name)) {
            const shown = name.length > MAX_QUOTED_KEY ? `${name.slice(0, MAX_QUOTED_KEY)}...` : name
            return { offset: key.range?.[0] ?? offset, message: `key ${JSON.stringify(shown)} already set in map` }
          }
          seen.add(name)
        } else if (isMap(key) || isSeq(key)) {
          stack.push([key, depth + 1])
        }
        if (pair.value !== null && isNodeValue(pair.value) && !isAlias(pair.value)) stack.push([pair.value, depth + 1])
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isNodeValue(item) && !isAlias(item)) stack.push([item, depth + 1])
      }
    }
  }
  return undefined
}

const isNodeValue = (value: unknown): value is YamlNode => isMap(value) || isSeq(value) || isScalar(value) || isAlias(value)

/** Converts a document to JavaScript with the alias limit on; aliases beyond it are an error. */
const toJsSafely = (doc: Document.Parsed): { value: unknown } | { error: string } => {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) }
  } catch (e) {
    if (e instanceof ReferenceError && /alias count/i.test(e.message)) {
      return {
        error: `yaml: document expands too many aliases (more than ${MAX_ALIAS_COUNT}); refusing it as a possible resource exhaustion attack`,
      }
    }
    if (e instanceof RangeError) return { error: `yaml: document is too deeply nested: ${e.message}` }
    return { error: `yaml: ${lowerFirst(describeThrown(e))}` }
  }
}

/** The yaml AST child of a map (by key) or a sequence (by index), for line numbers of List items. */
const childNode = (node: YamlNode | undefined, key: string | number): YamlNode | undefined => {
  if (node === undefined) return undefined
  if (typeof key === 'string' && isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) {
        return isNodeValue(pair.value) ? pair.value : undefined
      }
    }
    return undefined
  }
  if (typeof key === 'number' && isSeq(node)) {
    const item: unknown = node.items[key]
    return isNodeValue(item) ? item : undefined
  }
  return undefined
}

/**
 * Checks one decoded document (or List item) and appends it, or its items when it is a List, to
 * `out`. `path` is the position inside the document (`items[3].`), '' at the top.
 */
const collectObjects = (
  value: unknown,
  index: number,
  node: YamlNode | undefined,
  lineOf: ((node: YamlNode | undefined) => number | undefined) | undefined,
  path: string,
  depth: number,
  out: ManifestDocument[],
  errors: ApiError[],
): void => {
  const fail = (message: string, causes: ReadonlyArray<FieldError> = [], target: ErrorTarget = {}): void => {
    errors.push(withDocumentIndex(badRequestError(path === '' ? message : `${path.slice(0, -1)}: ${message}`, causes, target), index))
  }
  if (!isRecord(value)) {
    fail(`${MAPPING_EXPECTED}, got ${typeName(value)}`)
    return
  }
  const problems = typeProblems(value, path)
  if (problems.messages.length > 0) {
    const listed = problems.messages.length === 1 ? (problems.messages[0] ?? '') : `[${problems.messages.join(', ')}]`
    fail(`error validating data: ${listed}`, problems.causes, errorTarget(value))
    return
  }
  const kind = value['kind'] as string
  const items = value['items']
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(items))) {
    if (items === undefined || items === null) return // an empty List
    if (!Array.isArray(items)) {
      fail(`items: expected a sequence, got ${typeName(items)}`, [
        invalid(`${path}items`, items, 'must be a list'),
      ])
      return
    }
    if (depth >= MAX_DEPTH) {
      fail(`Lists are nested more than ${MAX_DEPTH} levels deep`)
      return
    }
    const itemsNode = childNode(node, 'items')
    items.forEach((item: unknown, i) => {
      collectObjects(item, index, childNode(itemsNode, i), lineOf, `${path}items[${i}].`, depth + 1, out, errors)
    })
    return
  }
  const line = lineOf?.(node)
  out.push(line === undefined ? { index, object: value } : { index, object: value, line })
}

type ErrorTarget = { kind?: string; name?: string; namespace?: string }

/** kind, name and namespace of a half-valid object, so an error can still name it. */
const errorTarget = (value: Record<string, unknown>): ErrorTarget => {
  const target: ErrorTarget = {}
  const kind = value['kind']
  if (typeof kind === 'string') target.kind = kind
  const metadata = value['metadata']
  if (isRecord(metadata)) {
    if (typeof metadata['name'] === 'string') target.name = metadata['name']
    if (typeof metadata['namespace'] === 'string') target.namespace = metadata['namespace']
  }
  return target
}

/**
 * kubectl's client-side checks before anything reaches the server (`getObjectKind` in
 * k8s.io/kubectl/pkg/validation): apiVersion and kind must be set, be strings, and apiVersion
 * must be `version` or `group/version`. An empty string counts as not set.
 */
const typeProblems = (
  value: Record<string, unknown>,
  path: string,
): { messages: ReadonlyArray<string>; causes: ReadonlyArray<FieldError> } => {
  const messages: string[] = []
  const causes: FieldError[] = []
  const apiVersion = value['apiVersion']
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') {
    messages.push('apiVersion not set')
    causes.push(required(`${path}apiVersion`))
  } else if (typeof apiVersion !== 'string') {
    messages.push("apiVersion isn't string type")
    causes.push(invalid(`${path}apiVersion`, apiVersion, 'must be a string'))
  } else if (apiVersion.split('/').length > 2) {
    messages.push(`unexpected GroupVersion string: ${apiVersion}`)
    causes.push(invalid(`${path}apiVersion`, apiVersion, 'must be "version" or "group/version"'))
  }
  const kind = value['kind']
  if (kind === undefined || kind === null || kind === '') {
    messages.push('kind not set')
    causes.push(required(`${path}kind`))
  } else if (typeof kind !== 'string') {
    messages.push("kind isn't string type")
    causes.push(invalid(`${path}kind`, kind, 'must be a string'))
  }
  return { messages, causes }
}

// ---------------------------------------------------------------------------------------------
// internals: plain data
// ---------------------------------------------------------------------------------------------

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Sets a property as own data, even for `__proto__` (whose assignment would replace the
 * prototype instead). Keys such as `constructor` and `prototype` are ordinary own data already.
 */
const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  else target[key] = value
}

/**
 * Copies a value into fresh, JSON-shaped data: plain objects (own enumerable string keys),
 * arrays, strings, finite numbers, booleans and null. `undefined` properties are dropped (as
 * JSON does); yaml's Map/Set/binary values are converted; anything else is refused with the path
 * where it was found, and so is a value with more than `maxValues` parts.
 */
const toPlainData = (root: unknown, maxValues: number): { value: unknown } | { error: string } => {
  const ancestors = new Set<object>()
  let failure: string | undefined
  let values = 0
  const refuse = (path: string, what: string): undefined => {
    failure ??= `unsupported value at ${path === '' ? '<root>' : path}: ${what}`
    return undefined
  }
  const copy = (value: unknown, path: string, depth: number): unknown => {
    if (failure !== undefined) return undefined
    if (++values > maxValues) {
      failure = `document expands to more than ${maxValues} values (through aliases?); refusing it as a possible resource exhaustion attack`
      return undefined
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
    if (typeof value === 'number') {
      return Number.isFinite(value) ? value : refuse(path, `json: unsupported value: ${String(value)}`)
    }
    if (typeof value !== 'object') return refuse(path, typeName(value))
    if (depth > MAX_DEPTH) return refuse(path, `nested more than ${MAX_DEPTH} levels deep`)
    if (ancestors.has(value)) return refuse(path, 'a cycle (the value contains itself)')
    ancestors.add(value)
    try {
      if (Array.isArray(value)) {
        const out: unknown[] = []
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i]
          out.push(item === undefined ? null : copy(item, `${path}[${i}]`, depth + 1))
        }
        return out
      }
      if (value instanceof Date) {
        return Number.isFinite(value.getTime()) ? value.toISOString() : refuse(path, 'an invalid Date')
      }
      if (value instanceof Uint8Array) return bytesToBase64(value)
      if (value instanceof Map) {
        const out: Record<string, unknown> = {}
        for (const [k, v] of value) {
          const key = k === null ? '' : String(k)
          if (v !== undefined) setOwn(out, key, copy(v, joinPath(path, key), depth + 1))
        }
        return out
      }
      if (value instanceof Set) {
        return [...value].map((item: unknown, i) => copy(item, `${path}[${i}]`, depth + 1))
      }
      if (!isPlainObject(value)) return refuse(path, `an instance of ${constructorName(value)}`)
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(value)) {
        const v: unknown = (value as Record<string, unknown>)[key]
        if (v !== undefined) setOwn(out, key, copy(v, joinPath(path, key), depth + 1))
      }
      return out
    } finally {
      ancestors.delete(value)
    }
  }
  const value = copy(root, '', 0)
  return failure === undefined ? { value } : { error: failure }
}

/**
 * Lenient copy for output: never fails. Values JSON cannot hold are rendered as JSON.stringify
 * would (dropped in objects, null in arrays and for non-finite numbers); cycles and excessive
 * depth become null.
 */
const toOutputData = (root: unknown): unknown => {
  const ancestors = new Set<object>()
  const copy = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
    if (typeof value === 'number') return Number.isFinite(value) ? value : null
    if (typeof value === 'bigint') return value.toString()
    if (typeof value !== 'object' || depth > MAX_DEPTH || ancestors.has(value)) return undefined
    ancestors.add(value)
    try {
      if (Array.isArray(value)) return Array.from(value, (item: unknown) => copy(item, depth + 1) ?? null)
      if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : null
      if (value instanceof Uint8Array) return bytesToBase64(value)
      const out: Record<string, unknown> = {}
      const entries: Iterable<readonly [unknown, unknown]> =
        value instanceof Map ? value : Object.entries(value as Record<string, unknown>)
      for (const [k, v] of entries) {
        const item = copy(v, depth + 1)
        if (item !== undefined) setOwn(out, String(k), item)
      }
      return out
    } finally {
      ancestors.delete(value)
    }
  }
  return copy(root, 0) ?? null
}

const asListOrObject = (objects: KubeObject | ReadonlyArray<KubeObject>): unknown =>
  Array.isArray(objects)
    ? { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } }
    : objects

const joinPath = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$-]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Standard base64, as Go's JSON encoding of `[]byte` (no Buffer: this must run in browsers). */
const bytesToBase64 = (bytes: Uint8Array): string => {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0
    const b = bytes[i + 1] ?? 0
    const c = bytes[i + 2] ?? 0
    const n = (a << 16) | (b << 8) | c
    out += BASE64[(n >> 18) & 63] ?? ''
    out += BASE64[(n >> 12) & 63] ?? ''
    out += i + 1 < bytes.length ? (BASE64[(n >> 6) & 63] ?? '') : '='
    out += i + 2 < bytes.length ? (BASE64[n & 63] ?? '') : '='
  }
  return out
}

/** Go's encoding/json escapes these inside strings; they only occur inside strings in JSON text. */
const escapeJsonLikeGo = (json: string): string =>
  json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

// ---------------------------------------------------------------------------------------------
// internals: small helpers
// ---------------------------------------------------------------------------------------------

/** UTF-8 length of a string; a string longer than `limit` UTF-16 units is not measured. */
const utf8LengthUpTo = (input: string, limit: number): number => (input.length > limit ? input.length : utf8Length(input))

/** How a value is named in "expected a mapping, got ..." messages (YAML's words). */
const typeName = (value: unknown): string => {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a sequence'
  switch (typeof value) {
    case 'string':
      return 'a string'
    case 'number':
    case 'bigint':
      return 'a number'
    case 'boolean':
      return 'a boolean'
    case 'object':
      return 'a mapping'
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    default:
      return typeof value
  }
}

const constructorName = (value: object): string => {
  try {
    const ctor: unknown = (value as { constructor?: unknown }).constructor
    return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'a non-plain object'
  } catch {
    return 'a non-plain object'
  }
}

const describeThrown = (e: unknown): string => {
  try {
    return e instanceof Error ? e.message : String(e)
  } catch {
    return 'unknown error'
  }
}

const lowerFirst = (s: string): string => (s === '' ? s : s.charAt(0).toLowerCase() + s.slice(1))
