/**
 * The lint corpus (fixtures/lint/README.md): every planted file yields exactly the (line, code)
 * pairs of its `.expect` sibling; every clean file, ours and the realistic definitions of
 * fixtures/tools/, yields no error and no warning. One table, one runner.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, lint } from '../../src/lint/index.js';

const ROOT = join(import.meta.dirname, '../../fixtures');
const DEFINITION = /\.(ya?ml|json)$/;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => DEFINITION.test(f))
    .map((f) => join(dir, f))
    .sort();
}

function expectations(file: string): string[] {
  return readFileSync(`${file}.expect`, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [line, code] = l.split(/\s+/);
      return `${line} ${code}`;
    })
    .sort();
}

/** The source text a diagnostic's range covers (single-line ranges). */
function textAt(source: string, d: { range: { start: { line: number; column: number }; end: { line: number; column: number } } }): string {
  const lines = source.split('\n');
  const line = lines[d.range.start.line - 1] ?? '';
  // A multi-line finding is a key block: its first line is the public header, the next is key material.
  return d.range.end.line === d.range.start.line ? line.slice(d.range.start.column - 1, d.range.end.column - 1) : (lines[d.range.start.line] ?? '').trim();
}

const planted = files(join(ROOT, 'lint/planted')).map((f) => ({ kind: 'planted' as const, file: f }));
const clean = [...files(join(ROOT, 'lint/clean')), ...files(join(ROOT, 'tools'))].map((f) => ({ kind: 'clean' as const, file: f }));

describe('lint corpus', () => {
  it('has planted and clean files', () => {
    expect(planted.length).toBeGreaterThanOrEqual(8);
    expect(clean.length).toBeGreaterThanOrEqual(5);
  });

  it.each([...planted, ...clean].map((c) => [c.file.slice(ROOT.length + 1), c] as const))('%s', async (_name, c) => {
    const source = readFileSync(c.file, 'utf8');
    const diagnostics = await lint(source, { filename: c.file });
    const got = diagnostics.map((d) => `${d.range.start.line} ${d.code}`).sort();
    if (c.kind === 'planted') {
      expect(got).toEqual(expectations(c.file));
    } else {
      expect(diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.range.start.line} ${d.code} ${d.message}`)).toEqual([]);
    }
    // Sorted by position, and every range inside the document.
    const lines = source.split('\n').length;
    for (let i = 0; i < diagnostics.length; i++) {
      const d = diagnostics[i]!;
      expect(d.range.start.line).toBeGreaterThanOrEqual(1);
      expect(d.range.end.line).toBeLessThanOrEqual(lines);
      if (i > 0) expect(d.range.start.line).toBeGreaterThanOrEqual(diagnostics[i - 1]!.range.start.line);
    }
    // A pasted credential is never echoed: not in the diagnostic, not in any report.
    const reports = ['text', 'json', 'sarif'].map((f) => formatDiagnostics(diagnostics, f as 'text', { source, color: true }));
    for (const d of diagnostics.filter((x) => x.code === 'PASTED_CREDENTIAL')) {
      const secret = textAt(source, d);
      expect(secret.length).toBeGreaterThan(3);
      for (const out of [d.message, d.suggestion ?? '', ...reports]) expect(out).not.toContain(secret);
    }
  });
});
