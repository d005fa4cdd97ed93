import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { applyAction, failNode, list } from '../../src/index.js'
import { appLooksConverged, applyWorkloads, converge, emptyCluster, looksConverged, sizeFromEnv, verifyConverged } from '../../bench/bigCluster.js'

const size = { nodes: 4, deployments: 3, replicas: 4, services: 2, namespaces: 2 }

describe('bench S1 cluster', () => {
  const applied = applyWorkloads(emptyCluster(size), size)
  const converged = converge(applied, size)

  it('scales nodes, Deployments and Services but not replicas', () => {
    expect(sizeFromEnv({ KUBESIM_BENCH_SCALE: '0.05' })).toEqual({ nodes: 250, deployments: 50, replicas: 100, services: 50, namespaces: 10 })
    expect(sizeFromEnv({})).toEqual({ nodes: 5000, deployments: 1000, replicas: 100, services: 1000, namespaces: 10 })
    expect(() => sizeFromEnv({ KUBESIM_BENCH_NODES: '-1' })).toThrow()
  })

  it('converges, and the full check agrees', () => {
    expect(verifyConverged(converged, size)).toEqual([])
    expect(list(converged, 'Pod')).toHaveLength(12)
    for (let i = 0; i < size.deployments; i++) expect(appLooksConverged(converged, size, i)).toBe(true)
  })

  it('reports an unconverged cluster', () => {
    expect(looksConverged(applied, size)).toBe(false)
    expect(verifyConverged(applied, size).length).toBeGreaterThan(0)
  })

  it('notices a pod that is not ready, and a wrong endpoint', () => {
    const pod = list(converged, 'Pod')[0]
    if (pod === undefined) throw new Error('no pod')
    const notReady = applyAction(converged, { type: 'updateStatus', by: 'kubelet', object: { ...pod, status: { ...(pod['status'] as object), conditions: [{ type: 'Ready', status: 'False' }] } } })
    if (E.isLeft(notReady)) throw new Error(notReady.left.message)
    expect(verifyConverged(notReady.right.state, size).join('\n')).toMatch(/ready false/)
  })

  it('counts active pods on a failed node as a problem until they are evicted', () => {
    const node = (list(converged, 'Pod')[0]?.['spec'] as { nodeName: string }).nodeName
    const failed = failNode(converged, node)
    if (E.isLeft(failed)) throw new Error(failed.left.message)
    expect(verifyConverged(failed.right, size, new Set([node])).join('\n')).toMatch(/still active on failed node/)
  })
})
