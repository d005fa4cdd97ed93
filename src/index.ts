/**
 * kubesim: Kubernetes clusters as immutable data. This is the public entry; nothing else is
 * public (the `kubesim/testing` entry adds property-testing tools).
 *
 * @packageDocumentation
 */

// The cluster as a value, and the API over it
export type { ClusterConfig, ClusterState } from './store/state.js'
export { createCluster, tryCreateCluster, defaultControllers, DEFAULT_CONFIG } from './store/cluster.js'
export type { ClusterOptions, NodeOptions, InvalidClusterOptions } from './store/cluster.js'
export { applyManifests, applyManifestsDetailed, apply, remove, get, list, scale } from './store/api.js'
export type { ApplyItem, ApplyResult, ListOptions, ManifestInput, RemoveOptions } from './store/api.js'
export { applyAction, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, LAST_APPLIED_ANNOTATION, PROTECTED_NAMESPACES } from './store/reducer.js'
export type { Applied, Outcome } from './store/reducer.js'
export { threeWayMerge } from './store/merge.js'

// Engine
export { step, settle, advance, runUntil, nextWakeup } from './sim/engine.js'
export type { Duration, NotSettled, RunUntilOptions, SettleOptions, StepResult, Timeout } from './sim/engine.js'
export { traceEntries } from './sim/trace.js'
export type { Trace, TraceEntry, TraceRetention } from './sim/trace.js'
export { formatTimestamp, parseTimestamp } from './sim/clock.js'
export { seedRng, nextUint32, nextInt, nextString, forkRng } from './sim/rng.js'
export type { Rng } from './sim/rng.js'

// Controllers
export type { Action, Controller, EventRecord, PropagationPolicy } from './controllers/controller.js'
export { garbageCollector } from './controllers/garbageCollector.js'
export { namespaceLifecycle } from './controllers/namespaceLifecycle.js'
export { eventTtlController } from './controllers/eventTtl.js'
export { scheduler, SCHEDULER_NAME } from './controllers/scheduler.js'
export type { SchedulerMemory } from './controllers/scheduler.js'
// Jobs and CronJobs (batch/v1)
export {
  jobController,
  ttlAfterFinishedController,
  jobPodFailureBackoffMs,
  DEFAULT_JOB_POD_FAILURE_BACKOFF_MS,
  MAX_JOB_POD_FAILURE_BACKOFF_MS,
  JOB_TRACKING_FINALIZER,
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
} from './controllers/job.js'
export { cronJobController, mostRecentScheduleTime, CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION } from './controllers/cronJob.js'
export type { ScheduleEvaluation } from './controllers/cronJob.js'
export { kubelet, kubeletIsUp, fakeImageId, crashLoopDelayMs, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, BACKOFF_RESET_MS } from './controllers/kubelet.js'
// Workload controllers: ReplicaSet and Deployment
export { replicaSetController, BURST_REPLICAS, POD_DELETION_COST_ANNOTATION } from './controllers/replicaSet.js'
export { deploymentController, resolveFenceposts } from './controllers/deployment.js'
export { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL } from './controllers/deployment/podTemplateHash.js'
export {
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  CHANGE_CAUSE_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
} from './controllers/deployment/revisions.js'
export { rolloutUndo, rolloutRestart, rolloutPause, rolloutResume, rolloutStatus, rolloutHistory } from './store/rollout.js'
export type { RolloutStatus } from './store/rollout.js'

// Objects
export type { KubeObject, ObjectRef } from './objects/object.js'
export { objectKey, refOf, formatRef } from './objects/object.js'
export { ObjectMeta, OwnerReference, StringMap } from './objects/meta.js'
export { KNOWN_KINDS, OPAQUE_KINDS, kindInfo, resolveKindAlias, resourceInfoFor } from './objects/kinds.js'
export type { KindInfo, NameRule } from './objects/kinds.js'
export type { KindModel } from './objects/kindModel.js'
export {
  LabelSelector,
  LabelSelectorRequirement,
  validateLabelSelector,
  fromLabelSelector,
  parseSelector,
  matchesSelector,
  formatSelector,
  equalityPairs,
  selectsNothing,
} from './objects/selector.js'
export type { Requirement, Selector, SelectorOperator } from './objects/selector.js'
export { parseIpv4, formatIpv4, parseCidr, addressAt, cidrContains } from './network/cidr.js'
export type { Ipv4Cidr } from './network/cidr.js'

