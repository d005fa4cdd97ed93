/**
 * ObjectMeta and OwnerReference: the metadata every Kubernetes object carries. Codecs type the
 * fields the simulator reads; every other key passes through untouched, so real manifests
 * round-trip.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A string-to-string map (labels, annotations, nodeSelector). */
export const StringMap = t.record(t.string, t.string)
/** A string-to-string map (labels, annotations, nodeSelector). */
export type StringMap = t.TypeOf<typeof StringMap>

/**
 * A JSON object whose fields kubesim does not read (probe handlers, affinity, volume sources).
 * Its static type is `object`, so the kubernetes-types interfaces are assignable to and from it.
 */
export const LooseObject = new t.Type<object, object, unknown>(
  'object',
  (u): u is object => typeof u === 'object' && u !== null && !Array.isArray(u),
  (u, c) => (typeof u === 'object' && u !== null && !Array.isArray(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** A reference from a dependent to its owner, as in `metadata.ownerReferences[]`. */
export const OwnerReference = t.intersection([
  t.type({ apiVersion: t.string, kind: t.string, name: t.string, uid: t.string }),
  optionalFields({ controller: t.boolean, blockOwnerDeletion: t.boolean }),
])
/** A reference from a dependent to its owner, as in `metadata.ownerReferences[]`. */
export type OwnerReference = t.TypeOf<typeof OwnerReference>

const ObjectMetaFields = optionalFields({
  name: t.string,
  generateName: t.string,
  namespace: t.string,
  uid: t.string,
  resourceVersion: t.string,
  generation: t.number,
  creationTimestamp: t.string,
  deletionTimestamp: t.string,
  deletionGracePeriodSeconds: t.number,
  labels: StringMap,
  annotations: StringMap,
  ownerReferences: t.array(OwnerReference),
  finalizers: t.array(t.string),
})

/**
 * While an update is admitted: the stored object's metadata. Written back as the very same
 * (frozen) object, as controllers do, it decoded when it was stored and cannot have changed.
 */
let storedMetadata: unknown

/**
 * Runs one update's admission with the stored object's metadata in view (see `ObjectMeta`).
 *
 * @internal
 */
export const withStoredMetadata = <T>(metadata: unknown, run: () => T): T => {
  const outer = storedMetadata
  storedMetadata = metadata
  try {
    return run()
  } finally {
    storedMetadata = outer
  }
}

/**
 * Object metadata. `name` is required on input except when `generateName` is given. The stored
 * object's own metadata, written back unchanged in an update, passes without a second decode.
 */
export const ObjectMeta: typeof ObjectMetaFields = new t.PartialType(
  ObjectMetaFields.name,
  ObjectMetaFields.is,
  (input, context) => (input !== undefined && input === storedMetadata ? t.success(input as ObjectMeta) : ObjectMetaFields.validate(input, context)),
  ObjectMetaFields.encode,
  ObjectMetaFields.props,
)
/** Object metadata. */
export type ObjectMeta = t.TypeOf<typeof ObjectMeta>
