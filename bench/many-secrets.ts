/**
 * A developer with 1,000 secrets whose tool uses 3, on a PostgreSQL server: `resolveMany` of the
 * 3 names (what secretref does before a tool runs) against one query that decrypts all 1,000 rows
 * of the developer (what the reference platform does on every step). The baseline is given every
 * advantage: the store's own cipher settings and passphrases, one plain SELECT, no audit rows —
 * the reference platform also pays pgcrypto's default iterated S2K per row, see the decrypt figure.
 *
 *   SECRETREF_BENCH_DATABASE_URL=postgres://… node --import tsx bench/many-secrets.ts
 *   node --import tsx bench/many-secrets.ts      # starts a throwaway server like the tests do
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { keygen, loadKeyRing } from '../src/store/crypto-key.js';
import { openStore } from '../src/store/open.js';
import { TENANT_SETTING, quoteSchema } from '../src/store/sql.js';
import { boundPassphrase } from '../src/store/statements.js';
import { startPgServer } from '../test/setup/pg-server.js';
import { medians } from './measure.js';

export interface ManySecretsFigures {
  secrets: number;
  used: number;
  /** Median ms of one resolveMany of the 3 names (one round trip, audited). */
  resolveUsedMs: number;
  /** Median ms of one query decrypting every row of the developer. */
  decryptAllMs: number;
  /** decryptAllMs / resolveUsedMs. */
  ratio: number;
  /** Rows the baseline query returned (= secrets). */
  baselineRows: number;
}

/** Creates `count` secrets for one developer on `url` and times both ways of getting 3 of them. */
export async function benchManySecrets(url: string, count = 1000): Promise<ManySecretsFigures> {
  const masterKey = keygen();
  const schema = `bench_many_${randomUUID().slice(0, 8)}`;
  const store = await openStore({ url, masterKey, schema });
  const client = new pg.Client({ connectionString: url });
  try {
    const developerId = randomUUID();
    const secrets = store.scope(developerId);
    const names = Array.from({ length: count }, (_, i) => `service_${String(i).padStart(4, '0')}_api_key`);
    // Creates run 8 at a time: the pool has room and the figure is not about writes.
    for (let i = 0; i < names.length; i += 8) {
      await Promise.all(names.slice(i, i + 8).map((name) => secrets.create({ name, value: `sk_live_${randomUUID().replaceAll('-', '')}` })));
    }
    const used = [names[7], names[500], names[993]] as string[];

    await client.connect();
    // Row-level security needs the tenant; set it for the session so the baseline is one statement.
    await client.query(`select set_config($1, $2, false)`, [TENANT_SETTING, developerId]);
    const s = quoteSchema(schema);
    const tenantKey = loadKeyRing(masterKey).tenantKey(developerId);
    const decryptAll = `select t.name, pgp_sym_decrypt(t.value_encrypted, ${boundPassphrase('$2::text', 't', 't.name', 't.version')}) as value from ${s}.secrets t where t.developer_id = $1::uuid`;
    const check = await client.query<{ name: string; value: string }>(decryptAll, [developerId, tenantKey]);
    const mine = await secrets.resolveMany(used);
    for (const n of used) {
      if (check.rows.find((r) => r.name === n)?.value !== mine.get(n)) throw new Error('many-secrets: baseline and resolveMany disagree');
    }

    const m = await medians(
      {
        resolveUsed: async () => {
          await secrets.resolveMany(used);
        },
        decryptAll: async () => {
          await client.query(decryptAll, [developerId, tenantKey]);
        },
      },
      { time: 1500, iterations: 15 },
    );
    const resolveUsedMs = m.resolveUsed?.medianMs ?? Number.NaN;
    const decryptAllMs = m.decryptAll?.medianMs ?? Number.NaN;
    return { secrets: count, used: used.length, resolveUsedMs, decryptAllMs, ratio: decryptAllMs / resolveUsedMs, baselineRows: check.rowCount ?? 0 };
  } finally {
    await client.end().catch(() => undefined);
    await store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let url = process.env.SECRETREF_BENCH_DATABASE_URL;
  const server = url ? undefined : await startPgServer({ database: 'secretref_bench' });
  url ??= server?.appUrl as string;
  try {
    const r = await benchManySecrets(url);
    process.stdout.write(
      `${r.secrets} secrets, tool uses ${r.used}: resolveMany ${r.resolveUsedMs.toFixed(2)} ms; decrypt all ${r.decryptAllMs.toFixed(2)} ms → ${r.ratio.toFixed(1)}×\n`,
    );
  } finally {
    server?.stop();
  }
}