// Errors and validation
export type { ApiError, ApiErrorReason } from './validation/apiError.js'
export {
  invalidError,
  notFoundError,
  alreadyExistsError,
  conflictError,
  forbiddenError,
  badRequestError,
  withDocumentIndex,
  formatApiError,
} from './validation/apiError.js'
export type { FieldError, FieldErrorType } from './validation/fieldError.js'
export {
  required,
  invalid,
  unsupported,
  forbidden,
  duplicate,
  notFound,
  tooLong,
  tooMany,
  formatFieldValue,
  formatFieldError,
  atPath,
} from './validation/fieldError.js'
export {
  isDns1123Label,
  isDns1123Subdomain,
  isDns1035Label,
  isPathSegmentName,
  isQualifiedName,
  isValidLabelValue,
  validateNameByRule,
} from './validation/names.js'

// YAML, JSON and kubectl-style output
export { parseManifests, manifestsFromValue, toYaml, toJson, DEFAULT_MAX_MANIFEST_BYTES } from './io/yaml.js'
export type { ManifestDocument, ParseManifestsOptions, ToYamlOptions, ToJsonOptions } from './io/yaml.js'
export { formatTable } from './io/table.js'
export type { FormatTableOptions } from './io/table.js'
export { humanDuration, ageSince } from './io/age.js'

// Kinds: workloads
export { IntOrString, isPercentString, intOrPercentValue, resolveIntOrPercent, validateIntOrPercent, validateNotMoreThan100Percent } from './objects/intOrString.js'
export {
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  ReplicaSetCondition,
  defaultReplicaSet,
  validateReplicaSet,
  validateReplicaSetUpdate,
  replicaSetModel,
} from './objects/replicaSet.js'
export {
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentStrategy,
  RollingUpdateDeployment,
  DeploymentCondition,
  defaultDeployment,
  validateDeployment,
  validateDeploymentUpdate,
  deploymentModel,
} from './objects/deployment.js'
export {
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
  StatefulSetUpdateStrategy,
  RollingUpdateStatefulSetStrategy,
  PersistentVolumeClaimRetentionPolicy,
  PersistentVolumeClaimTemplate,
  StatefulSetCondition,
  defaultStatefulSet,
  validateStatefulSet,
  validateStatefulSetUpdate,
  statefulSetModel,
} from './objects/statefulSet.js'
export {
  DaemonSet,
  DaemonSetSpec,
  DaemonSetStatus,
  DaemonSetUpdateStrategy,
  RollingUpdateDaemonSet,
  DaemonSetCondition,
  defaultDaemonSet,
  validateDaemonSet,
  validateDaemonSetUpdate,
  daemonSetModel,
} from './objects/daemonSet.js'
export {
  Job,
  JobSpec,
  JobStatus,
  JobCondition,
  PodFailurePolicy,
  PodFailurePolicyRule,
  SuccessPolicy,
  JOB_CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  MAX_INT32,
  isIndexedJob,
  defaultJob,
  withGeneratedJobSelector,
  validateJob,
  validateJobUpdate,
  jobModel,
} from './objects/job.js'
export { parseCronSchedule, nextScheduleTime, isKnownTimeZone } from './objects/cronSchedule.js'
export type { CronSchedule, CronField } from './objects/cronSchedule.js'
export {
  CronJob,
  CronJobSpec,
  CronJobStatus,
  CronJobActiveRef,
  JobTemplateSpec,
  defaultCronJob,
  validateCronJob,
  validateCronJobUpdate,
  validateTimeZone,
  cronJobModel,
} from './objects/cronJob.js'

