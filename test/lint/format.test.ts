/** The text and JSON reports: shapes, order, caret excerpts, masking, multi-file. */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, lint, type Diagnostic } from '../../src/lint/index.js';

const SOURCE = 'name: t\nheaders:\n  X-Key: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n  X-Other: Bearer $secret.other\n';

describe('text report', () => {
  it('prints file:line:col: severity CODE message, one line each', async () => {
    const ds = await lint(SOURCE, { filename: 'tools/t.yaml' });
    const lines = formatDiagnostics(ds, 'text').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^tools\/t\.yaml:3:10: error PASTED_CREDENTIAL .+\(suggestion: \$secrets\.\w+\)$/);
    expect(lines[1]).toMatch(/^tools\/t\.yaml:4:19: warning LOOKS_LIKE_REFERENCE /);
    expect(formatDiagnostics([], 'text')).toBe('');
  });

  it('adds caret excerpts with a source, masking pasted credentials', async () => {
    const ds = await lint(SOURCE, { filename: 't.yaml' });
    const out = formatDiagnostics(ds, 'text', { source: SOURCE, excerpt: true });
    expect(out).toContain(' 4 |   X-Other: Bearer $secret.other');
    expect(out).toContain('   |                   ^~~~~~~~~~~~~');
    expect(out).toContain(' 3 |   X-Key: ********************************');
    expect(out).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
  });

  it('colours only when asked', async () => {
    const ds = await lint(SOURCE, { filename: 't.yaml' });
    expect(formatDiagnostics(ds, 'text')).not.toContain('\u001b[');
    expect(formatDiagnostics(ds, 'text', { color: true, source: SOURCE })).toContain('\u001b[31merror');
  });

  it('takes sources of several files by name', async () => {
    const other = 'a: $SECRETS.x\n';
    const ds = [...(await lint(SOURCE, { filename: 'a.yaml' })), ...(await lint(other, { filename: 'b.yaml' }))];
    const out = formatDiagnostics(ds, 'text', { source: new Map([['a.yaml', SOURCE], ['b.yaml', other]]), excerpt: true });
    expect(out).toContain('b.yaml:1:4: warning LOOKS_LIKE_REFERENCE');
    expect(out).toContain(' 1 | a: $SECRETS.x');
  });
});

describe('JSON report', () => {
  it('has the documented, stable shape (version 1)', async () => {
    const ds = await lint(SOURCE, { filename: 't.yaml' });
    const report = JSON.parse(formatDiagnostics(ds, 'json'));
    // Fields are only ever added within version 1: `suppressed`, `summary.suppressed` and `fingerprint` came with issue 16.
    expect(Object.keys(report)).toEqual(['version', 'diagnostics', 'suppressed', 'summary']);
    expect(report.version).toBe(1);
    expect(report.summary).toEqual({ errors: 1, warnings: 1, infos: 0, suppressed: 0 });
    expect(report.suppressed).toEqual([]);
    expect(Object.keys(report.diagnostics[0])).toEqual(['file', 'code', 'severity', 'message', 'path', 'line', 'column', 'endLine', 'endColumn', 'suggestion', 'fingerprint']);
    expect(report.diagnostics[0].fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(report.diagnostics[0]).toMatchObject({ file: 't.yaml', code: 'PASTED_CREDENTIAL', severity: 'error', path: '/headers/X-Key', line: 3, column: 10, endLine: 3, endColumn: 42 });
  });

  it('names stdin when a diagnostic has no file, unless a filename is given', () => {
    const d: Diagnostic = { code: 'NAME_STYLE', severity: 'info', message: 'm', path: '/a', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } };
    expect(JSON.parse(formatDiagnostics([d], 'json')).diagnostics[0].file).toBe('<stdin>');
    expect(JSON.parse(formatDiagnostics([d], 'json', { filename: 'x.json' })).diagnostics[0].file).toBe('x.json');
  });

  it('rejects an unknown format with a catalogued error', () => {
    expect(() => formatDiagnostics([], 'xml' as 'json')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
