/**
 * The report in a real browser: `kubesim run --report` writes the file, Debian's chromium opens
 * it (driven by playwright-core, no network), and the chart must show one series per workload
 * without a console error. Saves docs/report-screenshot.png. Skipped where /usr/bin/chromium is
 * missing; .ci/run installs it so CI always runs this.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { main } from '../../src/cli/main.js'

const CHROMIUM = '/usr/bin/chromium'
const ROOT = join(import.meta.dirname, '../..')
const SCREENSHOT = join(ROOT, 'docs/report-screenshot.png')

/** Writes the report of a scenario through the CLI, as a user would. */
const writeReport = async (dir: string, scenario: string, name: string): Promise<string> => {
  const out: string[] = []
  const path = join(dir, name)
  const code = await main(['run', join(ROOT, scenario), '--report', path], { out: (t) => out.push(t), err: (t) => out.push(t) })
  expect(code, out.join('')).toBe(0)
  return path
}

describe('the browser test', () => {
  // .ci/run installs chromium and sets this: there, a missing browser is a failure, not a skip.
  it.runIf(process.env['KUBESIM_REQUIRE_BROWSER'] === '1')('has chromium where it is required', () => {
    expect(existsSync(CHROMIUM)).toBe(true)
  })
})

describe.skipIf(!existsSync(CHROMIUM))('the report in chromium', () => {
  let browser: Browser
  let dir: string

  beforeAll(async () => {
    const { chromium } = await import('playwright-core')
    dir = mkdtempSync(join(tmpdir(), 'kubesim-report-'))
    // playwright gives each launch a new, empty profile directory.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  /** Opens a report; collects console errors, page errors and every request it makes. */
  const open = async (path: string) => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 })
    const errors: string[] = []
    const requests: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    page.on('request', (r) => requests.push(r.url()))
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' })
    return { page, errors, requests }
  }

  it('renders the node-failure example: one series, three nodes, no errors, no network', async () => {
    const path = await writeReport(dir, 'examples/scenarios/node-failure.yaml', 'node-failure.html')
    const { page, errors, requests } = await open(path)
    expect(await page.locator('#pod-chart g.series[data-series]').count()).toBe(1)
    expect(await page.locator('#pod-chart g.series').first().getAttribute('data-series')).toBe('standalone pods default')
    expect(await page.locator('#node-strip g.node').count()).toBe(3)
    const unknown = page.locator('#node-strip g.node[data-node="node-a"] rect.unknown')
    expect(await unknown.count()).toBe(1)
    expect((await unknown.boundingBox())?.width).toBeGreaterThan(50)
    expect(await page.locator('#events tr', { hasText: 'NodeNotReady' }).count()).toBe(1)
    expect(errors).toEqual([])
    expect(requests).toEqual([pathToFileURL(path).href])
    await page.close()
  }, 60_000)

  it('renders a rollout: old and new ReplicaSet series, a hover readout, and the screenshot', async () => {
    const path = await writeReport(dir, 'test/report/fixtures/rollout.yaml', 'rollout.html')
    const { page, errors, requests } = await open(path)
    const series = page.locator('#pod-chart g.series[data-series]')
    expect(await series.count()).toBe(3)
    const ids = await series.evaluateAll((els) => els.map((e) => e.getAttribute('data-series') ?? ''))
    expect(ids.filter((id) => /^Deployment default\/web rs web-[a-z0-9]+$/.test(id))).toHaveLength(2)
    // Each series' line is drawn with a visible extent.
    const widths = await series.locator('path.pods').evaluateAll((els) => els.map((e) => (e as unknown as { getBBox: () => { width: number } }).getBBox().width))
    expect(widths).toHaveLength(3)
    for (const width of widths) expect(width).toBeGreaterThan(0)
    // Hovering the chart mid-rollout shows each series' counts at that time.
    const chart = await page.locator('#pod-chart').boundingBox()
    if (chart === null) return expect.fail('chart not laid out')
    await page.mouse.move(chart.x + chart.width * 0.3, chart.y + chart.height * 0.4)
    const readout = page.locator('#readout')
    expect(await readout.isVisible()).toBe(true)
    expect(await readout.textContent()).toMatch(/^t\+\d+s.*\(Deployment web\): pods \d, running \d, ready \d/)
    expect(errors).toEqual([])
    expect(requests).toEqual([pathToFileURL(path).href])
    // The picture for the docs, without the readout.
    await page.mouse.move(0, 0)
    expect(await readout.isVisible()).toBe(false)
    const top = await page.locator('header').boundingBox()
    const nodes = await page.locator('#nodes').boundingBox()
    if (top === null || nodes === null) return expect.fail('sections not laid out')
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1000, height: Math.ceil(nodes.y + nodes.height) } })
    expect(existsSync(SCREENSHOT)).toBe(true)
    await page.close()
  }, 60_000)
})
