/**
 * The two producers of one render's `Resolution` — values in hand (`fromValues`, synchronous) and
 * a resolver's outcome (`fromOutcome`) — so that both render paths end in the same `finish`.
 */
import { SecretrefError, type Problem } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { ResolveOutcome } from '../resolve/types.js';
import type { Compiled } from './compile.js';
import type { SecretsInput } from './types.js';

/** Metadata of one resolved name, for the plan. */
export interface EntryMeta {
  secret: string;
  version: number | null;
  updatedAt: Date | null;
  expiresAt: Date | null;
  keyId: string | null;
}

/** One render's inputs after resolution, by name index. */
export interface Resolution {
  values: (string | undefined)[];
  /** Store metadata (resolver renders). */
  meta?: (EntryMeta | undefined)[];
  /** Concrete names when an environment overlay applied (renders with values in hand). */
  concrete?: string[];
  problems: Problem[];
  /** Names that had no environment overlay and used the unprefixed secret (renders with an environment). */
  fallbacks?: readonly string[];
}

/** Values this short cannot exceed maxSecretValueBytes (3 UTF-8 bytes per UTF-16 unit at most). */
const FAST_VALUE_LENGTH = Math.floor(LIMITS.maxSecretValueBytes / 3);
const hasOwn = Object.prototype.hasOwnProperty;
const readers = new WeakMap<Compiled, (secrets: Readonly<Record<string, unknown>>) => unknown[]>();

/** The resolution of values in hand (a Map, or a record whose own properties only are seen). */
export function fromValues(compiled: Compiled, secrets: SecretsInput, environment: string | undefined): Resolution {
  if (secrets === null || typeof secrets !== 'object') throw new SecretrefError('INVALID_INPUT', 'secrets must be a Map or a plain object of name → value.');
  const isMap = secrets instanceof Map;
  const names = compiled.names;
  // A plain record is read by the compiled reader straight into the values array (checked below).
  const raw = !isMap && !environment && isPlain(secrets) ? readerOf(compiled)(secrets as Readonly<Record<string, unknown>>) : undefined;
  const res: Resolution = { values: (raw as (string | undefined)[] | undefined) ?? new Array<string | undefined>(names.length), problems: [] };
  let fallbacks: string[] | undefined;
  if (environment) {
    res.concrete = [];
    res.fallbacks = fallbacks = [];
  }
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    let v: unknown;
    if (raw) v = raw[i];
    else {
      const key = environment ? concreteName(secrets, isMap, name, environment) : name;
      if (res.concrete) res.concrete[i] = key;
      v = readSecret(secrets, isMap, key);
    }
    if (v === undefined) continue;
    if (fallbacks && res.concrete?.[i] === name) fallbacks.push(name);
    res.values[i] = typeof v === 'string' && v.length <= FAST_VALUE_LENGTH ? v : checkValue(compiled, name, v, res.problems);
  }
  return res;
}

/** The resolution of a resolver's outcome: values, store metadata, and its problems at each reference. */
export function fromOutcome(compiled: Compiled, outcome: ResolveOutcome): Resolution {
  const res: Resolution = { values: [], meta: [], problems: [], ...(outcome.fallbacks ? { fallbacks: outcome.fallbacks } : {}) };
  const meta = res.meta as NonNullable<Resolution['meta']>;
  const names = compiled.names;
  names.forEach((name, i) => {
    const entry = outcome.values.get(name);
    if (!entry) return;
    res.values[i] = checkValue(compiled, name, entry.value, res.problems);
    meta[i] = { secret: entry.name, version: entry.version, updatedAt: entry.updatedAt, expiresAt: entry.expiresAt, keyId: entry.keyId };
  });
  for (const p of outcome.problems) {
    res.problems.push(...placed(compiled, p));
    // The name exists but may not be used: say that, not also "not found".
    const i = p.name === undefined ? -1 : names.indexOf(p.name);
    if (i !== -1 && res.values[i] === undefined) res.values[i] = '';
  }
  return res;
}

/**
 * A value from the caller or the resolver: a string within the size limit. Otherwise a problem
 * is recorded and '' stands in (the render fails anyway; the name is not also reported missing).
 */
function checkValue(compiled: Compiled, name: string, v: unknown, problems: Problem[]): string {
  if (typeof v !== 'string') {
    problems.push(...atReferences(compiled, name, 'INVALID_INPUT', `The value of secret "${name}" is not a string.`));
    return '';
  }
  if (v.length > FAST_VALUE_LENGTH && Buffer.byteLength(v, 'utf8') > LIMITS.maxSecretValueBytes) {
    problems.push(...atReferences(compiled, name, 'LIMIT_EXCEEDED', `The value of secret "${name}" is larger than ${LIMITS.maxSecretValueBytes} bytes (maxSecretValueBytes).`));
    return '';
  }
  return v;
}

/** A problem about a name, repeated at each reference to it (path and source offsets). */
function placed(compiled: Compiled, p: Problem): Problem[] {
  if (p.name === undefined || p.path !== undefined) return [p];
  const at = atReferences(compiled, p.name, p.code, p.message, p.suggestion);
  return at.length > 0 ? at : [p];
}

function atReferences(compiled: Compiled, name: string, code: Problem['code'], message: string, suggestion?: string): Problem[] {
  return compiled.references
    .filter((r) => r.name === name)
    .map((r) => ({ code, message, path: r.path, name, ...(r.offset ? { offset: r.offset } : {}), ...(suggestion ? { suggestion } : {}) }));
}

/** The value under `name`, or undefined; of any type when the caller broke the contract. */
function readSecret(secrets: SecretsInput, isMap: boolean, name: string): unknown {
  if (isMap) return (secrets as ReadonlyMap<string, unknown>).get(name);
  return hasOwn.call(secrets, name) ? (secrets as Readonly<Record<string, unknown>>)[name] : undefined;
}

/** The concrete name `name` resolves to in `environment`: `prod_NAME` when it exists, else `NAME`. */
function concreteName(secrets: SecretsInput, isMap: boolean, name: string, environment: string): string {
  const overlay = `${environment}_${name}`;
  return readSecret(secrets, isMap, overlay) !== undefined ? overlay : name;
}

/** Every name present (for "did you mean" suggestions; error path only). */
export function secretNames(secrets: SecretsInput): string[] {
  return secrets instanceof Map ? [...(secrets as ReadonlyMap<string, unknown>).keys()] : Object.keys(secrets);
}

/** A record whose lookups end at Object.prototype (or nowhere): what ownReader can read. */
function isPlain(secrets: object): boolean {
  const proto: unknown = Object.getPrototypeOf(secrets);
  return proto === Object.prototype || proto === null;
}

function readerOf(compiled: Compiled): (secrets: Readonly<Record<string, unknown>>) => unknown[] {
  let r = readers.get(compiled);
  if (!r) readers.set(compiled, (r = ownReader(compiled.names)));
  return r;
}

/**
 * A reader of `names` for plain records. Own properties only, as in readSecret: a value found that
 * is not the one Object.prototype holds under that key is own; only an equal one (a polluted
 * prototype, or a coincidence) pays the hasOwnProperty check. No code is generated: the renderer
 * never uses `Function`.
 */
function ownReader(names: readonly string[]): (secrets: Readonly<Record<string, unknown>>) => unknown[] {
  const proto = Object.prototype as unknown as Readonly<Record<string, unknown>>;
  return (s) => {
    const out = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const k = names[i] as string;
      const v = s[k];
      out[i] = v !== undefined && v === proto[k] && !hasOwn.call(s, k) ? undefined : v;
    }
    return out;
  };
}
