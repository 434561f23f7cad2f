/**
 * @module cli/render
 * Human output: a verdict a person can act on without opening YAML — per metric the phase, the
 * counts, the rule that decided, the last value, the condition and the query that produced it.
 */
import { formatIssue, type AnalysisPhase, type AnalysisRun, type Issue, type Measurement, type MetricResult } from '../model/index.js';

const MARK: Readonly<Record<AnalysisPhase, string>> = {
  Successful: '✔',
  Failed: '✘',
  Error: '!',
  Inconclusive: '?',
  Running: '…',
  Pending: '·',
};

/** Colours only on a TTY, and never when NO_COLOR is set. */
export interface Style {
  readonly color: boolean;
}

function paint(style: Style, phase: AnalysisPhase, text: string): string {
  if (!style.color) return text;
  const code = phase === 'Successful' ? 32 : phase === 'Failed' || phase === 'Error' ? 31 : phase === 'Inconclusive' ? 33 : 90;
  return `\u001b[${code}m${text}\u001b[0m`;
}

/** One line per measurement, printed as they complete (live progress). */
export function renderMeasurement(metric: string, index: number, m: Measurement, style: Style): string {
  const at = (m.startedAt ?? '').replace('.000Z', 'Z');
  const value = m.value !== undefined ? ` value=${m.value}` : '';
  const note = m.phase !== 'Successful' && m.message ? ` — ${m.message}` : '';
  return `${at}  ${metric} #${index + 1}  ${paint(style, m.phase, `${MARK[m.phase]} ${m.phase}`)}${value}${note}\n`;
}

function metricBlock(r: MetricResult, style: Style): string {
  const counts = `${r.count} measured: ${r.successful} successful, ${r.failed} failed, ${r.inconclusive} inconclusive${r.error ? `, ${r.error} errors` : ''}`;
  const lines = [`  ${paint(style, r.phase, `${MARK[r.phase]} ${r.name.padEnd(24)} ${r.phase.padEnd(12)}`)} ${counts}${r.dryRun ? ' (dry run)' : ''}`];
  if (r.message) lines.push(`      ${r.message}`);
  const query = (r.measurements[r.measurements.length - 1]?.metadata?.['query'] ?? r.metadata?.['query'])?.replace(/\s+/g, ' ').trim();
  if (query && !(r.message ?? '').includes(query)) lines.push(`      query: ${query}`);
  return lines.join('\n');
}

/** The final verdict block. */
export function renderRun(run: AnalysisRun, style: Style, note?: string): string {
  const status = run.status;
  const phase = status?.phase ?? 'Pending';
  const header = `AnalysisRun ${run.metadata.name ?? ''}  ${paint(style, phase, phase)}${note ? `  (${note})` : ''}`;
  const metrics = (status?.metricResults ?? []).map((r) => metricBlock(r, style));
  const verdict = `Verdict: ${paint(style, phase, phase)}${status?.message ? ` — ${status.message}` : ''}`;
  return `${[header, ...metrics, verdict].join('\n')}\n`;
}

/** Issues, one per line, then a count. */
export function renderIssues(issues: readonly Issue[]): string {
  const lines = issues.map((i) => `error: ${formatIssue(i)}`);
  lines.push(`${issues.length} problem${issues.length === 1 ? '' : 's'} found`);
  return `${lines.join('\n')}\n`;
}
