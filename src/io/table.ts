/**
 * `kubectl get` tables: the per-kind columns kubectl 1.30 prints (its server-side printers in
 * `pkg/printers/internalversion`), laid out the way kubectl's tabwriter does (left-aligned, three
 * spaces between columns). Fields are read defensively from any object, so a half-filled status
 * prints `0`, `<none>` or `<unknown>` exactly where kubectl would rather than failing.
 *
 * @module
 */
import { resourceInfoFor } from '../objects/kinds.js'
import type { KubeObject } from '../objects/object.js'
import { timestampMs as parseTimestamp } from '../sim/clock.js'
import { arr, at, isRecord, type Obj, rec, str } from '../internal/readers.js'
import { ageSince, humanDuration } from './age.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Options for `formatTable`. */
export interface FormatTableOptions {
  /** The current (virtual) time in epoch ms, for AGE columns. */
  readonly now: number
  /** `-o wide`: add the extra columns kubectl prints with it. */
  readonly wide?: boolean
  /** Prefix names with `kind.group/` as `kubectl get all` (or several kinds) does. */
  readonly showKind?: boolean
  /** Add a leading NAMESPACE column for namespaced kinds (`kubectl get -A`). */
  readonly namespaceColumn?: boolean
}

/** One kind's printer: its headers and how it turns an object into cells. */
interface Printer {
  readonly headers: ReadonlyArray<string>
  /** All headers with `-o wide` (usually `headers` plus a few). */
  readonly wideHeaders: ReadonlyArray<string>
  /** Index of the NAME column, -1 when there is none (Event without `-o wide`). */
  readonly nameColumn: (wide: boolean) => number
  readonly row: (o: Obj, now: number, wide: boolean) => ReadonlyArray<string>
}


// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Prints objects as `kubectl get` does: one block per run of objects of the same kind, each with
 * its upper-case header, columns left-aligned and separated by three spaces, blocks separated by
 * a blank line. An empty list gives `''` (the caller prints `No resources found`).
 *
 * @category cli-output
 * @since 0.1.0
 * @example
 * ```ts
 * import { formatTable } from 'kubesim'
 * const now = Date.parse('2024-01-01T01:00:00Z')
 * const web = {
 *   apiVersion: 'apps/v1',
 *   kind: 'Deployment',
 *   metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
 *   spec: { replicas: 3 },
 *   status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
 * }
 * expect(formatTable([web], { now })).toBe(
 *   'NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n' +
 *   'web    2/3     3            2           60m\n',
 * )
 * expect(formatTable([web], { now, showKind: true })).toContain('deployment.apps/web   2/3')
 * ```
 */
export const formatTable = (objects: ReadonlyArray<KubeObject>, options: FormatTableOptions): string => {
  try {
    if (!Array.isArray(objects)) return ''
    const opts: Obj = isRecord(options) ? options : {}
    const now = typeof opts['now'] === 'number' ? opts['now'] : Number.NaN
    const wide = opts['wide'] === true
    const showKind = opts['showKind'] === true
    const namespaceColumn = opts['namespaceColumn'] === true
    const blocks: string[] = []
    let run: Obj[] = []
    let runKey = ''
    const flush = (): void => {
      if (run.length > 0) blocks.push(formatBlock(run, now, wide, showKind, namespaceColumn))
      run = []
    }
    for (const candidate of objects as ReadonlyArray<unknown>) {
      if (!isRecord(candidate)) continue
      const key = `${str(candidate['kind'])}\u0000${groupOf(candidate)}`
      if (key !== runKey) flush()
      runKey = key
      run.push(candidate)
    }
    flush()
    return blocks.join('\n')
  } catch {
    // Defensive: every reader below is total; a hostile object (a throwing getter, a Proxy)
    // must still not escape as an exception.
    return ''
  }
}

// ---------------------------------------------------------------------------------------------
// internals: layout
// ---------------------------------------------------------------------------------------------

const formatBlock = (objects: ReadonlyArray<Obj>, now: number, wide: boolean, showKind: boolean, namespaceColumn: boolean): string => {
  const first = objects[0] ?? {}
  const kind = str(first['kind'])
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER
  const headers = wide ? printer.wideHeaders : printer.headers
  const nameColumn = printer.nameColumn(wide)
  const withNamespace = namespaceColumn && resourceInfoFor(str(first['apiVersion']), kind).namespaced
  const rows = objects.map((o) => {
    const cells = [...printer.row(o, now, wide)]
    if (showKind && nameColumn >= 0) cells[nameColumn] = `${kindPrefix(o)}/${cells[nameColumn] ?? ''}`
    return withNamespace ? [str(meta(o)['namespace']), ...cells] : cells
  })
  return layout(withNamespace ? ['NAMESPACE', ...headers] : headers, rows)
}

