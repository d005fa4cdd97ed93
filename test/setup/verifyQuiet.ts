// Every pass the engine skips as quiet runs anyway during the tests and must plan nothing: a
// check that each controller's `watches` and `nextWakeup` leave nothing out. The production path
// (the skip itself) is unchanged. KUBESIM_VERIFY_QUIET=0 turns the check off.
import { verifyQuiescence } from '../../src/sim/quiescence.js'

verifyQuiescence(process.env['KUBESIM_VERIFY_QUIET'] !== '0')
