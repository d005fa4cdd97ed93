import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { applyManifests, createCluster, formatApiError } from '../../src/index.js'

const errorsOf = (text: string): string[] => {
  const r = applyManifests(createCluster(), text)
  return E.isLeft(r) ? r.left.map(formatApiError) : []
}

describe('metadata fields read before decoding', () => {
  // Found by the totality property: an object with a throwing toString as metadata.name.
  it('rejects non-string name, namespace and generateName as Go JSON decoding does, without throwing', () => {
    expect(errorsOf('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":{"toString":0},"namespace":"default"}}')).toEqual([
      'error in document 0: error: ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ObjectMeta.metadata.name of type string',
    ])
    expect(errorsOf('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":7}}')[0]).toMatch(/cannot unmarshal number into Go struct field ObjectMeta\.metadata\.namespace of type string$/)
    expect(errorsOf('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":[1]}}')[0]).toMatch(/cannot unmarshal array into Go struct field ObjectMeta\.metadata\.generateName of type string$/)
  })
})
