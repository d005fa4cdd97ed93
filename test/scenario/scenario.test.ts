import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Ajv } from 'ajv'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { main } from '../../src/cli/main.js'
import { parseScenario, runScenario, type Scenario, scenarioFiles, traceEntries } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '../..')
const SCENARIOS = join(ROOT, 'examples/scenarios')
const schema = JSON.parse(readFileSync(join(ROOT, 'schema/scenario.schema.json'), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema)

const scenarioPaths = (): string[] =>
  readdirSync(SCENARIOS)
    .map((f) => join(SCENARIOS, f))
    .filter((p) => statSync(p).isFile() && p.endsWith('.yaml'))

const parsed = (text: string): Scenario => {
  const result = parseScenario(text)
  if (E.isLeft(result)) return expect.fail(result.left.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n'))
  return result.right
}

const errorsOf = (text: string) => {
  const result = parseScenario(text)
  return E.isLeft(result) ? result.left.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`) : []
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec: {containers: [{name: web, image: nginx:1.27}]}\n'

describe('parseScenario', () => {
  it('reads every step kind', () => {
    const s = parsed(`
name: all steps
cluster:
  seed: 3
  now: "2025-06-01T00:00:00Z"
  nodes: [{name: a, labels: {zone: z1}, capacity: {cpu: "8"}, taints: [{key: k, effect: NoSchedule}]}]
  behaviour: [{selector: app=web, startDelay: 5s, neverReady: true}]
steps:
  - apply: app.yaml
  - apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}]}
  - apply: {manifests: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: d}\\n"}
  - advance: 1m30s
  - settle: true
  - scale: {object: deploy/web, replicas: 3}
  - setImage: {object: Deployment/web, container: web, image: nginx:1.28}
  - delete: {object: Pod/web, namespace: other}
  - failNode: a
  - recoverNode: a
  - cordon: a
  - uncordon: a
  - drain: a
  - addNode: {name: b}
  - killPod: {object: Pod/web, exitCode: 1}
  - deleteNode: b
  - note: checks
    expect:
      - get: Pod/web
        path: status.phase
        equals: Running
      - count: pods
        selector: app=web
        where: {status.phase: Running}
        atLeast: 1
      - event: {reason: Scheduled, involved: Pod/web, type: Normal}
`)
    expect(s.name).toBe('all steps')
    expect(s.cluster.behaviour?.[0]).toEqual({ selector: 'app=web', overrides: { startDelayMs: 5000, neverReady: true } })
    expect(s.steps.map((x) => x.type)).toEqual([
      'apply', 'apply', 'apply', 'advance', 'settle', 'scale', 'setImage', 'delete', 'failNode', 'recoverNode',
      'cordon', 'uncordon', 'drain', 'addNode', 'killPod', 'deleteNode', 'expect',
    ])
    expect(s.steps[5]).toMatchObject({ type: 'scale', ref: { kind: 'Deployment', name: 'web' }, replicas: 3, line: 14 })
    expect(scenarioFiles(s)).toEqual(['app.yaml'])
  })

  it('reports every problem with line, column and path', () => {
    expect(errorsOf('cluster:\n  nodes: two\nsteps:\n  - advanc: 5s\n  - scale: {object: Deployment/web}\n  - expect: [{get: web}]\n')).toEqual([
      '2:10 cluster.nodes: must be a number of nodes or a list of node specs, got "two"',
      '4:5 steps[0]: unknown step "advanc"; did you mean "advance"?',
      '5:12 steps[1].scale.replicas: must be an integer between 0 and 2147483647, got nothing',
      '6:20 steps[2].expect[0].get: must be "<kind>/<name>", e.g. "Deployment/web", got "web"',
    ])
  })

  it('rejects bad durations, selectors, field paths, regexes, exit codes and unknown keys', () => {
    const errors = errorsOf(`
cluster: {behaviour: [{selector: "a in (b", startDelay: soon, colour: red}]}
steps:
  - advance: -5s
  - killPod: {object: Pod/x, exitCode: 300}
  - killPod: {object: Deployment/x}
  - expect:
      - {get: Pod/x, path: "a..b"}
      - {get: Pod/x, matches: "("}
      - {get: Pod/x, count: Pod}
      - {count: Pod, equal: 3}
