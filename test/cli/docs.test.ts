/**
 * The reference in docs/ stays complete as the code grows: every error and lint code has an entry
 * with its fix, every named limit a row, every command and flag of the command table a mention
 * in docs/cli.md; every relative link of README and docs/ points at a file that exists; README
 * stays a front page (about 12 KB), not a copy of the reference.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import { ERROR_CODES, LIMITS, LINT_CODES, STORE_LIMITS } from '../../src/index.js';
import { INTERNAL_LIMITS } from '../../src/limits.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('docs/', () => {
  it('errors.md has a section for every error and lint code', () => {
    const headings = new Set([...read('docs/errors.md').matchAll(/^### (\w+)$/gm)].map((m) => m[1]));
    for (const code of new Set([...ERROR_CODES, ...LINT_CODES])) expect(headings.has(code), code).toBe(true);
  });

  it('limits.md lists every named limit', () => {
    const text = read('docs/limits.md');
    for (const name of [...Object.keys(LIMITS), ...Object.keys(STORE_LIMITS), ...Object.keys(INTERNAL_LIMITS)]) expect(text, name).toContain(`\`${name}\``);
  });

  it('cli.md names every command of the table and every one of its flags', () => {
    const text = read('docs/cli.md');
    for (const spec of COMMANDS) {
      expect(text, spec.name).toContain(spec.name.includes(' ') ? `\`${spec.name}` : `### \`secretref ${spec.name}`);
      if ('options' in spec) {
        for (const o of spec.options ?? []) {
          const flag = /--[\w-]+/.exec(o.flags)?.[0] as string;
          expect(text, `${spec.name} ${flag}`).toContain(flag);
        }
      }
    }
    for (const global of ['--database-url', '--developer', '--create-key', '--config', '--no-config']) expect(text).toContain(global);
  });

  it('every relative link in README.md and docs/*.md points at an existing file', () => {
    const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const file of files) {
      for (const m of read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1] as string;
        if (/^[a-z]+:/.test(target)) continue;
        expect(existsSync(join(ROOT, dirname(file), target)), `${file} → ${target}`).toBe(true);
      }
    }
  });

  it('README is a front page: about 12 KB, results linked rather than copied', () => {
    const readme = read('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThan(13_000);
    expect(readme).toContain('(bench/RESULTS.md)');
    expect(readme).toContain('(test/reliability/RESULTS.md)');
    // A line only the results files hold must not be in README.
    const firstRow = read('bench/RESULTS.md').split('\n').find((l) => l.startsWith('| warm render'));
    expect(firstRow).toBeDefined();
    expect(readme).not.toContain(firstRow as string);
  });
});