// Kinds: networking
export {
  EndpointSlice,
  Endpoint,
  EndpointConditions,
  EndpointTargetRef,
  EndpointPort,
  ENDPOINT_SLICE_ADDRESS_TYPES,
  isIPv4,
  isIPv6,
  validateIp,
  validateNonSpecialIp,
  defaultEndpointSlice,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  endpointSliceModel,
} from './objects/endpointSlice.js'
export {
  Service,
  ServiceSpec,
  ServicePort,
  ServiceStatus,
  SessionAffinityConfig,
  LoadBalancerIngress,
  DEFAULT_CLIENT_IP_TIMEOUT_SECONDS,
  isHeadlessService,
  defaultService,
  validateService,
  validateServiceUpdate,
  carryAllocatedServiceValues,
  serviceModel,
} from './objects/service.js'
export {
  Ingress,
  IngressSpec,
  IngressRule,
  HTTPIngressPath,
  IngressBackend,
  ServiceBackendPort,
  IngressTLS,
  IngressStatus,
  isWildcardDns1123Subdomain,
  validateIngress,
  ingressModel,
} from './objects/ingress.js'

// Quantities, durations and decoding
export {
  QuantityString,
  QUANTITY_FORMAT_ERROR,
  parseQuantity,
  formatQuantity,
  addQuantity,
  subQuantity,
  compareQuantity,
  isZero,
  quantityToMillis,
  milliValue,
  quantityValue,
  quantityFromMillis,
  quantityOrZero,
  validateResourceQuantities,
} from './objects/quantity.js'
export type { Quantity, QuantityFormat } from './objects/quantity.js'
export { parseDuration } from './objects/duration.js'
export { Int32, Int64, decodeWithFieldErrors, fieldErrorsFromDecode, friendlyTypeName } from './objects/decodeErrors.js'
export { KNOWN_ROOT, unknownFieldWarnings, hasKnownFields } from './objects/knownFields.js'
export { validateObjectMeta, validateLabels, validateAnnotations, validateOwnerReferences, validateFinalizers } from './validation/metadata.js'
export type { ObjectMetaOptions } from './validation/metadata.js'

// Kinds: pods, nodes, configuration, storage, events
export {
  Pod,
  PodSpec,
  PodTemplateSpec,
  PodStatus,
  Container,
  ContainerPort,
  ContainerStatus,
  ContainerState,
  PodCondition,
  Probe,
  EnvVar,
  VolumeMount,
  Volume,
  Toleration,
  ResourceList,
  ResourceRequirements,
  RESTART_POLICIES,
  TAINT_EFFECTS,
  isValidPortName,
  validateTolerations,
  validatePodSpec,
  validatePodTemplateSpec,
  validatePodSpecUpdate,
  defaultPodSpec,
  defaultPodTemplateSpec,
  defaultPod,
  defaultImagePullPolicy,
  podQosClass,
  podModel,
} from './objects/pod.js'
export { Namespace, NamespaceCondition, NAMESPACE_FINALIZER, NAMESPACE_NAME_LABEL, defaultNamespace, validateNamespace, namespaceModel } from './objects/namespace.js'
export { Node, NodeSpec, NodeStatus, NodeCondition, NodeAddress, Taint, defaultNode, validateTaints, validateNode, validateNodeUpdate, nodeModel } from './objects/node.js'
export { ConfigMap, MAX_CONFIG_SIZE, encodeBase64, base64DecodedLength, isConfigKey, isBase64, validateConfigMap, validateImmutableData, configMapModel } from './objects/configMap.js'
export { Secret, defaultSecret, validateSecret, validateSecretUpdate, secretModel } from './objects/secret.js'
export { Event, ObjectReference, EVENT_TYPES, validateEvent, eventModel } from './objects/event.js'
export { ControllerRevision, validateControllerRevision, validateControllerRevisionUpdate, controllerRevisionModel } from './objects/controllerRevision.js'
export {
  PersistentVolume,
  PersistentVolumeSpec,
  ACCESS_MODES,
  validateAccessModes,
  defaultPersistentVolume,
  validatePersistentVolume,
  validatePersistentVolumeUpdate,
  persistentVolumeModel,
} from './objects/persistentVolume.js'
export {
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  defaultPersistentVolumeClaim,
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeClaimUpdate,
  persistentVolumeClaimModel,
} from './objects/persistentVolumeClaim.js'
export { StorageClass, defaultStorageClass, validateStorageClass, validateStorageClassUpdate, storageClassModel } from './objects/storageClass.js'

