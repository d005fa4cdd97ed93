/**
 * kubesim's object types line up with the `kubernetes-types` shapes users already have: ours
 * are assignable to theirs, and theirs (with the envelope a stored object always has:
 * apiVersion, kind, metadata with a name, spec) are assignable to ours. The checks are the
 * assignments themselves: if one stops compiling, the type check of this file fails.
 */
import type * as apps from 'kubernetes-types/apps/v1.js'
import type * as core from 'kubernetes-types/core/v1.js'
import { describe, expectTypeOf, it } from 'vitest'
import type { Deployment, KubeObject, Pod, Service } from '../../src/index.js'
import type { ContainerStatus, PodStatus, PodTemplateSpec } from '../../src/objects/pod.js'

type Stored<T, K extends string, V extends string, S> = Omit<T, 'apiVersion' | 'kind' | 'metadata' | 'spec'> & {
  apiVersion: V
  kind: K
  metadata: NonNullable<core.Pod['metadata']> & { name: string }
  spec: S
}

const podToTheirs = (pod: Pod): core.Pod => pod
const podFromTheirs = (pod: Stored<core.Pod, 'Pod', 'v1', core.PodSpec>): Pod => pod
const deploymentToTheirs = (d: Deployment): apps.Deployment => d
const deploymentFromTheirs = (d: Stored<apps.Deployment, 'Deployment', 'apps/v1', apps.DeploymentSpec>): Deployment => d
const serviceToTheirs = (s: Service): core.Service => s
const serviceFromTheirs = (s: Stored<core.Service, 'Service', 'v1', core.ServiceSpec>): Service => s
// The building blocks users pass around on their own convert both ways too.
const templateToTheirs = (x: PodTemplateSpec): core.PodTemplateSpec => x
const templateFromTheirs = (x: core.PodTemplateSpec): PodTemplateSpec => x
const containerStatusToTheirs = (x: ContainerStatus): core.ContainerStatus => x
const containerStatusFromTheirs = (x: core.ContainerStatus): ContainerStatus => x
const podStatusToTheirs = (x: PodStatus): core.PodStatus => x
const podStatusFromTheirs = (x: core.PodStatus): PodStatus => x
const storedIsKubeObject = (p: Stored<core.Pod, 'Pod', 'v1', core.PodSpec>): KubeObject => p

describe('kubernetes-types compatibility', () => {
  it('Pod converts both ways', () => {
    expectTypeOf(podToTheirs).returns.toEqualTypeOf<core.Pod>()
    expectTypeOf(podFromTheirs).returns.toEqualTypeOf<Pod>()
  })
  it('Deployment converts both ways', () => {
    expectTypeOf(deploymentToTheirs).returns.toEqualTypeOf<apps.Deployment>()
    expectTypeOf(deploymentFromTheirs).returns.toEqualTypeOf<Deployment>()
  })
  it('Service converts both ways', () => {
    expectTypeOf(serviceToTheirs).returns.toEqualTypeOf<core.Service>()
    expectTypeOf(serviceFromTheirs).returns.toEqualTypeOf<Service>()
  })
  it('pod templates and statuses convert both ways', () => {
    expectTypeOf(templateToTheirs).returns.toEqualTypeOf<core.PodTemplateSpec>()
    expectTypeOf(templateFromTheirs).returns.toEqualTypeOf<PodTemplateSpec>()
    expectTypeOf(containerStatusToTheirs).returns.toEqualTypeOf<core.ContainerStatus>()
    expectTypeOf(containerStatusFromTheirs).returns.toEqualTypeOf<ContainerStatus>()
    expectTypeOf(podStatusToTheirs).returns.toEqualTypeOf<core.PodStatus>()
    expectTypeOf(podStatusFromTheirs).returns.toEqualTypeOf<PodStatus>()
  })
  it('a stored kubernetes-types object is a KubeObject', () => {
    expectTypeOf(storedIsKubeObject).returns.toEqualTypeOf<KubeObject>()
  })
})
