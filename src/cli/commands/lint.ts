/**
 * `secretref lint FILE|DIR…`: every diagnostic of the definitions, minus what the project has
 * accepted — `# secretref-ignore CODE` comments, the `.secretrefignore` file, a baseline
 * (`--baseline FILE`, written by `--update-baseline`) — which stays in the report as suppressed
 * (SARIF `suppressions`, JSON `suppressed`, a count in the text summary). Exit 1 when a finding at
 * or above `--fail-on` (default error) is left; `--fail-on never` always exits 0, so CI can
 * upload the SARIF before failing on it. Paths in SARIF and in the baseline are relative to the
 * repository root (the folder holding `.git`, or `--sarif-root`).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
// The lint stage's own entry, not src/index.ts: the bundler splits by file, so importing the
// public entry would put the store, the renderer and zod into an offline lint's start-up.
import { SecretrefError } from '../../core.js';
import {
  applyBaseline,
  applyIgnoreFile,
  baselineOf,
  formatBaseline,
  formatDiagnostics,
  IGNORE_FILE,
  lint as lintSource,
  parseBaseline,
  parseIgnoreFile,
  rulesDocUri,
  sarifLog,
  type Diagnostic,
  type DiagnosticFormat,
  type IgnoreRule,
  type LintOptions,
} from '../../lint/index.js';
import { argList, implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { describeDialects, parseDialect, type Dialect } from '../dialect.js';
import { collectFiles, exists, readInput } from '../files.js';
import { lintJson, stringify, type FileDialectJson } from '../json.js';
import { parsePairs } from '../parse-args.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { VERSION } from '../version.js';
import { writeFileAtomic } from '../write-atomic.js';

const FORMATS: readonly DiagnosticFormat[] = ['text', 'json', 'sarif'];
const FAIL_ON = ['error', 'warning', 'never'] as const;
type FailOn = (typeof FAIL_ON)[number];

export interface LintCommandOptions {
  paths: string[];
  format: DiagnosticFormat;
  /** No store: the offline rules only. */
  offline: boolean;
  /** Default: the project config's `environment`. */
  environment?: string;
  tool?: string;
  expiringWithinDays: number;
  /** Write the report here instead of stdout. */
  output?: string;
  /** Every file in this dialect; default: the project config's choice per file. */
  dialect?: Dialect;
  /** Variables the definitions may use (names; values are not needed to lint). */
  vars?: string[];
  /** The lowest severity that fails the run. Default `error`. */
  failOn?: FailOn;
  /** Accept the findings recorded in this file (relative to the working folder). */
  baseline?: string;
  /** Write the current findings to the baseline file instead of comparing with it. */
  updateBaseline?: boolean;
  /** The ignore file; default: `.secretrefignore` from the working folder up to the repository root. */
  ignoreFile?: string;
  /** The repository root that SARIF and baseline paths are relative to; default: the folder holding `.git`. */
  sarifRoot?: string;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** Source of each file by shown name, for the caret excerpts of a text report on a terminal (empty otherwise). */
  sources: Map<string, string>;
  files: FileDialectJson[];
  /** Absolute repository root the report's paths are relative to. */
  root: string;
  /** What the baseline did: entries written, or entries no finding matched any more. */
  baseline?: { written: number } | { stale: number };
  /** The store was read without the master key: its rows were not authenticated. */
  withoutKey: boolean;
}

