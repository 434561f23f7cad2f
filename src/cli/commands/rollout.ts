/**
 * @module cli/commands/rollout
 * `metricgate promote|abort|pause|retry ROLLOUT`: the `kubectl argo rollouts` verbs, run through
 * the same ArgoRolloutTarget the worker uses, so a human and a verdict send identical patches
 * and a human never needs the kubectl plugin installed. A manual action carries no expectation
 * (a human may act on any state), but still sends nothing when there is nothing to change.
 *
 * Exit codes: 0 applied or nothing to do; 1 the Rollout does not exist or the write failed;
 * 64 usage errors (bad flags, a named kubeconfig or context that cannot be used); 69 the API
 * server is unreachable or no kubeconfig exists at all.
 */
import type { Command } from 'commander';
import type { ActionResult, RolloutAction } from '../../actuators/index.js';
import { EXIT, type CliIO } from '../io.js';

/** Flags shared by the four verbs. */
export interface RolloutFlags {
  /** Default: the kubeconfig context's namespace, else `default` (as kubectl). */
  readonly namespace?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** `promote` only. */
  readonly full?: boolean;
  readonly output: string;
}

/** A CLI verb and the target action behind it. */
interface Verb {
  readonly command: 'promote' | 'abort' | 'pause' | 'retry';
  readonly action: RolloutAction;
  readonly description: string;
}

const VERBS: readonly Verb[] = [
  { command: 'promote', action: 'advance', description: 'promote a rollout past its current pause or step, as `kubectl argo rollouts promote` does (--full: skip all remaining steps)' },
  { command: 'abort', action: 'abort', description: 'abort a rollout: the Argo controller sends all traffic back to stable (status.abort=true)' },
  { command: 'pause', action: 'pause', description: 'pause a rollout where it is (spec.paused=true) until someone promotes it' },
  { command: 'retry', action: 'retry', description: 'retry an aborted rollout from its first step (status.abort=false)' },
];

/** Runs one verb against the cluster; returns the exit code. */
export async function runRolloutCommand(verb: Verb['command'], name: string, flags: RolloutFlags, io: CliIO): Promise<number> {
  const spec = VERBS.find((v) => v.command === verb);
  if (spec === undefined) return usage(io, `unknown command ${verb}`);
  if (!['text', 'json'].includes(flags.output)) return usage(io, `--output: expected text or json, got ${JSON.stringify(flags.output)}`);
  if (flags.namespace !== undefined && flags.namespace.trim() === '') return usage(io, '--namespace: must not be empty');
  // Loaded on use: the Kubernetes client is large, and most commands never need it.
  const { ArgoRolloutTarget, contextNamespace, createKubeObjects, KubeConfigError, loadKubeConfig } = await import('../../actuators/index.js');
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context, env: io.env });
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    io.stderr.write(`error: ${err.message}\n`);
    return err.explicit ? EXIT.usage : EXIT.unavailable;
  }
  const namespace = flags.namespace ?? contextNamespace(kubeConfig) ?? 'default';
  const target = new ArgoRolloutTarget(createKubeObjects(kubeConfig), namespace, name);
  const request = { cause: { requestedBy: 'metricgate CLI' }, ...(verb === 'promote' ? { full: flags.full === true } : {}) };
  const result = await target[spec.action](request);
  if (flags.output === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.outcome !== 'failed') io.stdout.write(`rollout '${name}' in ${namespace} ${result.outcome === 'applied' ? result.reason : `unchanged: ${result.reason}`}\n`);
  return exitCode(verb, result, io);
}

function exitCode(verb: string, result: ActionResult, io: CliIO): number {
  if (result.outcome !== 'failed') return EXIT.successful;
  const error = result.error;
  if (error?.code === 'Unreachable') {
    io.stderr.write(`error: ${verb} ${result.target.namespace}/${result.target.name}: cannot reach the Kubernetes API server: ${error.message}\n`);
    return EXIT.unavailable;
  }
  io.stderr.write(`error: ${verb} ${result.target.namespace}/${result.target.name}: ${error?.code === 'NotFound' ? error.message : result.reason}\n`);
  return EXIT.failed;
}

function usage(io: CliIO, message: string): number {
  io.stderr.write(`error: ${message}\n`);
  return EXIT.usage;
}

/** Registers `promote`, `abort`, `pause` and `retry` on the program. */
export function registerRollout(program: Command, io: CliIO, setExit: (code: number) => void): void {
  for (const verb of VERBS) {
    const command = program
      .command(verb.command)
      .description(`${verb.description}; exit 0 applied or nothing to do, 1 not found or failed, 64 usage, 69 cluster unreachable`)
      .argument('<rollout>', 'name of the Argo Rollout')
      .option('-n, --namespace <namespace>', "the Rollout's namespace (default: the kubeconfig context's, else default)")
      .option('--kubeconfig <file>', 'kubeconfig file (default: in-cluster service account, else KUBECONFIG, else ~/.kube/config)')
      .option('--context <name>', 'kubeconfig context to use instead of current-context')
      .option('-o, --output <format>', 'text or json (the action result)', 'text');
    if (verb.command === 'promote') command.option('--full', 'promote fully: skip remaining steps, pauses and analyses');
    command.action(async (name: string, flags: RolloutFlags) => setExit(await runRolloutCommand(verb.command, name, flags, io)));
  }
}
