/**
 * `kubesim rollout ...` and `kubesim scale`: kubectl's rollout verbs against a freshly built
 * cluster. Each runs the operation on the settled cluster, lets the controllers act, and prints
 * what kubectl prints.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { resolveKindAlias } from '../objects/kinds.js'
import type { ObjectRef } from '../objects/object.js'
import { runUntil } from '../sim/engine.js'
import { scale } from '../store/api.js'
import { rolloutHistory, rolloutPause, rolloutRestart, rolloutResume, rolloutStatus, rolloutUndo } from '../store/rollout.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, formatApiError } from '../validation/apiError.js'

/** The rollout verbs. */
export type RolloutVerb = 'status' | 'history' | 'undo' | 'restart' | 'pause' | 'resume'

/** What a rollout command printed and its exit code. */
export interface CliOutcome {
  readonly out: string
  readonly err: string
  readonly code: number
}

/** `deployment/web`, `deploy/web` or (`deployment`, `web`) to a reference; undefined when malformed. */
export const parseTarget = (first: string, second: string | undefined, namespace: string): ObjectRef | undefined => {
  const [kind, name] = second === undefined ? first.split('/', 2) : [first, second]
  if (kind === undefined || name === undefined || name === '') return undefined
  const info = resolveKindAlias(kind)
  return { kind: info?.kind ?? kind, namespace, name }
}

const failed = (error: ApiError): CliOutcome => ({ out: '', err: formatApiError(error) + '\n', code: 1 })

/** Runs one rollout verb on a built cluster; `timeout` bounds how much virtual time `status` watches. */
export const runRollout = (state: ClusterState, verb: RolloutVerb, ref: ObjectRef, options: { readonly revision?: number; readonly timeout?: string }): CliOutcome => {
  const display = `deployment.apps/${ref.name}`
  switch (verb) {
    case 'status': {
      // Watches like kubectl: one line per new message, until done or the virtual timeout.
      const lines: string[] = []
      let error: ApiError | undefined
      const look = (s: ClusterState): boolean => {
        const r = rolloutStatus(s, ref, options.revision === undefined ? {} : { revision: options.revision })
        if (E.isLeft(r)) {
          error = r.left
          return true
        }
        if (lines[lines.length - 1] !== r.right.message) lines.push(r.right.message)
        return r.right.done
      }
      const done = look(state) || E.isRight(runUntil(state, look, { timeout: options.timeout ?? '10m' }))
      const out = lines.map((l) => l + '\n').join('')
      if (error !== undefined) return { out, err: formatApiError(error) + '\n', code: 1 }
      return done ? { out, err: '', code: 0 } : { out, err: 'error: timed out waiting for the condition\n', code: 1 }
    }
    case 'history': {
      const r = rolloutHistory(state, ref, options.revision ?? 0)
      return E.isLeft(r) ? failed(r.left) : { out: r.right, err: '', code: 0 }
    }
    case 'undo': {
      const r = rolloutUndo(state, ref, options.revision ?? 0)
      if (E.isLeft(r)) return failed(r.left)
      if (r.right === state) return { out: `${display} skipped rollback (current template already matches revision ${options.revision ?? 0})\n`, err: '', code: 0 }
      return { out: `${display} rolled back\n`, err: '', code: 0 }
    }
    case 'restart':
    case 'pause':
    case 'resume': {
      const op = verb === 'restart' ? rolloutRestart : verb === 'pause' ? rolloutPause : rolloutResume
      const r = op(state, ref)
      if (E.isLeft(r)) return failed(r.left)
      return { out: `${display} ${verb === 'restart' ? 'restarted' : verb === 'pause' ? 'paused' : 'resumed'}\n`, err: '', code: 0 }
    }
  }
}

/** `kubectl scale --replicas=N <target>`. */
export const runScale = (state: ClusterState, ref: ObjectRef, replicas: number): CliOutcome => {
  const r = scale(state, ref, replicas)
  if (E.isLeft(r)) return failed(r.left)
  const info = resolveKindAlias(ref.kind)
  const resource = info === undefined ? ref.kind.toLowerCase() : info.group === '' ? info.kind.toLowerCase() : `${info.kind.toLowerCase()}.${info.group}`
  return { out: `${resource}/${ref.name} scaled\n`, err: '', code: 0 }
}
