/** Small helpers shared by the tests: unwrap Eithers with a readable failure. */
import * as E from 'fp-ts/lib/Either.js'
import { expect } from 'vitest'
import { formatApiError, type ApiError } from '../src/index.js'

/** The Right of an Either, failing the test with the Left's message otherwise. */
export const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) {
    const left = either.left as ApiError | ReadonlyArray<ApiError> | { message?: string }
    const text = Array.isArray(left)
      ? (left as ReadonlyArray<ApiError>).map(formatApiError).join('\n')
      : 'reason' in (left as object) && 'causes' in (left as object)
        ? formatApiError(left as ApiError)
        : JSON.stringify(left, null, 2).slice(0, 2000)
    expect.fail(`expected Right, got Left:\n${text}`)
  }
  return either.right
}

/** The Left of an Either, failing the test otherwise. */
export const left = <L>(either: E.Either<L, unknown>): L => {
  if (E.isRight(either)) expect.fail('expected Left, got Right')
  return (either as E.Left<L>).left
}

/** A property's run count: `n`, or twenty times as many under KUBESIM_LONG=1. */
export const longRuns = (n: number): number => (process.env['KUBESIM_LONG'] === undefined ? n : n * 20)
