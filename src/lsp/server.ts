/**
 * `secretref lsp`: a Language Server Protocol server over stdio for tool definitions (docs/lsp.md).
 *
 * - Diagnostics: `lint` as the user types (debounced), offline rules always, the store rules when
 *   a store is configured; the dialect and environment of the project config file.
 * - Completion of secret names after `secrets.` (names only, from the store).
 * - Hover on a reference: description, metadata, version, expiry, usage policy. Never a value.
 * - Code actions: replace a name with the existing one it nearly matches, escape a reference as
 *   literal text (`$$`), write a look-alike as a real reference, and store a pasted credential
 *   as a secret. That last one is a server command whose arguments are a position only: the
 *   server reads the value from its own copy of the document, writes it to the store and
 *   replaces it with a reference, so the value never travels in a message the server sends.
 *
 * No message the server sends holds a secret value: lint's messages never do, hover and
 * completion read no value, and errors are reported by code (test/lsp/lsp.test.ts checks every
 * byte the server writes).
 */
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DiagnosticSeverity,
  CompletionItemKind,
  MarkupKind,
  MessageType,
  ShowMessageNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  TextEdit,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeSource, isSecretrefError, lint, NAME_PATTERN, type Diagnostic, type Dialect, type ScopedStore, type SecretInfo } from '../index.js';

/** Bounds and timings of the server (docs/lsp.md). */
export const LSP_LIMITS = {
  /** Diagnostics are computed this long after the last keystroke. */
  debounceMs: 200,
  /** Names offered by completion (the first ones of the store's listing). */
  completionNames: 1_000,
  /** How long the list of names is reused before the store is asked again. */
  namesTtlMs: 10_000,
} as const;

/** The command of the "store this pasted credential" code action. */
export const STORE_CREDENTIAL_COMMAND = 'secretref.storePastedCredential';

export interface LspOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The store of the developer, or undefined: offline rules only, no completion or hover details. */
  store?: ScopedStore;
  /** Why there is no store (shown once to the user), when there is none. */
  offlineReason?: string;
  dialectFor(path: string): Dialect;
  environment?: string;
}

/** What code actions need of a diagnostic, kept in its `data` (names and references, never a value). */
interface DiagnosticData {
  code: string;
  name?: string;
  suggestion?: string;
  start: number;
  end: number;
}

