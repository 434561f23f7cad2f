/**
 * `metricgate lint` over the fixture folder: every valid-*.yaml passes, every invalid-*.yaml
 * fails with exit 64 and an issue whose code, path and wording match the `# expect:` line at the
 * top of the fixture (code, path, then words the message must contain).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';

const dir = join(import.meta.dirname, '../../fixtures/templates');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const valid = files.filter((f) => f.startsWith('valid-'));
const invalid = files.filter((f) => f.startsWith('invalid-'));

function expectation(file: string): { code: string; path?: string; words: string[] } {
  const first = readFileSync(join(dir, file), 'utf8').split('\n')[0] ?? '';
  const [code = '', path, ...words] = first.replace(/^# expect:\s*/, '').split(/\s+/);
  return { code, path, words: words.join(' ') ? [words.join(' ')] : [] };
}

describe('metricgate lint', () => {
  it('has fixtures of both kinds', () => {
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(15);
  });

  it.each(valid)('when %s is linted then it is valid (exit 0)', async (file) => {
    const out = await cli(['lint', join(dir, file)]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/valid/);
  });

  it.each(invalid)('when %s is linted then exit 64 names the field and the problem', async (file) => {
    const want = expectation(file);
    const out = await cli(['lint', '--output', 'json', join(dir, file)]);
    expect(out.code).toBe(64);
    const report = JSON.parse(out.stdout) as { issues: { code: string; path: string; message: string; line?: number }[] };
    const hit = report.issues.find((i) => i.code === want.code && (want.path === undefined || i.path.startsWith(want.path)));
    expect(hit, `${want.code} at ${want.path ?? '(any)'} in ${JSON.stringify(report.issues)}`).toBeDefined();
    for (const w of want.words) expect(hit?.message).toContain(w);
    // Every issue points into the file unless the file itself could not be parsed into fields.
    if (want.code !== 'YAML_SYNTAX') expect(hit?.line).toBeGreaterThan(0);
  });

  it('when text output is asked then each problem is one line with file:line and path', async () => {
    const file = join(dir, 'invalid-unknown-field.yaml');
    const out = await cli(['lint', file]);
    expect(out.code).toBe(64);
    expect(out.stderr).toMatch(/invalid-unknown-field\.yaml:\d+:\d+ AnalysisTemplate\/typo spec\.metrics\[0\]\.sucessCondition: unknown field "sucessCondition"; did you mean "successCondition"\?/);
    expect(out.stderr).toMatch(/1 problem found/);
  });

  it('when several files have problems then all are reported at once', async () => {
    const out = await cli(['lint', '--output', 'json', ...invalid.map((f) => join(dir, f))]);
    const report = JSON.parse(out.stdout) as { issues: unknown[] };
    expect(out.code).toBe(64);
    expect(report.issues.length).toBeGreaterThanOrEqual(invalid.length);
  });

  it('when a file does not exist then it is an issue, not a crash', async () => {
    const out = await cli(['lint', join(dir, 'no-such-file.yaml')]);
    expect(out.code).toBe(64);
    expect(out.stderr).toContain('cannot read');
    expect(out.stderr).toContain('ENOENT');
  });

  it('when the queries/ library is linted then every template is valid', async () => {
    const lib = join(import.meta.dirname, '../../../queries/templates');
    const all = readdirSync(lib).filter((f) => f.endsWith('.yaml')).map((f) => join(lib, f));
    const out = await cli(['lint', ...all]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  });
});
