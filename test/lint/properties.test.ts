/**
 * Totality: lint never throws on any document or string, every diagnostic is well-formed, and
 * the reports of whatever it finds are producible. A pasted token, however generated, never
 * appears in any report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { baselineOf, formatBaseline, formatDiagnostics, lint, LINT_RULES } from '../../src/lint/index.js';

const FRAGMENTS = ['$secrets.', '${secrets.', '$ secrets.', '{{ secrets.', '{{', '}}', '{%', '%}', '$', '$$', 'secret.', 'SECRETS.', '://', 'a:b@', '@', '|', '(', ')', "'", '"', '\\', '\n', 'sk-', 'sk_live_', 'AKIA', 'ghp_', 'xoxb-', 'AIza', '-----BEGIN RSA PRIVATE KEY-----', 'Bearer ', '??', 'default(', 'urlencode', '`', 'f\''];
const piece = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 }), fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/));
const tricky = fc.array(piece, { maxLength: 12 }).map((a) => a.join(''));
const key = fc.oneof(fc.constantFrom('name', 'description', 'url', 'headers', 'parameters', 'properties', 'password', 'api_key', 'Authorization', 'function', 'tools', 'input_schema'), tricky);
const doc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).value;

function wellFormed(ds: Awaited<ReturnType<typeof lint>>): void {
  for (const d of ds) {
    expect(LINT_RULES[d.code]).toBeDefined();
    expect(['error', 'warning', 'info']).toContain(d.severity);
    expect(d.range.start.line).toBeGreaterThanOrEqual(1);
    expect(d.range.start.column).toBeGreaterThanOrEqual(1);
    expect(typeof d.path).toBe('string');
  }
  for (const f of ['text', 'json', 'sarif'] as const) formatDiagnostics(ds, f, { filename: 'x.yaml' });
}

describe('lint properties', () => {
  it('never throws on arbitrary source text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), tricky), async (source) => {
        wellFormed(await lint(source, { filename: 'any.yaml' }));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary documents, as JSON and as YAML', async () => {
    await fc.assert(
      fc.asyncProperty(doc, async (value) => {
        wellFormed(await lint(JSON.stringify(value, null, 2) ?? 'null'));
        wellFormed(await lint(stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('a pasted token is reported and never echoed, wherever it sits', async () => {
    const alnum = fc.stringMatching(/^[A-Za-z0-9]{40}$/).filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s));
    // Shapes as their vendors issue them: an OpenAI project key carries the T3BlbkFJ marker.
    const token = fc
      .tuple(fc.constantFrom('sk_live_', 'ghp_', 'sk-proj-', 'glpat-'), alnum)
      .map(([p, b]) => (p === 'sk-proj-' ? `${p}${b.slice(0, 20)}T3BlbkFJ${b.slice(20)}` : p + b));
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom('plain', 'bearer', 'url', 'json'), async (t, where) => {
        const value = where === 'bearer' ? `Bearer ${t}` : where === 'url' ? `https://api.example.com/v1?x=1&key=${t}` : t;
        const source = where === 'json' ? JSON.stringify({ name: 'tool', headers: { 'X-Key': value } }) : `name: tool\nheaders:\n  X-Key: "${value}"\n`;
        const ds = await lint(source, { filename: 't.yaml' });
        expect(ds.map((d) => d.code)).toContain('PASTED_CREDENTIAL');
        const body = t.slice(-30);
        for (const f of ['text', 'json', 'sarif'] as const) expect(formatDiagnostics(ds, f, { source, color: true })).not.toContain(body);
        // Nor in a baseline: the fingerprint of a credential is made from its masked form only.
        expect(formatBaseline(baselineOf(ds, () => 't.yaml'))).not.toContain(body);
      }),
      { numRuns: 100 },
    );
  });
});