/** Starts the server; resolves when the client has asked it to exit. */
export function startLanguageServer(options: LspOptions): Promise<void> {
  const connection = createConnection(ProposedFeatures.all, options.input, options.output);
  const documents = new TextDocuments(TextDocument);
  const timers = new Map<string, NodeJS.Timeout>();
  const linted = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
  const store = options.store;
  let names: { at: number; list: Promise<string[]> } | undefined;

  // A notification, not a request: nothing waits on the editor's answer.
  const tell = (type: MessageType, message: string): void => {
    void connection.sendNotification(ShowMessageNotification.type, { type, message });
  };
  const pathOf = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
  const dialectOf = (doc: TextDocument): Dialect => options.dialectFor(pathOf(doc.uri));

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['.'] },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      executeCommandProvider: { commands: [STORE_CREDENTIAL_COMMAND] },
    },
    serverInfo: { name: 'secretref' },
  }));
  connection.onInitialized(() => {
    if (!store) tell(MessageType.Info, `secretref: store rules are off (${options.offlineReason ?? 'no store configured'}); offline rules only.`);
  });

  async function validate(doc: TextDocument): Promise<void> {
    const version = doc.version;
    let diagnostics: Diagnostic[];
    try {
      diagnostics = await lint(doc.getText(), {
        filename: pathOf(doc.uri),
        dialect: dialectOf(doc),
        ...(store ? { store } : {}),
        ...(options.environment !== undefined ? { environment: options.environment } : {}),
      });
    } catch (e) {
      // The store failed (lint rejects only then): the offline rules still answer.
      connection.console.warn(`secretref: store rules skipped (${isSecretrefError(e) ? e.code : 'internal error'}).`);
      diagnostics = await lint(doc.getText(), { filename: pathOf(doc.uri), dialect: dialectOf(doc) });
    }
    if (documents.get(doc.uri)?.version !== version) return; // typed on meanwhile: a newer run follows
    linted.set(doc.uri, { version, diagnostics });
    await connection.sendDiagnostics({ uri: doc.uri, version, diagnostics: diagnostics.filter((d) => !d.suppression).map((d) => toLsp(doc, d)) });
  }

  function schedule(doc: TextDocument): void {
    clearTimeout(timers.get(doc.uri));
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        const current = documents.get(doc.uri);
        // lint never throws for a document; anything else is reported by name, never by message.
        if (current) validate(current).catch((e: unknown) => connection.console.error(`secretref: lint failed (${e instanceof Error ? e.name : 'unknown'}).`));
      }, LSP_LIMITS.debounceMs),
    );
  }

  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    linted.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const storeNames = (): Promise<string[]> => {
    if (!store) return Promise.resolve([]);
    if (!names || Date.now() - names.at > LSP_LIMITS.namesTtlMs) {
      const list = (async () => {
        const out: string[] = [];
        for await (const n of store.listNames({ max: LSP_LIMITS.completionNames })) out.push(n);
        return out;
      })();
      names = { at: Date.now(), list: list.catch(() => []) };
    }
    return names.list;
  };

  connection.onCompletion(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !store) return [];
    const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
    const m = /(?:^|[^A-Za-z0-9_$])\$?\{?\{?\s*secrets\.([A-Za-z0-9_]*)$/.exec(line);
    if (!m) return [];
    const typed = m[1] as string;
    const range: LspRange = { start: { line: params.position.line, character: params.position.character - typed.length }, end: params.position };
    return (await storeNames()).filter((n) => n.toLowerCase().startsWith(typed.toLowerCase())).map((n) => ({ label: n, kind: CompletionItemKind.Variable, textEdit: TextEdit.replace(range, n) }));
  });

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const at = doc.offsetAt(params.position);
    let refs;
    try {
      refs = analyzeSource(doc.getText(), { dialect: dialectOf(doc) }).references;
    } catch {
      return null;
    }
    const ref = refs.find((r) => r.offset !== undefined && r.offset[0] <= at && at < r.offset[1]);
    if (!ref || !ref.offset) return null;
    const range = { start: doc.positionAt(ref.offset[0]), end: doc.positionAt(ref.offset[1]) };
    const head = `**secrets.${ref.name}** (${ref.form}${ref.optional ? ', optional' : ''})`;
    if (!store) return { range, contents: { kind: MarkupKind.Markdown, value: `${head}\n\nNo store configured: ${options.offlineReason ?? 'offline'}.` } };
    const info = await secretInfo(store, ref.name, options.environment);
    return { range, contents: { kind: MarkupKind.Markdown, value: info ? `${head}\n\n${describe(info, ref.name)}` : `${head}\n\nNo secret "${ref.name}" exists for this developer.` } };
  });

  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) {
      const data = diagnostic.data as DiagnosticData | undefined;
      if (!data || diagnostic.source !== 'secretref') continue;
      const range = { start: doc.positionAt(data.start), end: doc.positionAt(data.end) };
      const text = doc.getText(range);
      const edit = (title: string, edits: TextEdit[], preferred = false): void => {
        actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred, edit: { changes: { [doc.uri]: edits } } });
      };
      if (data.code === 'SECRET_NOT_FOUND' && data.name !== undefined && data.suggestion !== undefined && NAME_PATTERN.test(data.suggestion)) {
        const i = text.lastIndexOf(data.name);
        if (i !== -1) {
          const start = doc.positionAt(data.start + i);
          edit(`Use the existing secret "${data.suggestion}"`, [TextEdit.replace({ start, end: doc.positionAt(data.start + i + data.name.length) }, data.suggestion)], true);
        }
      }
      if (data.code === 'LOOKS_LIKE_REFERENCE' && data.suggestion !== undefined) edit(`Write ${data.suggestion}`, [TextEdit.replace(range, data.suggestion)], true);
      if ((data.code === 'SECRET_NOT_FOUND' || data.code === 'SECRET_IN_MODEL_FIELD') && /^\$\{?secrets\./.test(text)) {
        edit('Keep as literal text (escape with $$)', [TextEdit.insert(range.start, '$')]);
      }
      if (data.code === 'PASTED_CREDENTIAL' && data.suggestion !== undefined && store) {
        const name = referencedName(data.suggestion);
        if (name !== undefined) {
          actions.push({
            title: `Store this credential as secret "${name}" and write ${data.suggestion}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: true,
            // A position, a name and a reference: the value stays in the server's copy of the document.
            command: { title: 'Store as secret', command: STORE_CREDENTIAL_COMMAND, arguments: [{ uri: doc.uri, version: doc.version, start: data.start, end: data.end, name, reference: data.suggestion }] },
          });
        }
      }
    }
    return actions;
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command !== STORE_CREDENTIAL_COMMAND) return null;
    const a = (params.arguments?.[0] ?? {}) as { uri?: string; version?: number; start?: number; end?: number; name?: string; reference?: string };
    const doc = a.uri !== undefined ? documents.get(a.uri) : undefined;
    const seen = a.uri !== undefined ? linted.get(a.uri) : undefined;
    // Only a span lint reported as a pasted credential in this very version of the document.
    const finding = seen?.diagnostics.find((d) => d.code === 'PASTED_CREDENTIAL' && d.offset?.[0] === a.start && d.offset?.[1] === a.end && d.suggestion === a.reference);
    if (!store || !doc || !finding || doc.version !== a.version || seen?.version !== a.version || a.name === undefined || referencedName(a.reference ?? '') !== a.name) {
      tell(MessageType.Warning, 'secretref: the document changed since the credential was found; run the action again.');
      return { stored: false };
    }
    const range = { start: doc.positionAt(a.start as number), end: doc.positionAt(a.end as number) };
    // The span is source text: with an escape in it (JSON `\/`, YAML `\x41`) it is not the value the tool would get.
    if (doc.getText(range).includes('\\')) {
      tell(MessageType.Warning, `secretref: the credential is written with escapes; store it with \`secretref secrets create ${a.name}\` (value on stdin) instead.`);
      return { stored: false };
    }
    try {
      await store.create({ name: a.name, value: doc.getText(range), description: `Stored by secretref lsp from ${pathOf(doc.uri)}` });
    } catch (e) {
      tell(MessageType.Error, `secretref: could not store "${a.name}": ${isSecretrefError(e) ? `${e.code}: ${e.message}` : 'internal error'}`);
      return { stored: false };
    }
    names = undefined;
    await connection.workspace.applyEdit({ label: `Store secret ${a.name}`, edit: { changes: { [doc.uri]: [TextEdit.replace(range, a.reference as string)] } } });
    tell(MessageType.Info, `secretref: stored "${a.name}"; revoke the credential that was pasted, it has been exposed.`);
    return { stored: true, name: a.name };
  });

  documents.listen(connection);
  return new Promise((resolve) => {
    connection.onExit(() => {
      for (const t of timers.values()) clearTimeout(t);
      resolve();
    });
    connection.listen();
  });
}

