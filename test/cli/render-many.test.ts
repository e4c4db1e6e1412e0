/**
 * Many files, one process (issue 17, Build 1): `render PATH… --out-dir DIR` mirrors the input
 * tree, writes every file atomically with mode 0600, reports every problem of every file
 * (file:line:col) before anything is written, and writes all or nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../../src/cli/commands/render.js';
import { CliContext } from '../../src/cli/context.js';
import { keygen } from '../../src/index.js';
import { cli, fakeIo, newDeveloper, serverCalls } from '../helpers/cli.js';

const as = serverCalls(keygen());

/** tools/a.yaml, tools/nested/b.json, tools/nested/deeper/c.yml, and a lone d.yaml beside the folder. */
async function project(): Promise<{ dev: string; dir: string }> {
  const dev = newDeveloper();
  const dir = mkdtempSync(join(tmpdir(), 'secretref-many-'));
  await cli(['secrets', 'create', 'alpha_key'], as(dev, dir, 'alpha-value-1'));
  await cli(['secrets', 'create', 'beta_key'], as(dev, dir, 'beta-value-2'));
  mkdirSync(join(dir, 'tools', 'nested', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'tools', 'a.yaml'), 'name: a\nauth: Bearer $secrets.alpha_key\n');
  writeFileSync(join(dir, 'tools', 'nested', 'b.json'), '{"name": "b", "k": "$secrets.beta_key"}');
  writeFileSync(join(dir, 'tools', 'nested', 'deeper', 'c.yml'), 'name: c\nx: ${secrets.alpha_key}-${secrets.beta_key}\n');
  writeFileSync(join(dir, 'd.yaml'), 'name: d\ny: $secrets.beta_key\n');
  return { dev, dir };
}

function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
}

