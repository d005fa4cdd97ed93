/**
 * `kubesim resolve` and `kubesim route`: the CLI's view of cluster DNS and Service routing.
 * `resolve` prints answers as `dig` does (one record per line, tab-separated) and reports
 * NXDOMAIN as `nslookup` does; `route` prints where a connection to `host:port` lands, or why
 * it lands nowhere. Both are pure functions of a state, returning what to print and the exit
 * code, so the shell in main.ts stays thin.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { type DnsRecordType, resolveDns } from '../network/dns.js'
import { route } from '../network/route.js'
import type { ClusterState } from '../store/state.js'

/** What a command prints and its exit code. */
export interface CommandOutcome {
  readonly out: string
  readonly err: string
  readonly code: number
}

const TYPES: ReadonlyArray<DnsRecordType> = ['A', 'AAAA', 'SRV', 'CNAME', 'PTR', 'TXT']

/** The pod a `--from` flag names: `namespace/name`, or a name in the command's namespace. */
const fromRef = (from: string | undefined, namespace: string): string | undefined =>
  from === undefined ? undefined : from.includes('/') ? from : `${namespace}/${from}`

/** Columns padded as kubectl's tabwriter pads them (three spaces). */
const columns = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)) + 3)
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('')).join('\n') + '\n'
}

/**
 * Runs `kubesim resolve <name>`.
 *
 * @internal
 */
export const runResolve = (state: ClusterState, name: string, options: { readonly type?: string; readonly from?: string; readonly namespace: string }): CommandOutcome => {
  const type = (options.type ?? 'A').toUpperCase() as DnsRecordType
  if (!TYPES.includes(type)) return { out: '', err: `error: --type must be one of ${TYPES.join(', ')}, got ${JSON.stringify(options.type)}\n`, code: 1 }
  const from = fromRef(options.from, options.namespace)
  const answer = resolveDns(state, name, { type, fromNamespace: options.namespace, ...(from === undefined ? {} : { fromPod: from }) })
  const note = answer.note === undefined ? '' : `;; ${answer.note}\n`
  if (answer.rcode === 'SERVFAIL') return { out: '', err: `** server can't find ${name}: SERVFAIL${answer.note === undefined ? '' : ` (${answer.note})`}\n`, code: 1 }
  if (answer.rcode === 'NXDOMAIN') return { out: '', err: `** server can't find ${name}: NXDOMAIN\n${note}`, code: 1 }
  if (answer.records.length === 0) return { out: '', err: `*** Can't find ${name}: No answer (${answer.name} exists, without ${type} records)\n`, code: 0 }
  const lines = answer.records.map((r) => `${r.name}\t${r.ttl}\tIN\t${r.type}\t${r.data}`)
  return { out: lines.join('\n') + '\n', err: note, code: 0 }
}

/**
 * Runs `kubesim route <host:port>`.
 *
 * @internal
 */
export const runRoute = (
  state: ClusterState,
  target: string,
  options: { readonly from?: string; readonly namespace: string; readonly protocol?: string; readonly path?: string },
): CommandOutcome => {
  const colon = target.lastIndexOf(':')
  // An IPv6 host comes in brackets, as in a URL: `[fd00:10:96::a]:80`.
  const rawHost = colon < 0 ? '' : target.slice(0, colon)
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost.includes(':') ? '' : rawHost
  const port = colon < 0 ? Number.NaN : Number(target.slice(colon + 1))
  if (host === '' || !Number.isInteger(port)) return { out: '', err: `error: expected <host>:<port> (an IPv6 host in brackets, [fd00::a]:80), got ${JSON.stringify(target)}\n`, code: 1 }
  const from = fromRef(options.from, options.namespace)
  const routed = route(state, {
    host,
    port,
    ...(from === undefined ? {} : { from }),
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
    ...(options.path === undefined ? {} : { path: options.path }),
  })
  if (E.isLeft(routed)) return { out: '', err: `${target}: unreachable (${routed.left.reason}): ${routed.left.message}\n`, code: 1 }
  const r = routed.right
  const via = r.service === undefined ? r.via : `${r.via} Service ${r.service.namespace}/${r.service.name}`
  const port_ = r.servicePort === undefined ? '' : ` port ${r.servicePort.name === '' ? '' : `${r.servicePort.name} `}${r.servicePort.port}/${r.servicePort.protocol}`
  const address = r.address === undefined ? '' : ` (${r.address})`
  const ingress = r.ingress === undefined ? '' : `, Ingress ${r.ingress.ingress.namespace}/${r.ingress.ingress.name}${r.ingress.path === undefined ? ' default backend' : ` ${r.ingress.pathType ?? ''} ${r.ingress.path}`}`
  const affinity = r.sessionAffinity === 'ClientIP' ? ', sessionAffinity ClientIP' : ''
  const header = `${target}${address} -> ${via}${port_}${ingress}${affinity}: ${r.backends.length} backend${r.backends.length === 1 ? '' : 's'}\n`
  const rows = [['POD', 'ADDRESS', 'NODE', 'READY', 'SERVING', 'TERMINATING']]
  for (const b of r.backends)
    rows.push([b.pod === undefined ? '<none>' : `${b.pod.namespace}/${b.pod.name}`, `${b.ip}:${b.port}`, b.nodeName ?? '<none>', String(b.ready), String(b.serving), String(b.terminating)])
  return { out: header + columns(rows), err: '', code: 0 }
}