export async function lint(options: LintCommandOptions, ctx: CliContext): Promise<LintResult> {
  const cwd = ctx.io.cwd;
  const root = options.sarifRoot !== undefined ? resolve(cwd, options.sarifRoot) : ((await repositoryRoot(cwd)) ?? cwd);
  const ignore = await loadIgnoreFile(options.ignoreFile, cwd, root);
  const baselinePath = options.baseline !== undefined ? resolve(cwd, options.baseline) : undefined;
  const baseline = baselinePath !== undefined && !options.updateBaseline ? await loadBaseline(baselinePath, options.baseline as string) : undefined;
  const files = await collectFiles(options.paths, ctx.io);
  const opened = options.offline ? undefined : await ctx.openStoreForReading();
  const store = opened?.store;
  const developerId = store ? ctx.developerId() : undefined;
  const environment = ctx.environment(options.environment);
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const dialects: FileDialectJson[] = [];
  const bar = files.length > 20 ? progressBar(ctx, 'lint') : undefined;
  // Sources are kept only for the caret excerpts a person at a terminal sees (report below).
  const keepSources = options.format === 'text' && options.output === undefined && ctx.terminal('stdout');
  try {
    for (const [i, path] of files.entries()) {
      // One file read, then linted (files.ts reads synchronously: cheaper than async reads for
      // many small files, and each source can be dropped as soon as it is linted).
      const input = await readInput(path, ctx.io);
      const dialect = ctx.dialectFor(path, options.dialect);
      if (keepSources) sources.set(input.name, input.source);
      dialects.push({ file: input.name, dialect });
      const opts: LintOptions = {
        filename: input.name,
        ...(store && developerId ? { store, developerId } : {}),
        expiringWithinDays: options.expiringWithinDays,
        ...(environment ? { environment } : {}),
        ...(options.tool ? { tool: options.tool } : {}),
        ...(options.vars !== undefined && options.vars.length > 0 ? { vars: options.vars } : {}),
        dialect,
        format: input.format,
      };
      diagnostics.push(...(await lintSource(input.source, opts)));
      bar?.update(i + 1, files.length);
    }
  } finally {
    bar?.stop();
  }
  // Paths as the repository sees them: what the ignore file's globs and the baseline's keys use.
  const fromRoot = (d: Diagnostic): string | undefined => within(root, d.file === undefined || d.file === '<stdin>' ? undefined : resolve(cwd, d.file));
  if (ignore) applyIgnoreFile(diagnostics, ignore.rules, (d) => within(ignore.dir, d.file === undefined || d.file === '<stdin>' ? undefined : resolve(cwd, d.file)));
  const key = (d: Diagnostic): string => fromRoot(d) ?? d.file ?? '<stdin>';
  let baselineReport: LintResult['baseline'];
  if (baselinePath !== undefined && options.updateBaseline) {
    const written = baselineOf(diagnostics, key);
    await writeFileAtomic(baselinePath, formatBaseline(written));
    applyBaseline(diagnostics, written, key);
    baselineReport = { written: written.findings.length };
  } else if (baseline) {
    baselineReport = { stale: applyBaseline(diagnostics, baseline, key) };
  }
  return { diagnostics, sources, files: dialects, root, withoutKey: opened?.withoutKey === true, ...(baselineReport ? { baseline: baselineReport } : {}) };
}

type LintFlags = {
  format: string;
  offline?: boolean;
  environment?: string;
  tool?: string;
  expiringWithin: string;
  output?: string;
  dialect?: string;
  var?: string[];
  failOn: string;
  baseline?: string;
  updateBaseline?: boolean;
  writeBaseline?: string;
  ignoreFile?: string;
  sarifRoot?: string;
};

