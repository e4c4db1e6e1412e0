import type { Command } from 'commander';
import { analyzeSource } from '../../syntax/document.js';
import type { CliContext } from '../context.js';
import { collectFiles, readInput } from '../files.js';

/** `secretref refs FILE|DIR…`: every static reference with its position; problems make exit 1. */
export function registerRefs(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('refs')
    .description('list the secret references of tool definitions (files or folders; - for stdin)')
    .argument('<paths...>', 'YAML/JSON files or folders')
    .option('--json', 'machine-readable output (see README)')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const files = [];
      let problems = 0;
      for (const path of await collectFiles(paths, ctx.io)) {
        const input = await readInput(path, ctx.io);
        const doc = analyzeSource(input.source, { filename: input.name });
        problems += doc.problems.length;
        files.push({
          file: input.name,
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
          problems: doc.problems.map((p) => ({ code: p.code, message: p.message, path: p.path ?? '', line: p.range?.start.line ?? null, column: p.range?.start.column ?? null })),
        });
      }
      if (opts.json) ctx.json({ version: 1, files });
      else {
        for (const f of files) {
          for (const r of f.references) ctx.out(`${f.file}:${r.line}:${r.column}\t${r.form}\t${r.name}\t${r.path}`);
          for (const p of f.problems) ctx.err(`${f.file}:${p.line ?? 1}:${p.column ?? 1}: error ${p.code} ${p.message}`);
        }
        const names = new Set(files.flatMap((f) => f.references.map((r) => r.name)));
        ctx.err(`${files.reduce((n, f) => n + f.references.length, 0)} references to ${names.size} secrets in ${files.length} file(s)${problems ? `, ${problems} problem(s)` : ''}`);
      }
      if (problems > 0) setExit(1);
    });
}
