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

// Faults as engine events, the convergence checker and counterexamples (issue 8)
export { createFaultDriver, mapController, injectFault, driverStep, driverAdvance, driverNextWakeup, runClusterCommand, formatCommand } from './faults.js'
export type {
  ControllerFault,
  ClusterCommand,
  FaultCommand,
  FaultSchedule,
  FaultDriver,
  FaultDriverOptions,
  DriverStep,
  DriverRunOptions,
  DriverStop,
  CommandOutcome,
} from './faults.js'
export { checkConvergence, runSchedule, faultSchedule, livenessViolations, scheduleToScenario, DEPLOYMENT_AVAILABILITY } from './convergence.js'
export type { ConvergenceOptions, ConvergenceResult, Counterexample, CommandLog, RunFailure, ScheduleRun } from './convergence.js'

// Arbitraries for every kind, trace tools (diff, replay, explain)
export {
  cpuQuantity,
  memoryQuantity,
  behaviourAnnotations,
  podManifest,
  deploymentWithStrategy,
  replicaSetManifest,
  statefulSetManifest,
  daemonSetManifest,
  jobWithPolicies,
  cronJobManifest,
  serviceOfAnyType,
  ingressManifest,
  secretManifest,
  nodeOptionsList,
  applicationManifests,
} from './arbitraries/kinds.js'
export type { WorkloadOptions } from './arbitraries/kinds.js'
export { diffObjects, diffStates, replay, explainStep, explainAction, formatExplanation } from './trace.js'
export type { FieldChange, ObjectDiff, DiffOptions, ReplayInput, ReplayInputs, ReplayFailure, Explanation } from './trace.js'
