/**
 * The commands are plain functions `(options, context) → result`, registered from one table:
 * the argv layer registers exactly the table's commands, and a command runs without argv.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/argv.js';
import { COMMANDS } from '../../src/cli/command-table.js';
import { refs } from '../../src/cli/commands/refs.js';
import { lint } from '../../src/cli/commands/lint.js';
import { CliContext } from '../../src/cli/context.js';
import type { Io } from '../../src/cli/io.js';
import { cli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');

function io(): Io & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => out.push(s) },
    stdinIsTTY: false,
    readStdin: async () => '',
    promptHidden: async () => '',
    confirm: async () => false,
    env: {},
    cwd: ROOT,
  };
}

/** Every command path the commander program has, `secrets create` style. */
function paths(c: { name(): string; commands: readonly unknown[] }, prefix = ''): string[] {
  return (c.commands as { name(): string; commands: readonly unknown[] }[]).flatMap((sub) => {
    const p = `${prefix}${sub.name()}`;
    return sub.commands.length ? paths(sub, `${p} `) : [p];
  });
}

describe('the command table', () => {
  it('is the only list: the program has exactly its commands, each once', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const ctx = new CliContext(io(), () => ({}));
    const program = buildProgram(ctx, io(), { json: false, exitCode: 0 });
    expect(paths(program).sort()).toEqual([...names].sort());
  });

  it('every command is listed by --help', async () => {
    const top = await cli(['--help']);
    for (const name of COMMANDS.map((c) => c.name)) {
      const words = name.split(' ');
      const help = words.length > 1 ? (await cli([words[0] as string, '--help'])).stdout : top.stdout;
      expect(help, name).toMatch(new RegExp(`^  ${words[words.length - 1]}\\b`, 'm'));
    }
  });
});

describe('commands as functions', () => {
  it('refs(options, ctx) returns the references per file, with the dialect, and prints nothing', async () => {
    const fake = io();
    const ctx = new CliContext(fake, () => ({ config: false }));
    await ctx.prepare();
    const result = await refs({ paths: ['fixtures/tools/stripe-create-charge.yaml'], dialect: 'julep' }, ctx);
    expect(result.problems).toBe(0);
    expect(result.files).toHaveLength(1);
    expect(result.files[0]?.dialect).toBe('julep');
    expect(result.files[0]?.references.map((r) => r.name)).toEqual(['stripe_api_key', 'stripe_idempotency_prefix']);
    expect(fake.out).toEqual([]);
  });

  it('lint(options, ctx) offline returns diagnostics as data', async () => {
    const ctx = new CliContext(io(), () => ({ config: false }));
    await ctx.prepare();
    const result = await lint({ paths: ['fixtures/broken/broken-tool.yaml'], format: 'text', offline: true, expiringWithinDays: 14 }, ctx);
    expect(result.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['REFERENCE_DYNAMIC', 'UNSAFE_TEMPLATE']));
    expect(result.files).toEqual([{ file: 'fixtures/broken/broken-tool.yaml', dialect: 'secretref' }]);
  });
});
