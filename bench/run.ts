/**
 * `npm run bench`: runs every benchmark in its own process (so heaps do not mix), with
 * --expose-gc for heap figures.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const BENCHES = ['store', 'scheduler', 'rollout', 'cronjob', 'services', 'soak']
const only = process.argv.slice(2)
let failed = false
for (const bench of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, `${bench}.ts`)], { stdio: 'inherit' })
  if (result.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
