/**
 * Driver errors never leave the store as they are: PostgreSQL errors can echo parameters (a value,
 * a derived key) in `message`, `detail`, `where`, and PGlite keeps the query's `params` on the
 * error object. Every error becomes a SecretrefError carrying only the SQLSTATE and text known to
 * be free of inputs; the original is dropped (not even kept as `cause`).
 */
import { SecretrefError, type ErrorCode } from '../errors.js';

/** SQLSTATE classes whose messages never contain statement parameters. */
const SAFE_MESSAGE_CLASSES = new Set(['08', '28', '3D', '3F', '40', '42', '53', '54', '55', '57', '58']);

/** Node-level network error codes meaning the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT',
]);

function field(e: unknown, name: string): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const v = (e as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** The SQLSTATE of a driver error, when it has one. */
export function sqlState(e: unknown): string | undefined {
  const code = field(e, 'code');
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Is this pgcrypto's "wrong key or corrupt data"? */
export function isDecryptFailure(e: unknown): boolean {
  const msg = field(e, 'message') ?? '';
  return sqlState(e) === '39000' && /wrong key or corrupt data|corrupt data|not text data|decrypt/i.test(msg);
}

/**
 * Converts anything a driver threw into a SecretrefError that is safe to print. `what` names the
 * operation ("create stripe_key"), never a value.
 */
export function wrapDbError(e: unknown, what: string): SecretrefError {
  if (e instanceof SecretrefError) return e;
  const state = sqlState(e);
  const wrapped = toSecretrefError(e, what, state);
  if (state !== undefined) Object.defineProperty(wrapped, 'sqlState', { value: state, enumerable: false });
  return wrapped;
}

function toSecretrefError(e: unknown, what: string, state: string | undefined): SecretrefError {
  const message = field(e, 'message') ?? '';
  if (state === undefined) {
    const code = field(e, 'code');
    // Fixed phrases only: a driver's own text may quote the connection string.
    const reason =
      code && NETWORK_CODES.has(code)
        ? code
        : /timeout|timed out/i.test(message)
          ? 'timed out'
          : /terminated|closed|ended|not queryable|connection/i.test(message)
            ? 'connection lost'
            : 'unexpected driver failure';
    return unavailable(`${what}: the database cannot be reached (${reason}).`);
  }
  if (isDecryptFailure(e)) {
    return new SecretrefError(
      'ENCRYPTION_ERROR',
      `${what}: a stored ciphertext does not decrypt for its row (wrong key, corrupt data, or a ciphertext copied from another row or tenant).`,
    );
  }
  const cls = state.slice(0, 2);
  let code: ErrorCode = 'STORE_UNAVAILABLE';
  let hint = '';
  if (state === '23505') {
    code = 'DUPLICATE_NAME';
  } else if (state === '23514' || cls === '22') {
    code = 'INVALID_INPUT';
    hint = ' The database refused a value; check the input.';
  } else if (state === '42501') {
    hint = ' The database role lacks a privilege (the store needs to own its schema, and pgcrypto must be installed or installable).';
  } else if (state === '25006') {
    hint =
      ' The database URL leads to a standby (read-only): point url (SECRETREF_DATABASE_URL) at the primary, and readUrl (SECRETREF_READ_URL) at the standby to read from it.';
  } else if (state === '57014') {
    hint = ' A statement took longer than the statement timeout.';
  } else if (cls === '08') {
    hint = poolerHint(state, message);
  }
  const text = SAFE_MESSAGE_CLASSES.has(cls) ? `: ${message.slice(0, 200)}` : '';
  return new SecretrefError(code, `${what} failed (SQLSTATE ${state}${text}).${hint}`);
}

/**
 * What a connection pooler's refusal means and what to do, by its message (PgBouncer reports its
 * own refusals as 08P01 with fixed texts; they never hold a parameter's value).
 */
const POOLER_REFUSALS: readonly { match: RegExp; hint: string }[] = [
  {
    match: /unsupported startup parameter/i,
    hint:
      ' A connection pooler (PgBouncer) refused a setting sent at connect. secretref sends none but application_name (its timeouts are set per transaction); ' +
      'remove `options` and other settings from the database URL, or add their names to ignore_startup_parameters in pgbouncer.ini.',
  },
  {
    match: /no such (database|user)/i,
    hint: ' The connection pooler has no entry for this database or user: add it to [databases] (and the user to auth_file) in pgbouncer.ini.',
  },
  {
    match: /server login has been failing|cannot connect to server|server conn crashed|no server connection/i,
    hint: ' The connection pooler cannot reach PostgreSQL behind it: check its [databases] entry and that the server is up.',
  },
  {
    match: /query_wait_timeout|no more connections allowed|max_client_conn|client_login_timeout/i,
    hint: ' The connection pooler is full: raise default_pool_size / max_client_conn in pgbouncer.ini, or lower poolSize (see docs/deployment.md for the budget).',
  },
];

/** The hint for a pooler's refusal, or '' when `message` is not one. */
function poolerHint(state: string, message: string): string {
  if (state !== '08P01' && state !== '08006' && state !== '08004') return '';
  return POOLER_REFUSALS.find((r) => r.match.test(message))?.hint ?? '';
}

export function unavailable(message: string): SecretrefError {
  return new SecretrefError('STORE_UNAVAILABLE', message);
}

/** The SQLSTATE a wrapped error came from (kept off the message, non-enumerable). */
export function errorSqlState(e: unknown): string | undefined {
  if (e instanceof SecretrefError) return (e as unknown as { sqlState?: string }).sqlState;
  return sqlState(e);
}

// Errors of the store's operations, named after what the caller asked for.

export function notFound(name: string): SecretrefError {
  return new SecretrefError('SECRET_NOT_FOUND', `No secret named ${name} exists for this developer.`, { name });
}

export function duplicateName(name: string): SecretrefError {
  return new SecretrefError(
    'DUPLICATE_NAME',
    `A secret named ${name} already exists for this developer; use update or rotate to change it.`,
    { name },
  );
}

/** ENCRYPTION_ERROR for rows encrypted under another key: names fingerprints, never keys. */
export function wrongKey(names: readonly string[], rowKeyIds: readonly string[], current: string): SecretrefError {
  const ids = [...new Set(rowKeyIds)].join(', ');
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');
  return new SecretrefError(
    'ENCRYPTION_ERROR',
    `Cannot decrypt ${shown}: encrypted with master key ${ids}, but the configured master key is ${current}. ` +
      'Set SECRETS_MASTER_KEY to the key with that fingerprint, or finish the interrupted `secretref rekey`.',
    ...(names.length === 1 && names[0] !== undefined ? [{ name: names[0] }] : []),
  );
}

/**
 * ENCRYPTION_ERROR for a write under `keyId` while the developer's rows are under `rowKeyId` (and
 * no rekey between the two is in progress): a second key would leave the rows readable by
 * neither key alone. Names fingerprints, never keys.
 */
export function otherKeyWrite(names: readonly string[], keyId: string, rowKeyId: string, rekeyKeys: readonly string[] | null): SecretrefError {
  const what = names.length === 0 ? 'this change' : names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');
  const rekey = rekeyKeys?.length ? ` (the rekey in progress is between ${rekeyKeys.join(' and ')} only)` : '';
  return new SecretrefError(
    'ENCRYPTION_ERROR',
    `Refusing to write ${what} under master key ${keyId}: this developer's secrets are encrypted with master key ${rowKeyId}${rekey}. ` +
      'Writing under a second key would leave them readable by neither key alone. Set SECRETS_MASTER_KEY to the key with ' +
      `fingerprint ${rowKeyId}, or move every secret to the new key first: \`secretref rekey --new-key-env VAR\` with the old key as SECRETS_MASTER_KEY.`,
    ...(names.length === 1 && names[0] !== undefined ? [{ name: names[0] }] : []),
  );
}

/**
 * ENCRYPTION_ERROR for rows that fail their integrity check: the HMAC over name, version, expiry
 * and policy does not match, or a row claims to be from before the binding when every row is
 * bound. Someone with write access to the database changed them; nothing of them is used.
 */
export function tampered(names: readonly string[]): SecretrefError {
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');
  return new SecretrefError(
    'ENCRYPTION_ERROR',
    `Refusing ${shown}: the stored row fails its integrity check (its name, version, expiry or usage policy was changed outside secretref, ` +
      'by someone with write access to the database but without the key). Nothing of it was used. Check the audit log, then restore the row from a backup or set the secret again.',
    ...(names.length === 1 && names[0] !== undefined && !names[0].includes(' ') ? [{ name: names[0] }] : []),
  );
}

function undecryptable(what: string, keyId: string, name?: string): SecretrefError {
  return new SecretrefError(
    'ENCRYPTION_ERROR',
    `Cannot decrypt ${what} with master key ${keyId}: the stored ciphertext does not belong to its row ` +
      '(copied from another secret or developer, or corrupted). Restore it from a backup or set it again.',
    name === undefined ? {} : { name },
  );
}

/** What a statement was about, for naming its failure. */
export interface StatementSubject {
  /** The secrets it read or wrote. */
  names?: readonly string[];
  /** The key it decrypted with. */
  keyId?: string;
  /** A unique violation means this name is taken. */
  duplicateOf?: string;
}

/**
 * A wrapped driver error of a statement, re-said in terms of its subject: a unique violation names
 * the taken name; pgcrypto's "wrong key or corrupt data" names the secret whose ciphertext does
 * not belong to its row. Anything else passes through unchanged.
 */
export function statementError(e: unknown, subject: StatementSubject): unknown {
  if (!(e instanceof SecretrefError)) return e;
  if (e.code === 'DUPLICATE_NAME' && subject.duplicateOf !== undefined) return duplicateName(subject.duplicateOf);
  const names = subject.names ?? [];
  if (e.code === 'ENCRYPTION_ERROR' && errorSqlState(e) !== undefined && names.length && subject.keyId !== undefined) {
    const single = names.length === 1 ? names[0] : undefined;
    return undecryptable(single ?? `one of ${names.length} requested secrets`, subject.keyId, single);
  }
  return e;
}
