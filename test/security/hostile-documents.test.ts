/**
 * Hostile documents through the library (scanner, compile, render, lint) and the CLI in-process
 * (`render`, `lint` offline and with the store, `refs`): billion laughs, 100,000-deep nesting
 * (JSON, YAML flow, YAML block), a 50 MB document, 1 MB strings, invalid UTF-8, NUL bytes,
 * unpaired surrogates, 10,001 references, and every payload of the injection corpus. Each ends in
 * its catalogued error (or, for data that is merely unusual, renders it exactly) within 5 s and
 * 500 MB of memory growth: exit code 1 or 2 on error, never an uncaught or uncatalogued exception.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_CODES, SecretrefError, type ErrorCode } from '../../src/errors.js';
import { LIMITS } from '../../src/limits.js';
import { lint } from '../../src/lint/lint.js';
import { compile, render } from '../../src/render/render.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { analyzeSource } from '../../src/syntax/document.js';
import { findReferences } from '../../src/syntax/find-references.js';
import { cli, type CliResult } from '../helpers/cli.js';

// A bound against hangs, not a speed target (those are in bench/): wide enough for a loaded machine.
const TIME_LIMIT_MS = 20_000;
const MEMORY_LIMIT_BYTES = 500 * 1024 * 1024;

interface Hostile {
  id: string;
  /** Source text; `bytes` (CLI only) when the file is not valid UTF-8. */
  source: () => string;
  bytes?: () => Buffer;
  /** The catalogued code it must end in; absent: the document is valid and renders exactly. */
  code?: ErrorCode;
  /** What a valid document renders to (compared with the CLI's JSON output). */
  renders?: unknown;
}

const laughs = (): string =>
  [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    'x: $secrets.k',
  ].join('\n');

