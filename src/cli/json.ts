/**
 * Every `--json` document the CLI prints, in one place (docs/cli.md documents them). Each has
 * `"version": 1`; fields are only ever added. No shape holds a secret value, except
 * `secrets get --reveal --json`, which was asked for one. Errors under `--json` are shaped here too.
 */
import { isSecretrefError, jsonReport, sarifLog } from '../core.js';
import type { AnalyzedDocument, AuditEntry, Diagnostic, ErrorCode, JsonReport, PlanEntry, Problem, Reference, SecretInfo } from '../index.js';
import type { Dialect } from './dialect.js';

/** The version every document carries. */
export const JSON_VERSION = 1;

/** A secret as `secrets list --json` and `secrets get --json` show it. Never a value. */
export interface SecretJson {
  name: string;
  id: string;
  description: string | null;
  metadata: Record<string, unknown> | null;
  version: number;
  keyId: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  allowedTools: readonly string[] | null;
  allowedHosts: readonly string[] | null;
}

export function secretJson(s: SecretInfo): SecretJson {
  return {
    name: s.name,
    id: s.id,
    description: s.description,
    metadata: s.metadata,
    version: s.version,
    keyId: s.keyId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
    allowedTools: s.allowedTools,
    allowedHosts: s.allowedHosts,
  };
}

/** The version a rotation replaced, while its grace period lasts (`secrets get --json`). Never its value. */
export interface PreviousJson {
  version: number;
  keyId: string;
  validUntil: string;
}

/** `secrets list --json`. */
export function secretsListJson(items: readonly SecretInfo[]): { version: number; secrets: SecretJson[] } {
  return { version: JSON_VERSION, secrets: items.map(secretJson) };
}

/** `secrets get --json`: one secret, plus `value` (null when there is none) with `--reveal`. */
export function secretGetJson(s: SecretInfo, revealed: { value: string | null } | undefined): SecretJson & { previous: PreviousJson | null; value?: string | null } {
  const previous = s.previous ? { version: s.previous.version, keyId: s.previous.keyId, validUntil: s.previous.validUntil.toISOString() } : null;
  return { ...secretJson(s), previous, ...(revealed ? { value: revealed.value } : {}) };
}

/** One reference as `refs --json` lists it. */
export interface RefJson {
  name: string;
  form: string;
  path: string;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  optional: boolean;
  context: string;
}

/** A problem of a document, with its 1-based start. */
export interface ProblemJson {
  code: ErrorCode;
  message: string;
  path: string;
  line: number | null;
  column: number | null;
}

/** One file of `refs --json`: its dialect, references, problems (exit 1) and warnings (not). */
export interface RefsFileJson {
  file: string;
  dialect: Dialect;
  references: RefJson[];
  problems: ProblemJson[];
  /** E.g. a computed name in a Julep file, left for the platform to resolve. */
  warnings: ProblemJson[];
}

/** One reference as `refs --json` (and `secretref serve`'s `/refs`) lists it. */
export function refJson(r: Reference): RefJson {
  return {
    name: r.name,
    form: r.form,
    path: r.path,
    line: r.range?.start.line ?? null,
    column: r.range?.start.column ?? null,
    endLine: r.range?.end.line ?? null,
    endColumn: r.range?.end.column ?? null,
    optional: r.optional,
    context: r.context,
  };
}

/** One file of `refs --json`, from its analysis. */
export function refsFileJson(file: string, dialect: Dialect, doc: AnalyzedDocument): RefsFileJson {
  return { file, dialect, references: doc.references.map(refJson), problems: doc.problems.map(problemJson), warnings: doc.warnings.map(problemJson) };
}

/** `refs --json`. */
export function refsJson(files: readonly RefsFileJson[]): { version: number; files: readonly RefsFileJson[] } {
  return { version: JSON_VERSION, files };
}

export function problemJson(p: Problem): ProblemJson {
  return { code: p.code, message: p.message, path: p.path ?? '', line: p.range?.start.line ?? null, column: p.range?.start.column ?? null };
}

/** Which dialect each file was read in (lint reports). */
export interface FileDialectJson {
  file: string;
  dialect: Dialect;
}

/** `lint --format json`: the library's report (version 1) plus the dialect of each file. */
export function lintJson(diagnostics: readonly Diagnostic[], files: readonly FileDialectJson[]): JsonReport & { files: readonly FileDialectJson[] } {
  return { ...jsonReport(diagnostics), files };
}

