/**
 * No leaks. fast-check draws canary secret values (hostile text around a unique marker) and a
 * failure point; each run seeds a store under a fresh master key, drives every operation into its
 * errors (duplicates, a value passed as a name, oversize and unstorable values, wrong keys, weak
 * keys, policy, expiry, missing names, a failing filter) and into a fault (the server refusing
 * mid-write, hanging mid-render, the store closed mid-render, a statement timeout), and collects
 * every output: error messages, stacks, JSON and inspect() of errors, problems, audit entries,
 * resolver stats, render plans and redacted output, lint reports (text, JSON, SARIF), console
 * output, and the CLI's stdout and stderr (except what --reveal and a plain render exist to print).
 * The HTTP service (every response but a render's value, every log line) and the language server
 * (every byte it writes) are held to the same. None may contain a value, its JSON/base64 form, the
 * master key or a key derived from it.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { formatDiagnostics } from '../../src/lint/format.js';
import { lint } from '../../src/lint/lint.js';
import { render } from '../../src/render/render.js';
import { createResolver } from '../../src/resolve/resolver.js';
import { keygen, loadKeyRing, masterKeyWeakness } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { cli } from '../helpers/cli.js';
import { budget, scale } from '../helpers/stress.js';
import { sleep, until } from '../helpers/wait.js';
import { startTcpProxy, type TcpProxy } from '../resolve/tcp-proxy.js';
import { createService } from '../../src/serve/service.js';
import { startLanguageServer } from '../../src/lsp/server.js';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

const LIB_RUNS = scale(10, 200);
const CLI_RUNS = scale(5, 60);

/**
 * A canary value: hostile text around `CNRY-` + 16 alphanumerics (survives JSON and URL escaping
 * intact). The `-` keeps every canary from being a valid secret name: a value that is a valid name,
 * passed where a name goes, is a name, and names are shown.
 */
const canary = fc
  .tuple(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.stringMatching(/^[A-Za-z0-9]{16}$/),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom('', '"', "'", '\\', '\n', '$secrets.a', '{{ x }}', '@:/?#', '%', ' ', '\u2028'),
  )
  .map(([a, core, b, c]) => ({ value: `${a}${c}CNRY-${core}${b}`.replaceAll('\u0000', ''), token: `CNRY-${core}` }));

type Canary = { value: string; token: string };

/** Every form a value or key could take in an output. */
function forbidden(values: Canary[], keys: string[], developerIds: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    out.push(v.token, v.value, JSON.stringify(v.value).slice(1, -1), Buffer.from(v.value).toString('base64'), encodeURIComponent(v.value));
  }
  for (const k of keys) {
    out.push(k, k.slice(0, 20), k.slice(-20));
    if (masterKeyWeakness(k) === undefined) for (const d of developerIds) out.push(loadKeyRing(k).tenantKey(d));
  }
  return out.filter((s) => s.length >= 6);
}

function assertClean(outputs: string[], needles: string[], where: string): void {
  for (const text of outputs) {
    for (const n of needles) {
      if (text.includes(n)) throw new Error(`${where}: an output leaks a secret (${n.length} chars) — output starts ${JSON.stringify(text.slice(0, 300))}`);
    }
  }
}

/** Everything an error could show. */
function errorTexts(e: unknown): string[] {
  if (!(e instanceof SecretrefError)) throw e;
  return [e.message, String(e.stack), JSON.stringify(e), JSON.stringify(e.problems), String(e), inspect(e, { showHidden: true, depth: 6 })];
}

async function capture(outputs: string[], p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    return await (typeof p === 'function' ? p() : p);
  } catch (e) {
    outputs.push(...errorTexts(e));
    caught++;
    return undefined;
  }
}
let caught = 0;

const FAILURES = ['refuse-mid-write', 'hang-mid-render', 'close-mid-render', 'statement-timeout', 'none'] as const;