/**
 * Lays out rows as Go's tabwriter does with kubectl's settings (minwidth 6, padding 3, padded
 * with spaces): every column but the last is as wide as its widest cell plus three, at least six;
 * the last column is not padded. Widths count code points, as tabwriter counts runes.
 */
const layout = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const table = [headers, ...rows].map((row) => headers.map((_, i) => escapeCell(row[i] ?? '')))
  const widths = headers.map((_, i) => Math.max(6, ...table.map((row) => runeLength(row[i] ?? '') + 3)))
  return table
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - runeLength(cell)))).join(''))
    .map((line) => `${line}\n`)
    .join('')
}

/**
 * kubectl's cell printing: the text is cut at the first line break (`...` marks the cut), and
 * terminal control characters are made visible (`^[` for ESC) so a hostile value cannot drive the
 * terminal. Tabs become spaces (they would split a tabwriter column).
 */
const escapeCell = (cell: string): string => {
  const cut = cell.search(/[\n\r\f]/)
  const text = cut >= 0 ? `${cell.slice(0, cut)}...` : cell
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0)
    if (c === '\t') return ' '
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`
    if (code === 0x7f) return '^?'
    return `\\u${code.toString(16).padStart(4, '0')}`
  })
}

const runeLength = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/** `deployment.apps`, `pod`: the lower-case kind and group kubectl prefixes names with. */
const kindPrefix = (o: Obj): string => {
  const group = groupOf(o)
  const kind = str(o['kind']).toLowerCase()
  return group === '' ? kind : `${kind}.${group}`
}

const groupOf = (o: Obj): string => {
  const apiVersion = str(o['apiVersion'])
  const slash = apiVersion.indexOf('/')
  return slash < 0 ? '' : apiVersion.slice(0, slash)
}

// ---------------------------------------------------------------------------------------------
// internals: defensive readers
// ---------------------------------------------------------------------------------------------

const optStr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const int = (value: unknown, fallback = 0): number =>
  typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback
const meta = (o: Obj): Obj => rec(o['metadata'])
const nameOf = (o: Obj): string => str(meta(o)['name'])
const age = (o: Obj, now: number): string => ageSince(meta(o)['creationTimestamp'], now)
const orNone = (s: string): string => (s === '' ? '<none>' : s)

/** The string form of a quantity as stored (`10Gi`, or a bare number). */
const quantity = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : ''

/** `labels.FormatLabels`: `k=v` pairs sorted by key, `<none>` when empty. */
const formatLabels = (value: unknown): string => {
  const entries = Object.entries(rec(value))
    .filter(([, v]) => typeof v === 'string')
    .sort(([a], [b]) => compare(a, b))
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',')
}

/** `metav1.LabelSelectorAsSelector(...).String()`: requirements sorted by key. */
const formatSelector = (value: unknown): string => {
  const requirements: Array<readonly [string, string]> = []
  for (const [k, v] of Object.entries(rec(at(value, 'matchLabels')))) {
    if (typeof v === 'string') requirements.push([k, `${k}=${v}`])
  }
  for (const expression of arr(at(value, 'matchExpressions'))) {
    const key = str(at(expression, 'key'))
    const values = arr(at(expression, 'values'))
      .filter((v): v is string => typeof v === 'string')
      .sort(compare)
      .join(',')
    const operator = str(at(expression, 'operator'))
    const text =
      operator === 'In'
        ? `${key} in (${values})`
        : operator === 'NotIn'
          ? `${key} notin (${values})`
          : operator === 'Exists'
            ? key
            : operator === 'DoesNotExist'
              ? `!${key}`
              : undefined
    if (text !== undefined) requirements.push([key, text])
  }
  return requirements
    .sort(([a], [b]) => compare(a, b))
    .map(([, text]) => text)
    .join(',')
}

/** Container names and images, comma-separated, as kubectl's `layoutContainerCells`. */
const containerCells = (podSpec: unknown): ReadonlyArray<string> => {
  const containers = arr(at(podSpec, 'containers'))
  return [containers.map((c) => str(at(c, 'name'))).join(','), containers.map((c) => str(at(c, 'image'))).join(',')]
}

/** Load-balancer ingress points: sorted unique IPs or hostnames, cut to 16 characters unless wide. */
const loadBalancerStatus = (status: unknown, wide: boolean): string => {
  const points = new Set<string>()
  for (const ingress of arr(at(status, 'ingress'))) {
    const ip = str(at(ingress, 'ip'))
    const hostname = str(at(ingress, 'hostname'))
    if (ip !== '') points.add(ip)
    else if (hostname !== '') points.add(hostname)
  }
  const joined = [...points].sort(compare).join(',')
  return !wide && joined.length > 16 ? `${joined.slice(0, 13)}...` : joined
}

/** Access modes in kubectl's short form and fixed order. */
const accessModes = (value: unknown): string => {
  const modes = arr(value)
  const short: ReadonlyArray<readonly [string, string]> = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ]
  return short
    .filter(([mode]) => modes.includes(mode))
    .map(([, abbreviation]) => abbreviation)
    .join(',')
}

const hasTrueCondition = (conditions: unknown, type: string): boolean =>
  arr(conditions).some((c) => at(c, 'type') === type && at(c, 'status') === 'True')

/** Go's string order (byte-wise for ASCII), independent of the host locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const list = (items: ReadonlyArray<string>, count: number, max: number, empty: string): string => {
  if (count > max) return `${items.join(',')} + ${count - max} more...`
  return items.length === 0 ? empty : items.join(',')
}

// ---------------------------------------------------------------------------------------------
// internals: printers, one per kind
// ---------------------------------------------------------------------------------------------

const podRow = (pod: Obj, now: number, wide: boolean): ReadonlyArray<string> => {
  const spec = rec(pod['spec'])
  const status = rec(pod['status'])
  const initSpecs = arr(spec['initContainers'])
  const restartable = new Set(
    initSpecs.filter((c) => at(c, 'restartPolicy') === 'Always').map((c) => str(at(c, 'name'))),
  )
  let total = arr(spec['containers']).length + restartable.size
  let ready = 0
  let restarts = 0
  let sidecarRestarts = 0
  let lastRestart = Number.NEGATIVE_INFINITY
  let sidecarLastRestart = Number.NEGATIVE_INFINITY
  const phase = str(status['phase'])
  let reason = str(status['reason']) === '' ? phase : str(status['reason'])
  if (arr(status['conditions']).some((c) => at(c, 'type') === 'PodScheduled' && at(c, 'reason') === 'SchedulingGated')) {
    reason = 'SchedulingGated'
  }
  const finishedAt = (container: unknown): number | undefined =>
    parseTimestamp(at(container, 'lastState', 'terminated', 'finishedAt'))

  let initializing = false
  const initStatuses = arr(status['initContainerStatuses'])
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i]
    const count = int(at(container, 'restartCount'))
    restarts += count
    const finished = finishedAt(container)
    if (finished !== undefined && finished > lastRestart) lastRestart = finished
    const isSidecar = restartable.has(str(at(container, 'name')))
    if (isSidecar) {
      sidecarRestarts += count
      if (finished !== undefined && finished > sidecarLastRestart) sidecarLastRestart = finished
    }
    const terminated = at(container, 'state', 'terminated')
    const waitingReason = str(at(container, 'state', 'waiting', 'reason'))
    if (isRecord(terminated) && int(terminated['exitCode']) === 0) continue
    if (isSidecar && at(container, 'started') === true) {
      if (at(container, 'ready') === true) ready++
      continue
    }
    if (isRecord(terminated)) {
      const r = str(terminated['reason'])
      reason =
        r !== ''
          ? `Init:${r}`
          : int(terminated['signal']) !== 0
            ? `Init:Signal:${int(terminated['signal'])}`
            : `Init:ExitCode:${int(terminated['exitCode'])}`
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`
    } else {
      reason = `Init:${i}/${initSpecs.length}`
    }
    initializing = true
    break
  }

  if (!initializing || hasTrueCondition(status['conditions'], 'Initialized')) {
    restarts = sidecarRestarts
    lastRestart = sidecarLastRestart
    let hasRunning = false
    const statuses = arr(status['containerStatuses'])
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]
      restarts += int(at(container, 'restartCount'))
      const finished = finishedAt(container)
      if (finished !== undefined && finished > lastRestart) lastRestart = finished
      const waitingReason = str(at(container, 'state', 'waiting', 'reason'))
      const terminated = at(container, 'state', 'terminated')
      if (waitingReason !== '') reason = waitingReason
      else if (isRecord(terminated) && str(terminated['reason']) !== '') reason = str(terminated['reason'])
      else if (isRecord(terminated)) {
        reason =
          int(terminated['signal']) !== 0 ? `Signal:${int(terminated['signal'])}` : `ExitCode:${int(terminated['exitCode'])}`
      } else if (at(container, 'ready') === true && isRecord(at(container, 'state', 'running'))) {
        hasRunning = true
        ready++
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasTrueCondition(status['conditions'], 'Ready') ? 'Running' : 'NotReady'
    }
  }

  const deleting = meta(pod)['deletionTimestamp'] !== undefined && meta(pod)['deletionTimestamp'] !== null
  if (deleting && str(status['reason']) === 'NodeLost') reason = 'Unknown'
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating'

  const restartCell =
    restarts !== 0 && Number.isFinite(lastRestart) ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts)
  total = Math.max(total, 0)
  const cells = [nameOf(pod), `${ready}/${total}`, reason, restartCell, age(pod, now)]
  if (!wide) return cells
  const podIP = str(at(arr(status['podIPs'])[0], 'ip')) || str(status['podIP'])
  const gates = arr(spec['readinessGates'])
  const gatesCell =
    gates.length === 0
      ? '<none>'
      : `${gates.filter((g) => {
          const condition = arr(status['conditions']).find((c) => at(c, 'type') === at(g, 'conditionType'))
          return condition !== undefined && at(condition, 'status') === 'True'
        }).length}/${gates.length}`
  return [...cells, orNone(podIP), orNone(str(spec['nodeName'])), orNone(str(status['nominatedNodeName'])), gatesCell]
}

