/**
 * The `kubesim` command: an impure shell around the pure core. It reads manifests, builds a
 * cluster, applies them, optionally runs the controllers until they settle, and prints what
 * kubectl would print.
 *
 * @module
 */
import { Command, CommanderError, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describeObject } from '../io/describe.js'
import { formatSchedulingExplanation } from '../io/explainScheduling.js'
import { explainScheduling } from '../scheduling/explain.js'
import { formatTable } from '../io/table.js'
import { type ManifestDocument, parseManifests, toJson, toYaml } from '../io/yaml.js'
import { parseDuration } from '../objects/duration.js'
import { KNOWN_KINDS, type KindInfo, resolveKindAlias } from '../objects/kinds.js'
import { closestWord } from '../internal/suggest.js'
import type { KubeObject } from '../objects/object.js'
import { parseSelector } from '../objects/selector.js'
import { advance, settle } from '../sim/engine.js'
import { applyManifestsDetailed, list } from '../store/api.js'
import { tryCreateCluster } from '../store/cluster.js'
import { storedKinds } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, formatApiError } from '../validation/apiError.js'
import { readManifestSources } from './files.js'
import { runResolve, runRoute } from './network.js'
import { renderReportHtml } from '../report/html.js'
import { timelineRecorder } from '../report/timeline.js'
import { writeFile } from 'node:fs/promises'
import { parseTarget, type RolloutVerb, runRollout, runScale } from './rollout.js'
import { runScenarioFile } from './scenario.js'
import { formatHappenings, traceCollector } from './happenings.js'
import { palette } from './colour.js'
import { PROGRAM_HELP_AFTER, type Verb, withHelp } from './help.js'
import { timelineWatcher } from './watch.js'

/** Where the CLI writes. Tests pass buffers; the bin passes the process streams. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** Colour errors, warnings and pass/fail marks (the bin decides: see `colourEnabled`). */
  readonly colour?: boolean
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

interface ClusterFlags {
  readonly filename: string[]
  readonly recursive?: boolean
  readonly nodes: string
  readonly seed: string
  readonly now?: string
  readonly settle?: boolean
  /** Virtual time to let pass after applying (and settling), e.g. `90s`, `5m`. */
  readonly advance?: string
}

/** Kinds that are noise in an overview unless asked for by name. */
const HIDDEN_IN_OVERVIEW = new Set(['Event', 'ControllerRevision', 'EndpointSlice'])
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease'])

class CliFailure extends Error {}

/** One observer that feeds every given one (the report's recorder, the watch timeline). */
const observeAll = (observers: ReadonlyArray<((state: ClusterState) => void) | undefined>): ((state: ClusterState) => void) | undefined => {
  const present = observers.filter((o): o is (state: ClusterState) => void => o !== undefined)
  if (present.length <= 1) return present[0]
  return (state) => {
    for (const o of present) o(state)
  }
}

const parseInteger = (name: string, value: string, min: number): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new CliFailure(`error: --${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`)
  return n
}

