/**
 * @module cli/program
 * The commander program. Each command is a module that registers itself; commands return exit
 * codes, and usage errors map to 64, so `runCli` can be called in-process (tests) or from main.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerLint } from './commands/lint.js';
import { registerRollout } from './commands/rollout.js';
import { registerRun } from './commands/run.js';
import { registerService } from './commands/service.js';
import { EXIT, type CliIO } from './io.js';

/** Version printed by `--version`. */
export const VERSION = '0.1.0';

/** Builds the program with `io` wired into every command. */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('metricgate')
    .description('metric-gated promotion: run Argo-compatible analyses scoped to canary or stable pods, and act on the verdict')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  registerRun(program, io, setExit);
  registerLint(program, io, setExit);
  registerDemo(program, io, setExit);
  registerService(program, io, setExit);
  registerRollout(program, io, setExit);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let code: number = EXIT.successful;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return err.exitCode === 0 ? EXIT.successful : EXIT.usage;
    }
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return EXIT.error;
  }
  return code;
}

/** The real process's IO. */
export function processIO(signal?: AbortSignal): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal,
    readFile: async (path) => {
      if (path !== '-') return readFile(path, 'utf8');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
