/**
 * Regression: a YAML alias whose anchor does not exist (`password: *db_pass` with no `&db_pass`
 * before it) was rendered as null with exit 0 — a silently wrong configuration — and lint and
 * refs said nothing. It is now INVALID_INPUT at the alias, through compile, render, lint and refs.
 */
import { describe, expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { lint } from '../../src/lint/lint.js';
import { compile, render } from '../../src/render/render.js';
import { findReferences } from '../../src/syntax/find-references.js';

const SOURCE = 'name: t\nurl: https://example.com\npassword: *db_pass\n';

describe('an unresolved YAML alias', () => {
  it('is INVALID_INPUT at the alias, never null', async () => {
    for (const run of [() => compile(SOURCE), () => findReferences(SOURCE)]) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SecretrefError);
      const e = error as SecretrefError;
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.problems[0]?.range?.start).toEqual({ line: 3, column: 11 });
    }
    await expect(render(SOURCE, { secrets: {} })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const ds = await lint(SOURCE);
    expect(ds.map((d) => [d.code, d.severity])).toEqual([['INVALID_INPUT', 'error']]);
  });

  it('a defined anchor still resolves', () => {
    expect(compile('a: &x $secrets.k\nb: *x\n').references.map((r) => r.path)).toEqual(['/a', '/b']);
  });
});