const serviceExternalIP = (svc: Obj, type: string, wide: boolean): string => {
  const externalIPs = arr(at(svc, 'spec', 'externalIPs')).filter((ip): ip is string => typeof ip === 'string')
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>'
    case 'LoadBalancer': {
      const lb = loadBalancerStatus(at(svc, 'status', 'loadBalancer'), wide)
      if (externalIPs.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...externalIPs].join(',')
      return lb === '' ? '<pending>' : lb
    }
    case 'ExternalName':
      return str(at(svc, 'spec', 'externalName'))
    default:
      return '<unknown>'
  }
}

const servicePorts = (ports: unknown): string =>
  arr(ports)
    .map((p) => {
      const protocol = str(at(p, 'protocol')) || 'TCP'
      const nodePort = int(at(p, 'nodePort'))
      return nodePort > 0 ? `${int(at(p, 'port'))}:${nodePort}/${protocol}` : `${int(at(p, 'port'))}/${protocol}`
    })
    .join(',')

const nodeRoles = (labels: unknown): string => {
  const roles = new Set<string>()
  for (const [key, value] of Object.entries(rec(labels))) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length)
      if (role !== '') roles.add(role)
    } else if (key === 'kubernetes.io/role' && typeof value === 'string' && value !== '') {
      roles.add(value)
    }
  }
  return orNone([...roles].sort(compare).join(','))
}

