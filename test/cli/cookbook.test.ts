/**
 * The cookbook quotes scenario files and command output: the quotes must be the files as they
 * are and the output as the commands print it today, so the guides cannot drift.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const ROOT = join(import.meta.dirname, '../..')
const COOKBOOK = join(ROOT, 'docs/cookbook')
const SCENARIOS = join(ROOT, 'examples/scenarios')

interface Block {
  readonly lang: string
  readonly body: string
}

const blocks = (markdown: string): Block[] => [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? '', body: m[2] ?? '' }))

// The recipes; README.md is the index that links them.
const pages = readdirSync(COOKBOOK).filter((f) => f.endsWith('.md') && f !== 'README.md')
const scenarioFiles = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'))

const run = async (argv: string[]) => {
  let text = ''
  const code = await main(argv, { out: (t) => (text += t), err: (t) => (text += t) })
  return { code, text: text.split(`${ROOT}/`).join('') }
}

describe('the cookbook', () => {
  it('has the three recipes, each linked from the index', () => {
    expect(pages.sort()).toEqual(['node-failure.md', 'preview-a-rollout.md', 'test-manifests-in-ci.md'])
    const index = readFileSync(join(COOKBOOK, 'README.md'), 'utf8')
    for (const page of pages) expect(index).toContain(`](${page})`)
  })

  for (const page of pages) {
    const text = readFileSync(join(COOKBOOK, page), 'utf8')

    it(`${page}: every scenario it shows is a file under examples/scenarios, verbatim`, () => {
      const scenarios = blocks(text).filter((b) => b.lang === 'yaml' && /^steps:$/m.test(b.body))
      for (const scenario of scenarios) {
        const file = scenarioFiles.find((f) => readFileSync(join(SCENARIOS, f), 'utf8') === scenario.body)
        expect(file, scenario.body.slice(0, 200)).toBeDefined()
      }
      for (const link of text.matchAll(/\]\(\.\.\/\.\.\/(examples\/[^)]+)\)/g)) expect(() => readFileSync(join(ROOT, link[1] ?? ''))).not.toThrow()
    })

    it(`${page}: quoted output is what the command prints`, async () => {
      const all = blocks(text)
      const scratch = mkdtempSync(join(tmpdir(), 'kubesim-cookbook-'))
      let checked = 0
      for (let i = 0; i + 1 < all.length; i++) {
        const command = all[i]
        const output = all[i + 1]
        if (command?.lang !== 'sh' || output?.lang !== '' || !/^npx kubesim [^\n]*\n$/.test(command.body)) continue
        const argv = command.body
          .trim()
          .split(' ')
          .slice(2)
          .map((a) => (a.startsWith('examples/') ? join(ROOT, a) : a.endsWith('.html') ? join(scratch, a) : a))
        const { text: printed } = await run(argv)
        const lines = new Set(printed.split('\n').map((l) => l.trimEnd()))
        // "..." marks a cut: those lines are abridged on purpose.
        for (const line of output.body.split('\n').filter((l) => l !== '' && !l.includes('...'))) expect(lines, `${command.body}: ${line}`).toContain(line.trimEnd())
        checked++
      }
      expect(checked).toBeGreaterThan(0)
    })
  }
})
