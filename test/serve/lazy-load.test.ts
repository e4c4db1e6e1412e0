/**
 * `secretref serve` and `secretref lsp` load their frameworks only when they run (issue 19): the
 * built CLI running another command has not loaded fastify or vscode-languageserver, and the
 * command that needs one loads that one only.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { keygen } from '../../src/index.js';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = join(import.meta.dirname, '..', '..');

// Runs the CLI in-process on dist/ (output discarded), then reports which packages Node loaded.
const PROBE = `
import { createRequire } from 'node:module';
const [dist, ...argv] = process.argv.slice(1);
const { run } = await import(dist + '/cli/run.js');
const { processIo } = await import(dist + '/cli/io.js');
const code = await run(argv, { ...processIo(), stdout: { write: () => true }, stderr: { write: () => true } });
const loaded = Object.keys(createRequire(import.meta.url).cache);
const has = (pkg) => loaded.some((p) => p.includes('/node_modules/' + pkg + '/'));
process.stdout.write(JSON.stringify({ code, fastify: has('fastify'), lsp: has('vscode-languageserver') }));
`;

function probe(argv: string[]): { code: number; fastify: boolean; lsp: boolean } {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, join(ROOT, 'dist'), ...argv], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: ROOT, SECRETS_MASTER_KEY: keygen() },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { code: number; fastify: boolean; lsp: boolean };
}

beforeAll(() => {
  ensureBuilt();
}, 180_000);

it('other commands load neither fastify nor vscode-languageserver', () => {
  expect(probe(['lint', '--offline', 'fixtures/tools/stripe-create-charge.yaml'])).toEqual({ code: 0, fastify: false, lsp: false });
  expect(probe(['refs', 'fixtures/tools'])).toEqual({ code: 0, fastify: false, lsp: false });
  expect(probe(['--help'])).toEqual({ code: 0, fastify: false, lsp: false });
}, 60_000);

it('serve loads fastify only', () => {
  expect(probe(['serve', '--openapi'])).toEqual({ code: 0, fastify: true, lsp: false });
}, 60_000);
