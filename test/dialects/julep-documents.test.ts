/**
 * The Julep dialect end to end, on definitions written for this suite (fixtures/dialects/julep):
 * refs point at the reference in the file, lint raises nothing on the platform's strings, and a
 * render's output, evaluated by Julep's rules (the Python oracle), equals the input evaluated with
 * the secrets — while no other secret is reachable through it and strings without references
 * come out byte for byte.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSource, findReferences, lint, render } from '../../src/index.js';
import { JulepOracle } from '../oracle/julep-oracle.js';

const dir = new URL('../../fixtures/dialects/julep/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const read = (f: string): string => readFileSync(new URL(f, dir), 'utf8');
const CANARY = 'CANARY-other-secret-7f3a';

let oracle: JulepOracle;
beforeAll(async () => {
  oracle = await JulepOracle.start();
});
afterAll(async () => oracle?.close());

/** Every string of a plain value, with its JSON pointer. */
function strings(v: unknown, p = '', out: [string, string][] = []): [string, string][] {
  if (typeof v === 'string') out.push([p, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${p}/${i}`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${p}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
  return out;
}

/** Julep's value of `s`; secrets the render did not use are canaries, so reaching one shows. */
async function julepValue(s: string, secrets: Record<string, string>): Promise<unknown> {
  const r = await oracle.evaluate({ string: s, secrets, context: 'permissive' });
  return r.ok ? r.value : { error: r.error };
}

async function checkRender(file: string, values: Record<string, string>): Promise<void> {
  const source = read(file);
  const doc = analyzeSource(source, { dialect: 'julep', filename: file });
  const out = await render(source, { dialect: 'julep', filename: file, secrets: values });
  const before = new Map(strings(doc.value));
  const canaries = Object.fromEntries(Object.keys(values).map((n) => [n, CANARY]));
  const withRefs = new Set(doc.references.map((r) => r.path));
  for (const [path, rendered] of strings(out.value)) {
    const original = before.get(path) as string;
    if (!withRefs.has(path)) {
      expect(rendered, path).toBe(original);
      continue;
    }
    const want = await julepValue(original, values);
    const got = await julepValue(rendered, canaries);
    expect(got, `${file} ${path}`).toEqual(want);
    expect(JSON.stringify(got)).not.toContain(CANARY);
  }
}

describe('Julep definitions through refs, lint and render', () => {
  it.each(files)('%s: every reference is positioned on its own text', (file) => {
    const source = read(file);
    const refs = findReferences(source, { dialect: 'julep', filename: file });
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      expect(r.offset).toBeDefined();
      expect(source.slice(r.offset?.[0], r.offset?.[1])).toMatch(/^secrets(\.|\[)/);
      expect(r.range?.start.line).toBe(source.slice(0, r.offset?.[0]).split('\n').length);
    }
  });

  it('lint: nothing on the platform\'s strings; warnings where Julep leaves text literal or a name is computed; the prompt leak is an error', async () => {
    const summary = async (f: string) => (await lint(read(f), { dialect: 'julep', filename: f })).map((d) => `${d.severity} ${d.code} ${d.path}`);
    expect(await summary('research-task.yaml')).toEqual([]);
    expect(await summary('weather-tool.json')).toEqual([]);
    expect(await summary('tenant-task.yaml')).toEqual([
      'warning REFERENCE_SYNTAX /tools/0/api_call/headers/X-Legacy',
      'warning REFERENCE_DYNAMIC /main/0/evaluate/key',
      'error SECRET_IN_MODEL_FIELD /main/1/prompt',
    ]);
  });

  it('a computed name is left for Julep with a warning; secrets used whole is refused (it would hand Julep every secret)', async () => {
    const computed = await render('k: "$ secrets[inputs[0][\'t\'] + \'_key\']"\n', { dialect: 'julep', secrets: {} });
    expect(computed.value).toEqual({ k: "$ secrets[inputs[0]['t'] + '_key']" });
    expect(computed.warnings?.map((w) => [w.code, w.path])).toEqual([['REFERENCE_DYNAMIC', '/k']]);
    for (const whole of ['a: "x {secrets}"\n', 'a: $ secrets.items()\n', 'a: "$ [k for k in secrets]"\n']) {
      const e = await render(whole, { dialect: 'julep', secrets: {} }).then(() => undefined, (x: unknown) => x as { code: string });
      expect(e?.code, whole).toBe('REFERENCE_DYNAMIC');
      expect((await lint(whole, { dialect: 'julep' })).map((d) => `${d.severity} ${d.code}`), whole).toContain('error REFERENCE_DYNAMIC');
    }
  });

  it('redact masks a value as it was written into the output (escaped for Python)', async () => {
    const value = "it's {a} \\ ü-secret-value";
    const out = await render('h: "Bearer {secrets.tok}"\ne: "$ secrets.tok"\n', { dialect: 'julep', secrets: { tok: value } });
    const text = JSON.stringify(out.value);
    expect(text).not.toContain(value);
    const masked = out.redact(text);
    expect(masked).toContain('[REDACTED:tok]');
    expect(masked).not.toContain('secret-value');
  });

  it('the default dialect reads the same file as its own language and refuses Julep\'s strings', async () => {
    const errors = (await lint(read('research-task.yaml'), {})).filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: the rendered output evaluates, in Julep, to what the input does with the secrets', async (file) => {
    const names = [...new Set(analyzeSource(read(file), { dialect: 'julep' }).references.map((r) => r.name))];
    await checkRender(file, Object.fromEntries(names.map((n, i) => [n, `value-${i}-of-${n}`])));
  });

  it('property: hostile values (braces, quotes, backslashes, newlines, a leading "$ ", unicode) are data, once', async () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 24 }),
      fc.constantFrom('{secrets}', '{{secrets.api_key}}', "'''", '\\', '$ secrets.api_key', "x{secrets.api_key!r}y", '}}{{', '"\'\n\t\\x41', '$ __import__("os")'),
    );
    const file = 'tenant-task.yaml';
    const names = [...new Set(analyzeSource(read(file), { dialect: 'julep' }).references.map((r) => r.name))];
    await fc.assert(
      fc.asyncProperty(fc.tuple(...names.map(() => hostile)), async (vals) => {
        await checkRender(file, Object.fromEntries(names.map((n, i) => [n, vals[i] as string])));
      }),
      { numRuns: 25 },
    );
  });
});
