/**
 * Environment files rendered for a process (`run`, `export`): each `--env FILE` is read as a
 * dotenv template whatever its name, rendered through the library's `render` (the same path as
 * `render --format dotenv`) with one resolver, and the variables merged — a later file wins.
 * Values stay in memory; the redactors of every render are composed for masking output.
 */
import { resolve } from 'node:path';
import type { RenderOptions } from '../index.js';
import { envEntries, render } from '../render/index.js';
import { createResolver } from '../resolve/index.js';
import type { CliContext } from './context.js';
import { inFile, readInput } from './files.js';

export interface EnvFilesOptions {
  files: readonly string[];
  /** Default: the project config's `environment`. */
  environment?: string;
  tool?: string;
  vars?: Record<string, string | null>;
}

export interface RenderedEnv {
  /** Every variable, in first-set order; a later file's value replaces an earlier one. */
  vars: Map<string, string>;
  /** Masks every value any of the renders used. */
  redact(text: string): string;
  /** Each file as shown to the user, with how many variables and references it has. */
  files: { name: string; variables: number; references: number }[];
}

export async function renderEnvFiles(options: EnvFilesOptions, ctx: CliContext): Promise<RenderedEnv> {
  const environment = ctx.environment(options.environment);
  const inputs = [];
  for (const f of options.files) {
    const path = f === '-' ? '-' : resolve(ctx.io.cwd, f);
    inputs.push({ path, ...(await readInput(path, ctx.io, 'dotenv')) });
  }
  const store = await ctx.openStore();
  const resolver = createResolver(store, { developerId: ctx.developerId(), ...(environment ? { environment } : {}) });
  const vars = new Map<string, string>();
  const redactors: ((text: string) => string)[] = [];
  const files: RenderedEnv['files'] = [];
  try {
    for (const input of inputs) {
      const opts: RenderOptions = {
        resolver,
        filename: input.name,
        format: 'dotenv',
        dialect: ctx.dialectFor(input.path, undefined),
        ...(options.vars ? { vars: options.vars } : {}),
        ...(options.tool ? { tool: options.tool } : {}),
      };
      const rendered = await inFile(input.name, () => render(input.source, opts));
      const entries = await inFile(input.name, () => envEntries(rendered.value));
      for (const [k, v] of entries) vars.set(k, v);
      redactors.push(rendered.redact);
      files.push({ name: input.name, variables: entries.length, references: rendered.references.length });
    }
  } finally {
    resolver.close();
  }
  return { vars, files, redact: (text) => redactors.reduce((t, r) => r(t), text) };
}
