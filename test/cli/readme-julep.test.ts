/**
 * README's Julep workflow, run as written (the block between `<!-- julep:begin -->` and
 * `<!-- julep:end -->`) in a fresh folder with the built CLI, and its rendered output judged by
 * Julep's own evaluation rules (the Python oracle): the token evaluates to the stored value and
 * the platform's `$ _.topic` is untouched.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureBuilt } from '../helpers/build.js';
import { JulepOracle } from '../oracle/julep-oracle.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

function block(readme: string): string {
  const b = /<!-- julep:begin -->\n```sh\n([\s\S]*?)```\n<!-- julep:end -->/.exec(readme)?.[1];
  if (b === undefined) throw new Error('README has no block between <!-- julep:begin --> and <!-- julep:end -->');
  return b;
}

let oracle: JulepOracle;
let dir: string;
let log: string;

beforeAll(async () => {
  oracle = await JulepOracle.start();
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'secretref-readme-julep-'));
  const script = [
    'set -e',
    `npx() { if [ "$1" = secretref ]; then shift; node '${BIN}' "$@"; else echo "unexpected: npx $*" >&2; return 127; fi; }`,
    block(readFileSync(join(ROOT, 'README.md'), 'utf8')),
  ].join('\n');
  writeFileSync(join(dir, '.julep.sh'), script);
  const env = { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' };
  const out = await promisify(execFile)('bash', [join(dir, '.julep.sh')], { cwd: dir, env, timeout: 200_000 });
  log = out.stdout + out.stderr;
}, 240_000);
afterAll(async () => oracle?.close());

describe("README's Julep workflow", () => {
  it('lints clean in the julep dialect, chosen by the config file', () => {
    expect(log).toContain('0 error(s), 0 warning(s) (dialect julep)');
  });

  it('renders only the secret; Julep evaluates the token to the stored value and leaves $ _.topic to the platform', async () => {
    const out = parse(readFileSync(join(dir, 'digest.rendered.yaml'), 'utf8')) as {
      tools: { api_call: { headers: Record<string, string> } }[];
      main: { arguments: { q: string } }[];
    };
    const token = out.tools[0]?.api_call.headers['X-Subscription-Token'] as string;
    expect(token).not.toContain('BSA-demo-{key}');
    expect(await oracle.evaluate({ string: token, secrets: { brave_api_key: 'CANARY' } })).toEqual({ ok: true, value: 'BSA-demo-{key}' });
    expect(out.main[0]?.arguments.q).toBe('$ _.topic');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\`${token}\``);
  });
});
