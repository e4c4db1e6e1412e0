/** `secretref refs FILE|DIR…`: every static reference with its position; problems make exit 1. */
import { analyzeSource } from '../../index.js';
import { argList, defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { describeDialects, parseDialect, type Dialect } from '../dialect.js';
import { collectFiles, readInput } from '../files.js';
import { problemJson, refsJson, type RefsFileJson } from '../json.js';

export interface RefsOptions {
  paths: string[];
  /** Every file in this dialect; default: the project config's choice per file. */
  dialect?: Dialect;
}

export interface RefsResult {
  files: RefsFileJson[];
  problems: number;
}

export async function refs(options: RefsOptions, ctx: CliContext): Promise<RefsResult> {
  const files: RefsFileJson[] = [];
  let problems = 0;
  for (const path of await collectFiles(options.paths, ctx.io)) {
    const input = await readInput(path, ctx.io);
    const dialect = ctx.dialectFor(path, options.dialect);
    const doc = analyzeSource(input.source, { filename: input.name, dialect, format: input.format });
    problems += doc.problems.length;
    files.push({
      file: input.name,
      dialect,
      references: doc.references.map((r) => ({
        name: r.name,
        form: r.form,
        path: r.path,
        line: r.range?.start.line ?? null,
        column: r.range?.start.column ?? null,
        endLine: r.range?.end.line ?? null,
        endColumn: r.range?.end.column ?? null,
        optional: r.optional,
        context: r.context,
      })),
      problems: doc.problems.map(problemJson),
      warnings: doc.warnings.map(problemJson),
    });
  }
  return { files, problems };
}

export const refsCommand = defineCommand({
  name: 'refs',
  examples: ['secretref refs tools/', 'secretref refs .env.tpl --json'],
  env: [],
  description: 'list the secret references of tool definitions (files or folders; - for stdin)',
  arguments: [{ name: '<paths...>', description: 'YAML/JSON/.env files or folders' }],
  options: [
    { flags: '--dialect <dialect>', description: 'secretref or julep (default: the project config file, else secretref)' },
    { flags: '--json', description: 'machine-readable output (docs/cli.md)' },
  ],
  toOptions: (args, flags: { dialect?: string; json?: boolean }): RefsOptions & { json: boolean } => {
    const dialect = parseDialect(flags.dialect);
    return { paths: argList(args, 0), ...(dialect ? { dialect } : {}), json: flags.json === true };
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
