/**
 * Runs the real CLI program in-process with captured output: the same code path as the binary,
 * minus process.exit, so tests assert on exit codes and printed text.
 */
import { readFile } from 'node:fs/promises';
import { runCli } from '../../src/cli/program.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(argv: readonly string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...options.env },
    readFile: async (path) => (path === '-' ? (options.stdin ?? '') : readFile(path, 'utf8')),
  });
  return { code, stdout, stderr };
}
