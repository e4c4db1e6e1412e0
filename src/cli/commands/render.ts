import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { render } from '../../render/render.js';
import { createResolver } from '../../resolve/resolver.js';
import type { CliContext } from '../context.js';
import { readInput } from '../files.js';
import { collect, parsePairs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

/**
 * `secretref render FILE`: substitutes the secrets and prints (or writes, atomically, mode 0600)
 * the rendered definition. `--plan` prints which secret each reference uses instead — never a
 * value; `--redact` prints the rendered definition with every value masked.
 */
export function registerRender(program: Command, ctx: CliContext): void {
  program
    .command('render')
    .description('render a tool definition with its secrets substituted (JSON or YAML out)')
    .argument('<file>', 'YAML/JSON file; - for stdin')
    .option('--out <file>', 'write to this file (atomically, mode 0600) instead of stdout')
    .option('--format <format>', 'json or yaml', 'json')
    .option('--environment <env>', 'use ENV_NAME when it exists, else NAME')
    .option('--tool <name>', 'the tool being rendered (default: the definition\'s top-level name)')
    .option('--var <key=value>', 'a variable the definition may use (repeatable)', collect)
    .option('--plan', 'print which secret each reference uses (no values) instead of rendering')
    .option('--redact', 'print the rendered definition with every secret value masked')
    .action(async (file: string, opts: { out?: string; format: string; environment?: string; tool?: string; var?: string[]; plan?: boolean; redact?: boolean }) => {
      if (opts.format !== 'json' && opts.format !== 'yaml') throw new UsageError(`--format takes json or yaml; got "${opts.format}".`);
      const vars = parsePairs(opts.var, '--var') ?? {};
      const input = await readInput(file === '-' ? '-' : resolve(ctx.io.cwd, file), ctx.io);
      const store = await ctx.openStore();
      const resolver = createResolver(store, { developerId: ctx.config().developerId, ...(opts.environment ? { environment: opts.environment } : {}) });
      try {
        const result = await render(input.source, {
          resolver,
          filename: input.name,
          vars,
          ...(opts.tool ? { tool: opts.tool } : {}),
          plan: Boolean(opts.plan),
        });
        if (opts.plan) {
          ctx.json({
            version: 1,
            file: input.name,
            plan: (result.plan ?? []).map((p) => ({
              reference: p.reference,
              secret: p.secret,
              path: p.path,
              line: p.range?.start.line ?? null,
              column: p.range?.start.column ?? null,
              version: p.version,
              updatedAt: p.updatedAt?.toISOString() ?? null,
              expiresAt: p.expiresAt?.toISOString() ?? null,
              keyId: p.keyId,
            })),
          });
          return;
        }
        const serialize = (v: unknown): string => (opts.format === 'yaml' ? stringify(v) : `${JSON.stringify(v, null, 2)}\n`);
        // Masked before serialising: YAML folds long strings and re-quotes them, which would hide
        // a value from a redaction of the serialised text.
        const text = opts.redact ? result.redact(serialize(redactStrings(result.value, result.redact))) : serialize(result.value);
        if (opts.out) {
          await writeFileAtomic(resolve(ctx.io.cwd, opts.out), text);
          ctx.err(`Rendered ${input.name} → ${opts.out} (${result.references.length} reference(s)).`);
        } else ctx.io.stdout.write(text);
      } finally {
        resolver.close();
      }
    });
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
