/**
 * `secretref doctor`: checks the master key, the database, pgcrypto, migrations and that the key
 * opens this developer's rows; says what to do for each failure. Exit 1 when any check fails.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LATEST_VERSION, isSecretrefError, keyFingerprint, masterKeyWeakness, type SecretInfo, type Store } from '../../index.js';
import { implementCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { doctorJson, type Check } from '../json.js';

/** A check that passed with something the user should know: printed `warn`, exit code unchanged. */
interface DoctorCheck extends Check {
  warn?: true;
}

type FolderModesReport = NonNullable<ReturnType<NonNullable<Store['folderModes']>>>;
type RoleReport = Awaited<ReturnType<NonNullable<Store['roles']>>>;
type ConnectionBudget = Awaited<ReturnType<NonNullable<Store['connectionBudget']>>>;

/** Whether a resolver in a process of this configuration hears of changes made elsewhere (the store's probe). */
async function notificationsCheck(store: Store): Promise<DoctorCheck | undefined> {
  const name = 'notifications';
  if (!store.notifications) return undefined;
  if (store.backend === 'embedded' && store.notifications().state === 'local') return { name, ok: true, detail: 'embedded: every writer is in this process; caches are invalidated at once' };
  const unsubscribe = store.subscribe(() => undefined);
  try {
    await store.listening();
    const n = store.notifications();
    if (n.state === 'verified') {
      return { name, ok: true, detail: `verified: a probe sent through the database URL arrived on the LISTEN connection in ${n.probeMs ?? '?'} ms; caches are trusted for their TTL` };
    }
    const why =
      n.state === 'standby'
        ? 'the notify URL leads to a standby, which cannot LISTEN'
        : n.state === 'unverified'
          ? 'a probe sent through the database URL did not arrive on the LISTEN connection (a transaction pooler drops notifications)'
          : 'the LISTEN connection could not be opened';
    return {
      name,
      ok: true,
      warn: true,
      detail: `${n.state}: ${why}; resolvers trust their caches for 1 s only, so every cold read goes to the database`,
      fix: 'Set SECRETREF_NOTIFY_URL (openStore notifyUrl) to the primary directly, or to a session-mode pool; see docs/deployment.md.',
    };
  } finally {
    unsubscribe();
  }
}

/** The connections one process of this configuration may open, against what the server allows. */
function budgetCheck(b: ConnectionBudget): DoctorCheck {
  const name = 'connections';
  if (b.backend === 'embedded') return { name, ok: true, detail: 'embedded PGlite: no database connections (one process holds the data folder)' };
  const parts = [`${b.pool} pooled (poolSize)`, `${b.listen} LISTEN (${b.listenTo === 'notifyUrl' ? 'SECRETREF_NOTIFY_URL' : 'the database URL'})`];
  if (b.maintenance) parts.push(`${b.maintenance} maintenance`);
  if (b.read) parts.push(`${b.read} pooled reads on the standby (SECRETREF_READ_URL)`);
  const per = `up to ${b.total} per process: ${parts.join(' + ')}`;
  if (b.serverMaxConnections === null) return { name, ok: true, detail: per };
  const usable = b.serverMaxConnections - (b.serverReserved ?? 0);
  // The read pool's connections are the standby's (its max_connections is at least the primary's).
  const primary = b.read ? `; ${b.onPrimary} of them on the primary, which` : '; the server';
  const detail = `${per}${primary} allows ${usable} (max_connections ${b.serverMaxConnections} − ${b.serverReserved ?? 0} reserved), ${b.serverInUse ?? '?'} open now, room for ${Math.floor(usable / b.onPrimary)} such processes without a pooler`;
  if (b.onPrimary > usable) {
    return { name, ok: false, detail, fix: 'Lower poolSize (SECRETREF_POOL_SIZE) or raise max_connections on the server; see docs/deployment.md.' };
  }
  return { name, ok: true, detail };
}

