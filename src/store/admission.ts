/**
 * The API server's admission pipeline for one object, without touching the store: check the
 * envelope (apiVersion, kind, metadata), decode with the kind's codec, warn on unknown fields,
 * apply defaults, and validate (metadata, the kind's rules, and on update the immutable
 * fields). Every independent problem is reported in one error.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { deepEqual } from '../internal/deepEqual.js'
import { deepFreeze } from '../internal/immer.js'
import { decodeWithFieldErrors } from '../objects/decodeErrors.js'
import { type KindInfo, kindInfo, resourceInfoFor } from '../objects/kinds.js'
import type { KindModel } from '../objects/kindModel.js'
import { unknownFieldWarningsSkipping } from '../objects/knownFields.js'
import { ObjectMeta, withStoredMetadata } from '../objects/meta.js'
import { modelFor } from '../objects/models.js'
import { isVettedPodSpec, isVettedPodTemplate, vetPodTemplate } from '../objects/pod.js'
import type { KubeObject } from '../objects/object.js'
import { type ApiError, badRequestError, invalidError } from '../validation/apiError.js'
import type { FieldError } from '../validation/fieldError.js'
import { validateObjectMeta } from '../validation/metadata.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** An object that passed admission, with its kind info and any warnings for the user. */
export interface Admitted {
  readonly object: KubeObject
  readonly info: KindInfo
  readonly model: KindModel | undefined
  readonly warnings: ReadonlyArray<string>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const preview = (value: unknown): string => {
  try {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 120 ? `${text.slice(0, 117)}...` : text
  } catch {
    return String(value)
  }
}

const OPAQUE_META = t.type({ apiVersion: t.string, kind: t.string, metadata: ObjectMeta }) as unknown as t.Decoder<unknown, KubeObject>

/** Input that passed `checkEnvelope`, with the kind info to admit it under. */
export interface Envelope {
  readonly raw: Record<string, unknown>
  readonly info: KindInfo
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Checks that input is an object envelope Kubernetes could route: a mapping with string
 * `apiVersion` and `kind`, and `metadata` a mapping. Returns the kind info to admit it under.
 *
 * @internal
 */
export const checkEnvelope = (input: unknown): E.Either<ApiError, Envelope> => {
  if (!isRecord(input)) return E.left(badRequestError(`expected an object with apiVersion, kind and metadata, got ${preview(input)}`))
  const missing = [
    ...(typeof input['apiVersion'] === 'string' && input['apiVersion'] !== '' ? [] : ['apiVersion not set']),
    ...(typeof input['kind'] === 'string' && input['kind'] !== '' ? [] : ['kind not set']),
  ]
  if (missing.length > 0) return E.left(badRequestError(`error validating data: [${missing.join(', ')}]`))
  const apiVersion = input['apiVersion'] as string
  const kind = input['kind'] as string
  const name = isRecord(input['metadata']) && typeof input['metadata']['name'] === 'string' ? input['metadata']['name'] : ''
  if (!isRecord(input['metadata']))
    return E.left(
      badRequestError(
        `${kind} in version ${JSON.stringify(apiVersion)} cannot be handled as a ${kind}: metadata: expected a mapping, got ${preview(input['metadata'])}`,
        [],
        { kind },
      ),
    )
  // The fields the API server reads before decoding must be strings, as Go's JSON decoder insists.
  for (const field of ['name', 'namespace', 'generateName']) {
    const value = input['metadata'][field]
    if (value !== undefined && value !== null && typeof value !== 'string')
      return E.left(
        badRequestError(
          `${kind} in version ${JSON.stringify(apiVersion)} cannot be handled as a ${kind}: json: cannot unmarshal ${goJsonType(value)} into Go struct field ObjectMeta.metadata.${field} of type string`,
          [],
          { kind },
        ),
      )
  }
  const known = kindInfo(kind)
  const servedKnown = known !== undefined && known.simulated ? known : undefined
  if (servedKnown !== undefined && servedKnown.apiVersion !== apiVersion)
    return E.left(
      badRequestError(
        `resource mapping not found for name: ${JSON.stringify(name)}: no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}; ensure CRDs are installed first (kubesim serves ${kind} as ${servedKnown.apiVersion})`,
        [],
        { kind, group: servedKnown.group, name },
      ),
    )
  if (servedKnown === undefined && !/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion))
    return E.left(badRequestError(`invalid apiVersion ${JSON.stringify(apiVersion)} for kind ${JSON.stringify(kind)}`, [], { kind, name }))
  return E.right({ raw: input, info: resourceInfoFor(apiVersion, kind) })
}

/**
 * Decodes, defaults and validates an object for creation. `namespace` fills in
 * metadata.namespace for namespaced kinds that omit it (as kubectl does with the request
 * namespace); cluster-scoped kinds lose a stray namespace, as kubectl apply drops it.
 *
 * @internal
 */
export const admitForCreate = (input: unknown, defaultNamespace: string): E.Either<ApiError, Admitted> => {
  if (typeof input !== 'object' || input === null || !Object.isFrozen(input)) return admit(input, defaultNamespace, undefined)
  const known = admittedFrozen.get(input)
  if (known !== undefined && known.namespace === defaultNamespace) return known.result
  const result = admit(input, defaultNamespace, undefined)
  admittedFrozen.set(input, { namespace: defaultNamespace, result })
  return result
}

/**
 * Admission of frozen input, by input: a controller's trial create (`dryRunCreate`) and the
 * create that follows admit the same frozen object once. Admission is a function of the input
 * and the namespace alone, and frozen input cannot change (the store shares frozen values as
 * they are, on the same understanding).
 */
const admittedFrozen = new WeakMap<object, { readonly namespace: string; readonly result: E.Either<ApiError, Admitted> }>()

/**
 * Decodes, defaults and validates an object that replaces `previous`, including the kind's
 * immutable-field rules.
 *
 * @internal
 */
export const admitForUpdate = (input: unknown, previous: KubeObject, envelope?: Envelope): E.Either<ApiError, Admitted> =>
  admit(input, previous.metadata.namespace ?? '', previous, envelope)

/** How Go's encoding/json names a JSON value's type in its errors. */
const goJsonType = (value: unknown): string =>
  Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'bool' : 'string'

const admit = (input: unknown, defaultNamespace: string, previous: KubeObject | undefined, checked?: Envelope): E.Either<ApiError, Admitted> => {
  if (previous === undefined) return admitInScope(input, defaultNamespace, previous, checked)
  const model = modelFor(previous.kind)
  return withStoredMetadata(previous.metadata, () =>
    model?.admitting === undefined ? admitInScope(input, defaultNamespace, previous, checked) : model.admitting(previous, () => admitInScope(input, defaultNamespace, previous, checked)),
  )
}

const admitInScope = (input: unknown, defaultNamespace: string, previous: KubeObject | undefined, checked: Envelope | undefined): E.Either<ApiError, Admitted> => {
  let envelope: Envelope
  if (checked !== undefined && checked.raw === input) envelope = checked
  else {
    const result = checkEnvelope(input)
    if (E.isLeft(result)) return result
    envelope = result.right
  }
  const { raw, info } = envelope
  const metadata = raw['metadata'] as Record<string, unknown>
  const namespace = info.namespaced
    ? typeof metadata['namespace'] === 'string' && metadata['namespace'] !== ''
      ? metadata['namespace']
      : defaultNamespace
    : undefined
  const withNamespace: Record<string, unknown> = { ...raw, metadata: withNamespaceOf(metadata, namespace) }
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : ''
  const model = modelFor(info.kind)
  const warnings: string[] = []
  let object: KubeObject
  if (model === undefined) {
    const decoded = decodeWithFieldErrors(OPAQUE_META, withNamespace)
    if (E.isLeft(decoded)) return E.left(decodeFailure(info, name, namespace, decoded.left))
    object = withNamespace as unknown as KubeObject
    if (!info.simulated && previous === undefined)
      warnings.push(`${info.kind} ${JSON.stringify(name)} is stored but not simulated by kubesim`)
  } else {
    const decoded = decodeWithFieldErrors(model.codec, withNamespace)
    if (E.isLeft(decoded)) return E.left(decodeFailure(info, name, namespace, decoded.left))
    if (model.schema !== undefined)
      warnings.push(...unknownFieldWarningsSkipping(model.schema, decoded.right, model.knownCleanItem, vettedStruct).map((w: string) => `${info.kind} ${JSON.stringify(name)}: ${w}`))
    const carried = previous !== undefined && model.prepareForUpdate !== undefined ? model.prepareForUpdate(decoded.right, previous) : decoded.right
    object = model.applyDefaults(carried)
  }
  // Metadata the write left as stored (the same or an equal copy) passed these checks when it was stored.
  const causes: FieldError[] =
    previous !== undefined && (object.metadata === previous.metadata || deepEqual(object.metadata, previous.metadata))
      ? []
      : [...validateObjectMeta(object.metadata, info, { namespaced: info.namespaced })]
  if (model !== undefined) {
    causes.push(...model.validate(object))
    if (previous !== undefined && model.validateUpdate !== undefined) causes.push(...model.validateUpdate(object, previous))
  }
  if (causes.length > 0) return E.left(invalidError(info, name || (typeof metadata['generateName'] === 'string' ? metadata['generateName'] : ''), namespace, causes))
  const stored = deepFreeze(structuredCloneSafe(object))
  // The template is clean only if the unknown-field walk ran and found nothing.
  if (warnings.length === 0 && model?.schema !== undefined && model.podTemplate !== undefined) vetPodTemplate(model.podTemplate(stored))
  return E.right({ object: stored, info, model, warnings })
}

/** A pod template admission vetted before, or its spec, holds no unknown field (see `vetPodTemplate`). */
const vettedStruct = (type: string, value: unknown): boolean =>
  (type === 'core.PodTemplateSpec' && isVettedPodTemplate(value)) || (type === 'core.PodSpec' && isVettedPodSpec(value))

/** Metadata with the namespace admission settled on: the same object when it already says so (a stored object's, written back unchanged). */
const withNamespaceOf = (metadata: Record<string, unknown>, namespace: string | undefined): Record<string, unknown> => {
  if (metadata['namespace'] === namespace && (namespace !== undefined || !('namespace' in metadata))) return metadata
  const { namespace: _dropped, ...rest } = metadata
  return namespace === undefined ? rest : { ...rest, namespace }
}

/** Secret contents never appear in errors, even when they are the wrong type. */
const redactSecretCauses = (info: KindInfo, causes: ReadonlyArray<FieldError>): ReadonlyArray<FieldError> =>
  info.kind !== 'Secret'
    ? causes
    : causes.map((c) => (/^(data|stringData)\b/.test(c.field) && 'value' in c ? { ...c, value: '<redacted>' } : c))

const decodeFailure = (info: KindInfo, name: string, namespace: string | undefined, causes: ReadonlyArray<FieldError>): ApiError => {
  const error = invalidError(info, name, namespace, redactSecretCauses(info, causes))
  return { ...error, reason: 'BadRequest', code: 400 }
}

// Decoded input may share structure with the caller's object; copy before freezing so the caller's
// value is never frozen or aliased by the store.
const structuredCloneSafe = <T>(value: T): T => copyPlain(value) as T

const copyPlain = (value: unknown): unknown => {
  // A frozen value is a stored one (or the caller froze it): already safe to share.
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  if (Array.isArray(value)) return value.map(copyPlain)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const copied = copyPlain((value as Record<string, unknown>)[key])
    // Plain assignment to `__proto__` would set the prototype: define it as data instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true })
    else out[key] = copied
  }
  return out
}
