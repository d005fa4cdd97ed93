/**
 * The HTML report: structure (one chart series per workload, one strip row per node, the event
 * and final-state tables), self-containment, determinism, and escaping of everything that comes
 * from the cluster.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseScenario, renderReportHtml, runScenario, type Timeline, timelineRecorder } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '../..')

const rolloutTimeline = (): Timeline => {
  const parsed = parseScenario(readFileSync(join(ROOT, 'test/report/fixtures/rollout.yaml'), 'utf8'))
  if (E.isLeft(parsed)) return expect.fail('bad fixture')
  const recorder = timelineRecorder()
  runScenario(parsed.right, new Map(), { observe: recorder.observe })
  return recorder.timeline()
}

const count = (html: string, re: RegExp): number => html.match(re)?.length ?? 0

/** The JSON the hover script reads. */
const embeddedData = (html: string): { series: Array<{ label: string; points: number[][] }> } => {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)
  if (match === null) return expect.fail('no report data')
  return JSON.parse(match[1]!) as { series: Array<{ label: string; points: number[][] }> }
}

const T0 = Date.UTC(2025, 0, 1)

const hostile = '<img src=x onerror=alert(1)>"\'&</script><!--'

const hostileTimeline: Timeline = {
  start: T0,
  end: T0 + 60_000,
  samples: 3,
  series: [
    {
      id: `Deployment default/${hostile} rs x`,
      kind: 'ReplicaSet',
      namespace: 'default',
      name: hostile,
      parent: { kind: 'Deployment', name: hostile },
      label: `${hostile} (Deployment ${hostile})`,
      points: [
        { time: T0, pods: 1, running: 0, ready: 0 },
        { time: T0 + 1000, pods: 1, running: 1, ready: 1 },
      ],
    },
  ],
  nodes: [{ name: hostile, points: [{ time: T0, status: 'Ready', unschedulable: false }, { time: T0 + 30_000, status: 'NotReady', unschedulable: true }] }],
  events: [{ time: T0 + 2000, type: 'Warning', reason: hostile, object: { kind: 'Pod', namespace: 'default', name: hostile }, message: hostile, count: 2 }],
  droppedEvents: 0,
  finalObjects: [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: hostile, namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z' },
      data: { a: hostile },
    },
  ],
  omittedObjects: 0,
}

describe('renderReportHtml', () => {
  const timeline = rolloutTimeline()
  const html = renderReportHtml({ title: 'rollout', seed: 7, timeline, marks: [{ time: T0 + 30_000, label: 'set image' }], outcome: { ok: true, summary: 'PASS 9 steps' } })

  it('draws one chart series per workload, each with its id, and one strip row per node', () => {
    expect(timeline.series).toHaveLength(3)
    expect(count(html, /<g class="series" data-series="/g)).toBe(3)
    for (const s of timeline.series) expect(html).toContain(`data-series="${s.id}"`)
    expect(count(html, /<g class="node" data-node="/g)).toBe(3)
    expect(count(html, /<li data-legend="/g)).toBe(3)
    expect(embeddedData(html).series.map((s) => s.label)).toEqual(timeline.series.map((s) => s.label))
  })

  it('has the header, the sections, the events and the final state tables', () => {
    expect(html).toContain('<h1>rollout</h1>')
    expect(html).toContain('seed 7 · 2025-01-01T00:00:00Z → 2025-01-01T00:03:30Z (3m30s of virtual time)')
    expect(html).toContain('<span class="outcome pass">PASS 9 steps</span>')
    for (const id of ['pods', 'nodes', 'events', 'final']) expect(html).toContain(`<section id="${id}">`)
    expect(html).toContain('<li>t+30s set image</li>')
    // All events in one table (folded: there are many), each with kubectl's object column.
    expect(count(html, /<tr class="(normal|warning)">/g)).toBe(timeline.events.length)
    expect(html).toContain('<td>deployment.apps/web</td>')
    expect(html).toContain('<h3>ReplicaSet <span class="count">2</span></h3>')
    expect(html).toContain('<th>DESIRED</th>')
    expect(html).toMatch(/<td>web-[a-z0-9]+<\/td><td>4<\/td><td>4<\/td><td>4<\/td>/)
  })

  it('is self-contained and deterministic', () => {
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/<link|<img|@import|url\((?!#)/)
    expect(html).toContain(`content="default-src 'none'`)
    expect(renderReportHtml({ title: 'rollout', seed: 7, timeline, marks: [{ time: T0 + 30_000, label: 'set image' }], outcome: { ok: true, summary: 'PASS 9 steps' } })).toBe(html)
    expect(html.length).toBeLessThan(60_000)
  })

  it('escapes names, labels and messages everywhere', () => {
    const out = renderReportHtml({ title: hostile, timeline: hostileTimeline, marks: [{ time: T0, label: hostile }], outcome: { ok: false, summary: hostile } })
    expect(out).not.toContain('<img')
    expect(out).not.toContain('<!--')
    // Only the report's own two scripts.
    expect(count(out, /<script/g)).toBe(2)
    expect(count(out, /<\/script>/g)).toBe(2)
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&lt;/script&gt;&lt;!--')
    expect(out).toContain(`data-series="Deployment default/&lt;img`)
    // The embedded data decodes back to the original text.
    expect(embeddedData(out).series[0]!.label).toBe(hostileTimeline.series[0]!.label)
    expect(count(out, /<g class="series"/g)).toBe(1)
    expect(count(out, /<g class="node"/g)).toBe(1)
    expect(out).toContain('<span class="outcome fail">')
    expect(out).toContain('(x2)')
  })

  it('says so when there is nothing to draw', () => {
    const empty = renderReportHtml({ title: 'empty', timeline: timelineRecorder().timeline() })
    expect(empty).toContain('No pods were created.')
    expect(empty).toContain('No nodes.')
    expect(empty).toContain('No events.')
    expect(empty).toContain('No objects.')
    expect(count(empty, /<g class="series"/g)).toBe(0)
  })

  it('draws only the largest workloads when there are very many', () => {
    const many: Timeline = {
      ...hostileTimeline,
      series: Array.from({ length: 70 }, (_, i) => ({
        id: `StatefulSet default/s${i}`,
        kind: 'StatefulSet',
        namespace: 'default',
        name: `s${i}`,
        label: `StatefulSet s${i}`,
        points: [{ time: T0, pods: i, running: i, ready: i }],
      })),
    }
    const out = renderReportHtml({ title: 'many', timeline: many })
    expect(count(out, /<g class="series"/g)).toBe(60)
    expect(out).toContain('data-series="StatefulSet default/s69"')
    expect(out).not.toContain('data-series="StatefulSet default/s9"')
    expect(out).toContain('10 smaller workloads not drawn.')
  })
})