`)
    expect(errors).toHaveLength(10)
    expect(errors.join('\n')).toMatch(/cluster\.behaviour\[0\]\.selector: unable to parse requirement/)
    expect(errors.join('\n')).toMatch(/startDelay: invalid duration "soon"/)
    expect(errors.join('\n')).toMatch(/colour: unknown field "colour"/)
    expect(errors.join('\n')).toMatch(/steps\[0\]\.advance: invalid duration "-5s"/)
    expect(errors.join('\n')).toMatch(/exitCode: must be an integer between 0 and 255, got 300/)
    expect(errors.join('\n')).toMatch(/killPod\.object: must name a Pod, got Deployment/)
    expect(errors.join('\n')).toMatch(/path: empty segment in field path "a\.\.b"/)
    expect(errors.join('\n')).toMatch(/matches: invalid regular expression/)
    expect(errors.join('\n')).toMatch(/must have exactly one of get, count, event, resolve, route, rolloutStatus, got get and count/)
    expect(errors.join('\n')).toMatch(/expect\[3\]\.equal: unknown field "equal"; did you mean "equals"\?/)
    expect(errors.map((e) => Number(e.split(':')[0]))).toEqual([2, 2, 2, 4, 5, 6, 8, 9, 10, 11])
  })

  it('reports YAML syntax errors and non-mapping documents with positions', () => {
    expect(errorsOf('steps:\n  - advance: [1\n')[0]).toMatch(/^3:1 : /)
    expect(errorsOf('- just\n- a list\n')).toEqual(['1:1 : a scenario must be a mapping with "steps", got a list'])
    expect(errorsOf('steps:\n  - advance: 1s\nsteps: []\n')[0]).toMatch(/^3:1 : Map keys must be unique/)
  })
})

describe('the JSON Schema', () => {
  it('accepts every bundled example scenario, as the parser does', () => {
    for (const path of scenarioPaths()) {
      const text = readFileSync(path, 'utf8')
      expect(validate(parseYaml(text)), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true)
      expect(E.isRight(parseScenario(text)), path).toBe(true)
    }
  })

  it('rejects what the parser rejects: unknown steps, two steps in one, bad node specs, bad expectations', () => {
    const bad = [
      'steps: [{advanc: 5s}]',
      'steps: [{advance: 5s, settle: true}]',
      'steps: [{advance: soon}]',
      'cluster: {nodes: two}\nsteps: []',
      'cluster: {nodes: [{labels: {}}]}\nsteps: []',
      'steps: [{expect: [{get: web}]}]',
      'steps: [{expect: [{count: Pod, colour: red}]}]',
      'steps: [{killPod: {object: Pod/x, exitCode: 300}}]',
      'steps: [{scale: {object: Deployment/web}}]',
      'name: x',
    ]
    for (const text of bad) {
      expect(validate(parseYaml(text)), text).toBe(false)
      expect(E.isLeft(parseScenario(text)), text).toBe(true)
    }
  })
})

describe('runScenario', () => {
  it('applies files, applies behaviour rules, and checks expectations', () => {
    const s = parsed(`
cluster:
  nodes: 1
  behaviour: [{selector: app=web, startDelay: 20s}]
steps:
  - apply: web.yaml
  - advance: 19s
  - expect: {get: Pod/web, path: status.phase, equals: Pending}
  - advance: 1s
  - expect: {get: Pod/web, path: status.phase, equals: Running}
  - setImage: {object: Pod/web, container: web, image: nginx:1.28}
  - expect: {get: Pod/web, path: "spec.containers[0].image", equals: nginx:1.28}
