/**
 * @module cli/io
 * What a command may touch of the outside world, passed in so commands run in-process under test
 * and return an exit code instead of calling process.exit deep inside.
 */

export interface CliIO {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file, or standard input for `-`. */
  readFile(path: string): Promise<string>;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop gracefully. */
  readonly signal?: AbortSignal;
}

/** Exit codes of `metricgate run` (and the codes every command shares). */
export const EXIT = {
  successful: 0,
  failed: 1,
  inconclusive: 2,
  error: 3,
  /** Invalid input or usage: nothing was measured (BSD sysexits EX_USAGE). */
  usage: 64,
  /** A dependency the command needs is missing or unreachable (EX_UNAVAILABLE). */
  unavailable: 69,
} as const;
