/**
 * `secretref lsp` driven end to end by a real LSP client (vscode-languageserver-protocol over the
 * child's stdio) against the built CLI on an embedded store: diagnostics at the right ranges,
 * completion of names, hover without values, code actions applied (a near-miss name, a `$$`
 * escape, a pasted credential stored as a secret through the server), and no secret value —
 * stored or pasted — in any byte the server writes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { BIN, runProcess, type ProcessResult } from '../helpers/run-process.js';

const API_KEY = 'canary-lsp-API-7Gq2"z\\{{ x }}';
const DB_PASSWORD = 'canary-lsp-DB p@ss';
const base62 = (n: number): string => [...randomBytes(n)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('');
const PASTED = `ghp_${base62(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'secretref-lsp-'));
const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, SECRETS_MASTER_KEY: '', SECRETREF_DATABASE_URL: `file:${join(dir, 'db')}` };

const cli = (args: string[], input?: string): Promise<ProcessResult> => runProcess(process.execPath, [BIN, ...args], { cwd: dir, env, ...(input !== undefined ? { input } : {}) });

/** A client session with the server: every byte it wrote is kept in `raw`. */
interface Session {
  child: ChildProcessWithoutNullStreams;
  client: ProtocolConnection;
  raw(): string;
  stderr(): string;
  diagnostics(uri: string, version: number): Promise<Diagnostic[]>;
  /** The versions of `uri` diagnostics were published for. */
  published(uri: string): (number | undefined)[];
  messages: string[];
  close(): Promise<void>;
}

async function start(args: string[] = []): Promise<Session> {
  const child = spawn(process.execPath, [BIN, 'lsp', '--stdio', ...args], { cwd: dir, env, stdio: 'pipe' });
  let raw = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (raw += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const client = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];
  const messages: string[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push(p);
    waiters.splice(0).forEach((w) => w());
  });
  client.onNotification('window/showMessage', (p: { message: string }) => {
    messages.push(p.message);
  });
  client.onNotification('window/logMessage', (p: { message: string }) => {
    messages.push(p.message);
  });
  client.listen();
  await client.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: { workspace: { applyEdit: true } } });
  await client.sendNotification('initialized', {});
  return {
    child,
    client,
    raw: () => raw,
    stderr: () => err,
    messages,
    published: (u) => published.filter((p) => p.uri === u).map((p) => p.version),
    async diagnostics(uri, version) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const hit = published.find((p) => p.uri === uri && p.version === version);
        if (hit) return hit.diagnostics;
        if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} v${version}; stderr: ${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 500);
        });
      }
    },
    async close() {
      await client.sendRequest('shutdown');
      const exited = new Promise((r) => child.once('exit', r));
      await client.sendNotification('exit');
      await exited;
      client.dispose();
    },
  };
}

/** The client's copy of one document. */
class Doc {
  doc: TextDocument;
  constructor(
    readonly session: Session,
    readonly uri: string,
    text: string,
  ) {
    this.doc = TextDocument.create(uri, 'yaml', 1, text);
  }
  async open(): Promise<Diagnostic[]> {
    await this.session.client.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri, languageId: 'yaml', version: 1, text: this.doc.getText() } });
    return this.session.diagnostics(this.uri, 1);
  }
  diagnostics(version: number): Promise<Diagnostic[]> {
    return this.session.diagnostics(this.uri, version);
  }
  /** Applies edits as an editor does and sends them as incremental changes; returns the new diagnostics. */
  async apply(edits: TextEdit[]): Promise<Diagnostic[]> {
    const version = this.doc.version + 1;
    const changes = [...edits].sort((a, b) => this.doc.offsetAt(b.range.start) - this.doc.offsetAt(a.range.start)).map((e) => ({ range: e.range, text: e.newText }));
    this.doc = TextDocument.update(this.doc, changes, version);
    await this.session.client.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri, version }, contentChanges: changes });
    return this.session.diagnostics(this.uri, version);
  }
  /** Replaces the whole text without waiting for diagnostics (a burst of keystrokes). */
  async type(text: string): Promise<number> {
    const version = this.doc.version + 1;
    this.doc = TextDocument.create(this.uri, 'yaml', version, text);
    await this.session.client.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri, version }, contentChanges: [{ text }] });
    return version;
  }
  text(): string {
    return this.doc.getText();
  }
  /** 0-based position of the `nth` occurrence of `needle` (+ `shift` characters). */
  at(needle: string, shift = 0): { line: number; character: number } {
    const i = this.text().indexOf(needle);
    if (i === -1) throw new Error(`${needle} not in the document`);
    return this.doc.positionAt(i + shift);
  }
}

function expectNoValue(text: string): void {
  for (const v of [API_KEY, JSON.stringify(API_KEY).slice(1, -1), DB_PASSWORD, PASTED, PASTED.slice(4)]) expect(text).not.toContain(v);
}