const HOSTILE: Hostile[] = [
  { id: 'billion-laughs-yaml', source: laughs, code: 'LIMIT_EXCEEDED' },
  { id: 'deep-json-arrays-100k', source: () => '['.repeat(100_000) + ']'.repeat(100_000), code: 'LIMIT_EXCEEDED' },
  { id: 'deep-json-objects-100k', source: () => '{"a":'.repeat(100_000) + '"$secrets.k"' + '}'.repeat(100_000), code: 'LIMIT_EXCEEDED' },
  { id: 'deep-yaml-flow-100k', source: () => `k: ${'['.repeat(100_000)}${']'.repeat(100_000)}`, code: 'LIMIT_EXCEEDED' },
  { id: 'deep-yaml-flow-maps-100k', source: () => `k: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}`, code: 'LIMIT_EXCEEDED' },
  { id: 'deep-yaml-block-sequences', source: () => Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n') + 'x', code: 'LIMIT_EXCEEDED' },
  { id: 'document-50mb', source: () => `{"x": "${'a'.repeat(50 * 1024 * 1024)}"}`, code: 'LIMIT_EXCEEDED' },
  { id: 'document-12m-chars', source: () => `{"x": "${'é'.repeat(12 * 1024 * 1024)}"}`, code: 'LIMIT_EXCEEDED' },
  { id: 'string-over-1mib', source: () => `{"x": "${'a'.repeat(LIMITS.maxStringLength + 1)}"}`, code: 'LIMIT_EXCEEDED' },
  { id: 'string-1mib-plain', source: () => `{"x": "${'a'.repeat(LIMITS.maxStringLength)}"}`, renders: { x: 'a'.repeat(LIMITS.maxStringLength) } },
  { id: 'string-1mib-with-reference', source: () => `{"x": "$secrets.k ${'a'.repeat(LIMITS.maxStringLength - 20)}"}`, code: 'LIMIT_EXCEEDED' },
  { id: 'references-10001', source: () => JSON.stringify(Object.fromEntries(Array.from({ length: LIMITS.maxReferences + 1 }, (_, i) => [`k${i}`, `$secrets.s_${i}`]))), code: 'LIMIT_EXCEEDED' },
  { id: 'dollars-500k', source: () => JSON.stringify({ x: `${'$'.repeat(500_000)}secrets.k` }), code: 'LIMIT_EXCEEDED' },
  { id: 'open-braces-30k', source: () => JSON.stringify({ x: `${'{{'.repeat(30_000)} secrets.k }}` }), code: 'REFERENCE_SYNTAX' },
  { id: 'aliases-of-references', source: () => `r: &r $secrets.k\nl: [${Array(LIMITS.maxAliasCount + 5).fill('*r').join(', ')}]\n`, code: 'LIMIT_EXCEEDED' },
  { id: 'invalid-utf8-bytes', source: () => 'x: $secrets.k\n', bytes: () => Buffer.from([0x78, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a]), code: 'INVALID_INPUT' },
  { id: 'utf8-encoded-lone-surrogate', source: () => 'x: $secrets.k\n', bytes: () => Buffer.concat([Buffer.from('x: "a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"\n')]), code: 'INVALID_INPUT' },
  { id: 'nul-bytes-raw', source: () => 'name: t\nx: "a\u0000b"\ny: a\u0000b\n', renders: { name: 't', x: 'a\u0000b', y: 'a\u0000b' } },
  { id: 'nul-escaped-beside-reference', source: () => '{"x": "a\\u0000b ${secrets.k}"}', renders: { x: 'a\u0000b v' } },
  { id: 'nul-in-reference-name', source: () => '{"x": "$secrets.k\\u0000x", "y": "${secrets.k\\u0000}"}', code: 'INVALID_NAME' },
  { id: 'unpaired-surrogates-escaped', source: () => '{"x": "a\\ud800b", "y": "$secrets.k\\udc00"}', renders: { x: 'a\ud800b', y: 'v\udc00' } },
  { id: 'byte-order-mark', source: () => '\ufeff{"x": "$secrets.k"}', renders: { x: 'v' } },
];

/** Runs `fn`, checks time and memory, returns its error (a SecretrefError) or undefined. */
async function bounded<T>(what: string, fn: () => T | Promise<T>): Promise<{ error?: SecretrefError; value?: T }> {
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  let out: { error?: SecretrefError; value?: T };
  try {
    out = { value: await fn() };
  } catch (e) {
    if (!(e instanceof SecretrefError)) throw new Error(`${what}: uncatalogued exception ${String(e)}`);
    expect(ERROR_CODES, what).toContain(e.code);
    out = { error: e };
  }
  expect(performance.now() - started, `${what}: time`).toBeLessThan(TIME_LIMIT_MS);
  expect(process.memoryUsage().rss - rss, `${what}: memory growth`).toBeLessThan(MEMORY_LIMIT_BYTES);
  return out;
}

describe('hostile documents through the library', () => {
  for (const h of HOSTILE.filter((x) => x.bytes === undefined)) {
    it(`${h.id}: ${h.code ?? 'renders exactly'}`, async () => {
      const source = h.source();
      const analyzed = await bounded(`${h.id} analyzeSource`, () => analyzeSource(source));
      const problems = analyzed.value?.problems ?? [];
      for (const p of problems) expect(ERROR_CODES).toContain(p.code);
      const refs = await bounded(`${h.id} findReferences`, () => findReferences(source));
      const compiled = await bounded(`${h.id} compile`, () => compile(source));
      const rendered = await bounded(`${h.id} render`, () => render(source, { secrets: { k: 'v' } }));
      const diagnostics = await bounded(`${h.id} lint`, () => lint(source, { filename: 'hostile.yaml' }));
      expect(diagnostics.error).toBeUndefined();
      if (h.code !== undefined) {
        expect(problems.map((p) => p.code)).toContain(h.code);
        expect(refs.error?.code).toBe(h.code);
        expect(compiled.error?.problems.map((p) => p.code)).toContain(h.code);
        expect(rendered.error?.problems.map((p) => p.code)).toContain(h.code);
        expect(diagnostics.value?.map((d) => d.code)).toContain(h.code);
      } else {
        expect(problems).toEqual([]);
        expect(rendered.error).toBeUndefined();
        expect(rendered.value?.value).toEqual(h.renders);
      }
    }, 60_000);
  }

  it('a definition object nested 100,000 deep, and one with a cycle, are refused, not recursed into', async () => {
    let deep: unknown = '$secrets.k';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const cyclic: Record<string, unknown> = { x: '$secrets.k' };
    cyclic.self = cyclic;
    expect((await bounded('deep object', () => render(deep, { secrets: { k: 'v' } }))).error?.code).toBe('LIMIT_EXCEEDED');
    expect((await bounded('cyclic object', () => render(cyclic, { secrets: { k: 'v' } }))).error?.code).toBe('INVALID_INPUT');
  });
});

describe('hostile documents through the CLI (in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-hostile-'));
  const folder = join(dir, 'db');
  const key = keygen();
  const env = { SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: `file:${folder}`, HOME: dir };
  let keeper: Store | undefined;
  beforeAll(async () => {
    cpSync(inject('pgliteTemplate'), folder, { recursive: true });
    keeper = await openStore({ url: `file:${folder}`, masterKey: key });
    await keeper.scope('00000000-0000-0000-0000-000000000000').create({ name: 'k', value: 'v' });
  }, 120_000);
  afterAll(async () => {
    await keeper?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(what: string, argv: string[]): Promise<CliResult> {
    const rss = process.memoryUsage().rss;
    const r = await cli(argv, { cwd: dir, env });
    expect(r.ms, `${what}: time`).toBeLessThan(TIME_LIMIT_MS);
    expect(process.memoryUsage().rss - rss, `${what}: memory growth`).toBeLessThan(MEMORY_LIMIT_BYTES);
    expect(r.stderr, `${what}: an uncatalogued exception reached the CLI's safety net`).not.toMatch(/internal error/);
    return r;
  }

  for (const h of HOSTILE) {
    it(`${h.id}: render, lint (offline and with the store), refs`, async () => {
      const file = `${h.id}.${h.bytes ? 'yaml' : 'json'}`;
      writeFileSync(join(dir, file), h.bytes ? h.bytes() : h.source());
      const outcomes = [
        await run(`${h.id} render`, ['render', file]),
        await run(`${h.id} lint --offline`, ['lint', file, '--offline']),
        await run(`${h.id} lint`, ['lint', file, '--format', 'json']),
        await run(`${h.id} refs`, ['refs', file, '--json']),
      ];
      if (h.code !== undefined) {
        for (const r of outcomes) {
          expect([1, 2]).toContain(r.code);
          expect(r.stdout + r.stderr).toContain(h.code);
        }
      } else {
        expect(outcomes.map((r) => r.code)).toEqual([0, 0, 0, 0]);
        expect(JSON.parse(outcomes[0]?.stdout ?? '')).toEqual(h.renders);
      }
      rmSync(join(dir, file));
    }, 60_000);
  }

  interface InjectionCase {
    id: string;
    value: string;
    code: ErrorCode;
  }
  const corpus = new URL('../../fixtures/injection/', import.meta.url);
  const cases: InjectionCase[] = readdirSync(corpus)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(new URL(f, corpus), 'utf8')) as { cases: InjectionCase[] }).cases);

  it(`every injection payload (${cases.length}) is refused by render and lint with its code; none runs`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) {
      const marker = join(dir, `${c.id}.marker`);
      const file = `inj-${c.id}.json`;
      writeFileSync(join(dir, file), JSON.stringify({ name: 'tool', url: 'https://api.example.com', field: c.value.replaceAll('__MARKER__', marker) }));
      const rendered = await run(`${c.id} render`, ['render', file]);
      expect(rendered.code, c.id).toBe(1);
      expect(rendered.stderr, c.id).toContain(c.code);
      expect(rendered.stdout, c.id).toBe('');
      for (const argv of [['lint', file, '--offline'], ['lint', file, '--format', 'sarif']]) {
        const linted = await run(`${c.id} ${argv.join(' ')}`, argv);
        expect(linted.code, c.id).toBe(1);
        expect(linted.stdout, c.id).toContain(c.code);
      }
      expect(existsSync(marker), `${c.id} ran`).toBe(false);
    }
  }, 300_000);
});