/** Reads the -f sources and applies them to a fresh cluster; prints errors and returns undefined on failure. */
const buildCluster = async (
  flags: ClusterFlags,
  io: CliIo,
  verb: 'apply' | 'validate' | 'get' | 'describe',
  observe?: (state: ClusterState) => void,
  /** Called with the `created` lines once the manifests are applied, before time passes. */
  onApplied?: (lines: ReadonlyArray<string>) => void,
): Promise<{ state: ClusterState; lines: string[] } | undefined> => {
  const colours = palette(io.colour === true)
  if (flags.filename.length === 0) throw new CliFailure('error: must specify one of -f and -k')
  if (flags.advance !== undefined) {
    // Checked before any work, as cobra rejects a malformed duration flag before running.
    const parsed = parseDuration(flags.advance)
    if (E.isLeft(parsed)) throw new CliFailure(`error: invalid argument ${JSON.stringify(flags.advance)} for "--advance" flag: ${parsed.left}`)
  }
  const sources = await readManifestSources(flags.filename, flags.recursive === true)
  const created = tryCreateCluster({
    nodes: parseInteger('nodes', flags.nodes, 0),
    seed: parseInteger('seed', flags.seed, 0),
    ...(flags.now === undefined ? {} : { now: flags.now }),
  })
  if (E.isLeft(created)) throw new CliFailure(`error: ${created.left.message}`)
  const documents: { readonly path: string; readonly doc: ManifestDocument }[] = []
  const parseErrors: string[] = []
  for (const source of sources) {
    const parsed = parseManifests(source.text, { maxBytes: created.right.config.maxManifestBytes })
    if (E.isLeft(parsed)) parseErrors.push(...parsed.left.map((e) => `${source.path}: ${formatApiError(e)}`))
    else for (const doc of parsed.right) documents.push({ path: source.path, doc })
  }
  if (parseErrors.length > 0) {
    io.err(colours.red(parseErrors.join('\n')) + '\n')
    return undefined
  }
  const applied = applyManifestsDetailed(
    created.right,
    documents.map((d) => d.doc.object),
  )
  if (E.isLeft(applied)) {
    io.err(colours.red(applied.left.map((e) => describeError(e, documents)).join('\n')) + '\n')
    return undefined
  }
  for (const warning of applied.right.warnings) io.err(`${colours.yellow(`Warning: ${warning}`)}\n`)
  const suffix = verb === 'validate' ? ' (server dry run)' : ''
  const lines = applied.right.items.map((item) => `${item.display} ${item.outcome}${suffix}`)
  onApplied?.(lines)
  let state = applied.right.state
  observe?.(state)
  const engineOptions = observe === undefined ? {} : { observe }
  if (flags.settle === true) {
    const settled = settle(state, engineOptions)
    if (E.isLeft(settled)) {
      io.err(colours.red(`error: ${settled.left.message}`) + '\n')
      return undefined
    }
    state = settled.right
  }
  if (flags.advance !== undefined) {
    const advanced = advance(state, flags.advance, engineOptions)
    if (E.isLeft(advanced)) {
      io.err(colours.red(`error: ${advanced.left.message}`) + '\n')
      return undefined
    }
    state = advanced.right
  }
  return { state, lines }
}

const describeError = (error: ApiError, documents: ReadonlyArray<{ readonly path: string; readonly doc: ManifestDocument }>): string => {
  const source = error.documentIndex === undefined ? undefined : documents[error.documentIndex]
  const { documentIndex: _omit, ...rest } = error
  const where = source === undefined ? '' : `${source.path} (document ${source.doc.index}${source.doc.line === undefined ? '' : `, line ${source.doc.line}`}): `
  return where + formatApiError(rest)
}

const overview = (state: ClusterState, namespace: string | undefined, allNamespaces: boolean): ReadonlyArray<KubeObject> =>
  storedKinds(state.objects)
    .filter((kind) => !HIDDEN_IN_OVERVIEW.has(kind))
    .flatMap((kind) => list(state, kind))
    .filter((o) => {
      const ns = o.metadata.namespace
      if (ns === undefined) return o.kind !== 'Namespace' || !SYSTEM_NAMESPACES.has(o.metadata.name) && o.metadata.name !== 'default'
      if (allNamespaces) return !SYSTEM_NAMESPACES.has(ns)
      if (namespace !== undefined) return ns === namespace
      return !SYSTEM_NAMESPACES.has(ns) && !(o.kind === 'Service' && o.metadata.name === 'kubernetes' && ns === 'default')
    })

const printObjects = (io: CliIo, objects: ReadonlyArray<KubeObject>, output: string, now: number, namespaceColumn: boolean): void => {
  if (output === 'yaml') io.out(toYaml(objects, { sortKeys: true }))
  else if (output === 'json') io.out(toJson(objects, { sortKeys: true }) + '\n')
  else if (objects.length === 0) io.err('No resources found\n')
  else {
    const kinds = new Set(objects.map((o) => o.kind))
    io.out(formatTable(objects, { now, wide: output === 'wide', showKind: kinds.size > 1, namespaceColumn }) + '\n')
  }
}

/** kubectl's error for an unknown resource type, with a suggestion when it looks like a typo. */
const unknownKind = (word: string): string => {
  const names = KNOWN_KINDS.flatMap((k) => [k.resource, k.kind.toLowerCase(), ...k.shortNames])
  const guess = closestWord(word.toLowerCase(), names)
  return `error: the server doesn't have a resource type "${word}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`
}

/** kubectl's name for a resource in errors: `pods`, `deployments.apps`. */
const resourceName = (info: KindInfo): string => (info.group === '' ? info.resource : `${info.resource}.${info.group}`)