`)
    const run = runScenario(s, new Map([['web.yaml', POD]]))
    expect(run.steps.flatMap((r) => r.failures)).toEqual([])
    expect(run.ok).toBe(true)
    expect(run.steps.map((r) => r.elapsedMs)).toEqual([0, 19_000, 19_000, 20_000, 20_000, 20_000, 20_000])
  })

  it('stops at the first failure with kubectl-style messages', () => {
    const missing = runScenario(parsed('steps:\n  - apply: nope.yaml\n  - advance: 1s\n'), new Map())
    expect(missing.ok).toBe(false)
    expect(missing.steps).toHaveLength(1)
    expect(missing.steps[0]?.failures).toEqual(['error: the path "nope.yaml" does not exist'])
    const notScalable = runScenario(parsed('steps:\n  - scale: {object: Pod/web, replicas: 2}\n'), new Map())
    expect(notScalable.steps[0]?.failures).toEqual(['error: the server could not find the requested resource: pods has no scale subresource'])
    const noContainer = runScenario(parsed('cluster: {nodes: 1}\nsteps:\n  - apply: web.yaml\n  - setImage: {object: Pod/web, container: app, image: x}\n'), new Map([['web.yaml', POD]]))
    expect(noContainer.steps[1]?.failures).toEqual(['error: unable to find container named "app"'])
    const bad = runScenario(parsed('cluster: {nodes: 1}\nsteps:\n  - apply: {manifests: [{apiVersion: v1, kind: Pod, metadata: {name: "Bad_Name"}, spec: {containers: [{name: c, image: x}]}}]}\n'), new Map())
    expect(bad.steps[0]?.failures[0]).toMatch(/metadata\.name: Invalid value: "Bad_Name"/)
    const setup = runScenario(parsed('cluster: {now: yesterday}\nsteps: []\n'), new Map())
    expect(setup.ok).toBe(false)
    expect(setup.setupError).toMatch(/yesterday/)
  })

  it('explains failed expectations', () => {
    const s = parsed(`
cluster: {nodes: 2}
steps:
  - apply: web.yaml
  - advance: 5s
  - expect:
      - {get: Pod/web, path: status.phase, equals: Succeeded}
      - {get: Pod/nope}
      - {get: Pod/web, exists: false}
      - {count: Pod, selector: app=web, equals: 2}
      - {event: {reason: FailedScheduling}}
      - {event: {reason: Scheduled, involved: Pod/web}, exists: false}
      - {get: Node/node-1, path: status.allocatable.cpu, matches: "^8$"}
`)
    const run = runScenario(s, new Map([['web.yaml', POD]]))
    expect(run.steps.at(-1)?.failures).toEqual([
      'line 7: expected Pod default/web status.phase to equal "Succeeded", got "Running"',
      'line 8: expected Pod default/nope to exist, but it was not found',
      'line 9: expected Pod default/web to be absent, but it exists',
      'line 10: expected the number of Pod objects selected by app=web, in namespace default to equal 2, got 1',
      'line 11: expected the number of FailedScheduling events to be at least 1, got 0',
      'line 12: expected the number of Scheduled events about Pod/web to be at most 0, got 1',
      'line 13: expected Node node-1 status.allocatable.cpu to match /^8$/, got "4"',
    ])
  })

  it('is deterministic: the same scenario gives the same trace', () => {
    const s = parsed('cluster: {nodes: 3, seed: 9}\nsteps:\n  - apply: web.yaml\n  - advance: 1m\n  - failNode: node-1\n  - advance: 10m\n')
    const trace = () => {
      const run = runScenario(s, new Map([['web.yaml', POD]]))
      return run.state === undefined ? [] : traceEntries(run.state)
    }
    expect(trace()).toEqual(trace())
  })
})

describe('kubesim run', () => {
  const cli = async (...argv: string[]) => {
    let out = ''
    let err = ''
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
    return { code, out, err }
  }

  it('passes every bundled example scenario', async () => {
    for (const path of scenarioPaths()) {
      const { code, out, err } = await cli('run', path)
      expect(err, path).toBe('')
      expect(code, path).toBe(0)
      expect(out, path).toMatch(/PASS \d+ steps\n$/)
    }
  })

  it('exits 2 with positioned errors for an invalid file, and 1 on a failed expectation', async () => {
    const dir = dirname(scenarioPaths()[0] ?? SCENARIOS)
    const invalid = await cli('run', join(ROOT, 'test/scenario/fixtures/invalid.yaml'))
    expect(invalid.code).toBe(2)
    expect(invalid.err).toMatch(/invalid\.yaml:3:5: steps\[0\]: unknown step "wait"/)
    const failing = await cli('run', join(ROOT, 'test/scenario/fixtures/failing.yaml'))
    expect(failing.code).toBe(1)
    expect(failing.out).toMatch(/\[2\/2\] FAIL expect/)
    expect(failing.err).toMatch(/failing\.yaml:5: expected the number of Node objects to equal 5, got 2/)
    expect(dir).toBe(SCENARIOS)
    const absent = await cli('run', 'no-such-file.yaml')
    expect(absent.code).toBe(1)
    expect(absent.err).toBe('error: the path "no-such-file.yaml" does not exist\n')
  })
})
