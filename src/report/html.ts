/**
 * The timeline report as one self-contained HTML file: inline CSS, SVG charts drawn here, and
 * a few lines of inline script for the hover readout. It loads nothing (its Content Security
 * Policy forbids any fetch), so it opens offline and can be attached to a CI run. Every name and
 * message from the cluster is escaped: manifests are untrusted input.
 *
 * @module
 */
import { formatTable } from '../io/table.js'
import { kindInfo } from '../objects/kinds.js'
import type { KubeObject } from '../objects/object.js'
import { formatTimestamp } from '../sim/clock.js'
import type { NodeReadiness, Timeline, TimelineEvent, WorkloadSeries } from './timeline.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A moment worth marking on the time axis, e.g. a scenario step. */
export interface ReportMark {
  readonly time: number
  readonly label: string
}

/** What the report shows. */
export interface ReportInput {
  /** The heading: the scenario's name, or the command that was run. */
  readonly title: string
  readonly timeline: Timeline
  /** The cluster's PRNG seed, shown so the run can be reproduced. */
  readonly seed?: number
  /** Marked on the charts and listed under them (scenario steps, for instance). */
  readonly marks?: ReadonlyArray<ReportMark>
  /** Whether the run passed, and a one-line summary (`PASS 15 steps`, `FAIL at step 3: ...`). */
  readonly outcome?: { readonly ok: boolean; readonly summary: string }
}

// Layout of both charts (SVG user units; the SVG scales to the page width).
const WIDTH = 960
const LEFT = 150
const RIGHT = 40
const PLOT = WIDTH - LEFT - RIGHT
const CHART_TOP = 14
const CHART_HEIGHT = 260
const AXIS = 24
const ROW = 20
/** Beyond these the report shows the largest and most recent and says how many it left out. */
const MAX_SERIES = 60
const MAX_NODES = 100
const MAX_EVENT_ROWS = 1000
const MAX_MARKERS = 300
/** The full event list starts folded beyond this many rows. */
const FOLD_EVENTS = 40

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f']
const NODE_COLOURS: Record<Exclude<NodeReadiness, 'Deleted'>, string> = { Ready: '#2ca02c', NotReady: '#d62728', Unknown: '#ff7f0e' }
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 7776000, 31536000].map((s) => s * 1000)

// ---------------------------------------------------------------------------------------------
// operations: text
// ---------------------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @internal
 */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

/** JSON that is safe inside a `<script>` element: no `</script>`, no `<!--`, no line separators. */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')

const num = (n: number): string => String(Math.round(n * 10) / 10)

/** A compact virtual duration: `0s`, `45s`, `1m30s`, `2h`, `3d4h`; sub-second parts are dropped. */
const compactDuration = (ms: number): string => {
  let s = Math.floor(Math.max(0, ms) / 1000)
  const units: ReadonlyArray<readonly [number, string]> = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']]
  let out = ''
  for (const [size, unit] of units) {
    const n = Math.floor(s / size)
    s -= n * size
    if (n > 0) out += `${n}${unit}`
  }
  return out === '' ? '0s' : out
}

const since = (timeline: Timeline, time: number): string => `t+${compactDuration(time - timeline.start)}`

/** kubectl's object column: `pod/web`, `deployment.apps/web`. */
const objectColumn = (object: { readonly kind: string; readonly name: string }): string => {
  const info = kindInfo(object.kind)
  const kind = object.kind.toLowerCase()
  return `${info === undefined || info.group === '' ? kind : `${kind}.${info.group}`}/${object.name}`
}

// ---------------------------------------------------------------------------------------------
// operations: charts
// ---------------------------------------------------------------------------------------------

interface Scale {
  readonly x: (time: number) => number
  readonly start: number
  readonly span: number
}

const timeScale = (timeline: Timeline): Scale => {
  const span = Math.max(1, timeline.end - timeline.start)
  return { x: (time) => LEFT + ((Math.min(Math.max(time, timeline.start), timeline.end) - timeline.start) / span) * PLOT, start: timeline.start, span }
}

const timeTicks = (span: number): ReadonlyArray<number> => {
  const step = TICK_STEPS.find((s) => span / s <= 8) ?? Math.ceil(span / 8)
  const ticks: number[] = []
  for (let t = 0; t <= span; t += step) ticks.push(t)
  return ticks
}

