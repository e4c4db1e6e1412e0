/**
 * The zod schemas of the store's structured inputs (create, import, update, list, audit): loaded
 * by the first operation that takes one, never by a resolution (start-up time of a render).
 * Failures list every problem, naming fields, never values.
 */
import { z } from 'zod';
import { SecretrefError, type Problem } from '../errors.js';
import { INTERNAL_LIMITS, LIMITS } from '../limits.js';
import { STORE_LIMITS } from './store-limits.js';
import type { SecretChange } from './statements.js';
import type { AuditQuery, CreateSecretInput, ImportSecretInput, ImportSecretOptions, ListNamesOptions, ListOptions, UpdateSecretPatch } from './types.js';
import { checkName, checkValue, decodeCursor, storable } from './validate.js';

const safeText = z.string().refine(storable, 'contains a NUL character or an unpaired surrogate');

/** JSON value without NUL or lone surrogates anywhere (jsonb cannot store \u0000). */
const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number().finite(), safeText, z.array(jsonValue), z.record(safeText, jsonValue)]),
);

const metadataSchema = z
  .record(safeText, jsonValue)
  .refine((m) => Buffer.byteLength(JSON.stringify(m), 'utf8') <= STORE_LIMITS.maxMetadataBytes, {
    message: `is larger than ${STORE_LIMITS.maxMetadataBytes} bytes as JSON`,
  });

const dateSchema = z.union([z.date(), z.iso.datetime({ offset: true }), z.iso.date()]).transform((d, ctx) => {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid date' });
    return z.NEVER;
  }
  return date;
});

const policySchema = z
  .array(safeText.pipe(z.string().min(1).max(STORE_LIMITS.maxPolicyEntryLength)))
  .max(STORE_LIMITS.maxPolicyEntries);

const descriptionSchema = safeText.pipe(z.string().max(STORE_LIMITS.maxDescriptionLength));

const createSchema = z.strictObject({
  name: z.unknown(),
  value: z.unknown(),
  description: descriptionSchema.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
  expiresAt: dateSchema.nullable().optional(),
  allowedTools: policySchema.nullable().optional(),
  allowedHosts: policySchema.nullable().optional(),
});

const importSchema = z.strictObject({
  name: z.unknown(),
  value: z.unknown(),
  description: descriptionSchema.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
  createdAt: dateSchema.optional(),
  updatedAt: dateSchema.optional(),
});

const updateSchema = z.strictObject({
  value: z.unknown().optional(),
  name: z.unknown().optional(),
  description: descriptionSchema.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
  expiresAt: dateSchema.nullable().optional(),
  allowedTools: policySchema.nullable().optional(),
  allowedHosts: policySchema.nullable().optional(),
});

const listSchema = z.strictObject({
  metadata: metadataSchema.optional(),
  prefix: z.string().max(LIMITS.maxNameLength).regex(/^[A-Za-z0-9_]*$/).optional(),
  limit: z.number().int().min(1).max(STORE_LIMITS.maxListLimit).optional(),
  cursor: z.string().max(1024).nullable().optional(),
});

const auditSchema = z.strictObject({
  name: z.string().optional(),
  since: dateSchema.optional(),
  limit: z.number().int().min(1).max(STORE_LIMITS.maxAuditLimit).optional(),
});

/** Parses with zod; failures become one INVALID_INPUT listing every problem (never the input). */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input ?? {}, { reportInput: false });
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const path = i.path.length ? `/${i.path.map(String).join('/')}` : '';
    return {
      code: 'INVALID_INPUT' as const,
      message: `${what}${path ? ` ${path.slice(1)}` : ''}: ${i.message}`,
      ...(path ? { path } : {}),
    };
  });
  throw SecretrefError.fromProblems(problems);
}

export interface ParsedCreate {
  name: string;
  value: string;
  description: string | null;
  metadata: Record<string, unknown>;
  expiresAt: Date | null;
  allowedTools: string[] | null;
  allowedHosts: string[] | null;
}

/** The problems `check` throws, or none. */
function problemsOf(check: () => unknown): Problem[] {
  try {
    check();
    return [];
  } catch (e) {
    if (e instanceof SecretrefError) return [...e.problems];
    throw e;
  }
}

/** Parses a secret's fields and checks its name and value; one error lists every problem. */
function parseSecret<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> & { name: string; value: string } {
  const raw = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  let parsed: z.output<S> | undefined;
  const problems = [
    ...problemsOf(() => (parsed = parse(schema, input, what))),
    ...(raw ? [...problemsOf(() => checkName(raw.name)), ...problemsOf(() => checkValue(raw.value))] : []),
  ];
  if (problems.length || parsed === undefined) throw SecretrefError.fromProblems(problems);
  return parsed as z.output<S> & { name: string; value: string };
}

