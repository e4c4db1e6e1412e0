import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/syntax/index.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const TOOLS = readdirSync(join(FIXTURES, 'tools')).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('fixtures/tools', () => {
  it('holds at least 10 definitions, YAML and JSON mixed', () => {
    expect(TOOLS.length).toBeGreaterThanOrEqual(10);
    expect(TOOLS.some((f) => f.endsWith('.json'))).toBe(true);
    expect(TOOLS.some((f) => f.endsWith('.yaml'))).toBe(true);
  });

  it.each(TOOLS)('%s analyses with zero problems and lists its secrets in the README', (file) => {
    const d = analyzeSource(readFileSync(join(FIXTURES, 'tools', file), 'utf8'), { filename: file });
    expect(d.problems).toEqual([]);
    expect(d.references.length).toBeGreaterThan(0);
    const readme = readFileSync(join(FIXTURES, 'tools', 'README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${file}\``)) ?? '';
    for (const name of new Set(d.references.map((r) => r.name))) expect(row, `${file} needs ${name}`).toContain(`\`${name}\``);
  });

  it('the broken definition has a dynamic reference and an unsafe template', () => {
    const d = analyzeSource(readFileSync(join(FIXTURES, 'broken', 'broken-tool.yaml'), 'utf8'));
    expect(d.problems.map((p) => [p.code, p.path])).toEqual([
      ['REFERENCE_DYNAMIC', '/api_call/headers/X-Provider-Key'],
      ['UNSAFE_TEMPLATE', '/api_call/headers/X-Debug'],
    ]);
    expect(d.references.map((r) => r.name)).toContain('stripe_api_kee');
  });
});
