/**
 * `secretref run` as a user runs it (the built binary, an embedded store in a fresh folder):
 * signals sent to secretref reach the child and its status comes back, and a terminal is handed
 * to the child untouched unless --mask (a real pseudo-terminal, from util-linux `script`).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const exec = promisify(execFile);
const TOKEN = 'e2e-token-5f1c9a7b3d';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'secretref-run-e2e-'));
  const key = (await exec(process.execPath, [BIN, 'keygen'])).stdout.trim();
  env = { PATH: process.env.PATH ?? '', HOME: dir, SECRETS_MASTER_KEY: key };
  // The value on stdin through a shell pipe, never on argv.
  await exec('bash', ['-c', 'printf %s "$VALUE" | "$0" "$1" secrets create api_token', process.execPath, BIN], { cwd: dir, env: { ...env, VALUE: TOKEN } });
  writeFileSync(join(dir, '.env.tpl'), 'API_TOKEN=$secrets.api_token\n');
}, 180_000);

/** Starts `secretref run` on a child script; resolves once the child printed `ready`. */
function start(script: string): Promise<{ sr: ReturnType<typeof spawn>; out: () => string; exit: Promise<number | null> }> {
  const sr = spawn(process.execPath, [BIN, 'run', '--env', '.env.tpl', '--', process.execPath, '-e', script], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exit = new Promise<number | null>((r) => sr.on('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    sr.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve({ sr, out: () => out, exit });
    });
    sr.on('close', () => reject(new Error(`exited before ready: ${out}`)));
  });
}

describe('secretref run (binary)', () => {
  it('forwards SIGTERM to the child and exits with its status', async () => {
    const { sr, out, exit } = await start('process.on("SIGTERM",()=>{console.log("got TERM "+process.env.API_TOKEN);process.exit(5)});console.log("ready");setInterval(()=>{},1000)');
    sr.kill('SIGTERM');
    expect(await exit).toBe(5);
    expect(out()).toContain('got TERM [REDACTED:api_token]');
    expect(out()).not.toContain(TOKEN);
  }, 60_000);

  it('a child ended by a forwarded SIGINT makes secretref exit 130', async () => {
    const { sr, exit } = await start('console.log("ready");setInterval(()=>{},1000)');
    sr.kill('SIGINT');
    expect(await exit).toBe(130);
  }, 60_000);

  it('a terminal is passed through untouched; --mask masks it (the child then writes to a pipe)', async () => {
    const child = `${process.execPath} -e 'console.log("tty="+process.stdout.isTTY+" "+process.env.API_TOKEN)'`;
    const viaPty = async (flags: string): Promise<string> =>
      (await exec('script', ['-qec', `${process.execPath} ${BIN} run --env .env.tpl ${flags} -- ${child}`, '/dev/null'], { cwd: dir, env })).stdout;
    const plain = await viaPty('');
    expect(plain).toContain(`tty=true ${TOKEN}`);
    const masked = await viaPty('--mask');
    expect(masked).toContain('tty=undefined [REDACTED:api_token]');
    expect(masked).not.toContain(TOKEN);
  }, 60_000);
});
