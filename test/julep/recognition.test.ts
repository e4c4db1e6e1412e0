/**
 * Recognition of Julep strings, table-driven from fixtures/julep/recognition.yaml: form, exact
 * reference spans, splice encodings and findings (code, severity, span, suggestion).
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { scanJulep } from '../../src/syntax/julep/index.js';
import { CASES, spanOf } from './cases.js';

describe('scanJulep: fixtures/julep/recognition.yaml', () => {
  it('has cases of every kind', () => {
    expect(CASES.filter((c) => c.platform).length).toBeGreaterThan(3);
    expect(new Set(CASES.map((c) => c.form).filter(Boolean))).toEqual(new Set(['fstring', 'expression', 'template']));
  });

  for (const c of CASES) {
    it(JSON.stringify(c.string), () => {
      const scan = scanJulep(c.string);
      if (c.platform) {
        expect(scan).toBeNull();
        return;
      }
      expect(scan).not.toBeNull();
      if (!scan) return;
      if (c.form) expect(scan.form).toBe(c.form);
      expect(scan.implicit).toBe(c.implicit ?? false);
      const refs = (c.refs ?? []).map((r) => {
        const [start, end] = spanOf(c.string, r);
        return { name: r.name, start, end, optional: r.optional ?? false };
      });
      expect(scan.refs).toEqual(refs);
      if (c.encodings) expect(scan.splices.map((s) => s.encoding)).toEqual(c.encodings);
      const findings = (c.findings ?? []).map((f) => {
        const [start, end] = spanOf(c.string, f);
        return { code: f.code, severity: f.severity, start, end, ...(f.suggestion !== undefined ? { suggestion: f.suggestion } : {}) };
      });
      expect(scan.findings.map(({ message: _m, ...rest }) => rest)).toEqual(findings);
      for (const f of scan.findings) expect(f.message.length).toBeGreaterThan(20);
    });
  }
});

describe('scanJulep: bounds and totality', () => {
  it('a string over maxTemplateLength is one LIMIT_EXCEEDED error and no reference', () => {
    const s = `{secrets.x}${' '.repeat(LIMITS.maxTemplateLength)}`;
    const scan = scanJulep(s);
    expect(scan?.refs).toEqual([]);
    expect(scan?.findings.map((f) => [f.code, f.severity, f.start, f.end])).toEqual([['LIMIT_EXCEEDED', 'error', 0, 1]]);
  });

  it('a string at maxTemplateLength is still scanned', () => {
    const s = `{secrets.x}${' '.repeat(LIMITS.maxTemplateLength - 11)}`;
    expect(scanJulep(s)?.refs.map((r) => r.name)).toEqual(['x']);
  });

  it('every span of a scan lies inside the string, refs start at `secrets`', () => {
    for (const c of CASES) {
      const scan = scanJulep(c.string);
      if (!scan) continue;
      for (const r of scan.refs) expect(c.string.slice(r.start, r.end).startsWith('secrets')).toBe(true);
      for (const x of [...scan.splices, ...scan.findings]) {
        expect(0 <= x.start && x.start <= x.end && x.end <= c.string.length).toBe(true);
      }
      for (const s of scan.splices) expect(s.start <= s.refStart && s.refEnd <= s.end).toBe(true);
    }
  });

  it('a scan is frozen: the memoised result cannot be changed under another caller', () => {
    const scan = scanJulep('Bearer {secrets.tok}');
    expect(() => (scan?.refs as unknown[]).push(1)).toThrow(TypeError);
    expect(Object.isFrozen(scan?.splices[0])).toBe(true);
  });

  it('the same string scans to an equal result every time (memoised or not)', () => {
    const long = `{secrets.x} ${'y'.repeat(5000)}`;
    expect(scanJulep('Bearer {secrets.tok}')).toEqual(scanJulep('Bearer {secrets.tok}'));
    expect(scanJulep(long)).toEqual(scanJulep(long));
  });
});
