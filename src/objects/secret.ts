/**
 * Secrets: like ConfigMaps, but every value is base64 bytes. The API server merges `stringData`
 * into `data` (encoding it) on every write, defaults `type` to `Opaque` and checks the keys
 * each well-known type requires.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, invalid, required, tooLong } from '../validation/fieldError.js'
import { MAX_CONFIG_SIZE, base64DecodedLength, encodeBase64, isBase64, isConfigKey, validateImmutableData } from './configMap.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, StringMap } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A Secret. `data` values are base64; `stringData` is write-only plain text. */
export const Secret = t.intersection([
  t.type({ apiVersion: t.literal('v1'), kind: t.literal('Secret'), metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]) }),
  optionalFields({ data: StringMap, stringData: StringMap, type: t.string, immutable: t.boolean }),
])
/** A Secret. */
export type Secret = t.TypeOf<typeof Secret>

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Applies the Secret defaults: `type: Opaque`, and `stringData` merged into `data` as base64
 * (overriding keys already in `data`), then dropped, as the API server does on write.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultSecret } from 'kubesim'
 * const s = defaultSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hello' } })
 * expect(s.type).toBe('Opaque')
 * expect(s.data).toEqual({ password: 'aGVsbG8=' })
 * expect(s.stringData).toBeUndefined()
 * expect(defaultSecret(s)).toBe(s)
 * ```
 */
export const defaultSecret = (secret: Secret): Secret =>
  produce(secret, (d) => {
    if (d.type === undefined || d.type === '') d.type = 'Opaque'
    if (d.stringData !== undefined) {
      const data = d.data ?? {}
      for (const [key, value] of Object.entries(d.stringData)) data[key] = encodeBase64(value)
      d.data = data
      delete d.stringData
    }
  })

const requireKeys = (secret: Secret, keys: ReadonlyArray<string>): ReadonlyArray<FieldError> =>
  keys.filter((k) => secret.data?.[k] === undefined).map((k) => required(`data[${k}]`))

/**
 * Validates a Secret: keys are config keys, values base64, total size at most 1 MiB, and the
 * keys each well-known `type` requires are present.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateSecret, formatFieldError } from 'kubesim'
 * const errors = validateSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } })
 * expect(errors.map(formatFieldError)).toEqual(['data[tls.key]: Required value'])
 * ```
 */
export const validateSecret = (secret: Secret): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  let total = 0
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    for (const msg of isConfigKey(key)) errors.push(invalid(`data[${key}]`, key, msg))
    if (!isBase64(value)) errors.push(invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'))
    total += base64DecodedLength(value)
  }
  for (const key of Object.keys(secret.stringData ?? {}))
    for (const msg of isConfigKey(key)) errors.push(invalid(`stringData[${key}]`, key, msg))
  if (total > MAX_CONFIG_SIZE) errors.push(tooLong('data', '', MAX_CONFIG_SIZE))
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if ((secret.metadata.annotations?.['kubernetes.io/service-account.name'] ?? '') === '')
        errors.push(required('metadata.annotations[kubernetes.io/service-account.name]'))
      break
    case 'kubernetes.io/dockercfg':
      errors.push(...requireKeys(secret, ['.dockercfg']))
      break
    case 'kubernetes.io/dockerconfigjson':
      errors.push(...requireKeys(secret, ['.dockerconfigjson']))
      break
    case 'kubernetes.io/basic-auth':
      if (secret.data?.['username'] === undefined && secret.data?.['password'] === undefined)
        errors.push(...requireKeys(secret, ['username', 'password']))
      break
    case 'kubernetes.io/ssh-auth':
      errors.push(...requireKeys(secret, ['ssh-privatekey']))
      break
    case 'kubernetes.io/tls':
      errors.push(...requireKeys(secret, ['tls.crt', 'tls.key']))
      break
    default:
      break
  }
  return errors
}

/**
 * Update rules for Secrets: `type` is immutable, and with `immutable: true` so is `data`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateSecretUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', immutable: true, data: { a: 'eA==' } }
 * const errors = validateSecretUpdate({ ...old, data: { a: 'eQ==' } }, old)
 * expect(errors.map(formatFieldError)).toEqual(['data: Forbidden: field is immutable when `immutable` is set'])
 * ```
 */
export const validateSecretUpdate = (next: Secret, previous: Secret): ReadonlyArray<FieldError> => [
  ...((next.type ?? '') !== (previous.type ?? '') ? [invalid('type', next.type ?? '', 'field is immutable')] : []),
  ...validateImmutableData(next, previous, ['data']),
]

/**
 * The admission pipeline for Secrets.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { secretModel } from 'kubesim'
 * const s = secretModel.applyDefaults({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { token: 'x' } })
 * expect(secretModel.validate(s)).toEqual([])
 * expect(s.data).toEqual({ token: 'eA==' })
 * ```
 */
export const secretModel: KindModel<Secret> = {
  info: kindInfo('Secret') as KindInfo,
  codec: Secret,
  schema: 'io.k8s.api.core.v1.Secret',
  applyDefaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  hasStatusSubresource: false,
}
