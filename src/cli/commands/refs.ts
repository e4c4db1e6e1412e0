/** `secretref refs FILE|DIR…`: every static reference with its position; problems make exit 1. */
import { analyzeSource } from '../../syntax/index.js';
import { argList, implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { describeDialects, parseDialect, type Dialect } from '../dialect.js';
import { collectFiles, readInputs, type InputFile } from '../files.js';
import { refsFileJson, refsJson, type RefsFileJson } from '../json.js';
import { parsePairs } from '../parse-args.js';

export interface RefsOptions {
  paths: string[];
  /** Every file in this dialect; default: the project config's choice per file. */
  dialect?: Dialect;
  /** Variables the definitions may use (only the names matter). */
  vars?: string[];
}

export interface RefsResult {
  files: RefsFileJson[];
  problems: number;
}

export async function refs(options: RefsOptions, ctx: CliContext): Promise<RefsResult> {
  const files: RefsFileJson[] = [];
  let problems = 0;
  const paths = await collectFiles(options.paths, ctx.io);
  const inputs = await readInputs(paths, ctx.io);
  for (const [i, path] of paths.entries()) {
    const input = inputs[i] as InputFile;
    const dialect = ctx.dialectFor(path, options.dialect);
    const doc = analyzeSource(input.source, { filename: input.name, dialect, format: input.format, ...(options.vars ? { vars: options.vars } : {}) });
    problems += doc.problems.length;
    files.push(refsFileJson(input.name, dialect, doc));
  }
  return { files, problems };
}

export const refsCommand = implementCommand({
  toOptions: (args, flags: { dialect?: string; json?: boolean; var?: string[] }): RefsOptions & { json: boolean } => {
    const dialect = parseDialect(flags.dialect);
    const vars = Object.keys(parsePairs(flags.var, '--var') ?? {});
    return { paths: argList(args, 0), ...(dialect ? { dialect } : {}), ...(vars.length > 0 ? { vars } : {}), json: flags.json === true };
  },
  run: refs,
  report(result, options, ctx) {
    if (options.json) ctx.json(refsJson(result.files));
    else {
      for (const f of result.files) {
        for (const r of f.references) ctx.out(`${f.file}:${r.line}:${r.column}\t${r.form}\t${r.name}\t${r.path}`);
        for (const p of f.problems) ctx.err(`${f.file}:${p.line ?? 1}:${p.column ?? 1}: error ${p.code} ${p.message}`);
        for (const p of f.warnings) ctx.err(`${f.file}:${p.line ?? 1}:${p.column ?? 1}: warning ${p.code} ${p.message}`);
      }
      const names = new Set(result.files.flatMap((f) => f.references.map((r) => r.name)));
      const count = result.files.reduce((n, f) => n + f.references.length, 0);
      ctx.err(`${count} references to ${names.size} secrets in ${result.files.length} file(s)${result.problems ? `, ${result.problems} problem(s)` : ''} (${describeDialects(result.files.map((f) => f.dialect))})`);
    }
    return result.problems > 0 ? 1 : 0;
  },
});
