import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const SHOP = join(import.meta.dirname, '../../examples/shop.yaml')

const run = async (...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

describe('kubesim rollout and scale', () => {
  it('watches a rollout to the end with kubectl rollout status messages', async () => {
    const { code, out } = await run('rollout', 'status', 'deployment/web', '-f', SHOP, '--nodes', '3', '-n', 'shop')
    expect(code).toBe(0)
    expect(out).toBe('Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available...\ndeployment "web" successfully rolled out\n')
  })

  it('prints the history, and accepts the kind and name as two words', async () => {
    const { code, out } = await run('rollout', 'history', 'deployment', 'web', '-f', SHOP, '--nodes', '3', '-n', 'shop')
    expect(code).toBe(0)
    expect(out).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n/)
  })

  it('scales, and reports a missing deployment as kubectl does', async () => {
    const scaled = await run('scale', 'deployment/web', '--replicas', '5', '-f', SHOP, '--nodes', '3', '-n', 'shop')
    expect(scaled.code).toBe(0)
    expect(scaled.out).toBe('deployment.apps/web scaled\n')
    const missing = await run('rollout', 'status', 'deployment/nope', '-f', SHOP, '-n', 'shop')
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/deployments\.apps "nope" not found/)
  })
})
