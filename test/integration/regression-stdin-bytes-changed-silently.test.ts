/**
 * Security review #9: invalid UTF-8 piped to `secrets create` was stored with U+FFFD replacements
 * and a leading byte-order mark was dropped, exit 0. Now: invalid UTF-8 is refused with
 * INVALID_INPUT naming the byte where it goes wrong (never the value); a leading BOM is refused
 * too (an invisible encoding marker that many readers drop: kept, it would make one credential
 * read differently by different tools). Nothing is stored in either case; valid bytes are stored
 * exactly. Applies to `create`, `update --value-stdin` and `rotate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { firstInvalidUtf8 } from '../../src/cli/read-value.js';
import { run } from '../../src/cli/run.js';
import { keygen } from '../../src/store/crypto-key.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function storeEnv(): Record<string, string> {
  const d = mkdtempSync(join(tmpdir(), 'secretref-stdin-'));
  dirs.push(d);
  return { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: `file:${join(d, 'db')}` };
}

/** run() with stdin given as raw bytes, the way the process's stdin delivers them. */
async function cliBytes(argv: string[], env: Record<string, string>, stdin: Uint8Array = new Uint8Array()) {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdinIsTTY: false,
    readStdin: async () => Buffer.from(stdin).toString('utf8'),
    readStdinBytes: async () => stdin,
    promptHidden: async () => '',
    confirm: async () => false,
    env,
    cwd: ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const SECRET = 'Sup3r-s3cret-';

describe('secret values read from stdin are taken byte for byte or refused', () => {
  it('refuses invalid UTF-8 on create with INVALID_INPUT and the position, stores nothing', async () => {
    const env = storeEnv();
    // "Sup3r-s3cret-" is 13 bytes; the 14th is a lone 0xFF.
    const r = await cliBytes(['secrets', 'create', 'token'], env, bytes(SECRET, [0xff], 'tail'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toContain('byte 14');
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain('tail');
    const get = await cliBytes(['secrets', 'get', 'token'], env);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('SECRET_NOT_FOUND');
  });

  it('refuses invalid UTF-8 on update --value-stdin and rotate, leaving the value as it was', async () => {
    const env = storeEnv();
    expect((await cliBytes(['secrets', 'create', 'token'], env, bytes('first-value'))).code).toBe(0);
    const update = await cliBytes(['secrets', 'update', 'token', '--value-stdin'], env, bytes('ab', [0xc3, 0x28]));
    expect(update.code).toBe(1);
    expect(update.stderr).toContain('INVALID_INPUT');
    expect(update.stderr).toContain('byte 3');
    const rotate = await cliBytes(['secrets', 'rotate', 'token'], env, bytes('abc', [0xed, 0xa0, 0x80]));
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('byte 4');
    const reveal = await cliBytes(['secrets', 'get', 'token', '--reveal'], env);
    expect(reveal.stdout).toBe('first-value');
  });

  it('refuses a leading byte-order mark instead of dropping it, stores nothing', async () => {
    const env = storeEnv();
    const r = await cliBytes(['secrets', 'create', 'token'], env, bytes([0xef, 0xbb, 0xbf], SECRET));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toMatch(/byte-order mark/);
    expect(r.stderr).not.toContain(SECRET);
    expect((await cliBytes(['secrets', 'get', 'token'], env)).stderr).toContain('SECRET_NOT_FOUND');
  });

  it('stores valid UTF-8 exactly, a BOM inside the value and multi-byte characters included', async () => {
    const env = storeEnv();
    const value = `a\u{feff}b é 😀 \u{10ffff}`;
    expect((await cliBytes(['secrets', 'create', 'token'], env, bytes(value, '\n'))).code).toBe(0);
    const reveal = await cliBytes(['secrets', 'get', 'token', '--reveal'], env);
    expect(Buffer.from(reveal.stdout, 'utf8').equals(Buffer.from(value, 'utf8'))).toBe(true);
  });

  it('the real binary reads stdin as bytes: invalid UTF-8 piped to it is refused', () => {
    const env = storeEnv();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'secrets', 'create', 'token'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
      input: bytes(SECRET, [0xe2, 0x82], 'x'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('INVALID_INPUT');
    expect(r.stderr).toContain('byte 14');
    expect(r.stderr).not.toContain(SECRET);
  }, 130_000);
});

describe('firstInvalidUtf8', () => {
  it('agrees with a fatal TextDecoder on every short byte string it is given, and finds the offset', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const valid = (b: Uint8Array): boolean => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    // Every 1- and 2-byte string, and 3/4-byte strings around every lead byte's boundaries.
    const edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const cases: number[][] = [];
    for (let a = 0; a < 256; a++) {
      cases.push([a]);
      for (let b = 0; b < 256; b++) cases.push([a, b]);
    }
    for (const a of edges) for (const b of edges) for (const c of edges) {
      cases.push([a, b, c]);
      for (const d of edges) cases.push([a, b, c, d]);
    }
    const disagree = cases.filter((c) => {
      const b = Uint8Array.from(c);
      return (firstInvalidUtf8(b) === -1) !== valid(b);
    });
    expect(cases.length).toBeGreaterThan(130_000);
    expect(disagree).toEqual([]);
    expect(firstInvalidUtf8(bytes('abc', [0x80]))).toBe(3);
    expect(firstInvalidUtf8(bytes('é', [0xf0, 0x9f, 0x98]))).toBe(2);
    expect(firstInvalidUtf8(bytes('😀'))).toBe(-1);
  });
});
