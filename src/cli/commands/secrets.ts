/** `secretref secrets create|list|get|update|delete|rotate|rollback`. Never a value on argv. */
import type { Command } from 'commander';
import { SecretrefError } from '../../errors.js';
import type { SecretInfo, UpdateSecretPatch } from '../../store/types.js';
import type { CliContext } from '../context.js';
import { collect, parseDuration, parseList, parsePairs, parseTime } from '../parse-args.js';
import { readSecretValue } from '../read-value.js';

interface PolicyOpts {
  description?: string;
  metadata?: string[];
  expiresAt?: string;
  allowTool?: string[];
  allowHost?: string[];
}

/** The stable JSON shape of a secret (README documents it). Never a value. */
export function secretJson(s: SecretInfo): Record<string, unknown> {
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

function policyOptions(cmd: Command): Command {
  return cmd
    .option('--description <text>', 'what the secret is for')
    .option('--metadata <key=value>', 'metadata pair (repeatable; key= removes on update)', collect)
    .option('--expires-at <time>', 'ISO date or duration from now (30d)')
    .option('--allow-tool <names>', 'only these tools may use it (comma-separated, repeatable)', collect)
    .option('--allow-host <hosts>', 'only these hosts may receive it (comma-separated, *.example.com, repeatable)', collect);
}

export function registerSecrets(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description('manage the encrypted secrets of one developer');
  const scoped = async () => (await ctx.openStore()).scope(ctx.config().developerId);

  policyOptions(
    secrets
      .command('create')
      .description('create a secret; the value is read from stdin or a hidden prompt, never argv')
      .argument('<name>')
      .option('--keep-newline', 'keep a trailing newline read from stdin'),
  ).action(async (name: string, opts: PolicyOpts & { keepNewline?: boolean }) => {
    const value = await readSecretValue(ctx, name, opts.keepNewline);
    const s = await scoped();
    const metadata = parsePairs(opts.metadata, '--metadata');
    const info = await s.create({
      name,
      value,
      ...(opts.description !== undefined ? { description: opts.description } : {}),
      ...(metadata ? { metadata } : {}),
      ...(opts.expiresAt ? { expiresAt: parseTime(opts.expiresAt, '--expires-at') } : {}),
      ...(opts.allowTool ? { allowedTools: parseList(opts.allowTool) ?? [] } : {}),
      ...(opts.allowHost ? { allowedHosts: parseList(opts.allowHost) ?? [] } : {}),
    });
    ctx.err(`Created ${info.name} (version ${info.version}, key ${info.keyId}).`);
  });

  secrets
    .command('list')
    .description('list secrets (names and metadata, never values)')
    .option('--metadata <key=value>', 'only secrets with this metadata pair (repeatable)', collect)
    .option('--prefix <prefix>', 'only names starting with this')
    .option('--json', 'machine-readable output (see README)')
    .action(async (opts: { metadata?: string[]; prefix?: string; json?: boolean }) => {
      const s = await scoped();
      const items: SecretInfo[] = [];
      let cursor: string | null = null;
      const metadata = parsePairs(opts.metadata, '--metadata');
      do {
        const page = await s.list({ limit: 1000, cursor, ...(metadata ? { metadata } : {}), ...(opts.prefix ? { prefix: opts.prefix } : {}) });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      if (opts.json) return ctx.json({ version: 1, secrets: items.map(secretJson) });
      if (items.length === 0) return ctx.err('No secrets.');
      const rows = items.map((i) => [i.name, String(i.version), i.updatedAt.toISOString().slice(0, 19) + 'Z', i.expiresAt ? i.expiresAt.toISOString().slice(0, 10) : '-', i.description ?? '']);
      printTable(ctx, ['NAME', 'VERSION', 'UPDATED', 'EXPIRES', 'DESCRIPTION'], rows);
    });

  secrets
    .command('get')
    .description('describe a secret; print its value only with --reveal')
    .argument('<name>')
    .option('--reveal', 'print the value to stdout')
    .option('--previous', 'with --reveal: the value before the last rotation, during its grace period')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { reveal?: boolean; previous?: boolean; json?: boolean }) => {
      const s = await scoped();
      const secret = await s.get(name, { reveal: Boolean(opts.reveal), previous: Boolean(opts.previous) });
      const value = opts.previous ? secret.previous?.value : secret.value;
      if (opts.json) return ctx.json({ ...secretJson(secret), ...(opts.reveal ? { value: value ?? null } : {}) });
      if (opts.reveal) {
        if (value === undefined) {
          throw new SecretrefError('INVALID_INPUT', `${name} has no previous value in its grace period (it was never rotated, or the grace period ended).`, { name });
        }
        ctx.io.stdout.write(ctx.io.stdout.isTTY ? `${value}\n` : value);
        return;
      }
      const j = secretJson(secret);
      for (const [k, v] of Object.entries(j)) ctx.out(`${k.padEnd(13)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
    });

  policyOptions(
    secrets
      .command('update')
      .description('change a secret: --value-stdin for a new value, --rename, description, metadata, expiry, policy')
      .argument('<name>')
      .option('--value-stdin', 'read a new value from stdin (or a hidden prompt)')
      .option('--keep-newline', 'keep a trailing newline read from stdin')
      .option('--rename <new-name>', 'new name')
      .option('--clear-metadata', 'remove all metadata')
      .option('--no-expiry', 'remove the expiry date')
      .option('--clear-policy', 'allow every tool and host again'),
  ).action(async (name: string, opts: PolicyOpts & { valueStdin?: boolean; keepNewline?: boolean; rename?: string; clearMetadata?: boolean; expiry?: boolean; clearPolicy?: boolean }) => {
    const patch: UpdateSecretPatch = {};
    if (opts.valueStdin) patch.value = await readSecretValue(ctx, name, opts.keepNewline);
    if (opts.rename) patch.name = opts.rename;
    if (opts.description !== undefined) patch.description = opts.description;
    const metadata = parsePairs(opts.metadata, '--metadata');
    if (opts.clearMetadata) patch.metadata = null;
    else if (metadata) patch.metadata = metadata;
    if (opts.expiresAt) patch.expiresAt = parseTime(opts.expiresAt, '--expires-at');
    if (opts.expiry === false) patch.expiresAt = null;
    if (opts.clearPolicy) {
      patch.allowedTools = null;
      patch.allowedHosts = null;
    }
    if (opts.allowTool) patch.allowedTools = parseList(opts.allowTool) ?? [];
    if (opts.allowHost) patch.allowedHosts = parseList(opts.allowHost) ?? [];
    const info = await (await scoped()).update(name, patch);
    ctx.err(`Updated ${info.name} (version ${info.version}).`);
  });

  secrets
    .command('delete')
    .description('delete a secret')
    .argument('<name>')
    .action(async (name: string) => {
      await (await scoped()).delete(name);
      ctx.err(`Deleted ${name}.`);
    });

  secrets
    .command('rotate')
    .description('replace the value (from stdin or a hidden prompt); the previous one stays readable for --grace')
    .argument('<name>')
    .option('--grace <duration>', 'how long the previous value stays readable', '24h')
    .option('--keep-newline', 'keep a trailing newline read from stdin')
    .action(async (name: string, opts: { grace: string; keepNewline?: boolean }) => {
      const graceMs = parseDuration(opts.grace, '--grace');
      const value = await readSecretValue(ctx, name, opts.keepNewline);
      const info = await (await scoped()).rotate(name, value, { graceMs });
      ctx.err(`Rotated ${info.name} to version ${info.version}; the previous value stays readable for ${opts.grace}.`);
    });

  secrets
    .command('rollback')
    .description('make the value before the last rotation current again')
    .argument('<name>')
    .action(async (name: string) => {
      const info = await (await scoped()).rollback(name);
      ctx.err(`Rolled ${info.name} back (now version ${info.version}).`);
    });
}

/** Left-aligned columns. */
export function printTable(ctx: CliContext, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  ctx.out(line(head));
  for (const r of rows) ctx.out(line(r));
}
