import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { controllerRevisionName, hashControllerRevision } from '../../src/index.js'
import { sortRevisions, templateOfRevision, templatePatch, truncateHistory, type StoredRevision } from '../../src/controllers/controllerRevision.js'

const revision = (name: string, n: number, created = '2025-01-01T00:00:00Z'): StoredRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created },
  revision: n,
  data: {},
})

describe('controller revision hashing', () => {
  it('gives 1-10 characters of the safe alphabet, equal for equal data whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.option(fc.nat(1000), { nil: undefined }), (data, collisions) => {
        const hash = hashControllerRevision(data, collisions)
        expect(hash).toMatch(/^[4-9bcdf]{1,10}$/)
        const reordered = Object.fromEntries(Object.entries(data).reverse())
        expect(hashControllerRevision(reordered, collisions)).toBe(hash)
      }),
    )
  })

  it('changes with the collision count (what resolves name collisions)', () => {
    const data = templatePatch({ spec: { containers: [{ name: 'web', image: 'nginx' }] } })
    const hashes = new Set([undefined, 0, 1, 2, 3].map((c) => hashControllerRevision(data, c)))
    expect(hashes.size).toBe(5)
  })

  it('names revisions <owner>-<hash>, cutting long owners to 223 characters', () => {
    expect(controllerRevisionName('web', '5d9')).toBe('web-5d9')
    expect(controllerRevisionName('a'.repeat(250), 'b')).toBe(`${'a'.repeat(223)}-b`)
  })

  it('round-trips a template through the revision patch', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }
    expect(templateOfRevision({ ...revision('r', 1), data: templatePatch(template) })).toEqual(template)
  })
})

describe('history truncation', () => {
  const history = sortRevisions([revision('r3', 3), revision('r1', 1), revision('r2', 2), revision('r4', 4)])

  it('sorts by revision number', () => {
    expect(history.map((r) => r.metadata.name)).toEqual(['r1', 'r2', 'r3', 'r4'])
  })

  it('deletes the oldest non-live revisions beyond the limit, never a live one', () => {
    const names = (actions: ReadonlyArray<{ type: string; ref?: { name: string } }>) => actions.map((a) => a.ref?.name)
    // StatefulSet style: live revisions do not count toward the limit.
    expect(names(truncateHistory(history, (r) => r.metadata.name === 'r1', 1, false, 't') as never)).toEqual(['r2', 'r3'])
    // DaemonSet style: every old revision counts, live ones are skipped.
    expect(names(truncateHistory(history, (r) => r.metadata.name === 'r1', 1, true, 't') as never)).toEqual(['r2', 'r3', 'r4'])
    expect(truncateHistory(history, () => false, 10, true, 't')).toEqual([])
    expect(names(truncateHistory(history, () => false, 0, false, 't') as never)).toEqual(['r1', 'r2', 'r3', 'r4'])
  })
})