/**
 * With `readUrl`: where the reads doctor made went, and the audit records of standby reads still
 * on their way to the primary (after a flush, so what is left could not be written).
 */
async function replicaCheck(store: Store): Promise<DoctorCheck | undefined> {
  const name = 'read replica';
  const r = store.stats().replica;
  if (!r || !store.readReplica) return undefined;
  let where: string;
  try {
    const s = await store.readReplica();
    where = s === null ? '' : s.standby ? `a standby ${s.bytesBehind ?? '?'} WAL bytes behind the primary; ` : 'a primary (reads there are audited in the read itself); ';
  } catch (e) {
    return { name, ok: false, detail: `SECRETREF_READ_URL cannot be reached: ${isSecretrefError(e) ? e.message : 'failed'}`, fix: 'Check SECRETREF_READ_URL; reads go to the primary meanwhile.' };
  }
  const audit = `audit of standby reads: ${r.audit.written} written to the primary, ${r.audit.pending} waiting, ${r.audit.dropped} lost, ${r.audit.refused} reads refused (buffer full)`;
  if (r.reads.replica === 0) {
    return {
      name,
      ok: true,
      warn: true,
      detail: `${where}${r.reads.primary} read(s) went to the primary and none to SECRETREF_READ_URL (${r.reads.replicaErrors ? 'it could not be reached' : 'it had not replayed in time, or notifications are not verified'}); ${audit}`,
      fix: 'Check that SECRETREF_READ_URL reaches a streaming standby of the primary and that notifications are verified (see the notifications check); see docs/deployment.md.',
    };
  }
  const detail = `${where}${r.reads.replica} read(s) on the standby (SECRETREF_READ_URL), ${r.reads.primary} on the primary; ${audit}`;
  if (r.audit.pending > 0 || r.audit.dropped > 0) return { name, ok: false, detail, fix: 'The primary (SECRETREF_DATABASE_URL) does not take the audit records: check that it is reachable and writable.' };
  return { name, ok: true, detail };
}

/** The embedded data folder's modes: as the store found them at open (it tightens them then), and now. */
function modesCheck(r: FolderModesReport): DoctorCheck {
  const name = 'file modes';
  const loose = r.now.looseFolders + r.now.looseFiles;
  if (loose > 0) {
    return {
      name,
      ok: false,
      detail: `${loose} folder(s) or file(s) of ${r.folder} are not 0700/0600 and could not be changed`,
      fix: `Make the data folder yours and private: chown -R "$(id -u)" ${r.folder} && chmod -R go-rwx ${r.folder}`,
    };
  }
  if (r.atOpen.exposed) {
    return {
      name,
      ok: true,
      warn: true,
      detail: `data folder was 0${(r.atOpen.folderMode ?? 0).toString(8)} (open to other users) with ${r.atOpen.looseFiles} file(s) not 0600; tightened now to 0700/0600`,
      fix: 'If other users can log in to this machine, rotate the secrets (secretref secrets rotate NAME).',
    };
  }
  return { name, ok: true, detail: `data folder 0700, files 0600 (${r.folder})` };
}

/** What the application's database role can do past row-level security. */
function roleCheck(r: RoleReport): DoctorCheck {
  const name = 'database role';
  if (r.backend === 'embedded') {
    return {
      name,
      ok: true,
      detail: 'embedded PGlite: its only role is a local superuser, so row-level security does not apply; the data folder\'s modes (see file modes) keep other users out',
    };
  }
  const fix =
    'Connect the application as a role that is not a superuser, has no BYPASSRLS and does not own the schema; run migrations and rekey as the owner through SECRETREF_MAINTENANCE_DATABASE_URL (secretref then grants the application role what it needs).';
  if (r.superuser || r.bypassRls) {
    const what = r.superuser ? 'a superuser' : 'a role with BYPASSRLS';
    return { name, ok: true, warn: true, detail: `connected as ${r.role}, ${what}: it bypasses row-level security silently, so only the application's own WHERE keeps developers apart`, fix };
  }
  if (r.ownsTables) {
    return {
      name,
      ok: true,
      warn: true,
      detail: `the application role ${r.role} owns the store's tables: row-level security and the append-only audit hold against mistakes, not against this role (an owner can lift them)`,
      fix,
    };
  }
  const maintenance = r.maintenanceRole ? `; maintenance runs as ${r.maintenanceRole}` : '';
  return { name, ok: true, detail: `application role ${r.role}: not a superuser, no BYPASSRLS, does not own the tables${maintenance}` };
}

