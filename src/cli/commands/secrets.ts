/** `secretref secrets create|list|get|update|delete|rotate|rollback`. Never a value on argv. */
import { isSecretrefError, SecretrefError } from '../../core.js';
import type { CreateSecretInput, ScopedStore, Secret, SecretInfo, UpdateSecretPatch } from '../../index.js';
import { createResolver } from '../../resolve/index.js';
import { argString, implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { secretGetJson, secretJson, secretsListJson } from '../json.js';
import { parseDuration, parseList, parsePairs, parseTime } from '../parse-args.js';
import { readSecretValue } from '../read-value.js';
import { printTable } from '../table-text.js';

async function scoped(ctx: CliContext): Promise<ScopedStore> {
  return (await ctx.openStore()).scope(ctx.developerId());
}

/** Every secret of the developer matching the filters (paged through). Never values. */
async function listAll(s: ScopedStore, filter: { metadata?: Record<string, string | null>; prefix?: string }): Promise<SecretInfo[]> {
  const items: SecretInfo[] = [];
  let cursor: string | null = null;
  do {
    const page = await s.list({ limit: 1000, cursor, ...(filter.metadata ? { metadata: filter.metadata } : {}), ...(filter.prefix ? { prefix: filter.prefix } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

type PolicyFlags = { description?: string; metadata?: string[]; expiresAt?: string; allowTool?: string[]; allowHost?: string[] };


// ── create ──────────────────────────────────────────────────────────────────────────────────

export interface CreateOptions extends Omit<CreateSecretInput, 'value'> {
  /** Keep one trailing newline of a value read from stdin. */
  keepNewline: boolean;
}

/** Creates a secret; the value comes from stdin or a hidden prompt, never from the options. */
export async function secretsCreate(options: CreateOptions, ctx: CliContext): Promise<SecretInfo> {
  const { keepNewline, ...input } = options;
  const value = await readSecretValue(ctx, input.name, keepNewline);
  return (await scoped(ctx)).create({ ...input, value });
}

export const createCommand = implementCommand({
  toOptions(args, flags: PolicyFlags & { keepNewline?: boolean }): CreateOptions {
    const metadata = parsePairs(flags.metadata, '--metadata');
    return {
      name: argString(args, 0),
      keepNewline: flags.keepNewline === true,
      ...(flags.description !== undefined ? { description: flags.description } : {}),
      ...(metadata ? { metadata } : {}),
      ...(flags.expiresAt ? { expiresAt: parseTime(flags.expiresAt, '--expires-at') } : {}),
      ...(flags.allowTool ? { allowedTools: parseList(flags.allowTool) ?? [] } : {}),
      ...(flags.allowHost ? { allowedHosts: parseList(flags.allowHost) ?? [] } : {}),
    };
  },
  run: secretsCreate,
  report(info, _options, ctx) {
    ctx.err(`Created ${info.name} (version ${info.version}, key ${info.keyId}).`);
    return 0;
  },
});

// ── list ────────────────────────────────────────────────────────────────────────────────────

export interface ListCommandOptions {
  metadata?: Record<string, string | null>;
  prefix?: string;
}

export async function secretsList(options: ListCommandOptions, ctx: CliContext): Promise<SecretInfo[]> {
  // Names and descriptions only: an embedded store boots without pgcrypto.
  return listAll((await ctx.openStore({ decrypts: false })).scope(ctx.developerId()), options);
}

export const listCommand = implementCommand({
  toOptions(_args, flags: { metadata?: string[]; prefix?: string; json?: boolean }): ListCommandOptions & { json: boolean } {
    const metadata = parsePairs(flags.metadata, '--metadata');
    return { ...(metadata ? { metadata } : {}), ...(flags.prefix ? { prefix: flags.prefix } : {}), json: flags.json === true };
  },
  run: secretsList,
  report(items, options, ctx) {
    if (options.json) ctx.json(secretsListJson(items));
    else if (items.length === 0) ctx.err('No secrets.');
    else {
      const rows = items.map((i) => [i.name, String(i.version), i.updatedAt.toISOString().slice(0, 19) + 'Z', i.expiresAt ? i.expiresAt.toISOString().slice(0, 10) : '-', metadataText(i.metadata), i.description ?? '']);
      printTable(ctx, ['NAME', 'VERSION', 'UPDATED', 'EXPIRES', 'METADATA', 'DESCRIPTION'], rows);
    }
    return 0;
  },
});

/** Metadata as `k=v,k=v` (keys sorted; non-string values as JSON), `-` when there is none. */
function metadataText(m: Record<string, unknown>): string {
  const pairs = Object.keys(m)
    .sort()
    .map((k) => `${k}=${typeof m[k] === 'string' ? (m[k] as string) : JSON.stringify(m[k])}`);
  return pairs.length === 0 ? '-' : pairs.join(',');
}

// ── get ─────────────────────────────────────────────────────────────────────────────────────

export interface GetCommandOptions {
  name: string;
  /** Return the value (audited as `reveal`). */
  reveal: boolean;
  /** With `reveal`: the value before the last rotation, during its grace period. */
  previous: boolean;
}

export interface GetResult {
  secret: Secret;
  /** With `reveal`: the value asked for, or undefined when there is none (no previous value). */
  value: string | undefined;
}

export async function secretsGet(options: GetCommandOptions, ctx: CliContext): Promise<GetResult> {
  let secret: Secret;
  try {
    secret = await (await scoped(ctx)).get(options.name, { reveal: options.reveal, previous: options.previous });
  } catch (e) {
    throw isSecretrefError(e) && e.code === 'SECRET_NOT_FOUND' ? await withSuggestion(e, options.name, ctx) : e;
  }
  return { secret, value: options.previous ? secret.previous?.value : secret.value };
}

/** SECRET_NOT_FOUND with the closest existing name (the resolver's suggestions: names only). */
async function withSuggestion(e: SecretrefError, name: string, ctx: CliContext): Promise<SecretrefError> {
  const resolver = createResolver(await ctx.openStore(), { developerId: ctx.developerId() });
  try {
    const best = (await resolver.suggest([name])).get(name)?.[0];
    return best === undefined ? e : new SecretrefError(e.code, e.message, { name, suggestion: best });
  } catch {
    return e; // a suggestion is a courtesy; the error itself matters more
  } finally {
    resolver.close();
  }
}

/** The `previous` line of `secrets get`: the version a rotation replaced, while it is still readable. */
function previousLine(s: SecretInfo): string {
  return s.previous ? `version ${s.previous.version}, readable until ${s.previous.validUntil.toISOString()} (in its grace period)` : 'none in a grace period';
}

export const getCommand = implementCommand({
  toOptions: (args, flags: { reveal?: boolean; previous?: boolean; json?: boolean }): GetCommandOptions & { json: boolean } => ({
    name: argString(args, 0),
    reveal: flags.reveal === true,
    previous: flags.previous === true,
    json: flags.json === true,
  }),
  run: secretsGet,
  report({ secret, value }, options, ctx) {
    if (options.json) {
      ctx.json(secretGetJson(secret, options.reveal ? { value: value ?? null } : undefined));
      return 0;
    }
    if (options.reveal) {
      if (value === undefined) {
        throw new SecretrefError('INVALID_INPUT', `${options.name} has no previous value in its grace period (it was never rotated, or the grace period ended).`, { name: options.name });
      }
      ctx.io.stdout.write(ctx.io.stdout.isTTY ? `${value}\n` : value);
      return 0;
    }
    for (const [k, v] of Object.entries(secretJson(secret))) ctx.out(`${k.padEnd(13)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
    ctx.out(`${'previous'.padEnd(13)} ${previousLine(secret)}`);
    return 0;
  },
});

// ── update ──────────────────────────────────────────────────────────────────────────────────

export interface UpdateCommandOptions {
  name: string;
  /** Every change except the value; `readValue` reads a new value from stdin or a hidden prompt. */
  patch: Omit<UpdateSecretPatch, 'value'>;
  readValue: boolean;
  keepNewline: boolean;
}

export async function secretsUpdate(options: UpdateCommandOptions, ctx: CliContext): Promise<SecretInfo> {
  const patch: UpdateSecretPatch = { ...options.patch };
  if (options.readValue) patch.value = await readSecretValue(ctx, options.name, options.keepNewline);
  return (await scoped(ctx)).update(options.name, patch);
}

type UpdateFlags = PolicyFlags & { valueStdin?: boolean; keepNewline?: boolean; rename?: string; clearMetadata?: boolean; expiry?: boolean; clearPolicy?: boolean };

export const updateCommand = implementCommand({
  toOptions(args, flags: UpdateFlags): UpdateCommandOptions {
    const patch: Omit<UpdateSecretPatch, 'value'> = {};
    if (flags.rename) patch.name = flags.rename;
    if (flags.description !== undefined) patch.description = flags.description;
    const metadata = parsePairs(flags.metadata, '--metadata');
    if (flags.clearMetadata) patch.metadata = null;
    else if (metadata) patch.metadata = metadata;
    if (flags.expiresAt) patch.expiresAt = parseTime(flags.expiresAt, '--expires-at');
    if (flags.expiry === false) patch.expiresAt = null;
    if (flags.clearPolicy) {
      patch.allowedTools = null;
      patch.allowedHosts = null;
    }
    if (flags.allowTool) patch.allowedTools = parseList(flags.allowTool) ?? [];
    if (flags.allowHost) patch.allowedHosts = parseList(flags.allowHost) ?? [];
    return { name: argString(args, 0), patch, readValue: flags.valueStdin === true, keepNewline: flags.keepNewline === true };
  },
  run: secretsUpdate,
  report(info, _options, ctx) {
    ctx.err(`Updated ${info.name} (version ${info.version}).`);
    return 0;
  },
});

// ── delete, rotate, rollback ────────────────────────────────────────────────────────────────

export async function secretsDelete(options: { name: string }, ctx: CliContext): Promise<string> {
  await (await scoped(ctx)).delete(options.name);
  return options.name;
}

export const deleteCommand = implementCommand({
  toOptions: (args) => ({ name: argString(args, 0) }),
  run: secretsDelete,
  report(name, _options, ctx) {
    ctx.err(`Deleted ${name}.`);
    return 0;
  },
});

export interface RotateCommandOptions {
  name: string;
  /** How long the previous value stays readable. */
  graceMs: number;
  keepNewline: boolean;
}

/** Replaces the value (read from stdin or a hidden prompt); the previous one stays readable for `graceMs`. */
export async function secretsRotate(options: RotateCommandOptions, ctx: CliContext): Promise<SecretInfo> {
  const value = await readSecretValue(ctx, options.name, options.keepNewline);
  return (await scoped(ctx)).rotate(options.name, value, { graceMs: options.graceMs });
}

export const rotateCommand = implementCommand({
  toOptions: (args, flags: { grace: string; keepNewline?: boolean }): RotateCommandOptions & { grace: string } => ({
    name: argString(args, 0),
    grace: flags.grace,
    graceMs: parseDuration(flags.grace, '--grace'),
    keepNewline: flags.keepNewline === true,
  }),
  run: secretsRotate,
  report(info, options, ctx) {
    ctx.err(`Rotated ${info.name} to version ${info.version}; the previous value stays readable for ${options.grace}.`);
    return 0;
  },
});

export async function secretsRollback(options: { name: string }, ctx: CliContext): Promise<SecretInfo> {
  return (await scoped(ctx)).rollback(options.name);
}

export const rollbackCommand = implementCommand({
  toOptions: (args) => ({ name: argString(args, 0) }),
  run: secretsRollback,
  report(info, _options, ctx) {
    ctx.err(`Rolled ${info.name} back (now version ${info.version}).`);
    return 0;
  },
});