const timeAxis = (timeline: Timeline, scale: Scale, top: number, bottom: number): string => {
  const parts = timeTicks(scale.span).map((t) => {
    const x = num(scale.x(timeline.start + t))
    return `<line class="grid" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/><text class="tick" x="${x}" y="${bottom + 15}" text-anchor="middle">${escapeHtml(`t+${compactDuration(t)}`)}</text>`
  })
  return `<g class="x-axis">${parts.join('')}<line class="axis" x1="${LEFT}" x2="${LEFT + PLOT}" y1="${bottom}" y2="${bottom}"/></g>`
}

const markLines = (marks: ReadonlyArray<ReportMark>, scale: Scale, top: number, bottom: number, labelled: boolean): string =>
  marks
    .map((mark, i) => {
      const x = num(scale.x(mark.time))
      const badge = labelled ? `<text class="mark-label" x="${x}" y="${top + 9}" text-anchor="middle">${i + 1}</text>` : ''
      return `<g class="mark" data-mark="${i + 1}"><title>${escapeHtml(`${i + 1}. ${mark.label}`)}</title><line x1="${x}" x2="${x}" y1="${top + (labelled ? 12 : 0)}" y2="${bottom}"/>${badge}</g>`
    })
    .join('')

const niceMax = (value: number): number => {
  if (value <= 10) return Math.max(1, Math.ceil(value))
  const magnitude = 10 ** Math.floor(Math.log10(value))
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= value) ?? value
  return nice
}

/** The step path of one count (pods or ready) from the series' first point to the end. */
const stepPath = (series: WorkloadSeries, value: (p: WorkloadSeries['points'][number]) => number, scale: Scale, y: (v: number) => number, end: number): string => {
  const first = series.points[0]
  if (first === undefined) return ''
  let d = `M${num(scale.x(first.time))} ${num(y(value(first)))}`
  for (const point of series.points.slice(1)) d += `H${num(scale.x(point.time))}V${num(y(value(point)))}`
  return d + `H${num(scale.x(end))}`
}

const podChart = (input: ReportInput, shown: ReadonlyArray<WorkloadSeries>, colour: (s: WorkloadSeries) => string): string => {
  const { timeline } = input
  const scale = timeScale(timeline)
  const bottom = CHART_TOP + CHART_HEIGHT
  const max = niceMax(Math.max(1, ...shown.flatMap((s) => s.points.map((p) => p.pods))))
  const y = (v: number): number => bottom - (v / max) * CHART_HEIGHT
  const yStep = max <= 10 ? 1 : max / 5
  const yTicks: string[] = []
  for (let v = 0; v <= max; v += yStep)
    yTicks.push(`<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT}" y1="${num(y(v))}" y2="${num(y(v))}"/><text class="tick" x="${LEFT - 6}" y="${num(y(v) + 4)}" text-anchor="end">${num(v)}</text>`)
  const series = shown
    .map((s) => {
      const c = colour(s)
      const ready = stepPath(s, (p) => p.ready, scale, y, timeline.end)
      const first = s.points[0]
      const area = first === undefined ? '' : `${ready}V${num(bottom)}H${num(scale.x(first.time))}Z`
      return (
        `<g class="series" data-series="${escapeHtml(s.id)}"><title>${escapeHtml(s.label)}</title>` +
        `<path class="ready" d="${area}" fill="${c}"/>` +
        `<path class="pods" d="${stepPath(s, (p) => p.pods, scale, y, timeline.end)}" stroke="${c}"/></g>`
      )
    })
    .join('')
  const warnings = timeline.events
    .filter((e) => e.type === 'Warning')
    .slice(-MAX_MARKERS)
    .map((e) => {
      const x = num(scale.x(e.time))
      return `<path class="warning" d="M${x} ${bottom - 1}l-4 7h8z"><title>${escapeHtml(`${since(timeline, e.time)} ${e.reason} ${objectColumn(e.object)}: ${e.message}`)}</title></path>`
    })
    .join('')
  const height = bottom + AXIS + 4
  return (
    `<svg id="pod-chart" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="pods per workload over virtual time">` +
    `<text class="axis-title" x="${LEFT - 36}" y="${num(CHART_TOP + CHART_HEIGHT / 2)}" transform="rotate(-90 ${LEFT - 36} ${num(CHART_TOP + CHART_HEIGHT / 2)})" text-anchor="middle">pods</text>` +
    `<g class="y-axis">${yTicks.join('')}<line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${CHART_TOP}" y2="${bottom}"/></g>` +
    timeAxis(timeline, scale, CHART_TOP, bottom) +
    `<g class="marks">${markLines(input.marks ?? [], scale, CHART_TOP - 12, bottom, true)}</g>` +
    `<g class="all-series">${series}</g>` +
    `<g class="warnings">${warnings}</g>` +
    `<line id="cursor" x1="0" x2="0" y1="${CHART_TOP}" y2="${bottom}" visibility="hidden"/>` +
    `</svg>`
  )
}

