/**
 * `secretref doctor`: checks the master key, the database, pgcrypto, migrations and that the key
 * opens this developer's rows; says what to do for each failure. Exit 1 when any check fails.
 */
import { LATEST_VERSION, isSecretrefError, keyFingerprint, masterKeyWeakness, type SecretInfo, type Store } from '../../index.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { doctorJson, type Check } from '../json.js';

/** A check that passed with something the user should know: printed `warn`, exit code unchanged. */
interface DoctorCheck extends Check {
  warn?: true;
}

type FolderModesReport = NonNullable<ReturnType<NonNullable<Store['folderModes']>>>;
type RoleReport = Awaited<ReturnType<NonNullable<Store['roles']>>>;

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
    const store = await ctx.openStore(key);
    checks.push({ name: 'database', ok: true, detail: `reachable (${where})` });
    checks.push({ name: 'pgcrypto', ok: true, detail: 'installed' });
    checks.push({ name: 'migrations', ok: true, detail: `schema ${store.schema} at version ${LATEST_VERSION} (current)` });
    const modes = store.folderModes?.();
    if (modes) checks.push(modesCheck(modes));
    const roles = await store.roles?.();
    if (roles) checks.push(roleCheck(roles));
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

export const doctorCommand = defineCommand({
  name: 'doctor',
  examples: ['secretref doctor', 'SECRETREF_DATABASE_URL=postgres://app@db/secrets secretref doctor --json'],
  description: 'check the master key, the database, pgcrypto, migrations and that the key opens the rows',
  options: [{ flags: '--json', description: 'machine-readable output' }],
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
