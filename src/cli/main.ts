#!/usr/bin/env node
/**
 * @module cli/main
 * Process entry point: wires signals to graceful termination and sets the exit code.
 */
import { processIO, runCli } from './program.js';

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First signal: terminate the analysis gracefully (Argo's terminate); second: exit now.
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  });
}
process.exitCode = await runCli(process.argv.slice(2), processIO(controller.signal));
