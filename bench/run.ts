/**
 * `npm run bench`: runs every benchmark in its own process (so heaps do not mix), with
 * --expose-gc for heap figures and room for S1's 100,000 pods; `npm run bench -- bigbang
 * recovery` runs only those. The CI guard (bench/guard.ts) is separate: `npm run bench:guard`.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

// bigbang (S1), rollout + rollover + checked (S2), services (S3), cronjob (S4), recovery (S5): issue 9.
const BENCHES = ['store', 'scheduler', 'rollout', 'cronjob', 'services', 'soak', 'bigbang', 'rollover', 'checked', 'recovery']
const only = process.argv.slice(2)
const unknown = only.filter((b) => !BENCHES.includes(b))
if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`)
let failed = false
for (const bench of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  const result = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', '--import', 'tsx', join(import.meta.dirname, `${bench}.ts`)], { stdio: 'inherit' })
  if (result.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
