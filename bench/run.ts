/**
 * `npm run bench`: runs every benchmark in its own process (so heaps do not mix), with
 * --expose-gc for heap figures and room for S1's 100,000 pods; `npm run bench -- bigbang
 * recovery` runs only those. The CI guard (bench/guard.ts) is separate: `npm run bench:guard`.
 *
 * Each benchmark runs as one bundle (esbuild, dependencies left outside, written to `.bench/`),
 * the way the published package runs: tsup ships kubesim bundled. Run from its sources through
 * tsx, one module per file, the same code took ~10% longer (2026-11-29: rollout (b) 12.0-12.4 s
 * against 11.0-11.2 s bundled, same flags, back to back).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildSync } from 'esbuild'

// bigbang (S1), rollout + rollover + checked (S2), services (S3), cronjob (S4), recovery (S5): issue 9.
const BENCHES = ['store', 'scheduler', 'rollout', 'cronjob', 'services', 'soak', 'bigbang', 'rollover', 'checked', 'recovery']
const only = process.argv.slice(2)
const unknown = only.filter((b) => !BENCHES.includes(b))
if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`)
// Beside bench/, so that a bundle finds the repository root (bench/results, docs/) where the
// harness looks for it, one level up, and node_modules above it.
const BUNDLES = join(import.meta.dirname, '..', '.bench')
mkdirSync(BUNDLES, { recursive: true })
let failed = false
for (const bench of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  const outfile = join(BUNDLES, `${bench}.mjs`)
  buildSync({ entryPoints: [join(import.meta.dirname, `${bench}.ts`)], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning' })
  const result = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', outfile], { stdio: 'inherit' })
  if (result.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
