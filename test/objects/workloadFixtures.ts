// Shared builders for the workload tests (not a test file itself).
import type { PodSpec, PodTemplateSpec } from '../../src/objects/pod.js'

export const template = (labels: Record<string, string> = { app: 'web' }, restartPolicy?: string): PodTemplateSpec & { spec: PodSpec } => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...(restartPolicy === undefined ? {} : { restartPolicy }) },
})
export const selector = (labels: Record<string, string> = { app: 'web' }) => ({ matchLabels: labels })
