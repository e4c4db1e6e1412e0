/**
 * `secretref render FILE`: substitutes the secrets and prints (or writes, atomically, mode 0600)
 * the rendered definition. `--plan` prints which secret each reference uses instead — never a
 * value; `--redact` prints the rendered definition with every value masked.
 */
import { resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { createResolver, formatDotenv, render as renderDefinition, type Rendered, type RenderOptions } from '../../index.js';
import { argString, defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { parseDialect, type Dialect } from '../dialect.js';
import { inFile, readInput } from '../files.js';
import { planJson } from '../json.js';
import { parsePairs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../write-atomic.js';

export interface RenderCommandOptions {
  /** A YAML/JSON file, or `-` for stdin. */
  file: string;
  format: OutputFormat;
  /** Write here (atomically, mode 0600) instead of stdout. */
  out?: string;
  /** Default: the project config's `environment`. */
  environment?: string;
  tool?: string;
  vars: Record<string, string | null>;
  plan: boolean;
  redact: boolean;
  /** Default: the project config's choice for this file. */
  dialect?: Dialect;
}

/** What `render` writes: JSON, YAML, or an environment file (a flat mapping only). */
export type OutputFormat = 'json' | 'yaml' | 'dotenv';
const OUTPUT_FORMATS: readonly string[] = ['json', 'yaml', 'dotenv'];

/** The rendered value as `format` writes it. */
export function serialize(value: unknown, format: OutputFormat): string {
  return format === 'yaml' ? toYaml(value) : format === 'dotenv' ? formatDotenv(value) : `${JSON.stringify(value, null, 2)}\n`;
}

export interface RenderResult {
  name: string;
  dialect: Dialect;
  rendered: Rendered;
}

export async function render(options: RenderCommandOptions, ctx: CliContext): Promise<RenderResult> {
  const path = options.file === '-' ? '-' : resolve(ctx.io.cwd, options.file);
  const input = await readInput(path, ctx.io);
  const dialect = ctx.dialectFor(path, options.dialect);
  const environment = ctx.environment(options.environment);
  const store = await ctx.openStore();
  const resolver = createResolver(store, { developerId: ctx.developerId(), ...(environment ? { environment } : {}) });
  try {
    const opts: RenderOptions = {
      resolver,
      filename: input.name,
      vars: options.vars,
      ...(options.tool ? { tool: options.tool } : {}),
      plan: options.plan,
      dialect,
      format: input.format,
    };
    return { name: input.name, dialect, rendered: await inFile(input.name, () => renderDefinition(input.source, opts)) };
  } finally {
    resolver.close();
  }
}

type RenderFlags = { out?: string; format: string; environment?: string; tool?: string; var?: string[]; plan?: boolean; redact?: boolean; dialect?: string };

export const renderCommand = defineCommand({
  name: 'render',
  examples: ['secretref render tools/weather.yaml --redact', 'secretref render .env.tpl --format dotenv --out .env'],
  description: 'render a tool definition or .env template with its secrets substituted (JSON, YAML or dotenv out)',
  arguments: [{ name: '<file>', description: 'YAML/JSON or environment (.env, .env.tpl) file; - for stdin' }],
  options: [
    { flags: '--out <file>', description: 'write to this file (atomically, mode 0600) instead of stdout' },
    { flags: '--format <format>', description: 'json, yaml or dotenv (a flat mapping as KEY=value lines)', default: 'json' },
    { flags: '--dialect <dialect>', description: 'secretref or julep (default: the project config file, else secretref)' },
    { flags: '--environment <env>', description: 'use ENV_NAME when it exists, else NAME' },
    { flags: '--tool <name>', description: "the tool being rendered (default: the definition's top-level name)" },
    { flags: '--var <key=value>', description: 'a variable the definition may use (repeatable)', repeatable: true },
    { flags: '--plan', description: 'print which secret each reference uses (no values) instead of rendering' },
    { flags: '--redact', description: 'print the rendered definition with every secret value masked' },
  ],
  // Never a JSON error on stdout: it could be taken for the rendered definition.
  wantsJson: () => false,
  toOptions(args, flags: RenderFlags): RenderCommandOptions {
    if (!OUTPUT_FORMATS.includes(flags.format)) throw new UsageError(`--format takes json, yaml or dotenv; got "${flags.format}".`);
    const dialect = parseDialect(flags.dialect);
    return {
      file: argString(args, 0),
      format: flags.format as OutputFormat,
      vars: parsePairs(flags.var, '--var') ?? {},
      plan: flags.plan === true,
      redact: flags.redact === true,
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
      ...(dialect ? { dialect } : {}),
    };
  },
  run: render,
  async report({ name, dialect, rendered }, options, ctx) {
    const warnings = rendered.warnings ?? [];
    if (options.plan) {
      ctx.json(planJson(name, dialect, rendered.plan ?? [], warnings));
      return 0;
    }
    // Stdout holds only the definition; what the render left to the platform is said on stderr.
    for (const w of warnings) ctx.err(`${name}:${w.range ? `${w.range.start.line}:${w.range.start.column}` : '1:1'}: warning ${w.code} ${w.message}`);
    // Masked before serialising: YAML folds long strings and re-quotes them, which would hide
    // a value from a redaction of the serialised text.
    const text = await inFile(name, () => (options.redact ? rendered.redact(serialize(redactStrings(rendered.value, rendered.redact), options.format)) : serialize(rendered.value, options.format)));
    const count = `${rendered.references.length} reference(s), dialect ${dialect}`;
    if (options.out !== undefined) {
      await writeFileAtomic(resolve(ctx.io.cwd, options.out), text);
      ctx.err(`Rendered ${name} → ${options.out} (${count}).`);
    } else {
      ctx.io.stdout.write(text);
      ctx.err(`Rendered ${name} (${count}).`);
    }
    return 0;
  },
});

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
