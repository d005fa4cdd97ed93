/**
 * The registry of simulated kinds: kind name -> its admission pipeline (`KindModel`). Kinds not
 * here are stored as opaque objects with a "not simulated" warning.
 *
 * @module
 */
import { configMapModel } from './configMap.js'
import { controllerRevisionModel } from './controllerRevision.js'
import { cronJobModel } from './cronJob.js'
import { daemonSetModel } from './daemonSet.js'
import { deploymentModel } from './deployment.js'
import { endpointSliceModel } from './endpointSlice.js'
import { eventModel } from './event.js'
import { ingressModel } from './ingress.js'
import { jobModel } from './job.js'
import type { KindModel } from './kindModel.js'
import { namespaceModel } from './namespace.js'
import { nodeModel } from './node.js'
import type { KubeObject } from './object.js'
import { persistentVolumeModel } from './persistentVolume.js'
import { persistentVolumeClaimModel } from './persistentVolumeClaim.js'
import { podModel } from './pod.js'
import { replicaSetModel } from './replicaSet.js'
import { secretModel } from './secret.js'
import { serviceModel } from './service.js'
import { statefulSetModel } from './statefulSet.js'
import { storageClassModel } from './storageClass.js'

// Each model is typed by its own kind; the registry erases that to KubeObject, which is sound
// because the reducer only hands a model objects of its kind, decoded by its own codec.
const all = [
  namespaceModel,
  nodeModel,
  podModel,
  replicaSetModel,
  deploymentModel,
  statefulSetModel,
  daemonSetModel,
  controllerRevisionModel,
  jobModel,
  cronJobModel,
  serviceModel,
  endpointSliceModel,
  configMapModel,
  secretModel,
  persistentVolumeClaimModel,
  persistentVolumeModel,
  storageClassModel,
  ingressModel,
  eventModel,
] as unknown as ReadonlyArray<KindModel<KubeObject>>

const models: ReadonlyMap<string, KindModel<KubeObject>> = new Map(all.map((m) => [m.info.kind, m]))

/** The admission pipeline for a simulated kind, if kubesim simulates it. */
export const modelFor = (kind: string): KindModel<KubeObject> | undefined => models.get(kind)