describe('render PATH… --out-dir DIR', () => {
  it('renders a folder and a file in one run, mirroring the tree, each file mode 0600, with a summary line', async () => {
    const { dev, dir } = await project();
    const r = await cli(['render', 'tools', 'd.yaml', '--out-dir', 'out'], as(dev, dir));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(tree(join(dir, 'out'))).toEqual(['a.json', 'd.json', 'nested/b.json', 'nested/deeper/c.json']);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'nested', 'deeper', 'c.json'), 'utf8'))).toEqual({ name: 'c', x: 'alpha-value-1-beta-value-2' });
    for (const f of tree(join(dir, 'out'))) expect(statSync(join(dir, 'out', f)).mode & 0o777, f).toBe(0o600);
    expect(r.stderr).toMatch(/^Rendered 4 file\(s\) → out \(5 reference\(s\)\)\.$/m);
    expect(r.stderr).not.toContain('alpha-value-1');
  });

  it('--format yaml and --redact apply to every file', async () => {
    const { dev, dir } = await project();
    const r = await cli(['render', 'tools', '--out-dir', 'out', '--format', 'yaml', '--redact'], as(dev, dir));
    expect(r.code).toBe(0);
    expect(tree(join(dir, 'out'))).toEqual(['a.yaml', 'nested/b.yaml', 'nested/deeper/c.yaml']);
    const all = tree(join(dir, 'out')).map((f) => readFileSync(join(dir, 'out', f), 'utf8')).join('\n');
    expect(all).toContain('[REDACTED:alpha_key]');
    expect(all).not.toContain('alpha-value-1');
    expect(all).not.toContain('beta-value-2');
  });

  it('reports every problem of every file with file:line:col, and writes nothing when one file fails', async () => {
    const { dev, dir } = await project();
    writeFileSync(join(dir, 'tools', 'nested', 'broken.yaml'), 'name: broken\nq: $secrets.gamma_key\nr: $secrets.delta_key\n');
    writeFileSync(join(dir, 'tools', 'typo.json'), '{"name": "typo", "z": "$secrets.alpah_key"}');
    const r = await cli(['render', 'tools', '--out-dir', 'out'], as(dev, dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tools\/nested\/broken\.yaml:2:4: error SECRET_NOT_FOUND /m);
    expect(r.stderr).toMatch(/^tools\/nested\/broken\.yaml:3:4: error SECRET_NOT_FOUND /m);
    expect(r.stderr).toMatch(/^tools\/typo\.json:1:\d+: error SECRET_NOT_FOUND .*\(suggestion: alpha_key\)/m);
    expect(r.stderr).toContain('2 of 5 file(s) cannot render; nothing was written.');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('all or nothing: when the output cannot be written, no rendered file is left behind', async () => {
    const { dev, dir } = await project();
    rmSync(join(dir, 'tools', 'nested', 'deeper'), { recursive: true });
    // out/a.json can be written; out/nested/b.json cannot (not even by root): /proc takes no files.
    mkdirSync(join(dir, 'out'));
    symlinkSync('/proc', join(dir, 'out', 'nested'));
    const r = await cli(['render', 'tools', '--out-dir', 'out'], as(dev, dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was written');
    expect(tree(join(dir, 'out'))).toEqual(['nested']);
  });

  it('refuses unclear output: several inputs without --out-dir, --out with several, --out-dir inside an input folder, two inputs onto one output', async () => {
    const { dev, dir } = await project();
    writeFileSync(join(dir, 'tools', 'a.json'), '{"name": "a2"}');
    for (const argv of [
      ['render', 'tools'],
      ['render', 'tools/a.yaml', 'd.yaml'],
      ['render', 'tools', '--out', 'x.json'],
      ['render', 'tools', '--out-dir', 'tools/rendered'],
      ['render', 'tools', '--out-dir', 'out'],
    ]) {
      const r = await cli(argv, as(dev, dir));
      expect(r.code, argv.join(' ')).toBe(2);
    }
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('resolves the names of all files together: 30 files cost the store the round trips of one', async () => {
    const dev = newDeveloper();
    const dir = mkdtempSync(join(tmpdir(), 'secretref-many-'));
    mkdirSync(join(dir, 'tools'));
    for (let i = 0; i < 30; i++) {
      await cli(['secrets', 'create', `key_${i}`], as(dev, dir, `value-${i}-abcdef`));
      writeFileSync(join(dir, 'tools', `t${String(i).padStart(2, '0')}.yaml`), `name: t${i}\nk: $secrets.key_${i}\n`);
    }
    const queriesOf = async (paths: string[]): Promise<number> => {
      const ctx = new CliContext(fakeIo(as(dev, dir)), () => ({ config: false }));
      try {
        await ctx.prepare();
        const store = await ctx.openStore();
        const before = store.stats().queries;
        const result = await render({ paths, format: 'json', vars: {}, plan: false, redact: false, strictEnvironment: false, allowEmptyEnvironment: false, outDir: join(dir, 'out') }, ctx);
        expect(result.files.every((f) => f.rendered !== undefined)).toBe(true);
        return store.stats().queries - before;
      } finally {
        await ctx.close();
      }
    };
    const one = await queriesOf(['tools/t00.yaml']);
    const thirty = await queriesOf(['tools']);
    expect(one).toBeGreaterThan(0);
    expect(thirty).toBe(one);
  });

  it('--plan over many files prints one document with every file and exits 1 when one cannot render', async () => {
    const { dev, dir } = await project();
    writeFileSync(join(dir, 'tools', 'gap.yaml'), 'name: gap\nq: $secrets.gamma_key\n');
    const r = await cli(['render', 'tools', '--plan'], as(dev, dir));
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; files: { file: string; plan: { reference: string; status: string }[] }[] };
    expect(doc.ok).toBe(false);
    expect(doc.files.map((f) => f.file)).toEqual(['tools/a.yaml', 'tools/gap.yaml', 'tools/nested/b.json', 'tools/nested/deeper/c.yml']);
    expect(doc.files[1]?.plan).toEqual([expect.objectContaining({ reference: 'gamma_key', status: 'missing' })]);
    expect(r.stdout).not.toContain('alpha-value-1');
  });
});
