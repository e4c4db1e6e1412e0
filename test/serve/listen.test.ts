/**
 * Where `secretref serve` listens: a Unix socket (0600) in a folder only its owner may enter
 * (0700), a stale socket replaced and a live one left alone; TCP only on loopback unless asked,
 * and only with a bearer token long enough, read from a file or the environment.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEndpoint, isLoopback, listen, MIN_TOKEN_CHARS, readToken, TOKEN_ENV } from '../../src/serve/listen.js';
import { rejected } from '../helpers/expect-error.js';

const root = mkdtempSync(join(tmpdir(), 'secretref-listen-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const TOKEN = 't'.repeat(MIN_TOKEN_CHARS);

describe('TCP', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });

  it('refuses a non-loopback interface without the flag, and TCP without a token', () => {
    expect(() => checkEndpoint({ kind: 'tcp', host: '0.0.0.0', port: 1 }, TOKEN, false)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => checkEndpoint({ kind: 'tcp', host: '0.0.0.0', port: 1 }, TOKEN, true)).not.toThrow();
    expect(() => checkEndpoint({ kind: 'tcp', host: '127.0.0.1', port: 1 }, undefined, true)).toThrow(/bearer token/);
    expect(() => checkEndpoint({ kind: 'socket', path: '/x' }, undefined, false)).not.toThrow();
  });

  it('reads the token from a file (first line) or the environment, refuses a short one without quoting it', async () => {
    const file = join(root, 'token');
    writeFileSync(file, `${TOKEN}\nignored\n`);
    expect(await readToken(file, {})).toBe(TOKEN);
    expect(await readToken(undefined, { [TOKEN_ENV]: TOKEN })).toBe(TOKEN);
    expect(await readToken(undefined, {})).toBeUndefined();
    const short = await rejected(readToken(undefined, { [TOKEN_ENV]: 'short-secret-token' }));
    expect(short.code).toBe('INVALID_INPUT');
    expect(short.message).not.toContain('short-secret-token');
    expect((await rejected(readToken(join(root, 'missing'), {}))).code).toBe('INVALID_INPUT');
  });
});

/** A process that listens on `path` and is then SIGKILLed: its socket file stays behind. */
async function killedListener(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('Unix socket', () => {
  it('creates a 0700 folder and a 0600 socket, replacing a stale socket', async () => {
    const dir = join(root, 'run', 'secretref');
    const path = join(dir, 'serve.sock');
    const first = Fastify();
    await listen(first, { kind: 'socket', path });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // A live service on the path is not displaced.
    expect((await rejected(listen(Fastify(), { kind: 'socket', path }))).message).toMatch(/already listens/);
    // A service killed without cleaning up leaves its socket file behind; the next one replaces it.
    await first.close();
    await killedListener(path);
    expect(statSync(path).isSocket()).toBe(true);
    const second = Fastify();
    await listen(second, { kind: 'socket', path });
    expect(statSync(path).isSocket()).toBe(true);
    await second.close();
  });

  it('refuses a folder other users can enter, and a path that is not a socket', async () => {
    const open = join(root, 'open');
    const path = join(open, 'serve.sock');
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect((await rejected(listen(Fastify(), { kind: 'socket', path }))).message).toMatch(/open to other users/);
    chmodSync(open, 0o700);
    const file = join(open, 'file.sock');
    writeFileSync(file, '');
    expect((await rejected(listen(Fastify(), { kind: 'socket', path: file }))).message).toMatch(/not a socket/);
  });
});
