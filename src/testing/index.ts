/**
 * `kubesim/testing`: tools for property-based tests of Kubernetes manifests and of kubesim
 * itself. Requires fast-check (an optional peer dependency). Re-exports the validation rules the
 * examples use, so tests can check generated values.
 *
 * @packageDocumentation
 */
export {
  dnsLabel,
  dns1035Label,
  labelMap,
  configMapManifest,
  deploymentManifest,
  serviceManifest,
  jobManifest,
  manifestSet,
  mutatedManifest,
} from './arbitraries.js'
export { isDns1123Label, isDns1035Label, isQualifiedName, isValidLabelValue } from '../validation/names.js'
export { CORE_INVARIANTS, checkInvariants, formatViolation } from './invariants.js'
export type { Invariant, Violation } from './invariants.js'
export { advanceChecked } from './checked.js'
export type { CheckedFailure, CheckedOptions } from './checked.js'
export { WORKLOAD_INVARIANTS, ALL_INVARIANTS } from './workloadInvariants.js'