const nodeStrip = (input: ReportInput): string => {
  const { timeline } = input
  const scale = timeScale(timeline)
  const nodes = timeline.nodes.slice(0, MAX_NODES)
  const top = 4
  const bottom = top + nodes.length * ROW
  const rows = nodes
    .map((node, row) => {
      const y = top + row * ROW
      const segments = node.points
        .map((p, i) => {
          if (p.status === 'Deleted') return ''
          const next = node.points[i + 1]?.time ?? timeline.end
          const x1 = scale.x(p.time)
          const width = Math.max(1, scale.x(next) - x1)
          const what = `${p.status}${p.unschedulable ? ',SchedulingDisabled' : ''} from ${since(timeline, p.time)}`
          const rect = `<rect class="seg ${p.status.toLowerCase()}" x="${num(x1)}" y="${y + 3}" width="${num(width)}" height="${ROW - 6}" fill="${NODE_COLOURS[p.status]}"><title>${escapeHtml(`${node.name}: ${what}`)}</title></rect>`
          const cordon = p.unschedulable ? `<rect class="cordoned" x="${num(x1)}" y="${y + 3}" width="${num(width)}" height="${ROW - 6}" fill="url(#cordoned)"/>` : ''
          return rect + cordon
        })
        .join('')
      return `<g class="node" data-node="${escapeHtml(node.name)}"><text class="node-name" x="${LEFT - 6}" y="${y + ROW / 2 + 4}" text-anchor="end">${escapeHtml(node.name)}</text>${segments}</g>`
    })
    .join('')
  const height = bottom + AXIS + 4
  return (
    `<svg id="node-strip" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="node status over virtual time">` +
    `<defs><pattern id="cordoned" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#ffffff" fill-opacity="0.6"/></pattern></defs>` +
    timeAxis(timeline, scale, top, bottom) +
    `<g class="marks">${markLines(input.marks ?? [], scale, top, bottom, false)}</g>` +
    rows +
    `</svg>`
  )
}

// ---------------------------------------------------------------------------------------------
// operations: tables
// ---------------------------------------------------------------------------------------------

const htmlTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, rowClass?: (i: number) => string): string =>
  `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
  rows.map((row, i) => `<tr${rowClass === undefined ? '' : ` class="${rowClass(i)}"`}>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
  `</tbody></table>`

/**
 * Splits a kubectl table (`formatTable`) back into cells: its columns are padded to fixed
 * widths, so each column starts where its header does. Widths count code points.
 */
const tableCells = (text: string): { readonly headers: ReadonlyArray<string>; readonly rows: ReadonlyArray<ReadonlyArray<string>> } | undefined => {
  const lines = text.split('\n').filter((l) => l !== '')
  const header = lines[0]
  if (header === undefined) return undefined
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => [...header.slice(0, m.index)].length)
  const cut = (line: string): ReadonlyArray<string> => {
    const chars = [...line]
    return starts.map((s, i) => chars.slice(s, starts[i + 1] ?? chars.length).join('').trim())
  }
  return { headers: cut(header), rows: lines.slice(1).map(cut) }
}

