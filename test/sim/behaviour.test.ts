import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { KubeObject } from '../../src/index.js'
import {
  BEHAVIOUR_ANNOTATIONS,
  containerReadyDelayMs,
  defaultBehaviour,
  parseBehaviourAnnotations,
  resolveBehaviour,
  runOutcome,
} from '../../src/sim/behaviour.js'

const pod = (annotations?: Record<string, string>, owner?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    ...(annotations === undefined ? {} : { annotations }),
    ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner, name: 'o', uid: 'u' }] }),
  },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
})

describe('behaviour', () => {
  it('defaults: start in 1 s, ready on start, run forever, exit 0, vanish on deletion', () => {
    expect(defaultBehaviour(pod())).toEqual({
      startDelayMs: 1000,
      readyDelayMs: 0,
      runDurationMs: undefined,
      exitCode: 0,
      crashAfterMs: undefined,
      neverReady: false,
      terminationDelayMs: 0,
      initDurationMs: 0,
    })
    expect(defaultBehaviour(pod(undefined, 'ReplicaSet')).runDurationMs).toBe(undefined)
    expect(defaultBehaviour(pod(undefined, 'Job')).runDurationMs).toBe(10_000)
  })

  it('parses every annotation', () => {
    const A = BEHAVIOUR_ANNOTATIONS
    const parsed = parseBehaviourAnnotations({
      [A.startDelay]: '2s',
      [A.readyDelay]: '1m',
      [A.runDuration]: '1h30m',
      [A.exitCode]: '3',
      [A.crashAfter]: '250',
      [A.neverReady]: 'true',
      [A.terminationDelay]: '15s',
      [A.initDuration]: '4s',
      'kubesim.dev/unrelated': 'x',
    })
    expect(parsed).toEqual({
      overrides: { startDelayMs: 2000, readyDelayMs: 60_000, runDurationMs: 5_400_000, exitCode: 3, crashAfterMs: 250, neverReady: true, terminationDelayMs: 15_000, initDurationMs: 4000 },
      problems: [],
    })
  })

  it('reports every invalid annotation and ignores it', () => {
    const parsed = parseBehaviourAnnotations({ 'kubesim.dev/start-delay': '-1s', 'kubesim.dev/exit-code': '256', 'kubesim.dev/never-ready': 'yes' })
    expect(parsed.overrides).toEqual({})
    expect(parsed.problems).toHaveLength(3)
    expect(resolveBehaviour(pod({ 'kubesim.dev/start-delay': 'soon' }))).toEqual(defaultBehaviour(pod()))
  })

  it('precedence: defaults < cluster model < annotations', () => {
    const model = () => ({ startDelayMs: 7000, readyDelayMs: 3000 })
    expect(resolveBehaviour(pod(), model)).toMatchObject({ startDelayMs: 7000, readyDelayMs: 3000 })
    expect(resolveBehaviour(pod({ 'kubesim.dev/start-delay': '1s' }), model)).toMatchObject({ startDelayMs: 1000, readyDelayMs: 3000 })
    // A model may make a Job pod run forever, and ill-formed fields are ignored.
    expect(resolveBehaviour(pod(undefined, 'Job'), () => ({ runDurationMs: undefined })).runDurationMs).toBe(undefined)
    expect(resolveBehaviour(pod(), () => ({ startDelayMs: -5, exitCode: 1.5 }))).toEqual(defaultBehaviour(pod()))
  })

  it('a crash exits 1 unless an exit code is given', () => {
    expect(resolveBehaviour(pod({ 'kubesim.dev/crash-after': '5s' })).exitCode).toBe(1)
    expect(resolveBehaviour(pod({ 'kubesim.dev/crash-after': '5s', 'kubesim.dev/exit-code': '137' })).exitCode).toBe(137)
    expect(runOutcome(resolveBehaviour(pod({ 'kubesim.dev/crash-after': '5s', 'kubesim.dev/run-duration': '3s' })))).toEqual({ afterMs: 3000, exitCode: 1 })
  })

  it('the ready delay is never shorter than the readiness probe initial delay', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.option(fc.nat(100), { nil: undefined }), (readyDelayMs, initial) => {
        const b = { ...defaultBehaviour(pod()), readyDelayMs }
        const c = initial === undefined ? {} : { readinessProbe: { initialDelaySeconds: initial } }
        const d = containerReadyDelayMs(c, b)
        expect(d).toBeGreaterThanOrEqual(readyDelayMs)
        expect(d).toBeGreaterThanOrEqual((initial ?? 0) * 1000)
        expect([readyDelayMs, (initial ?? 0) * 1000]).toContain(d)
      }),
    )
  })

  it('resolution is a pure function of the pod', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.values(BEHAVIOUR_ANNOTATIONS)), fc.string({ maxLength: 6 })), (annotations) => {
        const b = resolveBehaviour(pod(annotations))
        expect(resolveBehaviour(pod(annotations))).toEqual(b)
        for (const v of [b.startDelayMs, b.readyDelayMs, b.terminationDelayMs, b.initDurationMs]) expect(v).toBeGreaterThanOrEqual(0)
        expect(Number.isInteger(b.exitCode) && b.exitCode >= 0 && b.exitCode <= 255).toBe(true)
      }),
    )
  })
})