function toLsp(doc: TextDocument, d: Diagnostic): LspDiagnostic {
  const [start, end] = d.offset ?? [doc.offsetAt({ line: d.range.start.line - 1, character: d.range.start.column - 1 }), doc.offsetAt({ line: d.range.end.line - 1, character: d.range.end.column - 1 })];
  const data: DiagnosticData = { code: d.code, start, end, ...(d.name !== undefined ? { name: d.name } : {}), ...(d.suggestion !== undefined ? { suggestion: d.suggestion } : {}) };
  return {
    range: { start: doc.positionAt(start), end: doc.positionAt(end) },
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.code,
    source: 'secretref',
    message: d.suggestion !== undefined ? `${d.message} (suggestion: ${d.suggestion})` : d.message,
    data,
  };
}

/** The name a suggested reference (`$secrets.x`, `${secrets.x}`, `{{ secrets.x }}`, `{secrets.x}`, `secrets['x']`) names. */
function referencedName(reference: string): string | undefined {
  const m = /secrets(?:\.([A-Za-z][A-Za-z0-9_]*)|\[\s*["']([A-Za-z][A-Za-z0-9_]*)["']\s*\])/.exec(reference);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The secret behind a reference (`ENV_NAME` first in an environment), without its value. */
async function secretInfo(store: ScopedStore, name: string, environment: string | undefined): Promise<SecretInfo | undefined> {
  for (const candidate of environment !== undefined ? [`${environment}_${name}`, name] : [name]) {
    try {
      return await store.get(candidate); // without `reveal`: no value
    } catch (e) {
      if (!isSecretrefError(e) || e.code !== 'SECRET_NOT_FOUND') return undefined;
    }
  }
  return undefined;
}

/** Markdown for a hover: everything the store knows about the secret except its value. */
function describe(s: SecretInfo, asWritten: string): string {
  const lines = [
    ...(s.name !== asWritten ? [`resolves to **${s.name}**`] : []),
    s.description ? s.description : '_no description_',
    '',
    `- version ${s.version}, updated ${s.updatedAt.toISOString()}`,
    `- expires: ${s.expiresAt ? s.expiresAt.toISOString() : 'never'}`,
    `- tools: ${s.allowedTools ? s.allowedTools.join(', ') : 'any'}; hosts: ${s.allowedHosts ? s.allowedHosts.join(', ') : 'any'}`,
    ...(Object.keys(s.metadata).length > 0 ? [`- metadata: \`${JSON.stringify(s.metadata)}\``] : []),
  ];
  return lines.join('\n');
}