export function parseCreate(input: CreateSecretInput): ParsedCreate {
  const p = parseSecret(createSchema, input, 'create');
  return {
    name: p.name,
    value: p.value,
    description: p.description ?? null,
    metadata: (p.metadata ?? {}) as Record<string, unknown>,
    expiresAt: p.expiresAt ?? null,
    allowedTools: p.allowedTools ?? null,
    allowedHosts: p.allowedHosts ?? null,
  };
}

export interface ParsedImport {
  name: string;
  value: string;
  description: string | null;
  /** Julep's NULL metadata means "none": the empty object, secretref's "none". */
  metadata: Record<string, unknown>;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** Checks every field of an imported secret at once: one error lists all its problems. */
export function parseImport(input: ImportSecretInput): ParsedImport {
  const p = parseSecret(importSchema, input, 'import');
  return {
    name: p.name,
    value: p.value,
    description: p.description ?? null,
    metadata: (p.metadata ?? {}) as Record<string, unknown>,
    createdAt: p.createdAt ?? null,
    updatedAt: p.updatedAt ?? null,
  };
}

const importOptionsSchema = z.strictObject({
  source: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a short lower-case name such as julep'),
  overwrite: z.boolean().optional(),
});

export function parseImportOptions(opts: ImportSecretOptions): { source: string; overwrite: boolean } {
  const p = parse(importOptionsSchema, opts, 'import options');
  return { source: p.source, overwrite: p.overwrite ?? false };
}

const listNamesSchema = z.strictObject({
  prefix: z.string().max(LIMITS.maxNameLength).regex(/^[A-Za-z0-9_]*$/).optional(),
  max: z.number().int().min(1).max(INTERNAL_LIMITS.listNamesMax).optional(),
  lengths: z
    .strictObject({ min: z.number().int().min(1).max(LIMITS.maxNameLength), max: z.number().int().min(1).max(LIMITS.maxNameLength) })
    .refine((l) => l.min <= l.max, { message: 'lengths.min must not exceed lengths.max' })
    .optional(),
});

export function parseListNames(opts: ListNamesOptions | undefined): { prefix: string; max: number; lengths: { min: number; max: number } | null } {
  const p = parse(listNamesSchema, opts, 'listNames');
  return { prefix: p.prefix ?? '', max: p.max ?? INTERNAL_LIMITS.listNamesMax, lengths: p.lengths ?? null };
}

export type ParsedUpdate = {
  value?: string;
  name?: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  expiresAt?: Date | null;
  allowedTools?: string[] | null;
  allowedHosts?: string[] | null;
};

export function parseUpdate(patch: UpdateSecretPatch): ParsedUpdate {
  const p = parse(updateSchema, patch, 'update');
  const out: ParsedUpdate = {};
  if (p.value !== undefined) out.value = checkValue(p.value);
  if (p.name !== undefined) out.name = checkName(p.name, 'new name');
  if (p.description !== undefined) out.description = p.description;
  if (p.metadata !== undefined) out.metadata = p.metadata as Record<string, unknown> | null;
  if (p.expiresAt !== undefined) out.expiresAt = p.expiresAt;
  if (p.allowedTools !== undefined) out.allowedTools = p.allowedTools;
  if (p.allowedHosts !== undefined) out.allowedHosts = p.allowedHosts;
  return out;
}

/** What `update(name, patch)` changes, in the terms of `updateSecret`; `sameName`: a rename to itself. */
export function parseChange(name: string, patch: UpdateSecretPatch): { change: SecretChange; rename?: string; sameName: boolean } {
  const { name: newName, metadata, ...rest } = parseUpdate(patch);
  const rename = newName !== undefined && newName !== name ? newName : undefined;
  const change: SecretChange = { ...rest, ...(rename !== undefined ? { rename } : {}) };
  if (metadata === null) change.metadata = { replace: {} };
  else if (metadata !== undefined) {
    const entries = Object.entries(metadata);
    change.metadata = { merge: Object.fromEntries(entries.filter(([, x]) => x !== null)), remove: entries.filter(([, x]) => x === null).map(([k]) => k) };
  }
  return { change, ...(rename !== undefined ? { rename } : {}), sameName: newName === name };
}

/** Default grace period of `rotate`. */
export function parseList(opts: ListOptions | undefined): {
  metadata: Record<string, unknown> | null;
  prefix: string;
  limit: number;
  after: string | null;
} {
  const p = parse(listSchema, opts, 'list');
  return {
    metadata: (p.metadata as Record<string, unknown> | undefined) ?? null,
    prefix: p.prefix ?? '',
    limit: p.limit ?? STORE_LIMITS.defaultListLimit,
    after: p.cursor ? decodeCursor(p.cursor) : null,
  };
}

export function parseAudit(q: AuditQuery | undefined): { name: string | null; since: Date | null; limit: number } {
  const p = parse(auditSchema, q, 'audit');
  return {
    name: p.name === undefined ? null : checkName(p.name),
    since: p.since ?? null,
    limit: p.limit ?? STORE_LIMITS.defaultAuditLimit,
  };
}

