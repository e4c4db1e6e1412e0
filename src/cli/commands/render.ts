/**
 * `secretref render PATH…`: substitutes the secrets and prints (or writes, atomically, mode 0600)
 * the rendered definitions. One file goes to stdout or `--out`; several files, or folders, go
 * into `--out-dir`, mirroring the input tree. Every file is rendered in one process with one store
 * open and its names resolved together; every problem of every file is reported before anything
 * is written, and nothing is written unless every file renders (issue 17). `--plan` prints which
 * secret each reference uses — never a value — and lists what is missing, expired or denied;
 * `--redact` prints the rendered definition with every value masked. With an environment, every
 * reference that falls back from `ENV_NAME` to `NAME` is said (an error with `--strict-environment`).
 */
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SecretrefError } from '../../core.js';
import type { PlanEntry, Problem, Rendered, RenderOptions } from '../../index.js';
import { formatDotenv, render as renderDefinition } from '../../render/index.js';
import { createResolver } from '../../resolve/index.js';
import { argList, implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { parseDialect, type Dialect } from '../dialect.js';
import { collectInputs, inFile, namingFile, readInputs, type CollectedFile } from '../files.js';
import { JSON_VERSION, planJson } from '../json.js';
import { parsePairs } from '../parse-args.js';
import { progressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic, writeFilesAtomic } from '../write-atomic.js';

export interface RenderCommandOptions {
  /** YAML/JSON files, folders (searched recursively), or `-` for stdin. */
  paths: string[];
  format: OutputFormat;
  /** One input: write here (atomically, mode 0600) instead of stdout. */
  out?: string;
  /** Write every rendered file here, mirroring the input tree (all or nothing). */
  outDir?: string;
  /** Default: the project config's `environment`. */
  environment?: string;
  /** A fallback from `ENV_NAME` to `NAME` is an error (also the project config's `strictEnvironment`). */
  strictEnvironment: boolean;
  /** An environment with no `ENV_…` secret at all is allowed. */
  allowEmptyEnvironment: boolean;
  tool?: string;
  vars: Record<string, string | null>;
  plan: boolean;
  redact: boolean;
  /** Default: the project config's choice per file. */
  dialect?: Dialect;
}

/** What `render` writes: JSON, YAML, or an environment file (a flat mapping only). */
export type OutputFormat = 'json' | 'yaml' | 'dotenv';
const OUTPUT_FORMATS: readonly string[] = ['json', 'yaml', 'dotenv'];
const EXTENSION_OF: Readonly<Record<OutputFormat, string>> = { json: '.json', yaml: '.yaml', dotenv: '.env' };

/** One input file's render: the rendered definition, or the error that stopped it. */
export interface FileRender {
  /** As shown to the user (relative to the working directory, or `<stdin>`). */
  name: string;
  dialect: Dialect;
  rendered?: Rendered;
  error?: SecretrefError;
  /** With `--out-dir`: where it is written. */
  target?: string;
}

export interface RenderResult {
  files: FileRender[];
  environment: string | undefined;
  strict: boolean;
  /** One input, no `--out-dir`: the single-file output forms (stdout or `--out`, the plan document). */
  single: boolean;
}

export async function render(options: RenderCommandOptions, ctx: CliContext): Promise<RenderResult> {
  const collected = await collectInputs(options.paths, ctx.io);
  const single = collected.length === 1 && collected[0]?.root === undefined && options.outDir === undefined;
  if (!single && options.out !== undefined) throw new UsageError('--out takes one input file; for several files or a folder use --out-dir DIR.');
  if (!single && !options.plan && options.outDir === undefined) throw new UsageError('Rendering several files or a folder writes them into a folder: add --out-dir DIR.');
  if (options.outDir !== undefined && options.out !== undefined) throw new UsageError('Use --out or --out-dir, not both.');
  if (options.outDir !== undefined && collected.some((f) => f.path === '-')) throw new UsageError('--out-dir renders files and folders; stdin (-) goes to stdout or --out.');
  const targets = options.outDir === undefined ? undefined : outputPaths(collected, resolve(ctx.io.cwd, options.outDir), options.format, ctx.io.cwd);
  const inputs = await readInputs(
    collected.map((f) => f.path),
    ctx.io,
  );
  const environment = ctx.environment(options.environment);
  const strict = ctx.strictEnvironment(options.strictEnvironment);
  const store = await ctx.openStore();
  if (environment !== undefined && !options.allowEmptyEnvironment) {
    const some = await store.scope(ctx.developerId()).list({ prefix: `${environment}_`, limit: 1 });
    if (some.items.length === 0) {
      throw new SecretrefError('ENVIRONMENT_EMPTY', `Environment "${environment}" has no secrets (none is named ${environment}_…), so every reference would fall back to its unprefixed name. Check the name, or pass --allow-empty-environment.`);
    }
  }
  const resolver = createResolver(store, { developerId: ctx.developerId(), ...(environment ? { environment } : {}) });
  const bar = inputs.length > 1 ? progressBar(ctx, 'render') : undefined;
  try {
    let done = 0;
    // Every render starts in this tick: the resolver joins their names into as few store queries as its limits allow.
    const files = await Promise.all(
      inputs.map(async (input, i): Promise<FileRender> => {
        const path = collected[i]?.path as string;
        const dialect = ctx.dialectFor(path, options.dialect);
        const opts: RenderOptions = {
          resolver,
          filename: input.name,
          vars: options.vars,
          ...(options.tool ? { tool: options.tool } : {}),
          plan: options.plan,
          dialect,
          format: input.format,
        };
        const file: FileRender = { name: input.name, dialect, ...(targets ? { target: targets[i] as string } : {}) };
        try {
          file.rendered = await renderDefinition(input.source, opts);
          if (strict && !options.plan && file.rendered.fallbacks) file.error = SecretrefError.fromProblems(fallbackProblems(file.rendered, environment, 'error'), input.name);
        } catch (e) {
          if (!(e instanceof SecretrefError)) throw e;
          file.error = e;
        } finally {
          bar?.update(++done, inputs.length);
        }
        return file;
      }),
    );
    return { files, environment, strict, single };
  } finally {
    bar?.stop();
    resolver.close();
  }
}

/** Where each input goes under `outDir`: its path below its folder argument (or the working directory), with the format's extension. */
function outputPaths(files: readonly CollectedFile[], outDir: string, format: OutputFormat, cwd: string): string[] {
  const inputs = new Set(files.map((f) => f.path));
  for (const f of files) {
    if (f.root !== undefined && (outDir === f.root || outDir.startsWith(f.root + sep))) {
      throw new UsageError(`--out-dir is inside the input folder ${relative(cwd, f.root) || '.'}: the rendered files (they hold secrets) would be read as definitions next time. Choose a folder outside it.`);
    }
  }
  const seen = new Map<string, string>();
  return files.map((f) => {
    let rel = relative(f.root ?? cwd, f.path);
    if (rel.startsWith('..') || isAbsolute(rel)) rel = basename(f.path);
    const target = join(outDir, rel.slice(0, rel.length - extname(rel).length) + EXTENSION_OF[format]);
    const shown = relative(cwd, f.path) || f.path;
    const other = seen.get(target);
    if (other !== undefined) throw new UsageError(`${other} and ${shown} would both be written to ${relative(cwd, target)}; render them into different folders.`);
    if (inputs.has(target)) throw new UsageError(`Rendering ${shown} would overwrite the input ${relative(cwd, target)}; choose another --out-dir.`);
    seen.set(target, shown);
    return target;
  });
}

/** The references of `rendered` that fell back to their unprefixed name, as problems. */
function fallbackProblems(rendered: Rendered, environment: string | undefined, level: 'error' | 'warning'): Problem[] {
  const hint = level === 'error' ? ' (--strict-environment)' : '';
  return (rendered.fallbacks ?? []).map((f) => ({
    code: 'ENVIRONMENT_FALLBACK',
    message: `${f.reference}: no ${environment}_${f.reference} in environment ${environment}; the unprefixed ${f.reference} is used${hint}`,
    name: f.reference,
    path: f.path,
    ...(f.range ? { range: f.range } : {}),
  }));
}

/** `file:line:col: level CODE message`, one line per problem (never a value). */
function problemLines(file: string, problems: readonly Problem[], level: 'error' | 'warning'): string[] {
  return problems.map((p) => `${file}:${p.range ? `${p.range.start.line}:${p.range.start.column}` : '1:1'}: ${level} ${p.code} ${p.message}${p.suggestion ? ` (suggestion: ${p.suggestion})` : ''}`);
}

const CANNOT_RENDER: ReadonlySet<PlanEntry['status']> = new Set(['missing', 'expired', 'denied']);

type RenderFlags = {
  out?: string;
  outDir?: string;
  format: string;
  environment?: string;
  strictEnvironment?: boolean;
  allowEmptyEnvironment?: boolean;
  tool?: string;
  var?: string[];
  plan?: boolean;
  redact?: boolean;
  dialect?: string;
};

export const renderCommand = implementCommand({
  toOptions(args, flags: RenderFlags): RenderCommandOptions {
    if (!OUTPUT_FORMATS.includes(flags.format)) throw new UsageError(`--format takes json, yaml or dotenv; got "${flags.format}".`);
    const dialect = parseDialect(flags.dialect);
    return {
      paths: argList(args, 0),
      format: flags.format as OutputFormat,
      vars: parsePairs(flags.var, '--var') ?? {},
      plan: flags.plan === true,
      redact: flags.redact === true,
      strictEnvironment: flags.strictEnvironment === true,
      allowEmptyEnvironment: flags.allowEmptyEnvironment === true,
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      ...(flags.outDir !== undefined ? { outDir: flags.outDir } : {}),
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
      ...(dialect ? { dialect } : {}),
    };
  },
  run: render,
  async report(result, options, ctx) {
    const { files, environment } = result;
    const failed = files.filter((f) => f.error !== undefined);
    // One file: its error as every command reports one (run.ts).
    if (result.single && failed[0]?.error) throw namingFile(failed[0].name, failed[0].error);
    // Every problem of every file first; then nothing is written.
    for (const f of failed) {
      const e = f.error as SecretrefError;
      for (const line of problemLines(f.name, e.problems.length > 0 ? e.problems : [{ code: e.code, message: e.message }], 'error')) ctx.err(line);
    }
    const warningsOf = (f: FileRender): Problem[] => [...(f.rendered?.warnings ?? []), ...(f.rendered && !(result.strict && !options.plan) ? fallbackProblems(f.rendered, environment, 'warning') : [])];
    if (options.plan) {
      const docs = files.filter((f) => f.rendered).map((f) => ({ file: f, doc: planJson(f.name, f.dialect, f.rendered?.plan ?? [], warningsOf(f)) }));
      const blocked = files.some((f) => (f.rendered?.plan ?? []).some((e) => CANNOT_RENDER.has(e.status) || (result.strict && e.fallback)));
      const ok = failed.length === 0 && !blocked;
      if (result.single && docs[0]) ctx.json({ ...docs[0].doc, ok });
      else if (!result.single) ctx.json({ version: JSON_VERSION, ok, files: docs.map((d) => d.doc) });
      for (const f of files) {
        for (const e of f.rendered?.plan ?? []) {
          if (CANNOT_RENDER.has(e.status)) ctx.err(`${f.name}:${e.range ? `${e.range.start.line}:${e.range.start.column}` : '1:1'}: error ${e.problem?.code ?? e.status} ${e.reference} is ${e.status}`);
          else if (result.strict && e.fallback) ctx.err(`${f.name}:${e.range ? `${e.range.start.line}:${e.range.start.column}` : '1:1'}: error ENVIRONMENT_FALLBACK ${e.reference}: no ${environment}_${e.reference} in environment ${environment} (--strict-environment)`);
        }
      }
      if (!result.single) ctx.err(`Planned ${files.length - failed.length} of ${files.length} file(s)${ok ? '' : '; some references cannot render'}.`);
      return ok ? 0 : 1;
    }
    if (failed.length > 0) {
      ctx.err(`secretref: ${failed.length} of ${files.length} file(s) cannot render; nothing was written.`);
      return 1;
    }
    // Stdout holds only the definition; what the render left to the platform is said on stderr.
    for (const f of files) for (const line of problemLines(f.name, warningsOf(f), 'warning')) ctx.err(line);
    const serialize = await serializer(options.format);
    // A value the format cannot hold (a nested mapping as dotenv) fails naming its file.
    const texts = await Promise.all(
      files.map((f) =>
        inFile(f.name, () => {
          const rendered = f.rendered as Rendered;
          // Masked before serialising: YAML folds long strings and re-quotes them, which would hide
          // a value from a redaction of the serialised text.
          return options.redact ? rendered.redact(serialize(redactStrings(rendered.value, rendered.redact))) : serialize(rendered.value);
        }),
      ),
    );
    const references = files.reduce((n, f) => n + (f.rendered?.references.length ?? 0), 0);
    const fallbacks = files.reduce((n, f) => n + (f.rendered?.fallbacks?.length ?? 0), 0);
    const counts = `${references} reference(s)${fallbacks ? `, ${fallbacks} environment fallback(s)` : ''}`;
    if (options.outDir !== undefined) {
      await writeFilesAtomic(files.map((f, i) => ({ path: f.target as string, text: texts[i] as string })));
      ctx.err(`Rendered ${files.length} file(s) → ${options.outDir} (${counts}).`);
      return 0;
    }
    const [file] = files as [FileRender];
    const count = `${counts}, dialect ${file.dialect}`;
    if (options.out !== undefined) {
      await writeFileAtomic(resolve(ctx.io.cwd, options.out), texts[0] as string);
      ctx.err(`Rendered ${file.name} → ${options.out} (${count}).`);
    } else {
      ctx.io.stdout.write(texts[0] as string);
      ctx.err(`Rendered ${file.name} (${count}).`);
    }
    return 0;
  },
});

/** JSON, or YAML (the parser is loaded only for YAML output). */
/** The rendered value as `format` writes it. */
export async function serializer(format: OutputFormat): Promise<(value: unknown) => string> {
  if (format === 'json') return (v) => `${JSON.stringify(v, null, 2)}\n`;
  if (format === 'dotenv') return (v) => formatDotenv(v);
  // yaml is CommonJS: its module object is the default export (also in the bundled CLI).
  const { default: yaml } = await import('yaml');
  return (v) => yaml.stringify(v);
}

/** A copy of `value` with `redact` applied to every string in it. */
function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redact));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: redactStrings(v, redact), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}
