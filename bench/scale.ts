/**
 * Scale-out figures on a PostgreSQL server (docs/deployment.md), each against a baseline measured
 * in the same run:
 *  - cold resolutions per second (10 names each) at 1, 4 and 16 concurrent callers, directly,
 *    through a stock PgBouncer in transaction mode, and reading from a streaming hot standby
 *    (`readUrl`; the audit of those reads batched to the primary);
 *  - listing every name of a 10,000-secret developer against a 1,000-secret one (per name: flat
 *    when listing is linear);
 *  - audit bytes per 1,000 cold 10-name resolutions (one record per batch) against one record per
 *    name, as before migration 7, written to a table of the same shape.
 * Invalidation lag across processes is measured by test/integration/store-notify-processes.test.ts.
 *
 *   node --import tsx bench/scale.ts      # starts a throwaway server, PgBouncer and hot standby like the tests
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { keygen } from '../src/store/crypto-key.js';
import { openStore } from '../src/store/open.js';
import { TENANT_SETTING } from '../src/store/sql.js';
import type { Store } from '../src/store/types.js';
import { startPgServer } from '../test/setup/pg-server.js';
import { startPgBouncer } from '../test/setup/pgbouncer.js';
import { startPgStandby } from '../test/setup/pg-standby.js';
import { median } from './measure.js';

export interface ScaleFigures {
  /** Cold 10-name resolutions per second, by concurrent callers. */
  throughput: { callers: number; direct: number; pooled: number | null; replica: number | null }[];
  /** Median ms to list every name, and per name, for 1,000 and 10,000 secrets. */
  list: { secrets: number; ms: number; usPerName: number }[];
  /** usPerName(10,000) / usPerName(1,000): 1 when linear. */
  listGrowth: number;
  /** Audit bytes per 1,000 cold 10-name resolutions: one record per batch, and one per name. */
  auditBytesPer1000: number;
  auditBytesPer1000PerName: number;
}

const NAMES = Array.from({ length: 10 }, (_, i) => `svc_${i}_api_key`);

async function seedNames(url: string, schema: string, developerId: string, keyId: string, count: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(`select set_config($1, $2, true)`, [TENANT_SETTING, developerId]);
    // binding 0 rows: no ciphertext or HMAC is read when names are listed.
    await c.query(
      `insert into "${schema}".secrets (developer_id, name, value_encrypted, key_id, binding)
       select $1::uuid, 'n' || lpad(g::text, 6, '0'), '\\x00'::bytea, $2, 0 from generate_series(1, $3::integer) g`,
      [developerId, keyId, count],
    );
    await c.query('commit');
  } finally {
    await c.end();
  }
}

/** Resolutions per second of `callers` loops of cold 10-name resolveMany for `ms`. */
async function throughput(store: Store, developerId: string, callers: number, ms: number): Promise<number> {
  const scoped = store.scope(developerId);
  let done = 0;
  const until = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) {
        await scoped.resolveMany(NAMES);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

async function listMs(store: Store, developerId: string): Promise<{ ms: number; names: number }> {
  const samples: number[] = [];
  let names = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    names = 0;
    for await (const n of store.scope(developerId).listNames()) if (n) names++;
    samples.push(performance.now() - t);
  }
  return { ms: median(samples), names };
}