export const lintCommand = implementCommand({
  toOptions(args, flags: LintFlags): LintCommandOptions {
    if (!(FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format takes text, json or sarif; got "${flags.format}".`);
    if (!(FAIL_ON as readonly string[]).includes(flags.failOn)) throw new UsageError(`--fail-on takes error, warning or never; got "${flags.failOn}".`);
    const days = Number(flags.expiringWithin);
    if (!Number.isFinite(days) || days < 0) throw new UsageError('--expiring-within takes a number of days.');
    if (flags.updateBaseline && flags.baseline === undefined) throw new UsageError('--update-baseline needs --baseline FILE (the file to write).');
    if (flags.writeBaseline !== undefined && flags.baseline !== undefined) throw new UsageError('--write-baseline FILE and --baseline FILE do not go together: write the baseline first, then read it.');
    const baseline = flags.writeBaseline ?? flags.baseline;
    const dialect = parseDialect(flags.dialect);
    return {
      paths: argList(args, 0),
      format: flags.format as DiagnosticFormat,
      offline: flags.offline === true,
      expiringWithinDays: days,
      vars: Object.keys(parsePairs(flags.var, '--var') ?? {}),
      failOn: flags.failOn as FailOn,
      updateBaseline: flags.updateBaseline === true || flags.writeBaseline !== undefined,
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
      ...(flags.output !== undefined ? { output: flags.output } : {}),
      ...(dialect ? { dialect } : {}),
      ...(baseline !== undefined ? { baseline } : {}),
      ...(flags.ignoreFile !== undefined ? { ignoreFile: flags.ignoreFile } : {}),
      ...(flags.sarifRoot !== undefined ? { sarifRoot: flags.sarifRoot } : {}),
    };
  },
  run: lint,
  async report(result, options, ctx) {
    const { diagnostics, files } = result;
    // Excerpts are for a person at a terminal; NO_COLOR takes away only the colour.
    const terminal = options.output === undefined && ctx.terminal('stdout');
    const color = terminal && ctx.color('stdout');
    const report =
      options.format === 'json'
        ? stringify(lintJson(diagnostics, files))
        : options.format === 'sarif'
          ? stringify(sarifLog(diagnostics, { root: result.root, cwd: ctx.io.cwd, toolVersion: VERSION, helpBaseUri: rulesDocUri(VERSION), properties: { dialects: files } }))
          : formatDiagnostics(diagnostics, 'text', { color, source: result.sources, excerpt: terminal });
    if (options.output !== undefined) await writeFileAtomic(resolve(ctx.io.cwd, options.output), report.endsWith('\n') ? report : `${report}\n`);
    else if (report.length > 0) ctx.out(report);
    const open = diagnostics.filter((d) => !d.suppression);
    const errors = open.filter((d) => d.severity === 'error').length;
    const warnings = open.filter((d) => d.severity === 'warning').length;
    const suppressed = diagnostics.length - open.length;
    if (options.format === 'text' || options.output !== undefined) {
      const notes = [...(options.offline ? ['offline'] : []), ...(result.withoutKey ? ['store read without the master key: rows not authenticated'] : []), describeDialects(files.map((f) => f.dialect))];
      ctx.err(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s)${suppressed > 0 ? `, ${suppressed} suppressed` : ''} (${notes.join('; ')}).`);
    }
    if (result.baseline && 'written' in result.baseline) ctx.err(`Wrote ${result.baseline.written} finding(s) to the baseline ${options.baseline ?? ''}.`);
    else if (result.baseline && result.baseline.stale > 0) ctx.err(`${result.baseline.stale} baseline entr${result.baseline.stale === 1 ? 'y matches' : 'ies match'} no finding any more; run with --write-baseline FILE to drop them.`);
    const failOn = options.failOn ?? 'error';
    if (failOn === 'never') return 0;
    return errors > 0 || (failOn === 'warning' && warnings > 0) ? 1 : 0;
  },
});

/** The folder holding `.git` (a folder, or the file of a worktree), from `cwd` up; undefined outside a repository. */
async function repositoryRoot(cwd: string): Promise<string | undefined> {
  for (let dir = resolve(cwd); ; ) {
    if (await exists(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `--ignore-file`, or the first `.secretrefignore` from `cwd` up to `root`; a malformed file is an error. */
async function loadIgnoreFile(flag: string | undefined, cwd: string, root: string): Promise<{ rules: IgnoreRule[]; dir: string } | undefined> {
  let path: string | undefined;
  if (flag !== undefined) {
    path = resolve(cwd, flag);
    if (!(await exists(path))) throw new UsageError(`No such ignore file: ${flag}`);
  } else {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      if (await exists(join(dir, IGNORE_FILE))) {
        path = join(dir, IGNORE_FILE);
        break;
      }
      if (dir === root || dirname(dir) === dir || within(root, dir) === undefined) break;
    }
  }
  if (path === undefined) return undefined;
  const { rules, problems } = parseIgnoreFile(await readFile(path, 'utf8'));
  if (problems.length > 0) throw SecretrefError.fromProblems(problems, relative(cwd, path) || path);
  return { rules, dir: dirname(path) };
}

async function loadBaseline(path: string, shown: string): Promise<ReturnType<typeof parseBaseline>['baseline']> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`No such baseline: ${shown}; create it with --baseline ${shown} --update-baseline.`);
  }
  const { baseline, problems } = parseBaseline(text);
  if (problems.length > 0) throw SecretrefError.fromProblems(problems, shown);
  return baseline;
}

/** `path` relative to `dir` with `/`, or undefined when it is not inside `dir`. */
function within(dir: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const rel = relative(dir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return rel === '' ? '' : undefined;
  return rel.split(sep).join('/');
}