const SOURCE = `name: charge
description: Creates a charge
api_call:
  url: https://api.example.com/v1
  headers:
    Authorization: Bearer $secrets.API_KEY
    X-Other: $secrets.api_key
  note: see $secrets.nope in the docs
  token: ${PASTED}
`;

beforeAll(async () => {
  ensureBuilt();
  env.SECRETS_MASTER_KEY = (await cli(['keygen'])).stdout.trim();
  for (const [args, value] of [
    [['secrets', 'create', 'api_key', '--description', 'Example API key', '--metadata', 'team=payments', '--expires-at', '2099-01-01T00:00:00Z'], API_KEY],
    [['secrets', 'create', 'db_password'], DB_PASSWORD],
  ] as const) {
    const r = await cli([...args], value);
    expect(r.code, r.stderr).toBe(0);
  }
  mkdirSync(join(dir, 'tools'));
  mkdirSync(join(dir, 'tasks'));
  // The project config file: files under tasks/ are Julep definitions.
  writeFileSync(join(dir, 'secretref.config.yaml'), 'dialects:\n  "tasks/**": julep\n');
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secretref lsp with a store', () => {
  let session: Session;
  let doc: Doc;
  let diagnostics: Diagnostic[];
  const uri = pathToFileURL(join(dir, 'tools', 'charge.yaml')).href;

  beforeAll(async () => {
    session = await start();
    doc = new Doc(session, uri, SOURCE);
    diagnostics = await doc.open();
  }, 120_000);

  afterAll(async () => {
    await session?.close();
  });

  const byCode = (code: string): Diagnostic[] => diagnostics.filter((d) => d.code === code);

  it('publishes lint diagnostics at the ranges of the references and the pasted credential', () => {
    const missing = byCode('SECRET_NOT_FOUND');
    expect(missing.map((d) => d.range)).toEqual([
      { start: doc.at('$secrets.API_KEY'), end: doc.at('$secrets.API_KEY', '$secrets.API_KEY'.length) },
      { start: doc.at('$secrets.nope'), end: doc.at('$secrets.nope', '$secrets.nope'.length) },
    ]);
    expect(missing[0]?.message).toContain('api_key');
    expect(missing[0]?.severity).toBe(1);
    const pasted = byCode('PASTED_CREDENTIAL');
    expect(pasted.map((d) => d.range)).toEqual([{ start: doc.at(PASTED), end: doc.at(PASTED, PASTED.length) }]);
  });

  it('completes secret names after secrets. — names only', async () => {
    const items = (await session.client.sendRequest('textDocument/completion', { textDocument: { uri }, position: doc.at('$secrets.api_key', '$secrets.'.length) })) as CompletionItem[];
    expect(items.map((i) => i.label).sort()).toEqual(['api_key', 'db_password']);
    const typed = (await session.client.sendRequest('textDocument/completion', { textDocument: { uri }, position: doc.at('$secrets.api_key', '$secrets.a'.length) })) as CompletionItem[];
    expect(typed.map((i) => i.label)).toEqual(['api_key']);
    const elsewhere = (await session.client.sendRequest('textDocument/completion', { textDocument: { uri }, position: doc.at('Creates', 3) })) as CompletionItem[];
    expect(elsewhere).toEqual([]);
  });

  it('hovers a reference with its description, metadata, version, expiry and policy, never its value', async () => {
    const hover = (await session.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: doc.at('$secrets.api_key', 4) })) as Hover;
    const text = (hover.contents as { value: string }).value;
    expect(text).toContain('secrets.api_key');
    expect(text).toContain('Example API key');
    expect(text).toContain('version 1');
    expect(text).toContain('2099-01-01');
    expect(text).toContain('team');
    expect(text).toMatch(/tools: any; hosts: any/);
    expect(hover.range).toEqual({ start: doc.at('$secrets.api_key'), end: doc.at('$secrets.api_key', '$secrets.api_key'.length) });
    const none = await session.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: doc.at('Creates', 2) });
    expect(none).toBeNull();
  });

  it('code actions: use the existing name, escape with $$, store the pasted credential through the server', async () => {
    const actions = async (d: Diagnostic): Promise<CodeAction[]> => (await session.client.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];

    const [caseMiss, nope] = byCode('SECRET_NOT_FOUND') as [Diagnostic, Diagnostic];
    const fix = (await actions(caseMiss)).find((a) => a.title.includes('existing secret "api_key"'));
    expect(fix).toBeDefined();
    diagnostics = await doc.apply((fix?.edit as WorkspaceEdit).changes?.[uri] ?? []);
    expect(doc.text()).toContain('Authorization: Bearer $secrets.api_key');
    expect(byCode('SECRET_NOT_FOUND').map((d) => doc.doc.getText(d.range))).toEqual(['$secrets.nope']);

    const escape = (await actions(byCode('SECRET_NOT_FOUND')[0] ?? nope)).find((a) => a.title.includes('$$'));
    diagnostics = await doc.apply((escape?.edit as WorkspaceEdit).changes?.[uri] ?? []);
    expect(doc.text()).toContain('note: see $$secrets.nope in the docs');
    expect(byCode('SECRET_NOT_FOUND')).toEqual([]);

    const pasted = byCode('PASTED_CREDENTIAL')[0] as Diagnostic;
    const store = (await actions(pasted)).find((a) => a.command?.command === 'secretref.storePastedCredential');
    expect(store?.command?.arguments?.[0]).toMatchObject({ name: 'github_token', reference: '$secrets.github_token' });
    // The server asks the client to apply its edit; the client applies it as an editor does.
    let edited: Promise<Diagnostic[]> | undefined;
    const handler = session.client.onRequest('workspace/applyEdit', (p: { edit: WorkspaceEdit }) => {
      edited = doc.apply(p.edit.changes?.[uri] ?? []);
      return { applied: true };
    });
    const result = await session.client.sendRequest('workspace/executeCommand', { command: store?.command?.command, arguments: store?.command?.arguments });
    handler.dispose();
    expect(result).toEqual({ stored: true, name: 'github_token' });
    diagnostics = (await edited) ?? [];
    expect(doc.text()).toContain('token: $secrets.github_token');
    expect(doc.text()).not.toContain(PASTED);
    expect(diagnostics.map((d) => d.code)).not.toContain('PASTED_CREDENTIAL');
    expect(diagnostics.map((d) => d.code)).not.toContain('SECRET_NOT_FOUND');

    // Run again on a document that no longer holds it: refused, nothing stored.
    const again = await session.client.sendRequest('workspace/executeCommand', { command: store?.command?.command, arguments: store?.command?.arguments });
    expect(again).toEqual({ stored: false });
  }, 120_000);

  it('honours the project config: a file under tasks/ is read in the julep dialect', async () => {
    const julepUri = pathToFileURL(join(dir, 'tasks', 'digest.yaml')).href;
    const julep = new Doc(
      session,
      julepUri,
      'name: digest\ntools:\n  - name: search\n    type: api_call\n    api_call:\n      url: https://api.example.com/search\n      headers:\n        X-Token: "{secrets.api_key}"\n        X-Other: "{secrets.nope}"\n',
    );
    const found = await julep.open();
    expect(found.map((d) => d.code)).not.toContain('LOOKS_LIKE_REFERENCE');
    expect(found.filter((d) => d.code === 'SECRET_NOT_FOUND').map((d) => d.range.start.line)).toEqual([8]);
    const hover = (await session.client.sendRequest('textDocument/hover', { textDocument: { uri: julepUri }, position: julep.at('secrets.api_key', 3) })) as Hover;
    expect((hover.contents as { value: string }).value).toContain('Example API key');
  });

  it('debounces: a burst of changes is linted once, at its last version', async () => {
    const burstUri = pathToFileURL(join(dir, 'tools', 'burst.yaml')).href;
    const burst = new Doc(session, burstUri, 'a: $secrets.api_key\n');
    expect(await burst.open()).toEqual([]);
    let last = 1;
    for (let i = 0; i < 6; i++) last = await burst.type(`a: $secrets.api_key\nb: $secrets.missing_${i}\n`);
    const final = await burst.diagnostics(last);
    expect(final.map((d) => d.message).join('\n')).toContain('missing_5');
    // Without the debounce every version would be linted; a stall of the machine mid-burst may let one more through.
    const linted = session.published(burstUri).filter((v) => v !== 1);
    expect(linted).toContain(last);
    expect(linted.length).toBeLessThanOrEqual(2);
  });

  it('sent no secret value in any message (stored values, the pasted credential)', () => {
    expect(session.raw().length).toBeGreaterThan(1000);
    expectNoValue(session.raw());
    expectNoValue(session.stderr());
  });
});

describe('secretref lsp offline', () => {
  it('runs the offline rules, says why once, and the stored credential is in the store with its value', async () => {
    const session = await start(['--offline']);
    const uri = pathToFileURL(join(dir, 'tools', 'offline.yaml')).href;
    const doc = new Doc(session, uri, SOURCE);
    const diagnostics = await doc.open();
    expect(diagnostics.map((d) => d.code)).toContain('PASTED_CREDENTIAL');
    expect(diagnostics.map((d) => d.code)).not.toContain('SECRET_NOT_FOUND');
    const items = await session.client.sendRequest('textDocument/completion', { textDocument: { uri }, position: doc.at('$secrets.api_key', '$secrets.'.length) });
    expect(items).toEqual([]);
    expect(session.messages.join('\n')).toMatch(/store rules are off \(--offline\)/);
    await session.close();
    expectNoValue(session.raw());
    const stored = await cli(['secrets', 'get', 'github_token', '--reveal', '--json']);
    expect(stored.code, stored.stderr).toBe(0);
    expect((JSON.parse(stored.stdout) as { value: string }).value).toBe(PASTED);
  }, 120_000);
});
