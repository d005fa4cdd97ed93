/**
 * ConfigMaps: named bags of configuration (`data` for strings, `binaryData` for base64 bytes).
 * Also home of the config key rule and the base64 helpers Secrets share, and of the
 * `immutable` flag's update rule.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { utf8Length } from '../internal/utf8.js'
import { type FieldError, forbidden, invalid, tooLong } from '../validation/fieldError.js'
import { DNS1123_SUBDOMAIN_MAX } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, StringMap } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A ConfigMap. */
export const ConfigMap = t.intersection([
  t.type({ apiVersion: t.literal('v1'), kind: t.literal('ConfigMap'), metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]) }),
  optionalFields({ data: StringMap, binaryData: StringMap, immutable: t.boolean }),
])
/** A ConfigMap. */
export type ConfigMap = t.TypeOf<typeof ConfigMap>

/** The most data a ConfigMap or Secret may hold, in bytes (1 MiB). */
export const MAX_CONFIG_SIZE = 1024 * 1024

const CONFIG_KEY = '[-._a-zA-Z0-9]+'
const configKeyRe = new RegExp(`^${CONFIG_KEY}$`)
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

/**
 * Checks a ConfigMap or Secret key (`IsConfigMapKey`): up to 253 of `[-._a-zA-Z0-9]`, not `.`
 * or `..` and not starting with `..`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isConfigKey } from 'kubesim'
 * expect(isConfigKey('app.properties')).toEqual([])
 * expect(isConfigKey('..data')).toEqual(["must not start with '..'"])
 * ```
 */
export const isConfigKey = (key: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (key.length > DNS1123_SUBDOMAIN_MAX) errors.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`)
  if (!configKeyRe.test(key))
    errors.push(
      `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '${CONFIG_KEY}')`,
    )
  if (key === '.') errors.push("must not be '.'")
  else if (key === '..') errors.push("must not be '..'")
  else if (key.startsWith('..')) errors.push("must not start with '..'")
  return errors
}

/**
 * Whether a string is standard, padded base64 (what Kubernetes accepts for `[]byte` fields).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isBase64 } from 'kubesim'
 * expect(isBase64('aGVsbG8=')).toBe(true)
 * expect(isBase64('hello!')).toBe(false)
 * ```
 */
export const isBase64 = (value: string): boolean => BASE64_RE.test(value)

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

/**
 * The number of bytes a base64 string decodes to.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { base64DecodedLength } from 'kubesim'
 * expect(base64DecodedLength('aGVsbG8=')).toBe(5)
 * ```
 */
export const base64DecodedLength = (value: string): number => {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0
  return Math.max(0, Math.floor((value.length * 3) / 4) - padding)
}


// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Encodes a string's UTF-8 bytes as standard base64 (as the API server stores `stringData`).
 * Needs no Node built-ins.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { encodeBase64 } from 'kubesim'
 * expect(encodeBase64('hello')).toBe('aGVsbG8=')
 * expect(encodeBase64('')).toBe('')
 * ```
 */
export const encodeBase64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0
    const b = bytes[i + 1] ?? 0
    const c = bytes[i + 2] ?? 0
    const n = (a << 16) | (b << 8) | c
    out += BASE64_ALPHABET[(n >> 18) & 63]
    out += BASE64_ALPHABET[(n >> 12) & 63]
    out += i + 1 < bytes.length ? BASE64_ALPHABET[(n >> 6) & 63] : '='
    out += i + 2 < bytes.length ? BASE64_ALPHABET[n & 63] : '='
  }
  return out
}

/**
 * Validates ConfigMap data: keys are config keys, a key may not be in both `data` and
 * `binaryData`, binary values are base64, and the total size is at most 1 MiB.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateConfigMap, formatFieldError } from 'kubesim'
 * const errors = validateConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'a b': 'x' } })
 * expect(errors.map(formatFieldError)[0]).toMatch(/^data\[a b\]: Invalid value: "a b": a valid config key must consist of/)
 * ```
 */
export const validateConfigMap = (cm: ConfigMap): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  let total = 0
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    for (const msg of isConfigKey(key)) errors.push(invalid(`data[${key}]`, key, msg))
    total += utf8Length(value)
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    for (const msg of isConfigKey(key)) errors.push(invalid(`binaryData[${key}]`, key, msg))
    if (cm.data !== undefined && Object.hasOwn(cm.data, key))
      errors.push(invalid(`binaryData[${key}]`, key, 'duplicate of key present in data'))
    if (!isBase64(value)) errors.push(invalid(`binaryData[${key}]`, '<binary>', 'illegal base64 data'))
    total += base64DecodedLength(value)
  }
  if (total > MAX_CONFIG_SIZE) errors.push(tooLong('data', '', MAX_CONFIG_SIZE))
  return errors
}

const sameMap = (a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean => {
  const ka = Object.keys(a ?? {})
  const kb = Object.keys(b ?? {})
  return ka.length === kb.length && ka.every((k) => b !== undefined && Object.hasOwn(b, k) && b[k] === a?.[k])
}

/**
 * The update rule of objects with an `immutable` flag (ConfigMaps, Secrets): once `immutable`
 * is true it stays true, and the listed data fields may not change.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateImmutableData, formatFieldError } from 'kubesim'
 * const errors = validateImmutableData({ immutable: true, data: { a: '2' } }, { immutable: true, data: { a: '1' } }, ['data'])
 * expect(errors.map(formatFieldError)).toEqual(['data: Forbidden: field is immutable when `immutable` is set'])
 * ```
 */
export const validateImmutableData = <F extends string>(
  next: { readonly immutable?: boolean } & { readonly [K in F]?: Readonly<Record<string, string>> },
  previous: { readonly immutable?: boolean } & { readonly [K in F]?: Readonly<Record<string, string>> },
  fields: ReadonlyArray<F>,
): ReadonlyArray<FieldError> => {
  if (previous.immutable !== true) return []
  const errors: FieldError[] = []
  if (next.immutable !== true) errors.push(forbidden('immutable', 'field is immutable when `immutable` is set'))
  for (const f of fields)
    if (!sameMap(next[f], previous[f])) errors.push(forbidden(f, 'field is immutable when `immutable` is set'))
  return errors
}

/**
 * The admission pipeline for ConfigMaps.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { configMapModel } from 'kubesim'
 * const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'app.conf': 'x=1' } }
 * expect(configMapModel.validate(configMapModel.applyDefaults(cm))).toEqual([])
 * expect(configMapModel.hasStatusSubresource).toBe(false)
 * ```
 */
export const configMapModel: KindModel<ConfigMap> = {
  info: kindInfo('ConfigMap') as KindInfo,
  codec: ConfigMap,
  schema: 'io.k8s.api.core.v1.ConfigMap',
  applyDefaults: (cm) => cm,
  validate: validateConfigMap,
  validateUpdate: (next, previous) => validateImmutableData(next, previous, ['data', 'binaryData']),
  hasStatusSubresource: false,
}