const ADVANCE_HELP = 'let virtual time pass after applying (and settling), e.g. 90s, 5m, 1h30m'

const clusterOptions = (command: Command): Command =>
  command
    .requiredOption('-f, --filename <path...>', 'manifest file, directory, or - for stdin (repeatable)')
    .option('-R, --recursive', 'process directories recursively')
    .option('--nodes <n>', 'number of nodes to create', '0')
    .option('--seed <n>', 'PRNG seed', '0')
    .option('--now <time>', 'virtual start time (RFC 3339)')

/**
 * Runs the CLI with the given arguments (without `node` and the script path); resolves to the
 * exit code.
 */
export const main = async (argv: ReadonlyArray<string>, io: CliIo = processIo): Promise<number> => {
  const colours = palette(io.colour === true)
  const program = new Command('kubesim')
    .description('Kubernetes clusters as immutable data: see what your cluster will do with these manifests.')
    .usage('<verb> [options]')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(colours.red(text)) })
    .addHelpText('after', PROGRAM_HELP_AFTER)
  /** A verb, with its summary for the verb list and the examples for its own help. */
  const verb = (name: Verb): Command => withHelp(program.command(name), name)
  const printError = (text: string): void => io.err(colours.red(text) + '\n')
  const printOutcome = (outcome: { readonly out: string; readonly err: string; readonly code: number }): number => {
    if (outcome.out !== '') io.out(outcome.out)
    // A zero exit with text on stderr is a note (no answer of that type, a DNS search note).
    if (outcome.err !== '') io.err(outcome.code === 0 ? outcome.err : colours.red(outcome.err))
    return outcome.code
  }

  let exitCode = 0
  const run = (action: () => Promise<number>) => async () => {
    exitCode = await action()
  }

  const applyCommand = clusterOptions(verb('apply').description('apply manifests to a fresh simulated cluster and print the result'))
    .option('--settle', 'run the controllers until nothing changes')
    .option('--advance <duration>', ADVANCE_HELP)
    .option('--report <file>', 'write an HTML timeline report of the run (pods per workload, nodes, events, final state)')
    .option('-w, --watch', 'print each change (pods, rollouts, events) as virtual time passes; implies --settle')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'yaml', 'json', 'name']).default('table'))
  applyCommand.action(
    run(async () => {
      const flags = applyCommand.opts<ClusterFlags & { output: string; report?: string; watch?: boolean }>()
      const watching = flags.watch === true
      if (watching && flags.output !== 'table' && flags.output !== 'wide') throw new CliFailure(`error: --watch prints a timeline, not ${flags.output}: use -o table or -o wide`)
      const recorder = flags.report === undefined ? undefined : timelineRecorder()
      const watcher = watching ? timelineWatcher(io.out, colours) : undefined
      const built = await buildCluster(
        watching ? { ...flags, settle: true } : flags,
        io,
        'apply',
        observeAll([recorder?.observe, watcher?.observe]),
        // The created lines come first, then the timeline of what followed.
        watching ? (lines) => io.out(lines.join('\n') + '\n\n') : undefined,
      )
      if (built === undefined) return 1
      if (recorder !== undefined && flags.report !== undefined) {
        const title = `kubesim apply -f ${flags.filename.join(' -f ')}${flags.settle === true ? ' --settle' : ''}${flags.advance === undefined ? '' : ` --advance ${flags.advance}`}`
        await writeFile(flags.report, renderReportHtml({ title, seed: parseInteger('seed', flags.seed, 0), timeline: recorder.timeline() }))
        io.err(`report written to ${flags.report}\n`)
      }
      if (flags.output === 'name') {
        io.out(built.lines.map((l) => l.split(' ')[0]).join('\n') + '\n')
        return 0
      }
      if (flags.output === 'table' || flags.output === 'wide') io.out(watching ? '\n' : built.lines.join('\n') + '\n\n')
      printObjects(io, overview(built.state, undefined, true), flags.output, built.state.now, true)
      return 0
    }),
  )

  const validateCommand = clusterOptions(verb('validate').description('check manifests as the API server would, without running anything'))
  validateCommand.action(
    run(async () => {
      const built = await buildCluster(validateCommand.opts<ClusterFlags>(), io, 'validate')
      if (built === undefined) return 1
      io.out(built.lines.join('\n') + '\n')
      return 0
    }),
  )

  const getCommand = clusterOptions(
    verb('get')
      .description('apply manifests to a fresh cluster, settle it, and list objects like kubectl get')
      .argument('<kind>', 'kind or alias: pods, deploy, svc, all, ...')
      .argument('[name]', 'one object by name'),
  )
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier in (fe,be)')
    .option('--no-settle', 'do not run the controllers before listing')
    .option('--advance <duration>', ADVANCE_HELP)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'yaml', 'json']).default('table'))
  getCommand.action(
    run(async () => {
      const [kindArg, name] = getCommand.processedArgs as [string, string | undefined]
      const flags = getCommand.opts<ClusterFlags & { namespace: string; allNamespaces?: boolean; selector?: string; output: string }>()
      if (flags.selector !== undefined && E.isLeft(parseSelector(flags.selector))) {
        const parsed = parseSelector(flags.selector)
        throw new CliFailure(`error: ${E.isLeft(parsed) ? parsed.left : ''}`)
      }
      const built = await buildCluster(flags, io, 'get')
      if (built === undefined) return 1
      const namespace = flags.allNamespaces === true ? undefined : flags.namespace
      let objects: ReadonlyArray<KubeObject>
      if (kindArg === 'all') {
        objects = overview(built.state, namespace, flags.allNamespaces === true).filter((o) => o.metadata.namespace !== undefined)
      } else {
        // `svc,endpointslices`: several kinds, listed in the order given, as kubectl does.
        const collected: KubeObject[] = []
        for (const part of kindArg.split(',')) {
          const info = resolveKindAlias(part)
          if (info === undefined) throw new CliFailure(unknownKind(part))
          const found = list(built.state, info.kind, {
            ...(info.namespaced && namespace !== undefined ? { namespace } : {}),
            ...(flags.selector === undefined ? {} : { labelSelector: flags.selector }),
          }).filter((o) => name === undefined || o.metadata.name === name)
          if (name !== undefined && found.length === 0) {
            printError(`Error from server (NotFound): ${resourceName(info)} "${name}" not found`)
            return 1
          }
          collected.push(...found)
        }
        objects = collected
      }
      if (objects.length === 0 && flags.output !== 'yaml' && flags.output !== 'json') {
        io.err(namespace === undefined ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`)
        return 0
      }
      printObjects(io, objects, flags.output, built.state.now, flags.allNamespaces === true)
      return 0
    }),
  )

  const describeCommand = clusterOptions(
    verb('describe')
      .description('apply manifests to a fresh cluster, settle it, and show objects in detail like kubectl describe')
      .argument('<kind>', 'kind or alias: pods, nodes, deploy, ...')
      .argument('[name]', 'one object by name, or a name prefix'),
  )
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--advance <duration>', ADVANCE_HELP)
  describeCommand.action(
    run(async () => {
      const [kindArg, name] = describeCommand.processedArgs as [string, string | undefined]
      const flags = describeCommand.opts<ClusterFlags & { namespace: string }>()
      const info = resolveKindAlias(kindArg)
      if (info === undefined) throw new CliFailure(unknownKind(kindArg))
      const built = await buildCluster({ ...flags, settle: true }, io, 'describe')
      if (built === undefined) return 1
      const all = list(built.state, info.kind, info.namespaced ? { namespace: flags.namespace } : {})
      // kubectl describe falls back to a name prefix when no object has the exact name.
      const exact = name === undefined ? all : all.filter((o) => o.metadata.name === name)
      const objects = name === undefined || exact.length > 0 ? exact : all.filter((o) => o.metadata.name.startsWith(name))
      if (name !== undefined && objects.length === 0) {
        printError(`Error from server (NotFound): ${resourceName(info)} "${name}" not found`)
        return 1
      }
      if (objects.length === 0) {
        io.err(info.namespaced ? `No resources found in ${flags.namespace} namespace.\n` : 'No resources found\n')
        return 0
      }
      io.out(objects.map((o) => describeObject(built.state, o)).join('\n\n'))
      return 0
    }),
  )

  const explainCommand = clusterOptions(
    verb('explain-scheduling')
      .description('apply manifests to a fresh cluster and show, node by node, why the scheduler would or would not place a pod there')
      .argument('<pod>', 'the pod name'),
  )
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--advance <duration>', ADVANCE_HELP)
  explainCommand.action(
    run(async () => {
      const [podName] = explainCommand.processedArgs as [string]
      const flags = explainCommand.opts<ClusterFlags & { namespace: string }>()
      const built = await buildCluster({ ...flags, settle: true }, io, 'describe')
      if (built === undefined) return 1
      const explained = explainScheduling(built.state, { kind: 'Pod', namespace: flags.namespace, name: podName })
      if (O.isNone(explained)) {
        printError(`Error from server (NotFound): pods "${podName}" not found`)
        return 1
      }
      const pod = list(built.state, 'Pod', { namespace: flags.namespace }).find((p) => p.metadata.name === podName)
      const boundTo = (pod?.['spec'] as { nodeName?: string } | undefined)?.nodeName
      if (boundTo !== undefined) io.out(`pod ${flags.namespace}/${podName} is bound to ${boundTo}; this is what the scheduler would decide for it now:\n\n`)
      io.out(formatSchedulingExplanation(explained.value))
      return 0
    }),
  )

  const advanceCommand = clusterOptions(
    verb('advance')
      .description('apply manifests to a fresh cluster, let virtual time pass, and print what happened: events and Jobs')
      .argument('<duration>', 'how much virtual time, e.g. 90s, 1h, 7d'),
  )
  advanceCommand.action(
    run(async () => {
      const [duration] = advanceCommand.processedArgs as [string]
      const parsedDuration = parseDuration(duration)
      if (E.isLeft(parsedDuration)) throw new CliFailure(`error: invalid duration ${JSON.stringify(duration)}: ${parsedDuration.left}`)
      const built = await buildCluster({ ...advanceCommand.opts<ClusterFlags>(), settle: true }, io, 'apply')
      if (built === undefined) return 1
      const collector = traceCollector(built.state)
      const advanced = advance(built.state, parsedDuration.right, { observe: collector.observe })
      if (E.isLeft(advanced)) {
        printError(`error: ${advanced.left.message}`)
        return 1
      }
      io.out(formatHappenings(collector.entries(), built.state.now, advanced.right))
      return 0
    }),
  )

  const runCommand = verb('run')
    .description('run a scenario file: set up a cluster, apply its steps, check its expectations')
    .argument('<scenario>', 'a scenario YAML file (see docs/scenarios.md)')
    .option('--report <file>', 'write an HTML timeline report of the run (pods per workload, nodes, events, final state)')
    .option('-w, --watch', 'print each change (pods, rollouts, events) as virtual time passes, between the step lines')
  runCommand.action(
    run(async () => {
      const [path] = runCommand.processedArgs as [string]
      const { report, watch } = runCommand.opts<{ report?: string; watch?: boolean }>()
      return runScenarioFile(path, io, { ...(report === undefined ? {} : { report }), ...(watch === true ? { watch } : {}) })
    }),
  )

  const rolloutCommand = clusterOptions(
    verb('rollout')
      .description('apply manifests to a fresh cluster, settle it, then run kubectl rollout status|history|undo|restart|pause|resume')
      .argument('<verb>', 'status, history, undo, restart, pause or resume')
      .argument('<target>', 'deployment/<name>, or the kind followed by the name')
      .argument('[name]', 'the name, when the kind is given separately'),
  )
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--advance <duration>', ADVANCE_HELP)
    .option('--to-revision <n>', 'undo: the revision to roll back to (default: the previous one)')
    .option('--revision <n>', 'history: show one revision; status: the revision to wait for')
    .option('--timeout <duration>', 'status: how much virtual time to watch for (default 10m)')
  rolloutCommand.action(
    run(async () => {
      const [verb, target, name] = rolloutCommand.processedArgs as [string, string, string | undefined]
      const flags = rolloutCommand.opts<ClusterFlags & { namespace: string; toRevision?: string; revision?: string; timeout?: string }>()
      const verbs = ['status', 'history', 'undo', 'restart', 'pause', 'resume']
      if (!verbs.includes(verb)) throw new CliFailure(`error: unknown command "${verb}" for "kubesim rollout" (one of ${verbs.join(', ')})`)
      const ref = parseTarget(target, name, flags.namespace)
      if (ref === undefined) throw new CliFailure('error: required resource not specified')
      const revisionFlag = verb === 'undo' ? flags.toRevision : flags.revision
      const revision = revisionFlag === undefined ? undefined : parseInteger(verb === 'undo' ? 'to-revision' : 'revision', revisionFlag, 0)
      const built = await buildCluster({ ...flags, settle: true }, io, 'get')
      if (built === undefined) return 1
      const outcome = runRollout(built.state, verb as RolloutVerb, ref, {
        ...(revision === undefined ? {} : { revision }),
        ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
      })
      return printOutcome(outcome)
    }),
  )

  const scaleCommand = clusterOptions(
    verb('scale')
      .description('apply manifests to a fresh cluster, settle it, then set the replicas of a Deployment, ReplicaSet or StatefulSet')
      .argument('<target>', 'deployment/<name>, or the kind followed by the name')
      .argument('[name]', 'the name, when the kind is given separately'),
  )
    .requiredOption('--replicas <n>', 'the new number of replicas')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--advance <duration>', ADVANCE_HELP)
  scaleCommand.action(
    run(async () => {
      const [target, name] = scaleCommand.processedArgs as [string, string | undefined]
      const flags = scaleCommand.opts<ClusterFlags & { namespace: string; replicas: string }>()
      const ref = parseTarget(target, name, flags.namespace)
      if (ref === undefined) throw new CliFailure('error: required resource not specified')
      const replicas = parseInteger('replicas', flags.replicas, 0)
      const built = await buildCluster({ ...flags, settle: true }, io, 'get')
      if (built === undefined) return 1
      const outcome = runScale(built.state, ref, replicas)
      return printOutcome(outcome)
    }),
  )

  // Networking: where does this name / connection go?
  const NETWORK_ADVANCE = '1m'
  const resolveCommand = clusterOptions(
    verb('resolve').description('apply manifests, let pods start, and answer a DNS query as the cluster DNS would').argument('<name>', 'a DNS name: web, web.default, web.default.svc.cluster.local, ...'),
  )
    .option('--from <pod>', 'client pod (name or namespace/name): its search path and DNS policy apply')
    .option('-n, --namespace <ns>', 'client namespace', 'default')
    .option('-t, --type <type>', 'record type: A, AAAA, SRV, CNAME, PTR, TXT', 'A')
    .option('--advance <duration>', `${ADVANCE_HELP} (default ${NETWORK_ADVANCE})`, NETWORK_ADVANCE)
  resolveCommand.action(
    run(async () => {
      const [name] = resolveCommand.processedArgs as [string]
      const flags = resolveCommand.opts<ClusterFlags & { namespace: string; from?: string; type: string }>()
      const built = await buildCluster({ ...flags, settle: true }, io, 'get')
      if (built === undefined) return 1
      const outcome = runResolve(built.state, name, { type: flags.type, namespace: flags.namespace, ...(flags.from === undefined ? {} : { from: flags.from }) })
      return printOutcome(outcome)
    }),
  )
  const routeCommand = clusterOptions(
    verb('route').description('apply manifests, let pods start, and show where a connection to host:port lands').argument('<target>', 'host:port, e.g. web:80, 10.96.12.7:443, 172.18.0.2:30080'),
  )
    .option('--from <pod>', 'client pod (name or namespace/name)')
    .option('-n, --namespace <ns>', 'client namespace', 'default')
    .option('--protocol <protocol>', 'TCP, UDP or SCTP', 'TCP')
    .option('--path <path>', 'HTTP path, for hosts an Ingress serves')
    .option('--advance <duration>', `${ADVANCE_HELP} (default ${NETWORK_ADVANCE})`, NETWORK_ADVANCE)
  routeCommand.action(
    run(async () => {
      const [target] = routeCommand.processedArgs as [string]
      const flags = routeCommand.opts<ClusterFlags & { namespace: string; from?: string; protocol: string; path?: string }>()
      const built = await buildCluster({ ...flags, settle: true }, io, 'get')
      if (built === undefined) return 1
      const outcome = runRoute(built.state, target, {
        namespace: flags.namespace,
        protocol: flags.protocol,
        ...(flags.from === undefined ? {} : { from: flags.from }),
        ...(flags.path === undefined ? {} : { path: flags.path }),
      })
      return printOutcome(outcome)
    }),
  )

  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof CliFailure || error instanceof Error) {
      io.err(`${colours.red(error.message)}\n`)
      return 1
    }
    throw error
  }
}
