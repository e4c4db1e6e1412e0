/**
 * Regression: a speed-up once compiled object literals and readers with `new Function`. Issue 5
 * rules code generation out of the renderer (keys of a definition would reach the JS engine as
 * source text). This pins it: no module of the pipeline generates or evaluates code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('no code generation', () => {
  it.each(files(SRC).map((f) => [f.slice(SRC.length + 1), f]))('%s uses neither Function nor eval', (_name, file) => {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/\bnew\s+Function\b|\bFunction\s*\(|\beval\s*\(|\bvm\.(run|Script|compile)/);
  });
});