export async function doctor(_options: unknown, ctx: CliContext): Promise<DoctorCheck[]> {
  return [...(await storeChecks(ctx)), ...(await frontEndChecks(ctx))];
}

/** `secretref serve` and `secretref lsp`: their modules load, and what they would use here. */
async function frontEndChecks(ctx: CliContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const env = ctx.io.env;
  try {
    const { defaultSocketPath, readToken, socketFolderState, TOKEN_ENV } = await import('../../serve/index.js');
    const socket = defaultSocketPath(env);
    const folder = await socketFolderState(dirname(socket));
    let token = `no ${TOKEN_ENV}: TCP needs one (or --token-file)`;
    let tokenOk = true;
    try {
      if ((await readToken(undefined, env)) !== undefined) token = `${TOKEN_ENV} set`;
    } catch {
      token = `${TOKEN_ENV} is too short`;
      tokenOk = false;
    }
    const where = folder.state === 'private' ? 'private folder' : folder.state === 'missing' ? 'folder created 0700 at start' : folder.state === 'open' ? `folder open to other users (0${folder.mode.toString(8)})` : 'folder not owned by this user';
    const ok = tokenOk && (folder.state === 'private' || folder.state === 'missing');
    checks.push({
      name: 'serve',
      ok,
      detail: `default socket ${socket} (${where}); ${token}`,
      ...(ok ? {} : { fix: folder.state === 'open' ? `chmod 700 ${dirname(socket)}` : folder.state === 'not-ours' ? 'Pass --socket PATH in a folder of your own.' : 'Use a token of at least 32 characters (e.g. `secretref keygen`).' }),
    });
  } catch (e) {
    checks.push({ name: 'serve', ok: false, detail: `cannot load the service: ${e instanceof Error ? e.name : 'unknown'}`, fix: 'Reinstall secretref (npm ci): fastify is missing.' });
  }
  try {
    await import('../../lsp/index.js');
    const config = ctx.config();
    const configured = !config.embeddedDefault || existsSync(config.url.slice('file:'.length));
    checks.push({ name: 'lsp', ok: true, detail: `loads; ${configured ? 'store rules on (a store is configured)' : 'offline rules only (no store configured)'}; editors start \`secretref lsp --stdio\`` });
  } catch (e) {
    checks.push({ name: 'lsp', ok: false, detail: `cannot load the language server: ${e instanceof Error ? e.name : 'unknown'}`, fix: 'Reinstall secretref (npm ci): vscode-languageserver is missing.' });
  }
  return checks;
}

