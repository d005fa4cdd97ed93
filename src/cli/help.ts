/**
 * The CLI's help: a one-line summary per verb for `kubesim --help`, and kubectl-style
 * "Examples:" sections (a comment line, then the command) for each verb's `--help`. Every
 * example runs as written from a clone of the repository (the test suite runs them), so they
 * use the files under examples/.
 *
 * @module
 */
import type { Command } from 'commander'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One example: what it shows, and the command. */
export interface HelpExample {
  readonly comment: string
  readonly command: string
}

/** A verb's summary (for the verb list) and examples (for its own help). */
export interface VerbHelp {
  readonly summary: string
  readonly examples: ReadonlyArray<HelpExample>
}

const example = (comment: string, command: string): HelpExample => ({ comment, command })

/** The help of each verb, in the order `kubesim --help` lists them. */
export const VERB_HELP = {
  apply: {
    summary: 'apply manifests to a new simulated cluster and show what it holds',
    examples: [
      example('See what a 3-node cluster does with the example in one virtual minute', 'kubesim apply -f examples/shop.yaml --nodes 3 --advance 1m'),
      example('Print each change (pods created, assigned, Ready; rollouts; events) as virtual time passes', 'kubesim apply -f examples/shop.yaml --nodes 3 --advance 2m --watch'),
      example("Every manifest in a directory; show the pods' nodes and IPs", 'kubesim apply -f examples/guestbook --nodes 3 --settle -o wide'),
      example('Write an HTML timeline report of five virtual minutes', 'kubesim apply -f examples/shop.yaml --nodes 3 --advance 5m --report report.html'),
      example('Read manifests from stdin', 'cat examples/shop.yaml | kubesim apply -f - --nodes 3 --settle'),
    ],
  },
  validate: {
    summary: 'check manifests as the API server would',
    examples: [
      example('Check files and directories; exit code 0 when every object is valid', 'kubesim validate -f examples/shop.yaml -f examples/statefulset'),
      example('Every problem of an invalid manifest, with field paths and lines (exit code 1)', 'kubesim validate -f examples/invalid/bad-deployment.yaml'),
    ],
  },
  get: {
    summary: 'list objects like kubectl get',
    examples: [
      example("The example's pods after one virtual minute, with their nodes and IPs", 'kubesim get pods -n shop -f examples/shop.yaml --nodes 3 --advance 1m -o wide'),
      example('Several kinds at once, selected by label', 'kubesim get deploy,pods -n shop -l app=web -f examples/shop.yaml --nodes 3 --advance 1m'),
      example('One object as YAML, status included', 'kubesim get deployment web -n shop -f examples/shop.yaml --nodes 3 -o yaml'),
      example('Everything in every namespace', 'kubesim get all -A -f examples/guestbook --nodes 3'),
    ],
  },
  describe: {
    summary: 'show objects in detail like kubectl describe',
    examples: [
      example('A node: its conditions, the pods on it and what they request', 'kubesim describe node node-1 -f examples/shop.yaml --nodes 3 --advance 1m'),
      example('Every pod whose name starts with "web"', 'kubesim describe pods web -n shop -f examples/shop.yaml --nodes 3 --advance 1m'),
    ],
  },
  'explain-scheduling': {
    summary: 'show, node by node, why the scheduler would or would not place a pod',
    examples: [
      example('Why no node fits a pod whose nodeSelector asks for node-a (the cluster has node-1 to node-3)', 'kubesim explain-scheduling web -f examples/scenarios/node-failure/pods.yaml --nodes 3'),
    ],
  },
  advance: {
    summary: 'let virtual time pass and print what happened: events and Jobs',
    examples: [
      example('Six hours of a CronJob with concurrencyPolicy Forbid: its events and the Jobs it ran', 'kubesim advance 6h -f examples/cronjob/report.yaml --nodes 2'),
      example('An hour of the example app', 'kubesim advance 1h -f examples/shop.yaml --nodes 3'),
    ],
  },
  run: {
    summary: 'run a scenario file and check its expectations',
    examples: [
      example('Run a scenario; exit code 0 when every expectation holds, 1 at the first that fails', 'kubesim run examples/scenarios/node-failure.yaml'),
      example('Print each change as it happens, and write an HTML timeline report', 'kubesim run examples/scenarios/failing-rollout.yaml --watch --report report.html'),
    ],
  },
  rollout: {
    summary: 'kubectl rollout status, history, undo, restart, pause and resume',
    examples: [
      example('Watch a Deployment roll out in virtual time (exit code 1 if it misses its progress deadline)', 'kubesim rollout status deployment/web -n shop -f examples/shop.yaml --nodes 3'),
      example('The revisions of a Deployment', 'kubesim rollout history deployment/web -n shop -f examples/shop.yaml --nodes 3'),
      example('Restart its pods with a new revision', 'kubesim rollout restart deployment/web -n shop -f examples/shop.yaml --nodes 3'),
    ],
  },
  scale: {
    summary: 'set the replicas of a Deployment, ReplicaSet or StatefulSet',
    examples: [
      example('Scale the example to five replicas', 'kubesim scale deployment/web --replicas 5 -n shop -f examples/shop.yaml --nodes 3'),
      example('Scale a StatefulSet down (the highest ordinals go first)', 'kubesim scale statefulset web --replicas 1 -f examples/statefulset/web.yaml --nodes 3'),
    ],
  },
  resolve: {
    summary: 'answer a DNS query as the cluster DNS would',
    examples: [
      example("A Service's ClusterIP, from a pod's namespace", 'kubesim resolve web -n shop -f examples/shop.yaml --nodes 3'),
      example("A StatefulSet pod's stable name behind its headless Service", 'kubesim resolve web-0.nginx -f examples/statefulset/web.yaml --nodes 3'),
      example('The SRV records of a named port', 'kubesim resolve _http._tcp.web.shop.svc.cluster.local -t SRV -f examples/shop.yaml --nodes 3'),
    ],
  },
  route: {
    summary: 'show where a connection to host:port lands',
    examples: [
      example('The backend pods of a Service port', 'kubesim route web.shop:80 -f examples/shop.yaml --nodes 3'),
      example("The guestbook's frontend: port 80 of its Service and the pods behind it", 'kubesim route frontend:80 -f examples/guestbook --nodes 3'),
    ],
  },
} as const satisfies Record<string, VerbHelp>