const nodeAddress = (node: Obj, type: string): string =>
  orNone(str(at(arr(at(node, 'status', 'addresses')).find((a) => at(a, 'type') === type), 'address')))

const storageClassOf = (o: Obj): string =>
  str(at(meta(o), 'annotations', 'volume.beta.kubernetes.io/storage-class')) || str(at(o, 'spec', 'storageClassName'))

const jobStatus = (job: Obj): string => {
  const conditions = at(job, 'status', 'conditions')
  if (hasTrueCondition(conditions, 'Complete')) return 'Complete'
  if (hasTrueCondition(conditions, 'Failed')) return 'Failed'
  if (meta(job)['deletionTimestamp'] !== undefined && meta(job)['deletionTimestamp'] !== null) return 'Terminating'
  if (hasTrueCondition(conditions, 'Suspended')) return 'Suspended'
  if (hasTrueCondition(conditions, 'FailureTarget')) return 'FailureTarget'
  if (hasTrueCondition(conditions, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet'
  return 'Running'
}

const jobCompletions = (job: Obj): string => {
  const succeeded = int(at(job, 'status', 'succeeded'))
  const completions = at(job, 'spec', 'completions')
  if (typeof completions === 'number') return `${succeeded}/${int(completions)}`
  const parallelism = int(at(job, 'spec', 'parallelism'))
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`
}

const jobDuration = (job: Obj, now: number): string => {
  const start = parseTimestamp(at(job, 'status', 'startTime'))
  if (start === undefined) return ''
  const end = parseTimestamp(at(job, 'status', 'completionTime'))
  return humanDuration((end ?? now) - start)
}

const eventRow = (event: Obj, now: number, wide: boolean): ReadonlyArray<string> => {
  const first = parseTimestamp(event['firstTimestamp']) ?? parseTimestamp(event['eventTime'])
  const firstSeen = first === undefined ? '<unknown>' : humanDuration(now - first)
  const last = parseTimestamp(event['lastTimestamp'])
  let lastSeen = last === undefined ? firstSeen : humanDuration(now - last)
  let count = int(event['count'])
  if (isRecord(event['series'])) {
    lastSeen = ageSince(at(event, 'series', 'lastObservedTime'), now)
    count = int(at(event, 'series', 'count'))
  } else if (count === 0) count = 1
  const involved = rec(event['involvedObject'])
  const involvedKind = str(involved['kind']).toLowerCase()
  const target = str(involved['name']) === '' ? involvedKind : `${involvedKind}/${str(involved['name'])}`
  const message = str(event['message']).trim()
  if (!wide) return [lastSeen, str(event['type']), str(event['reason']), target, message]
  const component = str(at(event, 'source', 'component')) || str(event['reportingComponent'])
  const host = str(at(event, 'source', 'host')) || str(event['reportingInstance'])
  const source = host === '' ? component : `${component}, ${host}`
  return [
    lastSeen,
    str(event['type']),
    str(event['reason']),
    target,
    str(involved['fieldPath']),
    source,
    message,
    firstSeen,
    String(count),
    nameOf(event),
  ]
}

/** The controller owner of an object as kubectl prints it: `statefulset.apps/web`. */
const controllerOf = (o: Obj): string => {
  const owner = arr(meta(o)['ownerReferences']).find((r) => at(r, 'controller') === true)
  if (owner === undefined) return '<none>'
  const apiVersion = str(at(owner, 'apiVersion'))
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''
  const kind = str(at(owner, 'kind'))
  const name = str(at(owner, 'name'))
  if (kind === '') return name
  return `${(group === '' ? kind : `${kind}.${group}`).toLowerCase()}/${name}`
}

const printer = (
  headers: ReadonlyArray<string>,
  wideHeaders: ReadonlyArray<string>,
  row: (o: Obj, now: number, wide: boolean) => ReadonlyArray<string>,
): Printer => ({ headers, wideHeaders: [...headers, ...wideHeaders], nameColumn: () => 0, row })

const DEFAULT_PRINTER: Printer = printer(['NAME', 'AGE'], [], (o, now) => [nameOf(o), age(o, now)])

/** Desired replicas: the API server defaults an absent `spec.replicas` to 1. */
const replicas = (o: Obj): number => int(at(o, 'spec', 'replicas'), 1)

const PRINTERS: Readonly<Record<string, Printer>> = {
  Pod: printer(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'], podRow),

  Deployment: printer(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR'], (o, now, wide) => {
    const status = rec(o['status'])
    const cells = [
      nameOf(o),
      `${int(status['readyReplicas'])}/${replicas(o)}`,
      String(int(status['updatedReplicas'])),
      String(int(status['availableReplicas'])),
      age(o, now),
    ]
    return wide ? [...cells, ...containerCells(at(o, 'spec', 'template', 'spec')), formatSelector(at(o, 'spec', 'selector'))] : cells
  }),

  ReplicaSet: printer(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR'], (o, now, wide) => {
    const cells = [
      nameOf(o),
      String(replicas(o)),
      String(int(at(o, 'status', 'replicas'))),
      String(int(at(o, 'status', 'readyReplicas'))),
      age(o, now),
    ]
    return wide ? [...cells, ...containerCells(at(o, 'spec', 'template', 'spec')), formatSelector(at(o, 'spec', 'selector'))] : cells
  }),

  StatefulSet: printer(['NAME', 'READY', 'AGE'], ['CONTAINERS', 'IMAGES'], (o, now, wide) => {
    const cells = [nameOf(o), `${int(at(o, 'status', 'readyReplicas'))}/${replicas(o)}`, age(o, now)]
    return wide ? [...cells, ...containerCells(at(o, 'spec', 'template', 'spec'))] : cells
  }),

  DaemonSet: printer(
    ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    (o, now, wide) => {
      const status = rec(o['status'])
      const cells = [
        nameOf(o),
        String(int(status['desiredNumberScheduled'])),
        String(int(status['currentNumberScheduled'])),
        String(int(status['numberReady'])),
        String(int(status['updatedNumberScheduled'])),
        String(int(status['numberAvailable'])),
        formatLabels(at(o, 'spec', 'template', 'spec', 'nodeSelector')),
        age(o, now),
      ]
      return wide ? [...cells, ...containerCells(at(o, 'spec', 'template', 'spec')), formatSelector(at(o, 'spec', 'selector'))] : cells
    },
  ),

  ControllerRevision: printer(['NAME', 'CONTROLLER', 'REVISION', 'AGE'], [], (o, now) => [
    nameOf(o),
    controllerOf(o),
    String(int(o['revision'])),
    age(o, now),
  ]),

  Job: printer(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR'], (o, now, wide) => {
    const cells = [nameOf(o), jobStatus(o), jobCompletions(o), jobDuration(o, now), age(o, now)]
    return wide ? [...cells, ...containerCells(at(o, 'spec', 'template', 'spec')), formatSelector(at(o, 'spec', 'selector'))] : cells
  }),

  CronJob: printer(
    ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    (o, now, wide) => {
      const suspend = at(o, 'spec', 'suspend')
      const lastSchedule = at(o, 'status', 'lastScheduleTime')
      const cells = [
        nameOf(o),
        str(at(o, 'spec', 'schedule')),
        optStr(at(o, 'spec', 'timeZone')) ?? '<none>',
        typeof suspend === 'boolean' ? (suspend ? 'True' : 'False') : '<unset>',
        String(arr(at(o, 'status', 'active')).length),
        lastSchedule === undefined || lastSchedule === null ? '<none>' : ageSince(lastSchedule, now),
        age(o, now),
      ]
      if (!wide) return cells
      const jobSpec = at(o, 'spec', 'jobTemplate', 'spec')
      return [...cells, ...containerCells(at(jobSpec, 'template', 'spec')), orNone(formatSelector(at(jobSpec, 'selector')))]
    },
  ),

  Service: printer(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ['SELECTOR'], (o, now, wide) => {
    const spec = rec(o['spec'])
    // The API server defaults an absent type to ClusterIP.
    const type = str(spec['type']) || 'ClusterIP'
    const clusterIP = str(arr(spec['clusterIPs'])[0]) || str(spec['clusterIP'])
    const cells = [
      nameOf(o),
      type,
      orNone(clusterIP),
      serviceExternalIP(o, type, wide),
      orNone(servicePorts(spec['ports'])),
      age(o, now),
    ]
    return wide ? [...cells, formatLabels(spec['selector'])] : cells
  }),

  EndpointSlice: printer(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], [], (o, now) => {
    const ports = arr(o['ports'])
    const portCells = ports.slice(0, 3).map((p) => {
      const port = at(p, 'port')
      return typeof port === 'number' ? String(int(port)) : (optStr(at(p, 'name')) ?? '*')
    })
    const addresses = arr(o['endpoints']).flatMap((e) => arr(at(e, 'addresses')).map(str))
    return [
      nameOf(o),
      str(o['addressType']),
      list(portCells, ports.length, 3, '<unset>'),
      list(addresses.slice(0, 3), addresses.length, 3, '<unset>'),
      age(o, now),
    ]
  }),

  Ingress: printer(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], [], (o, now, wide) => {
    const rules = arr(at(o, 'spec', 'rules'))
    const hosts = rules
      .slice(0, 3)
      .map((r) => str(at(r, 'host')))
      .filter((h) => h !== '')
    const hostCell = hosts.length === 0 ? '*' : rules.length > 3 ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',')
    return [
      nameOf(o),
      optStr(at(o, 'spec', 'ingressClassName')) ?? '<none>',
      hostCell,
      loadBalancerStatus(at(o, 'status', 'loadBalancer'), wide),
      arr(at(o, 'spec', 'tls')).length > 0 ? '80, 443' : '80',
      age(o, now),
    ]
  }),

  Node: printer(
    ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    (o, now, wide) => {
      const readyCondition = arr(at(o, 'status', 'conditions')).find((c) => at(c, 'type') === 'Ready')
      const states = [readyCondition === undefined ? 'Unknown' : at(readyCondition, 'status') === 'True' ? 'Ready' : 'NotReady']
      if (at(o, 'spec', 'unschedulable') === true) states.push('SchedulingDisabled')
      const info = rec(at(o, 'status', 'nodeInfo'))
      const cells = [nameOf(o), states.join(','), nodeRoles(meta(o)['labels']), age(o, now), str(info['kubeletVersion'])]
      if (!wide) return cells
      const unknown = (s: string): string => (s === '' ? '<unknown>' : s)
      return [
        ...cells,
        nodeAddress(o, 'InternalIP'),
        nodeAddress(o, 'ExternalIP'),
        unknown(str(info['osImage'])),
        unknown(str(info['kernelVersion'])),
        unknown(str(info['containerRuntimeVersion'])),
      ]
    },
  ),

  Namespace: printer(['NAME', 'STATUS', 'AGE'], [], (o, now) => [nameOf(o), str(at(o, 'status', 'phase')) || 'Active', age(o, now)]),

  ConfigMap: printer(['NAME', 'DATA', 'AGE'], [], (o, now) => [
    nameOf(o),
    String(Object.keys(rec(o['data'])).length + Object.keys(rec(o['binaryData'])).length),
    age(o, now),
  ]),

  Secret: printer(['NAME', 'TYPE', 'DATA', 'AGE'], [], (o, now) => [
    nameOf(o),
    str(o['type']) || 'Opaque',
    // stringData is write-only (merged into data on write); count its keys if it is still here.
    String(new Set([...Object.keys(rec(o['data'])), ...Object.keys(rec(o['stringData']))]).size),
    age(o, now),
  ]),

  PersistentVolumeClaim: printer(
    ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
    ['VOLUMEMODE'],
    (o, now, wide) => {
      const spec = rec(o['spec'])
      const volumeName = str(spec['volumeName'])
      const deleting = meta(o)['deletionTimestamp'] !== undefined && meta(o)['deletionTimestamp'] !== null
      const bound = volumeName !== ''
      const cells = [
        nameOf(o),
        deleting ? 'Terminating' : str(at(o, 'status', 'phase')),
        volumeName,
        bound ? quantity(at(o, 'status', 'capacity', 'storage')) : '',
        bound ? accessModes(at(o, 'status', 'accessModes')) : '',
        storageClassOf(o),
        str(spec['volumeAttributesClassName']) || '<unset>',
        age(o, now),
      ]
      return wide ? [...cells, optStr(spec['volumeMode']) ?? '<unset>'] : cells
    },
  ),

  PersistentVolume: printer(
    ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
    ['VOLUMEMODE'],
    (o, now, wide) => {
      const spec = rec(o['spec'])
      const claimRef = spec['claimRef']
      const deleting = meta(o)['deletionTimestamp'] !== undefined && meta(o)['deletionTimestamp'] !== null
      const cells = [
        nameOf(o),
        quantity(at(spec, 'capacity', 'storage')),
        accessModes(spec['accessModes']),
        str(spec['persistentVolumeReclaimPolicy']),
        deleting ? 'Terminating' : str(at(o, 'status', 'phase')),
        isRecord(claimRef) ? `${str(claimRef['namespace'])}/${str(claimRef['name'])}` : '',
        storageClassOf(o),
        optStr(spec['volumeAttributesClassName']) ?? '<unset>',
        str(at(o, 'status', 'reason')),
        age(o, now),
      ]
      return wide ? [...cells, optStr(spec['volumeMode']) ?? '<unset>'] : cells
    },
  ),

  StorageClass: printer(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'], [], (o, now) => {
    const annotations = rec(meta(o)['annotations'])
    const isDefault =
      annotations['storageclass.kubernetes.io/is-default-class'] === 'true' ||
      annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true'
    return [
      isDefault ? `${nameOf(o)} (default)` : nameOf(o),
      str(o['provisioner']),
      str(o['reclaimPolicy']) || 'Delete',
      str(o['volumeBindingMode']) || 'Immediate',
      o['allowVolumeExpansion'] === true ? 'true' : 'false',
      age(o, now),
    ]
  }),

  Event: {
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    // With -o wide kubectl prints a different column set for events, NAME last.
    wideHeaders: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
    nameColumn: (wide) => (wide ? 9 : -1),
    row: eventRow,
  },
}