describe('no leaks through any output', () => {
  const url = inject('pg').appUrl;
  const schema = `leak_${Math.random().toString(36).slice(2, 10)}`;
  let proxy: TcpProxy;
  const opened: Store[] = [];
  const holders: pg.Client[] = [];
  beforeAll(async () => {
    proxy = await startTcpProxy(url);
    opened.push(await openStore({ url, schema, masterKey: keygen() })); // migrates once
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    await Promise.all(holders.map((h) => h.end().catch(() => undefined)));
    await proxy.close();
  });

  it('library: errors, stacks, audit, stats, plans, redaction, lint reports, console — never a value or key', async () => {
    const consoleOut: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void consoleOut.push(args.map((a) => inspect(a)).join(' '))),
    );
    try {
      await fc.assert(
        fc.asyncProperty(canary, canary, canary, fc.constantFrom(...FAILURES), fc.integer({ min: 0, max: 15 }), async (va, vb, vc, failure, delayMs) => {
          const key = keygen();
          const otherKey = keygen();
          const dev = randomUUID();
          const outputs: string[] = [];
          caught = 0;
          const store = await openStore({ url: proxy.url, schema, masterKey: key, connectTimeoutMs: 1_000, statementTimeoutMs: 1_500 });
          const wrong = await openStore({ url, schema, masterKey: otherKey });
          opened.push(store, wrong);
          const s = store.scope(dev);
          try {
            outputs.push(JSON.stringify(await s.create({ name: 'a', value: va.value, metadata: { kind: 'api' } })));
            outputs.push(JSON.stringify(await s.create({ name: 'b', value: vb.value, allowedTools: ['other_tool'], allowedHosts: ['only.example.com'] })));
            outputs.push(JSON.stringify(await s.create({ name: 'c', value: vc.value, expiresAt: new Date(Date.now() - 60_000) })));

            // Each operation driven into its errors.
            await capture(outputs, s.create({ name: 'a', value: vb.value }));
            await capture(outputs, s.create({ name: va.value, value: vb.value }));
            await capture(outputs, s.create({ name: 'big', value: va.value.repeat(Math.ceil(70_000 / va.value.length)) }));
            await capture(outputs, s.create({ name: 'nul', value: `${va.value}\u0000` }));
            await capture(outputs, s.create({ name: 'lone', value: `${va.value}\ud800` }));
            await capture(outputs, s.rotate('missing', va.value));
            await capture(outputs, s.rotate(va.value, vb.value));
            await capture(outputs, s.update('a', { value: `${vb.value}\u0000` }));
            await capture(outputs, s.update('a', { name: va.value }));
            outputs.push(JSON.stringify(await s.rotate('a', vb.value, { graceMs: 60_000 })));
            outputs.push(JSON.stringify(await s.rollback('a')));
            outputs.push(JSON.stringify(await s.get('a')), JSON.stringify(await s.list()), JSON.stringify([...(await s.inspectMany(['a', 'b']))]));
            await capture(outputs, wrong.scope(dev).resolveMany(['a', 'b']));
            await capture(outputs, wrong.scope(dev).get('a', { reveal: true, previous: true }));
            await capture(outputs, openStore({ url, schema, masterKey: va.token }));
            // A key made of canary text: refused as weak, or (if strong enough) the wrong key for these rows.
            const madeUp = await capture(outputs, openStore({ url, schema, masterKey: `${va.token}${vb.token}` }));
            if (madeUp) {
              opened.push(madeUp as Store);
              await capture(outputs, (madeUp as Store).scope(dev).resolveMany(['a']));
            }
            await capture(outputs, store.rekey(va.token));

            // Renders: one that works (plan, redaction), and ones that fail for every reason at once.
            const resolver = createResolver(store, { developerId: dev });
            const ok = await render(
              { name: 'my_tool', url: 'postgres://user:${secrets.a}@db.example.com/app', headers: { Authorization: '$ "Bearer " + secrets.a', B64: '{{ secrets.a | b64encode }}' } },
              { resolver, plan: true },
            );
            const text = JSON.stringify(ok.value, null, 2);
            outputs.push(ok.redact(text), JSON.stringify(ok.plan), JSON.stringify(ok.references));
            await capture(outputs, render({ name: 'my_tool', x: '$secrets.a', y: '$secrets.b', z: '$secrets.c', w: '$secrets.A', m: '$secrets.missing' }, { resolver }));
            await capture(outputs, render({ name: 'my_tool', x: '{{ secrets.a | b64decode }}', y: '$ secrets.a + unknownVar' }, { resolver }));
            await capture(outputs, render({ name: 'my_tool', url: 'https://evil.example.net/?k=${secrets.b}' }, { resolver, tool: 'other_tool' }));
            await capture(outputs, resolver.providerKey('gpt-4o'));

            // The failure point.
            if (failure === 'refuse-mid-write') {
              const write = capture(outputs, s.rotate('a', vc.value));
              await sleep(delayMs);
              await proxy.refuse();
              await write;
              await capture(outputs, s.update('a', { value: va.value }));
              await capture(outputs, render({ name: 'my_tool', x: '$secrets.a' }, { resolver: createResolver(store, { developerId: dev, ttlMs: 0 }) }));
              await proxy.restore();
            } else if (failure === 'hang-mid-render') {
              const r2 = createResolver(store, { developerId: dev, ttlMs: 0, timeoutMs: 300 });
              const pending = capture(outputs, render({ name: 'my_tool', x: '$secrets.a', y: '$secrets.b' }, { resolver: r2, tool: 'other_tool' }));
              await sleep(delayMs);
              proxy.blackhole();
              await pending;
              await capture(outputs, render({ name: 'my_tool', x: '$secrets.a' }, { resolver: r2 }));
              await proxy.restore();
              r2.close();
            } else if (failure === 'close-mid-render') {
              const other = await openStore({ url, schema, masterKey: key });
              const r3 = createResolver(other, { developerId: dev, ttlMs: 0 });
              const pending = capture(outputs, render({ name: 'my_tool', x: '$secrets.a' }, { resolver: r3 }));
              await sleep(delayMs);
              await other.close();
              await pending;
              await capture(outputs, render({ name: 'my_tool', x: '$secrets.a' }, { resolver: r3 }));
              await capture(outputs, () => other.scope(dev).rotate('a', vc.value));
            } else if (failure === 'statement-timeout') {
              const holder = new pg.Client({ connectionString: url });
              holders.push(holder);
              await holder.connect();
              await holder.query('begin');
              await holder.query(`select set_config('secretref.developer_id', $1, true)`, [dev]);
              await holder.query(`select 1 from "${schema}".secrets where developer_id = $1 for update`, [dev]);
              await capture(outputs, s.rotate('a', vc.value));
              await capture(outputs, s.update('b', { value: va.value }));
              await holder.query('rollback');
              await holder.end();
            }

            outputs.push(JSON.stringify(resolver.stats()), inspect(resolver.stats()));
            resolver.close();
            const audit = await s.audit({ limit: 1000 });
            expect(audit.length).toBeGreaterThan(0);
            outputs.push(JSON.stringify(audit), inspect(audit, { depth: 5 }));

            const source = 'name: my_tool\nurl: https://api.example.com\nheaders:\n  A: $secrets.a\n  B: $secrets.b\n  C: $secrets.c\n  D: $secrets.A\n  E: $secrets.missing\n  F: "{{ secrets.a | nope }}"\n';
            const ds = await lint(source, { filename: 'tool.yaml', store, developerId: dev });
            expect(ds.length).toBeGreaterThan(0);
            for (const f of ['text', 'json', 'sarif'] as const) outputs.push(formatDiagnostics(ds, f, { source: new Map([['tool.yaml', source]]), color: true, excerpt: true }));
            await capture(outputs, lint(source, { filename: 'tool.yaml', store: wrong, developerId: dev }).then((d) => outputs.push(formatDiagnostics(d, 'json'))));

            expect(caught).toBeGreaterThanOrEqual(16); // the errors above really happened
            assertClean([...outputs, ...consoleOut], forbidden([va, vb, vc], [key, otherKey, `${va.token}${vb.token}`], [dev]), `library run (${failure})`);
          } finally {
            await proxy.restore();
            await Promise.all([store.close(), wrong.close()]);
          }
        }),
        { numRuns: LIB_RUNS },
      );
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }, budget(120_000, 1_800_000));

  it('CLI: stdout and stderr of every command (without --reveal) never hold a value or the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-leaks-cli-'));
    const folder = join(dir, 'db');
    cpSync(inject('pgliteTemplate'), folder, { recursive: true });
    const keeper = await openStore({ url: `file:${folder}`, masterKey: keygen() });
    writeFileSync(join(dir, 'tool.yaml'), 'name: my_tool\nurl: https://api.example.com\nheaders:\n  A: $secrets.a\n  U: postgres://u:${secrets.a}@db/app\n');
    writeFileSync(join(dir, 'bad.yaml'), 'name: my_tool\nx: $secrets.b\ny: $secrets.c\nz: $secrets.A\nw: "{{ secrets.a | b64decode }}"\nm: $secrets.missing\n');
    try {
      await fc.assert(
        fc.asyncProperty(canary, canary, canary, async (va, vb, vc) => {
          const key = keygen();
          const next = keygen();
          const dev = randomUUID();
          const env = { SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: `file:${folder}`, SECRETREF_DEVELOPER_ID: dev, HOME: dir, NEXT_KEY: next, WEAK_KEY: va.token };
          const outputs: string[] = [];
          const run = async (argv: string[], stdin?: string, extra: Record<string, string> = {}): Promise<number> => {
            const r = await cli(argv, { cwd: dir, env: { ...env, ...extra }, ...(stdin !== undefined ? { stdin } : {}) });
            outputs.push(r.stdout, r.stderr);
            return r.code;
          };
          expect(await run(['secrets', 'create', 'a', '--metadata', 'kind=api'], va.value)).toBe(0);
          expect(await run(['secrets', 'create', 'b', '--allow-tool', 'other_tool'], vb.value)).toBe(0);
          expect(await run(['secrets', 'create', 'c', '--expires-at', '2001-01-01'], vc.value)).toBe(0);
          expect(await run(['secrets', 'create', 'a'], vb.value)).toBe(1);
          expect(await run(['secrets', 'create', va.value], vb.value)).not.toBe(0); // a value where the name goes
          expect(await run(['secrets', 'create', 'big'], va.value.repeat(Math.ceil(70_000 / va.value.length)))).toBe(1);
          expect(await run(['secrets', 'update', 'a', '--value-stdin'], vb.value)).toBe(0);
          expect(await run(['secrets', 'rotate', 'a'], vc.value)).toBe(0);
          expect(await run(['secrets', 'rollback', 'a'])).toBe(0);
          for (const argv of [['secrets', 'get', 'a'], ['secrets', 'get', 'a', '--json'], ['secrets', 'list'], ['secrets', 'list', '--json'], ['audit'], ['audit', '--json', '--secret', 'a'], ['doctor'], ['doctor', '--json'], ['render', 'tool.yaml', '--plan'], ['render', 'tool.yaml', '--redact'], ['render', 'tool.yaml', '--format', 'yaml', '--redact'], ['render', 'tool.yaml', '--out', 'out.json'], ['render', 'bad.yaml'], ['lint', 'tool.yaml', 'bad.yaml'], ['lint', 'bad.yaml', '--format', 'json'], ['lint', 'bad.yaml', '--format', 'sarif'], ['refs', 'bad.yaml', '--json']]) {
            await run(argv);
          }
          // Wrong and weak keys, and a rekey.
          expect(await run(['secrets', 'get', 'a', '--reveal'], undefined, { SECRETS_MASTER_KEY: next })).toBe(1);
          expect(await run(['render', 'tool.yaml'], undefined, { SECRETS_MASTER_KEY: next })).toBe(1);
          expect(await run(['secrets', 'list'], undefined, { SECRETS_MASTER_KEY: va.token })).toBe(1);
          expect(await run(['rekey', '--new-key-env', 'WEAK_KEY'])).toBe(1);
          expect(await run(['rekey', '--new-key-env', 'NEXT_KEY'])).toBe(0);
          expect(await run(['secrets', 'get', 'a', '--reveal'])).toBe(1); // the old key no longer opens it
          expect(await run(['doctor'])).toBe(1);
          assertClean(outputs, forbidden([va, vb, vc], [key, next], [dev]), 'CLI run');
        }),
        { numRuns: CLI_RUNS },
      );
    } finally {
      await keeper.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, budget(180_000, 1_800_000));
  it('serve: every response but /render\'s value, and every log line, never hold a value or the key', async () => {
    // One embedded store for every run; each run is a new developer, with its own secrets.
    const key = keygen();
    const store = await openStore({ url: 'memory:', masterKey: key });
    opened.push(store);
    await fc.assert(
      fc.asyncProperty(canary, canary, canary, async (va, vb, vc) => {
        const dev = randomUUID();
        const scoped = store.scope(dev);
        await scoped.create({ name: 'a', value: va.value, metadata: { kind: 'api' } });
        await scoped.create({ name: 'b', value: vb.value, allowedTools: ['other_tool'] });
        await scoped.create({ name: 'c', value: vc.value, expiresAt: new Date('2001-01-01') });
        const outputs: string[] = [];
        const app = createService({ store, developerId: dev, dialectFor: () => 'secretref', log: { write: (line: string) => outputs.push(line) } });
        const call = async (url: string, payload: unknown, keep = true): Promise<number> => {
          const res = await app.inject({ method: url === '/healthz' ? 'GET' : 'POST', url, ...(payload !== undefined ? { payload: payload as object } : {}) });
          if (keep) outputs.push(res.body, JSON.stringify(res.headers));
          return res.statusCode;
        };
        try {
          const tool = 'name: my_tool\nurl: https://api.example.com\nheaders:\n  A: $secrets.a\n  U: postgres://u:${secrets.a}@db/app\n';
          expect(await call('/render', { definition: tool }, false)).toBe(200);
          for (const [url, body] of [
            ['/plan', { definition: tool }],
            ['/refs', { definition: tool }],
            ['/lint', { definition: tool }],
            ['/lint', { definition: 'name: my_tool\nx: $secrets.b\ny: $secrets.c\nz: $secrets.A\n' }],
            ['/redact', { definition: tool, text: `failed: ${va.value} / ${encodeURIComponent(va.value)} / ${JSON.stringify(va.value)}` }],
            ['/render', { definition: 'name: my_tool\nx: $secrets.b\n' }],
            ['/render', { definition: 'name: my_tool\ny: $secrets.c\n' }],
            ['/render', { definition: 'name: my_tool\nz: $secrets.A\nw: "{{ secrets.a | b64decode }}"\n' }],
            ['/render', { definition: 'x: 1', vars: { x: { v: va.value } } }],
            ['/render', { definition: 'x: 1', [va.value]: 1 }],
            ['/healthz', undefined],
          ] as const) {
            await call(url, body);
          }
          expect(outputs.filter((o) => o.includes('"error"')).length).toBeGreaterThanOrEqual(5);
          assertClean(outputs, forbidden([va, vb, vc], [key], [dev]), 'serve');
        } finally {
          await app.close();
        }
      }),
      { numRuns: CLI_RUNS },
    );
  }, budget(120_000, 1_800_000));

  it('lsp: every byte the language server writes never holds a value, a pasted credential or the key', async () => {
    const key = keygen();
    const store = await openStore({ url: 'memory:', masterKey: key });
    opened.push(store);
    await fc.assert(
      fc.asyncProperty(canary, canary, fc.stringMatching(/^[A-Za-z0-9]{36}$/), async (va, vb, tail) => {
        const dev = randomUUID();
        const pasted = `ghp_${tail}`;
        const scoped = store.scope(dev);
        await scoped.create({ name: 'a', value: va.value, description: 'the a key', metadata: { kind: 'api' } });
        await scoped.create({ name: 'b', value: vb.value, allowedTools: ['other_tool'] });
        const toServer = new PassThrough();
        const fromServer = new PassThrough();
        let written = '';
        fromServer.on('data', (c: Buffer) => (written += c.toString('utf8')));
        void startLanguageServer({ input: toServer, output: fromServer, store: scoped, dialectFor: () => 'secretref' });
        const client = createProtocolConnection(new StreamMessageReader(fromServer), new StreamMessageWriter(toServer));
        const published: { uri: string; diagnostics: { code?: unknown; range: unknown; data?: unknown }[] }[] = [];
        client.onNotification('textDocument/publishDiagnostics', (p: (typeof published)[number]) => {
          published.push(p);
        });
        client.listen();
        try {
          await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
          await client.sendNotification('initialized', {});
          const uri = 'file:///leak/tool.yaml';
          const text = `name: my_tool\nurl: https://api.example.com\nheaders:\n  A: $secrets.a\n  B: $secrets.b\n  C: $secrets.A\n  T: ${pasted}\n`;
          await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
          const lines = text.split('\n');
          for (let line = 3; line <= 6; line++) {
            await client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: (lines[line] as string).indexOf('$') + 3 } });
            await client.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character: (lines[line] as string).indexOf('.') + 1 } });
          }
          await until(() => published.length > 0, 20_000);
          const diagnostics = published[0]?.diagnostics ?? [];
          expect(diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['PERMISSION_DENIED', 'SECRET_NOT_FOUND', 'PASTED_CREDENTIAL']));
          for (const d of diagnostics) await client.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
          expect(written.length).toBeGreaterThan(1000);
          assertClean([written], [...forbidden([va, vb], [key], [dev]), pasted, tail], 'lsp');
        } finally {
          client.dispose();
        }
      }),
      { numRuns: CLI_RUNS },
    );
  }, budget(120_000, 1_800_000));
});