/** `lint --format sarif`: SARIF 2.1.0; the dialect of each file goes in the run's property bag. */
export function lintSarif(diagnostics: readonly Diagnostic[], files: readonly FileDialectJson[]): Record<string, unknown> {
  const log = sarifLog(diagnostics);
  const runs = log.runs;
  if (Array.isArray(runs)) {
    for (const r of runs) if (r !== null && typeof r === 'object') Object.assign(r, { properties: { dialects: files } });
  }
  return log;
}

/** `render --plan`: which secret each reference uses. Never a value. */
export function planJson(file: string, dialect: Dialect, plan: readonly PlanEntry[], warnings: readonly Problem[]): Record<string, unknown> {
  return {
    version: JSON_VERSION,
    file,
    dialect,
    warnings: warnings.map(problemJson),
    plan: plan.map((p) => ({
      reference: p.reference,
      secret: p.secret,
      path: p.path,
      line: p.range?.start.line ?? null,
      column: p.range?.start.column ?? null,
      version: p.version,
      updatedAt: p.updatedAt?.toISOString() ?? null,
      expiresAt: p.expiresAt?.toISOString() ?? null,
      keyId: p.keyId,
      status: p.status,
      problem: p.problem ?? null,
      fallback: p.fallback,
    })),
  };
}

/** `audit --json`. */
export function auditJson(entries: readonly AuditEntry[]): Record<string, unknown> {
  return {
    version: JSON_VERSION,
    entries: entries.map((e) => ({ at: e.at.toISOString(), developerId: e.developerId, secretId: e.secretId, name: e.name, action: e.action, detail: e.detail })),
  };
}

/** One check of `doctor`. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** `doctor --json`. */
/** `audit prune --json`: how many records went, and the cut-off. */
export function auditPruneJson(r: { deleted: number; before: Date }): { version: number; deleted: number; before: string } {
  return { version: JSON_VERSION, deleted: r.deleted, before: r.before.toISOString() };
}

export function doctorJson(checks: readonly Check[]): { version: number; ok: boolean; checks: readonly Check[] } {
  return { version: JSON_VERSION, ok: checks.every((c) => c.ok), checks };
}

/** A problem of an error, with its range when it has one. */
export interface ErrorProblemJson extends ProblemJson {
  endLine: number | null;
  endColumn: number | null;
  suggestion?: string;
  /** The secret name concerned (a name, never a value). */
  name?: string;
}

/** An error under `--json` (on stdout, exit code 1, or 2 for a usage error). */
export interface ErrorJson {
  version: number;
  /** `file`: the file every problem is in, when the error is about one file (the project config). */
  error: { code: ErrorCode | 'INTERNAL_ERROR'; message: string; usage: boolean; file?: string; problems: ErrorProblemJson[] };
}

/** Shapes any thrown error. Not ours: its name only (a foreign message or stack may hold values). */
export function errorJson(e: unknown, usage: boolean): ErrorJson {
  if (!isSecretrefError(e)) {
    const kind = e instanceof Error ? e.name : 'unknown';
    return { version: JSON_VERSION, error: { code: 'INTERNAL_ERROR', message: `internal error: ${kind}. Please report it.`, usage: false, problems: [] } };
  }
  const problems = e.problems.map((p): ErrorProblemJson => ({
    ...problemJson(p),
    endLine: p.range?.end.line ?? null,
    endColumn: p.range?.end.column ?? null,
    ...(p.suggestion !== undefined ? { suggestion: p.suggestion } : {}),
    ...(p.name !== undefined ? { name: p.name } : {}),
  }));
  const file = 'file' in e && typeof e.file === 'string' ? { file: e.file } : {};
  return { version: JSON_VERSION, error: { code: e.code, message: e.message, usage, ...file, problems } };
}

/** A usage error commander found while parsing argv (its message already scrubbed of tokens). */
export function usageErrorJson(message: string): ErrorJson {
  return { version: JSON_VERSION, error: { code: 'INVALID_INPUT', message, usage: true, problems: [] } };
}

/** Pretty-printed, one trailing newline. */
export function stringify(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** `agent start|status|stop --json`: the agent of the configured embedded store, or `running: false`. */
export function agentJson(
  folder: string,
  status: { pid: number; socket: string; socketMode: string; startedAt: string; connections: number; holders: number; idleTimeoutMs: number; idleForMs: number } | null,
  extra: { started?: boolean; stopped?: number | null } = {},
): Record<string, unknown> {
  const base = { version: JSON_VERSION, folder, running: status !== null, ...extra };
  if (!status) return base;
  const { pid, socket, socketMode, startedAt, connections, holders, idleTimeoutMs, idleForMs } = status;
  return { ...base, pid, socket, socketMode, startedAt, connections, stores: holders, idleTimeoutMs, idleForMs };
}