/** The verbs, as the CLI names them. */
export type Verb = keyof typeof VERB_HELP

/** Examples for `kubesim --help`. */
export const PROGRAM_EXAMPLES: ReadonlyArray<HelpExample> = [
  VERB_HELP.apply.examples[0],
  example('Check manifests as the API server would', 'kubesim validate -f examples/guestbook'),
  VERB_HELP.run.examples[0],
]

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/** An "Examples:" section as kubectl prints it. */
export const formatExamples = (examples: ReadonlyArray<HelpExample>): string =>
  `\nExamples:\n${examples.map((e) => `  # ${e.comment}\n  ${e.command}`).join('\n\n')}\n`

/** Gives a verb its summary (shown by `kubesim --help`) and its examples (shown by its `--help`). */
export const withHelp = (command: Command, verb: Verb): Command =>
  command.summary(VERB_HELP[verb].summary).addHelpText('after', formatExamples(VERB_HELP[verb].examples))

/** The text after `kubesim --help`'s verb list. */
export const PROGRAM_HELP_AFTER = `
Each verb builds a fresh cluster from the manifests given with -f (files, directories, or -
for stdin) and runs its controllers in virtual time: the same seed gives the same result.
${formatExamples(PROGRAM_EXAMPLES)}
Run 'kubesim <verb> --help' for a verb's options and examples.
`
