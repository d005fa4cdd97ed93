import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  type ControllerRevision,
  controllerRevisionModel,
  validateControllerRevision,
  validateControllerRevisionUpdate,
} from '../../src/objects/controllerRevision.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const rev = (extra: Partial<ControllerRevision> = {}): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name: 'web-5d8f', namespace: 'default' },
  revision: 1,
  data: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } },
  ...extra,
})

describe('controllerRevision', () => {
  it('accepts a revision', () => {
    expect(validateControllerRevision(rev())).toEqual([])
  })
  it('requires data and a non-negative revision', () => {
    const { data: _, ...noData } = rev()
    expect(validateControllerRevision({ ...noData, revision: -2 }).map(formatFieldError)).toEqual([
      'data: Required value: data is mandatory',
      'revision: Invalid value: -2: must be greater than or equal to 0',
    ])
  })
  it('revision is a required integer', () => {
    const { revision: _, ...noRevision } = rev()
    expect(E.isLeft(controllerRevisionModel.codec.decode(noRevision))).toBe(true)
    expect(E.isLeft(controllerRevisionModel.codec.decode({ ...rev(), revision: 1.5 }))).toBe(true)
  })
  it('data is immutable, revision may change', () => {
    expect(validateControllerRevisionUpdate(rev({ revision: 4 }), rev())).toEqual([])
    expect(validateControllerRevisionUpdate(rev({ data: { other: true } }), rev()).map(formatFieldError)).toEqual([
      'data: Invalid value: {"other":true}: field is immutable',
    ])
  })
})
