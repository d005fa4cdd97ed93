import { describe, expect, it } from 'vitest'
import { type Action, apply, createCluster, type KubeObject, list, remove } from '../../src/index.js'
import {
  EXPECTATIONS_TIMEOUT_MS,
  type Expectation,
  expectWrites,
  expiryOf,
  isSatisfied,
  observe,
  rememberExpectations,
} from '../../src/controllers/expectations.js'
import { right } from '../helpers.js'

const T0 = Date.UTC(2025, 0, 1)
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } })

describe('controller expectations (upstream ControllerExpectations)', () => {
  it('are satisfied when nothing is pending, and after the 5-minute timeout; expire at a wakeup', () => {
    const pending: Expectation = { namespace: 'default', adds: ['a'], dels: [], at: T0 }
    expect(EXPECTATIONS_TIMEOUT_MS).toBe(300_000)
    expect(isSatisfied(undefined, T0)).toBe(true)
    expect(isSatisfied({ ...pending, adds: [] }, T0)).toBe(true)
    expect(isSatisfied(pending, T0 + EXPECTATIONS_TIMEOUT_MS - 1)).toBe(false)
    expect(isSatisfied(pending, T0 + EXPECTATIONS_TIMEOUT_MS)).toBe(true)
    expect(expiryOf(pending, T0 + 1000)).toBe(T0 + EXPECTATIONS_TIMEOUT_MS)
    expect(expiryOf(pending, T0 + EXPECTATIONS_TIMEOUT_MS)).toBeUndefined()
    expect(expiryOf(undefined, T0)).toBeUndefined()
  })

  it('record the pods created by name and deleted by uid', () => {
    const actions: Action[] = [
      { type: 'create', by: 'c', object: pod('a') },
      { type: 'create', by: 'c', object: { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r', namespace: 'default' } } },
      { type: 'delete', by: 'c', ref: { kind: 'Pod', namespace: 'default', name: 'b' }, preconditionUid: 'uid-b' },
      { type: 'event', by: 'c', event: { involvedObject: { kind: 'Pod', name: 'a' }, type: 'Normal', reason: 'R', message: 'm' } },
    ]
    expect(expectWrites(actions, 'default', T0)).toEqual({ namespace: 'default', adds: ['a'], dels: ['uid-b'], at: T0 })
    expect(expectWrites([], 'default', T0)).toBeUndefined()
  })

  it('are lowered as the pods are observed: created ones appear, deleted ones are marked or gone', () => {
    let s = right(apply(createCluster({ now: T0, nodes: 0 }), pod('old')))
    const uid = list(s, 'Pod')[0]?.metadata.uid ?? ''
    const expected: Expectation = { namespace: 'default', adds: ['new'], dels: [uid], at: T0 }
    // Nothing observed yet: the same object back (no memory write).
    expect(observe(expected, s)).toBe(expected)
    s = right(apply(s, pod('new')))
    expect(observe(expected, s)).toEqual({ ...expected, adds: [], dels: [uid] })
    s = right(remove(s, { kind: 'Pod', namespace: 'default', name: 'old' }))
    expect(observe(expected, s)).toBeUndefined()
  })

  it('are remembered only when they change', () => {
    const e: Expectation = { namespace: 'default', adds: ['a'], dels: [], at: T0 }
    expect(rememberExpectations('c', { u: e }, { u: e })).toEqual([])
    expect(rememberExpectations('c', {}, {})).toEqual([])
    expect(rememberExpectations('c', { u: e }, {})).toEqual([{ type: 'remember', by: 'c', value: {} }])
  })
})