const finalTables = (timeline: Timeline): string => {
  const byKind = new Map<string, KubeObject[]>()
  for (const o of timeline.finalObjects) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o])
  const parts = [...byKind.entries()].map(([kind, objects]) => {
    const text = formatTable(objects, { now: timeline.end, namespaceColumn: true })
    const cells = tableCells(text)
    const body = cells === undefined ? `<pre>${escapeHtml(text)}</pre>` : htmlTable(cells.headers, cells.rows)
    return `<h3>${escapeHtml(kind)} <span class="count">${objects.length}</span></h3>${body}`
  })
  if (parts.length === 0) parts.push('<p class="empty">No objects.</p>')
  if (timeline.omittedObjects > 0) parts.push(`<p class="note">${timeline.omittedObjects} more objects not shown.</p>`)
  return parts.join('')
}

const eventRows = (timeline: Timeline, events: ReadonlyArray<TimelineEvent>): string =>
  htmlTable(
    ['TIME', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    events.map((e) => [since(timeline, e.time), e.type, e.reason, objectColumn(e.object), e.message + (e.count > 1 ? ` (x${e.count})` : '')]),
    (i) => (events[i]?.type === 'Warning' ? 'warning' : 'normal'),
  )

/** Warning events first (they are what a reader looks for), then every event, folded when long. */
const eventTables = (timeline: Timeline): string => {
  const events = timeline.events.slice(-MAX_EVENT_ROWS)
  if (events.length === 0) return '<p class="empty">No events.</p>'
  const omitted = timeline.droppedEvents + (timeline.events.length - events.length)
  const warnings = events.filter((e) => e.type === 'Warning')
  const note = omitted > 0 ? `<p class="note">${omitted} earlier events not shown.</p>` : ''
  return (
    (warnings.length === 0 ? '<p class="empty">No Warning events.</p>' : `<h3>Warnings <span class="count">${warnings.length}</span></h3>${eventRows(timeline, warnings)}`) +
    `<details${events.length <= FOLD_EVENTS ? ' open' : ''}><summary>All events <span class="count">${timeline.events.length + timeline.droppedEvents}</span></summary>${note}${eventRows(timeline, events)}</details>`
  )
}

// ---------------------------------------------------------------------------------------------
// operations: the page
// ---------------------------------------------------------------------------------------------

const STYLE = `
:root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#d8dde6;--bg:#ffffff;--band:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{border-bottom:1px solid var(--line);margin-bottom:16px;padding-bottom:8px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:24px 0 8px}
h3{font-size:14px;margin:16px 0 6px}
.meta{color:var(--muted);margin:2px 0}
.outcome{font-weight:600;padding:1px 8px;border-radius:4px;color:#fff}
.outcome.pass{background:#2ca02c}.outcome.fail{background:#d62728}
.chart{width:100%;height:auto;display:block;font-size:11px}
.chart .grid{stroke:#eceff4}
.chart .axis{stroke:#9aa3b2}
.chart .tick,.chart .node-name,.chart .axis-title{fill:var(--muted)}
.chart .node-name{font-size:12px;fill:var(--fg)}
.series .pods{fill:none;stroke-width:2}
.series .ready{fill-opacity:.14;stroke:none}
.series:hover .pods{stroke-width:3.5}
.mark line{stroke:#6b7280;stroke-dasharray:3 3}
.mark-label{fill:#6b7280;font-weight:600}
.warning{fill:#d62728}
#cursor{stroke:#1d2330;stroke-width:1}
.legend{list-style:none;padding:0;margin:8px 0 0 ${Math.round((LEFT / WIDTH) * 100)}%;display:flex;flex-wrap:wrap;gap:4px 18px}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:14px;height:4px;border-radius:2px}
.legend .final{color:var(--muted)}
.key{color:var(--muted);font-size:12px}
.key .tri{margin:0 4px 0 12px}
.key span{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px;vertical-align:-1px}
ol.marks{color:var(--muted);font-size:12px;columns:2;margin:8px 0}
table{border-collapse:collapse;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin-bottom:8px}
th,td{text-align:left;padding:2px 14px 2px 0;vertical-align:top}
th{color:var(--muted);font-weight:600;border-bottom:1px solid var(--line)}
tbody tr:nth-child(even){background:var(--band)}
tr.warning td{color:#b0191c}
td:last-child{white-space:pre-wrap;word-break:break-word}
.count{color:var(--muted);font-weight:400}
.note,.empty{color:var(--muted)}
#readout{position:fixed;pointer-events:none;background:#fff;border:1px solid var(--line);border-radius:4px;padding:6px 8px;font-size:12px;box-shadow:0 2px 8px rgba(0,0,0,.12);display:none;white-space:nowrap}
summary{cursor:pointer;font-weight:600;margin:12px 0 6px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`

/** The hover readout: reads the embedded data and writes text only (textContent), never markup. */
const SCRIPT = `
(function(){
var data=JSON.parse(document.getElementById('report-data').textContent);
var svg=document.getElementById('pod-chart');var cursor=document.getElementById('cursor');var box=document.getElementById('readout');
if(!svg||!cursor||!box)return;
function fmt(ms){var s=Math.floor(ms/1000),d=Math.floor(s/86400),h=Math.floor(s%86400/3600),m=Math.floor(s%3600/60),r=s%60;return 't+'+(d?d+'d':'')+(h?h+'h':'')+(m?m+'m':'')+(r||(!d&&!h&&!m)?r+'s':'');}
svg.addEventListener('mousemove',function(ev){
var rect=svg.getBoundingClientRect();var sx=(ev.clientX-rect.left)*data.width/rect.width;
if(sx<data.left||sx>data.left+data.plot){cursor.setAttribute('visibility','hidden');box.style.display='none';return;}
var t=(sx-data.left)/data.plot*data.span;cursor.setAttribute('x1',sx);cursor.setAttribute('x2',sx);cursor.setAttribute('visibility','visible');
while(box.firstChild)box.removeChild(box.firstChild);
var head=document.createElement('div');head.textContent=fmt(t);head.style.fontWeight='600';box.appendChild(head);
data.series.forEach(function(s){var cur=null;for(var i=0;i<s.points.length&&s.points[i][0]<=t;i++)cur=s.points[i];if(!cur)return;
var line=document.createElement('div');var sw=document.createElement('span');sw.className='swatch';sw.style.background=s.colour;sw.style.marginRight='6px';
line.appendChild(sw);line.appendChild(document.createTextNode(s.label+': pods '+cur[1]+', running '+cur[2]+', ready '+cur[3]));box.appendChild(line);});
box.style.display='block';box.style.left=Math.min(ev.clientX+14,window.innerWidth-box.offsetWidth-8)+'px';box.style.top=(ev.clientY+14)+'px';});
svg.addEventListener('mouseleave',function(){cursor.setAttribute('visibility','hidden');box.style.display='none';});
})();
`

/**
 * Renders a timeline as one self-contained HTML page: a header (title, seed, virtual time span,
 * outcome), pods per workload over time (one series per workload, each a
 * `g.series[data-series]` element carrying the series id, so a rollout shows the old
 * ReplicaSet going down while the new one comes up), each node's status, the Events, and the
 * final objects in kubectl's columns. The output depends only on its input.
 *
 * @category reports
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, advance, timelineRecorder, renderReportHtml } from 'kubesim'
 * const recorder = timelineRecorder()
 * const start = createCluster({ nodes: 2 })
 * recorder.observe(start)
 * advance(start, '5s', { observe: recorder.observe })
 * const html = renderReportHtml({ title: 'two idle nodes', seed: 0, timeline: recorder.timeline() })
 * expect(html.startsWith('<!doctype html>')).toBe(true)
 * expect(html.match(/<g class="node" /g)?.length).toBe(2)
 * expect(renderReportHtml({ title: '<script>', timeline: recorder.timeline() })).toContain('<h1>&lt;script&gt;</h1>')
 * ```
 */
export const renderReportHtml = (input: ReportInput): string => {
  const { timeline } = input
  const ranked = [...timeline.series].map((s, i) => ({ s, i, peak: Math.max(0, ...s.points.map((p) => p.pods)) }))
  const kept = new Set(ranked.sort((a, b) => b.peak - a.peak || a.i - b.i).slice(0, MAX_SERIES).map((r) => r.s))
  const shown = timeline.series.filter((s) => kept.has(s))
  const colours = new Map(shown.map((s, i) => [s, PALETTE[i % PALETTE.length] ?? '#333']))
  const colour = (s: WorkloadSeries): string => colours.get(s) ?? '#333'
  const span = timeline.end - timeline.start
  const marks = input.marks ?? []
  const data = {
    width: WIDTH,
    left: LEFT,
    plot: PLOT,
    span: Math.max(1, span),
    series: shown.map((s) => ({ label: s.label, colour: colour(s), points: s.points.map((p) => [p.time - timeline.start, p.pods, p.running, p.ready]) })),
  }
  const legend = shown
    .map((s) => {
      const last = s.points.at(-1)
      const final = last === undefined ? '' : ` <span class="final">${last.ready}/${last.pods} ready</span>`
      return `<li data-legend="${escapeHtml(s.id)}"><span class="swatch" style="background:${colour(s)}"></span>${escapeHtml(s.label)}${s.namespace === 'default' || s.namespace === '' ? '' : ` <span class="final">-n ${escapeHtml(s.namespace)}</span>`}${final}</li>`
    })
    .join('')
  const outcome = input.outcome === undefined ? '' : ` <span class="outcome ${input.outcome.ok ? 'pass' : 'fail'}">${escapeHtml(input.outcome.summary)}</span>`
  const podsSection =
    shown.length === 0
      ? '<p class="empty">No pods were created.</p>'
      : podChart(input, shown, colour) +
        `<ul class="legend">${legend}</ul>` +
        `<p class="key"><span style="background:#1f77b4;height:3px"></span>line: pods that exist <span style="background:#1f77b4;opacity:.25"></span>shaded: Ready pods <svg class="tri" width="10" height="9" viewBox="0 0 10 9"><path d="M5 0L10 9H0z" fill="#d62728"/></svg>Warning event${marks.length === 0 ? '' : ' <span style="border-left:1px dashed #6b7280;border-radius:0;width:1px"></span>numbered: steps (below)'}</p>` +
        (timeline.series.length > shown.length ? `<p class="note">${timeline.series.length - shown.length} smaller workloads not drawn.</p>` : '')
  const markList = marks.length === 0 ? '' : `<ol class="marks">${marks.map((m) => `<li>${escapeHtml(`${since(timeline, m.time)} ${m.label}`)}</li>`).join('')}</ol>`
  const nodesSection =
    timeline.nodes.length === 0
      ? '<p class="empty">No nodes.</p>'
      : nodeStrip(input) +
        `<p class="key"><span style="background:${NODE_COLOURS.Ready}"></span>Ready <span style="background:${NODE_COLOURS.NotReady}"></span>NotReady <span style="background:${NODE_COLOURS.Unknown}"></span>Unknown (node stopped reporting) <span style="background:repeating-linear-gradient(45deg,#2ca02c 0 3px,#a8d5a8 3px 6px)"></span>cordoned (SchedulingDisabled)</p>` +
        (timeline.nodes.length > MAX_NODES ? `<p class="note">${timeline.nodes.length - MAX_NODES} more nodes not shown.</p>` : '')
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(`kubesim report: ${input.title}`)}</title><style>${STYLE}</style></head><body>` +
    `<header><h1>${escapeHtml(input.title)}</h1>` +
    `<p class="meta">${input.seed === undefined ? '' : `seed ${input.seed} · `}${escapeHtml(formatTimestamp(timeline.start))} → ${escapeHtml(formatTimestamp(timeline.end))} (${escapeHtml(compactDuration(span))} of virtual time)${outcome}</p>` +
    `<p class="meta">${timeline.series.length} workload${timeline.series.length === 1 ? '' : 's'} · ${timeline.nodes.length} node${timeline.nodes.length === 1 ? '' : 's'} · ${timeline.events.length + timeline.droppedEvents} event${timeline.events.length + timeline.droppedEvents === 1 ? '' : 's'} · ${timeline.samples} states observed</p></header>` +
    `<section id="pods"><h2>Pods per workload</h2>${podsSection}${markList}</section>` +
    `<section id="nodes"><h2>Nodes</h2>${nodesSection}</section>` +
    `<section id="events"><h2>Events</h2>${eventTables(timeline)}</section>` +
    `<section id="final"><h2>Final state <span class="count">at ${escapeHtml(since(timeline, timeline.end))}</span></h2>${finalTables(timeline)}</section>` +
    `<footer>Generated by kubesim from a simulated run; times are virtual.</footer>` +
    `<div id="readout"></div>` +
    `<script type="application/json" id="report-data">${scriptJson(data)}</script>` +
    `<script>${SCRIPT}</script>` +
    '</body></html>\n'
  )
}