async function storeChecks(ctx: CliContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const config = ctx.config();
  let key: string | undefined;
  try {
    key = await ctx.masterKey();
    const weak = masterKeyWeakness(key);
    checks.push(
      weak
        ? { name: 'master key', ok: false, detail: `set but weak: ${weak}`, fix: 'Create a strong key with `secretref keygen`, then move the secrets to it with `secretref rekey --new-key-env NEW_KEY`.' }
        : { name: 'master key', ok: true, detail: `set and strong (key id ${keyFingerprint(key)})` },
    );
  } catch (e) {
    checks.push({ name: 'master key', ok: false, detail: isSecretrefError(e) ? e.code : 'unreadable', fix: 'export SECRETS_MASTER_KEY="$(secretref keygen)" (keep it somewhere safe; it is not stored with the data).' });
  }
  if (key === undefined || masterKeyWeakness(key)) return checks;
  const where = config.url.startsWith('file:') ? `embedded PGlite at ${config.url.slice(5)}` : config.url.startsWith('memory:') ? 'embedded PGlite in memory' : 'PostgreSQL server';
  try {
    const store = await ctx.openStore({ masterKey: key });
    checks.push({ name: 'database', ok: true, detail: `reachable (${where})` });
    checks.push({ name: 'pgcrypto', ok: true, detail: 'installed' });
    checks.push({ name: 'migrations', ok: true, detail: `schema ${store.schema} at version ${LATEST_VERSION} (current)` });
    const modes = store.folderModes?.();
    if (modes) checks.push(modesCheck(modes));
    const roles = await store.roles?.();
    if (roles) checks.push(roleCheck(roles));
    const budget = await store.connectionBudget?.();
    if (budget) checks.push(budgetCheck(budget));
    const notifications = await notificationsCheck(store);
    if (notifications) checks.push(notifications);
    if (store.backend === 'embedded') {
      // PGlite runs PostgreSQL with fsync off and its file system has no fsync (test/reliability).
      checks.push({ name: 'durability', ok: true, detail: 'embedded PGlite: a commit survives a killed process, not an OS crash or power loss (no fsync); use a PostgreSQL server where that matters, and back up the data folder' });
    }
    const items: SecretInfo[] = [];
    let cursor: string | null = null;
    const scoped = store.scope(config.developerId);
    do {
      const page = await scoped.list({ limit: 1000, cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const replica = await replicaCheck(store);
    if (replica) checks.push(replica);
    const foreign = new Map<string, number>();
    for (const i of items) if (i.keyId !== store.keyId) foreign.set(i.keyId, (foreign.get(i.keyId) ?? 0) + 1);
    if (foreign.size === 0) checks.push({ name: 'key matches rows', ok: true, detail: `${items.length} secret(s) of developer ${config.developerId}, all under key ${store.keyId}` });
    else {
      const list = [...foreign].map(([k, n]) => `${n} under ${k}`).join(', ');
      checks.push({ name: 'key matches rows', ok: false, detail: `${list}; the configured key is ${store.keyId}`, fix: 'Set SECRETS_MASTER_KEY to the key those rows were written with, or finish an interrupted rekey by running `secretref rekey --new-key-env VAR` again with the old key as SECRETS_MASTER_KEY.' });
    }
  } catch (e) {
    const code = isSecretrefError(e) ? e.code : 'UNKNOWN';
    const fix =
      code === 'STORE_UNAVAILABLE'
        ? 'Check SECRETREF_DATABASE_URL / --database-url, that the server is running and reachable, and that the pgcrypto extension can be created (CREATE EXTENSION pgcrypto).'
        : 'See the error code in docs/errors.md.';
    checks.push({ name: 'database', ok: false, detail: `${where}: ${code}: ${isSecretrefError(e) ? e.message : 'failed to open'}`, fix });
  }
  return checks;
}

export const doctorCommand = implementCommand({
  toOptions: (_args, flags: { json?: boolean }) => ({ json: flags.json === true }),
  run: doctor,
  report(checks, options, ctx) {
    const failed = checks.filter((c) => !c.ok).length;
    if (options.json) ctx.json(doctorJson(checks));
    else {
      for (const c of checks) {
        ctx.out(`${c.ok ? (c.warn ? 'warn' : 'ok  ') : 'FAIL'}  ${c.name.padEnd(17)} ${c.detail}`);
        if (c.fix) ctx.out(`      ${''.padEnd(17)} → ${c.fix}`);
      }
      ctx.out(failed ? `${failed} check(s) failed.` : 'All checks passed.');
    }
    return failed ? 1 : 0;
  },
});