// Scheduling resources
export { resourceAmount, toAmounts, addAmounts, podRequests, nodeAllocatable, holdsNodeResources } from './scheduling/resources.js'
export type { ResourceAmounts } from './scheduling/resources.js'

// Nodes, taints and faults
export { nodeLifecycle, KUBELET_STOPPED_ANNOTATION, NODE_MONITOR_GRACE_MS, NODE_EVICTION_INTERVAL_MS, SECONDARY_EVICTION_INTERVAL_MS } from './controllers/nodeLifecycle.js'
export { failNode, recoverNode, cordon, uncordon, drain, deleteNode, killPod } from './sim/faults.js'
export { addNode, DEFAULT_NODE_CAPACITY } from './sim/nodes.js'
export type { NodeTaintOptions } from './sim/nodes.js'
export {
  toleratesTaint,
  isTolerated,
  noExecuteTolerance,
  withDefaultTolerations,
  DEFAULT_TOLERATION_SECONDS,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
} from './scheduling/taints.js'
export type { TaintLike, TolerationLike } from './scheduling/taints.js'

// Scheduling
export { explainScheduling } from './scheduling/explain.js'
export { formatSchedulingExplanation } from './io/explainScheduling.js'
export type { SchedulingExplanation, NodeExplanation, PluginScore } from './scheduling/explain.js'
export { fitErrorMessage, PREEMPTION_NOT_HELPFUL, PREEMPTION_NO_VICTIMS } from './scheduling/fitError.js'
export type { NodeRejection } from './scheduling/fitError.js'
export { numFeasibleNodesToFind, NO_NODES_MESSAGE } from './scheduling/scheduleOne.js'
export { defaultNormalizeScore, SCORE_WEIGHTS } from './scheduling/scores.js'
export type { ScorePlugin } from './scheduling/scores.js'
export {
  FILTER_PLUGINS,
  REASON_UNSCHEDULABLE,
  REASON_NODE_NAME,
  REASON_NODE_AFFINITY,
  REASON_NODE_PORTS,
  REASON_TOO_MANY_PODS,
  REASON_SPREAD,
  REASON_SPREAD_MISSING_LABEL,
  REASON_AFFINITY,
  REASON_ANTI_AFFINITY,
  REASON_EXISTING_ANTI_AFFINITY,
} from './scheduling/filters.js'
export type { FilterPlugin } from './scheduling/filters.js'
export { nodeSelectorTermMatches, nodeSelectorTermsMatch, nodeSelectorMatches } from './scheduling/nodeAffinity.js'
export type { NodeSelectorRequirementLike, NodeSelectorTermLike, PreferredSchedulingTermLike, NodeLabelsView } from './scheduling/nodeAffinity.js'
export { podInfo, nonZeroRequests, podHostPorts, hostPortsConflict, affinityTermSelects, DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST } from './scheduling/podInfo.js'
export type { PodInfo, HostPort, AffinityTerm, SpreadConstraint, NamespaceScope } from './scheduling/podInfo.js'

