/**
 * Decrypt cost per secret with the store's S2K settings (PGP_OPTIONS: salted S2K, one SHA-256
 * pass) beside pgcrypto's default iterated S2K, on a PostgreSQL server and on PGlite, plus one
 * `resolveMany` of 100 names through the store (one round trip). Target: <= 20 µs per decrypt on
 * the server.
 *
 *   node --import tsx bench/store-decrypt.ts [rows]
 *
 * Uses SECRETREF_BENCH_DATABASE_URL when set, else starts a throwaway server like the tests do.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { keygen } from '../src/store/crypto-key.js';
import { openStore } from '../src/store/open.js';
import { PGP_OPTIONS } from '../src/store/sql.js';
import { startPgServer } from '../test/setup/pg-server.js';

export interface StoreDecryptBenchResult {
  rows: number;
  options: string;
  /** µs per pgp_sym_decrypt on the server with PGP_OPTIONS. */
  serverUsPerDecrypt: number;
  /** µs per pgp_sym_decrypt on the server with pgcrypto's default S2K (`cipher-algo=aes256` only). */
  serverDefaultUsPerDecrypt: number;
  /** default / ours. */
  ratio: number;
  pgliteUsPerDecrypt: number;
  pgliteDefaultUsPerDecrypt: number;
  /** One resolveMany of 100 names on the server, through the store. */
  resolveMany100: { ms: number; queries: number };
}

type Run = (sql: string, params?: unknown[]) => Promise<unknown>;

async function usPerDecrypt(run: Run, rows: number, options: string): Promise<number> {
  await run('drop table if exists bench_decrypt');
  // Passphrases shaped like the store's: a 64-hex derived key, ':', the row's uuid.
  await run(
    `create temp table bench_decrypt as
       select md5(g::text) || md5((g + 1)::text) || ':' || gen_random_uuid()::text as p, null::bytea as c
         from generate_series(1, $1::int) g`,
    [rows],
  );
  await run(`update bench_decrypt set c = pgp_sym_encrypt(repeat('s', 48), p, $1)`, [options]);
  const timed = async (sql: string): Promise<number> => {
    const t0 = performance.now();
    await run(sql);
    return performance.now() - t0;
  };
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const base = await timed('select count(length(p) + length(c)) from bench_decrypt');
    const full = await timed('select count(length(pgp_sym_decrypt(c, p))) from bench_decrypt');
    samples.push(((full - base) * 1000) / rows);
  }
  samples.sort((a, b) => a - b);
  return Math.max(0, samples[2] ?? 0);
}

/** Runs the measurements; `rows` per setting on the server (PGlite uses a quarter). */
export async function benchStoreDecrypt(rows = 4000): Promise<StoreDecryptBenchResult> {
  let url = process.env.SECRETREF_BENCH_DATABASE_URL;
  const server = url ? undefined : await startPgServer({ database: 'secretref_bench' });
  url ??= server?.appUrl as string;
  try {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('create extension if not exists pgcrypto');
    const run: Run = (sql, params) => client.query(sql, params as unknown[]);
    const serverUs = await usPerDecrypt(run, rows, PGP_OPTIONS);
    const serverDefaultUs = await usPerDecrypt(run, Math.max(200, rows / 10), 'cipher-algo=aes256');
    await client.end();

    const { PGlite } = await import('@electric-sql/pglite');
    const { pgcrypto } = await import('@electric-sql/pglite/contrib/pgcrypto');
    const lite = await PGlite.create({ extensions: { pgcrypto } });
    await lite.exec('create extension if not exists pgcrypto');
    const liteRun: Run = (sql, params) => lite.query(sql, params as unknown[]);
    const liteUs = await usPerDecrypt(liteRun, Math.max(200, rows / 4), PGP_OPTIONS);
    const liteDefaultUs = await usPerDecrypt(liteRun, Math.max(100, rows / 40), 'cipher-algo=aes256');
    await lite.close();

    const store = await openStore({ url, masterKey: keygen(), schema: `bench_${randomUUID().slice(0, 8)}` });
    const dev = store.scope(randomUUID());
    const names = Array.from({ length: 100 }, (_, i) => `bench_secret_${i}`);
    for (const name of names) await dev.create({ name, value: `value-${name}-${'x'.repeat(32)}` });
    await dev.resolveMany(names);
    const q0 = store.stats().queries;
    const t0 = performance.now();
    const reps = 20;
    for (let i = 0; i < reps; i++) await dev.resolveMany(names);
    const resolveMany100 = { ms: (performance.now() - t0) / reps, queries: (store.stats().queries - q0) / reps };
    await store.close();

    return {
      rows,
      options: PGP_OPTIONS,
      serverUsPerDecrypt: serverUs,
      serverDefaultUsPerDecrypt: serverDefaultUs,
      ratio: serverDefaultUs / Math.max(serverUs, 0.001),
      pgliteUsPerDecrypt: liteUs,
      pgliteDefaultUsPerDecrypt: liteDefaultUs,
      resolveMany100,
    };
  } finally {
    server?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchStoreDecrypt(Number(process.argv[2] ?? 4000));
  const f = (n: number): string => n.toFixed(1);
  process.stdout.write(
    `store decrypt (${r.options}):\n` +
      `  server: ${f(r.serverUsPerDecrypt)} µs/decrypt (target <= 20); pgcrypto default S2K: ${f(r.serverDefaultUsPerDecrypt)} µs/decrypt → ${f(r.ratio)}x\n` +
      `  PGlite: ${f(r.pgliteUsPerDecrypt)} µs/decrypt; default S2K: ${f(r.pgliteDefaultUsPerDecrypt)} µs/decrypt\n` +
      `  resolveMany(100 names) on the server: ${r.resolveMany100.ms.toFixed(2)} ms, ${r.resolveMany100.queries} round trip(s)\n`,
  );
}
