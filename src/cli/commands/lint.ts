/**
 * @module cli/commands/lint
 * `metricgate lint`: validate templates and runs exactly as a run would, without measuring.
 * Exit 0 when clean, 64 with every problem listed (file:line, document, field path, what is valid).
 */
import type { Command } from 'commander';
import { lintDocuments } from '../../engine/index.js';
import type { Issue } from '../../model/index.js';
import { EXIT, type CliIO } from '../io.js';
import { loadFiles, parseArgFlags, parseScope, parseScopeLabels } from '../inputs.js';
import { renderIssues } from '../render.js';
import { collect } from './run.js';

export interface LintFlags {
  readonly arg: string[];
  readonly scope?: string;
  readonly scopeLabel: string[];
  readonly output: string;
}

/** Lints the files; returns the exit code. */
export async function lintFiles(files: readonly string[], flags: LintFlags, io: CliIO): Promise<number> {
  const issues: Issue[] = [];
  const args = parseArgFlags(flags.arg, issues);
  const scope = parseScope(flags.scope, issues);
  const loaded = await loadFiles(files, io);
  issues.push(...loaded.issues);
  issues.push(...(await lintDocuments(loaded.documents, { args, scope, labels: parseScopeLabels(flags.scopeLabel) })));
  if (flags.output === 'json') {
    io.stdout.write(`${JSON.stringify({ documents: loaded.documents.length, skipped: loaded.skipped, issues }, null, 2)}\n`);
  } else if (issues.length > 0) {
    io.stderr.write(renderIssues(issues));
  } else {
    const skipped = loaded.skipped.length ? ` (${loaded.skipped.length} other document${loaded.skipped.length === 1 ? '' : 's'} skipped)` : '';
    io.stdout.write(`${loaded.documents.length} document${loaded.documents.length === 1 ? '' : 's'} valid${skipped}\n`);
  }
  return issues.length > 0 ? EXIT.usage : EXIT.successful;
}

/** Registers `lint` on the program. */
export function registerLint(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('lint')
    .description('validate AnalysisTemplates, ClusterAnalysisTemplates and AnalysisRuns (exit 0 valid, 64 invalid)')
    .argument('<files...>', 'YAML files ("-" reads stdin)')
    .option('-a, --arg <name=value>', 'argument value to lint with (repeatable; required args otherwise get a placeholder)', collect, [])
    .option('--scope <scope>', 'also check that queries can be scoped: canary, stable or none')
    .option('--scope-label <name>', 'label/tag scoping adds', collect, [])
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (files: string[], flags: LintFlags) => setExit(await lintFiles(files, flags, io)));
}