// Pod behaviour and addresses
export {
  BEHAVIOUR_ANNOTATIONS,
  DEFAULT_START_DELAY_MS,
  DEFAULT_JOB_RUN_MS,
  defaultBehaviour,
  parseBehaviourAnnotations,
  resolveBehaviour,
  containerReadyDelayMs,
  runOutcome,
} from './sim/behaviour.js'
export type { PodBehaviour, BehaviourModel, ParsedAnnotations } from './sim/behaviour.js'
export { nodeInternalIp, nodePodRange, firstFreePodIp, usedPodIps } from './network/podIps.js'
export { describeObject } from './io/describe.js'

// Scenarios
export { parseScenario, formatScenarioError, STEP_TYPES, NODE_OPERATIONS } from './scenario/model.js'
export type { Scenario, ScenarioStep, ScenarioCluster, ScenarioError, BehaviourRule, Expectation, Check, ManifestSourceRef, NodeOperation } from './scenario/model.js'
export { runScenario, runScenarioSteps, scenarioFiles, stepTitle } from './scenario/run.js'
export type { ScenarioRun, StepReport, ScenarioFiles, RunScenarioOptions } from './scenario/run.js'
export { checkExpectation } from './scenario/expect.js'
export { parseFieldPath, valueAtPath } from './scenario/path.js'
export type { PathSegment } from './scenario/path.js'

// Services, EndpointSlices, DNS and routing
export { endpointSliceController, MAX_ENDPOINTS_PER_SLICE, SERVICE_NAME_LABEL, MANAGED_BY_LABEL, ENDPOINT_SLICE_CONTROLLER } from './controllers/endpointSlice.js'
export { loadBalancerController } from './controllers/loadBalancer.js'
export { resolveDns, DNS_TTL, DNS_SCHEMA_VERSION } from './network/dns.js'
export type { DnsAnswer, DnsRecord, DnsRecordType, ResolveDnsOptions } from './network/dns.js'
export { route, pickBackend, matchIngress } from './network/route.js'
export type { Route, RouteRequest, RouteError, RouteErrorReason, Backend, IngressMatch } from './network/route.js'

// IPv6 and dual-stack (IP families, IPv6 arithmetic, per-family node pod ranges)
export { parseIpv6, formatIpv6, canonicalIpv6, parseIpv6Cidr, ipv6AddressAt } from './network/ipv6.js'
export type { Ipv6Cidr } from './network/ipv6.js'
export { ipFamilyOf, parseCidrList, serviceCidrs, podCidrs, clusterIpFamilies } from './network/ipFamilies.js'
export type { IpFamily, FamilyCidr } from './network/ipFamilies.js'
export { nodePodRanges, firstFreeIp } from './network/podIps.js'

// StatefulSets, DaemonSets, rollout history and storage claims
export { CONTROLLER_REVISION_HASH_LABEL, hashControllerRevision, controllerRevisionName } from './controllers/controllerRevision.js'
export { daemonSetController, daemonPodTolerations, nodeShouldRunDaemonPod, POD_TEMPLATE_GENERATION_LABEL } from './controllers/daemonSet.js'
export type { NodeVerdict } from './controllers/daemonSet.js'
export {
  statefulSetController,
  isStuckOrderedRollout,
  parseStatefulPodName,
  statefulSetClaimName,
  STATEFULSET_POD_NAME_LABEL,
  POD_INDEX_LABEL,
} from './controllers/statefulSet.js'
export { volumeBinder, DEFAULT_STORAGE_CLASS, STORAGE_ANNOTATIONS } from './controllers/volumeBinder.js'
export { REASON_UNBOUND_IMMEDIATE_PVC } from './scheduling/volumeBinding.js'

// Timeline reports (kubesim run --report)
export { timelineRecorder } from './report/timeline.js'
export type { Timeline, TimelineOptions, TimelineRecorder, TimelineEvent, TimelinePoint, PodCounts, WorkloadSeries, WorkloadParent, NodeTimeline, NodePoint, NodeReadiness } from './report/timeline.js'
export { renderReportHtml } from './report/html.js'
export type { ReportInput, ReportMark } from './report/html.js'
