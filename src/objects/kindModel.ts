/**
 * What the API server needs to know to accept one kind: a decoder that type-checks input,
 * defaulting, validation on create, and the extra rules (immutable fields) on update. Each
 * simulated kind's module exports one `KindModel`; the registry in `models.ts` collects them.
 *
 * @module
 */
import type * as t from 'io-ts'
import type { FieldError } from '../validation/fieldError.js'
import type { KindInfo } from './kinds.js'
import type { KubeObject } from './object.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The admission pipeline for one kind. All functions are pure and total on decoded input. */
export interface KindModel<A extends KubeObject = KubeObject> {
  readonly info: KindInfo
  /**
   * Type-checks input. Fields the model reads are typed; every other key passes through
   * untouched (io-ts `t.type` keeps unknown keys), so objects round-trip.
   */
  readonly codec: t.Decoder<unknown, A>
  /**
   * The Kubernetes type name of the object's root in the known-field schema (e.g.
   * `io.k8s.api.apps.v1.Deployment`), used to warn on fields Kubernetes does not know.
   */
  readonly schema?: string
  /**
   * Whether item `index` of a list of `itemType` (a known-field table key such as
   * `discovery.Endpoint`) is one an earlier admission already decoded,
   * found free of unknown fields and validated (frozen, so still true): the unknown-field walk
   * skips it. The codec and `validate` consult the same memo (an EndpointSlice's endpoints).
   */
  readonly knownCleanItem?: (itemType: string, list: ReadonlyArray<unknown>, index: number) => boolean
  /**
   * The object's pod template, for kinds whose admission decodes it with `PodTemplateSpec`,
   * defaults it with `defaultPodTemplateSpec` and validates it, as it is, with
   * `validatePodTemplateSpec`: once stored clean it is vetted (see `vetPodTemplate`), and an
   * update carrying it over skips those checks.
   */
  readonly podTemplate?: (object: A) => unknown
  /**
   * Runs one update's admission with the stored object in view, for memos that compare the
   * incoming object with it position by position (an EndpointSlice rewritten with one endpoint
   * changed); admission is synchronous, so the scope is exactly this call.
   */
  readonly admitting?: <T>(previous: A, run: () => T) => T
  /** Fills in the defaults the API server applies, returning the same reference when none apply. */
  readonly applyDefaults: (object: A) => A
  /**
   * Fills in what needs the object's identity, after the uid is stamped on create (a Job's
   * generated selector uses its uid).
   */
  readonly prepareForCreate?: (object: A) => A
  /**
   * Carries over, before defaulting and validation on update, values the API server allocated
   * and a client may omit (a Service's clusterIP and nodePorts), as upstream's REST update does.
   */
  readonly prepareForUpdate?: (next: A, previous: A) => A
  /** Validates a defaulted object (metadata is validated generically, not here). */
  readonly validate: (object: A) => ReadonlyArray<FieldError>
  /** Extra rules on update (immutable fields), given the defaulted new and the stored old object. */
  readonly validateUpdate?: (next: A, previous: A) => ReadonlyArray<FieldError>
  /**
   * Whether `status` is a subresource: user updates keep the stored status and status updates
   * keep the stored spec. True for every workload kind.
   */
  readonly hasStatusSubresource: boolean
}
