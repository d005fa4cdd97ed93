import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const run = async (...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: r, image: busybox}]
`

describe('kubesim advance', () => {
  it('prints the events of the window in time order and a summary of the Jobs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-advance-'))
    const file = join(dir, 'cron.yaml')
    writeFileSync(file, CRONJOB)
    const { code, out, err } = await run('advance', '1h', '-f', file, '--nodes', '1')
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toMatch(/^TIME\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/)
    expect(out).toMatch(/\n\+15m\s+Normal\s+SuccessfulCreate\s+default\/cronjob\/report\s+Created job report-\d+\n/)
    expect(out).toMatch(/\n\+15m\s+Normal\s+Completed\s+default\/job\/report-\d+\s+Job completed\n/)
    const times = [...out.matchAll(/^\+(\d+)m/gm)].map((m) => Number(m[1]))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(out).toContain('Jobs created: 4 (3 complete, 0 failed, 1 not finished).')
  })

  it('says so when nothing happens, and rejects a bad duration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-advance-'))
    const file = join(dir, 'cm.yaml')
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n')
    const quiet = await run('advance', '1h', '-f', file)
    expect(quiet.out).toMatch(/^No events\.\n/)
    expect(quiet.out).toContain('Virtual time: +60m; 0 events.')
    const bad = await run('advance', 'soon', '-f', file)
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^error: invalid duration "soon": /)
  })
})

describe('unknown kinds', () => {
  it('suggest the closest known resource type', async () => {
    const { join } = await import('node:path')
    const shop = join(import.meta.dirname, '../../examples/shop.yaml')
    const typo = await run('get', 'deploymnts', '-f', shop)
    expect(typo.code).toBe(1)
    expect(typo.err).toContain('error: the server doesn\'t have a resource type "deploymnts" (did you mean "deployments"?)')
    const unknown = await run('get', 'widgets', '-f', shop)
    expect(unknown.err).toContain('error: the server doesn\'t have a resource type "widgets"\n')
  })
})
