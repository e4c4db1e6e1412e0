/**
 * Regression (found by the stress fuzz run): an empty lookup `secrets[]` in a template crashed the
 * scanner with a TypeError (nunjucks parses it with no key node), so compile, render, lint and the
 * CLI failed with an uncatalogued exception instead of REFERENCE_SYNTAX.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SecretrefError } from '../../src/errors.js';
import { lint } from '../../src/lint/lint.js';
import { compile } from '../../src/render/render.js';
import { compileString } from '../../src/syntax/compile-string.js';

const CASES = ['{{ secrets[] }}', '{{ secrets[] | urlencode }}', '{% if secrets[] %}x{% endif %}', '{{ (secrets[]) }}', 'a {{ secrets[ ] }} b'];

describe('an empty secrets[] lookup in a template', () => {
  it.each(CASES)('%s is REFERENCE_SYNTAX, located on the lookup', async (value) => {
    const compiled = compileString(value);
    expect(compiled?.problems.map((p) => p.code)).toEqual(['REFERENCE_SYNTAX']);
    const p = compiled?.problems[0];
    expect(value.slice(p?.start, p?.end)).toMatch(/^secrets\[\s*\]$/);
    let error: unknown;
    try {
      compile({ x: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretrefError);
    expect((error as SecretrefError).code).toBe('REFERENCE_SYNTAX');
    const ds = await lint(JSON.stringify({ x: value }));
    expect(ds.map((d) => d.code)).toContain('REFERENCE_SYNTAX');
    for (const d of ds) expect([...ERROR_CODES, 'NAME_STYLE']).toContain(d.code);
  });
});