export async function benchScale(opts: { url: string; pooledUrl: string | null; readUrl?: string | null }): Promise<ScaleFigures> {
  const masterKey = keygen();
  const schema = `bench_scale_${randomUUID().slice(0, 8)}`;
  const direct = await openStore({ url: opts.url, masterKey, schema, poolSize: 16 });
  const pooled = opts.pooledUrl ? await openStore({ url: opts.pooledUrl, masterKey, schema, poolSize: 16, notifyUrl: opts.url }) : null;
  const replica = opts.readUrl ? await openStore({ url: opts.url, readUrl: opts.readUrl, masterKey, schema, poolSize: 16 }) : null;
  const admin = new pg.Client({ connectionString: opts.url });
  await admin.connect();
  try {
    const developerId = randomUUID();
    for (const name of NAMES) await direct.scope(developerId).create({ name, value: `sk_${randomUUID()}` });

    const table: ScaleFigures['throughput'] = [];
    for (const callers of [1, 4, 16]) {
      await throughput(direct, developerId, callers, 200); // warm-up
      const d = await throughput(direct, developerId, callers, 1_500);
      const p = pooled ? await throughput(pooled, developerId, callers, 1_500) : null;
      const r = replica ? await throughput(replica, developerId, callers, 1_500) : null;
      table.push({ callers, direct: d, pooled: p, replica: r });
    }

    const list: ScaleFigures['list'] = [];
    for (const secrets of [1_000, 10_000]) {
      const dev = randomUUID();
      await seedNames(opts.url, schema, dev, direct.keyId, secrets);
      await listMs(direct, dev); // warm-up, and more than five calls on the pool's connections
      const { ms, names } = await listMs(direct, dev);
      if (names !== secrets) throw new Error(`scale: listed ${names} of ${secrets} names`);
      list.push({ secrets, ms, usPerName: (ms * 1000) / secrets });
    }

    // The standby store buffers its reads' audit records and writes them to the primary in batches:
    // closed (flushed) first, so none of them lands in the audit table while it is measured
    // (closing again below does nothing).
    await replica?.close();
    await pooled?.close();

    // Audit volume: 1,000 cold 10-name resolutions, one record each; the baseline writes one
    // record per name into a table of the audit's shape, as read_secrets did before migration 7.
    const size = async (t: string): Promise<number> => {
      await admin.query(`vacuum "${schema}".${t}`);
      return Number((await admin.query<{ s: string }>(`select pg_total_relation_size('"${schema}".${t}') as s`)).rows[0]?.s);
    };
    await admin.query(`create table "${schema}".audit_per_name (like "${schema}".audit including defaults including identity including indexes)`);
    const auditDev = randomUUID();
    for (const name of NAMES) await direct.scope(auditDev).create({ name, value: `sk_${randomUUID()}` });
    const before = await size('audit');
    const basisBefore = await size('audit_per_name');
    for (let i = 0; i < 1_000; i++) await direct.scope(auditDev).resolveMany(NAMES);
    await admin.query('begin');
    await admin.query(`select set_config($1, $2, true)`, [TENANT_SETTING, auditDev]);
    const copied = await admin.query(
      `insert into "${schema}".audit_per_name (developer_id, secret_id, name, action, detail)
       select t.developer_id, t.secret_id, t.name, 'resolve', jsonb_build_object('version', t.version)
         from "${schema}".secrets t cross join generate_series(1, 1000) g where t.developer_id = $1::uuid`,
      [auditDev],
    );
    await admin.query('commit');
    if (copied.rowCount !== NAMES.length * 1_000) throw new Error(`scale: the per-name baseline wrote ${copied.rowCount} records`);
    const auditBytesPer1000 = (await size('audit')) - before;
    const auditBytesPer1000PerName = (await size('audit_per_name')) - basisBefore;

    const first = list[0] as ScaleFigures['list'][number];
    const last = list[1] as ScaleFigures['list'][number];
    return { throughput: table, list, listGrowth: last.usPerName / first.usPerName, auditBytesPer1000, auditBytesPer1000PerName };
  } finally {
    await admin.end();
    await direct.close();
    await pooled?.close();
    await replica?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await startPgServer({ database: 'secretref_bench' });
  const app = new URL(server.appUrl);
  const bouncer = await startPgBouncer({ serverPort: server.port, database: 'secretref_bench', user: app.username, password: app.password });
  const standby = await startPgStandby(server);
  try {
    console.log(JSON.stringify(await benchScale({ url: server.appUrl, pooledUrl: bouncer.appUrl, readUrl: standby.appUrl }), null, 2));
  } finally {
    standby.stop();
    bouncer.stop();
    server.stop();
  }
}
