/**
 * Invalidation across processes in the deployed topologies: N processes with a resolver each (a
 * long TTL), queries through a stock PgBouncer in transaction mode. With `notifyUrl` at the
 * server directly, the probe verifies the path and a rotate reaches every process within a bound
 * far below the TTL. With the notify URL at the transaction pooler (which drops notifications),
 * every process detects it (`unverified`) and still serves the rotated value within the short
 * untrusted bound — never silently stale for the TTL. With `readUrl` at a hot standby, reads go
 * there and a rotate reaches every process as fast (the reload waits for the standby's replay).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { INTERNAL_LIMITS } from '../../src/limits.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import pg from 'pg';
import { pooledUrl, standbyCaughtUp, standbyUrl } from '../helpers/backends.js';
import { spawnScript, type Child, type ChildEvent } from '../helpers/child.js';

const SCRIPT = fileURLToPath(new URL('../helpers/resolver-child.ts', import.meta.url));
const PROCESSES = 8;
const TTL_MS = 120_000;
/** Far below the TTL: notification delivery plus one poll, on a loaded machine. */
const VERIFIED_BOUND_MS = 5_000;

const { appUrl } = inject('pg');
const children: Child[] = [];
const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await Promise.all(stores.map((s) => s.close()));
});

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/**
 * Starts N watchers, rotates, and returns what they reported and how long each took to see it.
 * Queries through the pooler with `notifyUrl`; or, with `readUrl`, `url` at the server and reads
 * from that standby.
 */
async function rotateAcross(notifyUrl: string, readUrl?: string): Promise<{ ready: ChildEvent[]; changed: ChildEvent[]; lags: number[] }> {
  const masterKey = keygen();
  const schema = `n_${Math.random().toString(36).slice(2, 10)}`;
  const developerId = randomUUID();
  const writer = await openStore({ url: appUrl, schema, masterKey });
  stores.push(writer);
  await writer.scope(developerId).create({ name: 'rotated', value: 'v1' });
  if (readUrl) await replayedOn(readUrl);
  const topology = readUrl ? { url: appUrl, readUrl } : { url: pooledUrl(), notifyUrl };
  const args = { ...topology, schema, developerId, name: 'rotated', ttlMs: TTL_MS, pollMs: 20 };
  const mine = Array.from({ length: PROCESSES }, () => spawnScript(SCRIPT, 'watch', args, { SECRETS_MASTER_KEY: masterKey }));
  children.push(...mine);
  const ready = await Promise.all(mine.map((c) => c.waitFor((e) => e.event === 'ready' || e.event === 'error')));
  expect(ready.filter((e) => e.event === 'error'), mine.map((c) => c.stderr()).join('\n')).toEqual([]);
  expect(ready.every((e) => e.version === 1)).toBe(true);
  const t0 = Date.now();
  await writer.scope(developerId).rotate('rotated', 'v2');
  const changed = await Promise.all(mine.map((c) => c.waitFor((e) => e.event === 'changed' && e.version === 2)));
  const lags = changed.map((e) => (e.at as number) - t0);
  await Promise.all(mine.map((c) => c.kill()));
  return { ready, changed, lags };
}

/** Waits until the standby at `readUrl` has replayed what the primary wrote so far. */
async function replayedOn(readUrl: string): Promise<void> {
  const primary = new pg.Client({ connectionString: appUrl });
  const standby = new pg.Client({ connectionString: readUrl });
  await Promise.all([primary.connect(), standby.connect()]);
  try {
    await standbyCaughtUp(primary, standby);
  } finally {
    await Promise.all([primary.end(), standby.end()]);
  }
}

describe(`a rotate across ${PROCESSES} processes behind PgBouncer (transaction mode)`, () => {
  it('with notifyUrl at the server: every process verifies the path, and the rotate reaches all within the bound', async () => {
    const { ready, lags } = await rotateAcross(appUrl);
    expect(ready.map((e) => e.notifications)).toEqual(Array(PROCESSES).fill('verified'));
    console.info(`[notify] notifyUrl direct, ${PROCESSES} processes: lag p50 ${percentile(lags, 50)} ms, max ${Math.max(...lags)} ms (TTL ${TTL_MS} ms)`);
    expect(Math.max(...lags)).toBeLessThan(VERIFIED_BOUND_MS);
  }, 120_000);

  it('with readUrl at a hot standby (url at the server): every process reads from the standby, and the rotate reaches all within the bound', async () => {
    const { ready, changed, lags } = await rotateAcross(appUrl, standbyUrl());
    expect(ready.map((e) => e.notifications)).toEqual(Array(PROCESSES).fill('verified'));
    // Each process read v1 from the standby; the reload after the rotate waits for replay (or goes to the primary).
    for (const e of ready) expect((e.reads as { replica: number }).replica).toBeGreaterThanOrEqual(1);
    const after = changed.map((e) => e.reads as { replica: number; primary: number; waits: number });
    console.info(
      `[notify] readUrl at a hot standby, ${PROCESSES} processes: lag p50 ${percentile(lags, 50)} ms, max ${Math.max(...lags)} ms (TTL ${TTL_MS} ms); ` +
        `reloads that waited for replay: ${after.filter((r) => r.waits > 0).length}, went to the primary: ${after.filter((r) => r.primary > 0).length}`,
    );
    expect(Math.max(...lags)).toBeLessThan(VERIFIED_BOUND_MS);
  }, 120_000);

  it('with the notify URL at the transaction pooler: every process detects it and serves the rotated value within the untrusted bound', async () => {
    const { ready, lags } = await rotateAcross(pooledUrl());
    expect(ready.map((e) => e.notifications)).toEqual(Array(PROCESSES).fill('unverified'));
    console.info(`[notify] notify URL through the pooler, ${PROCESSES} processes: lag p50 ${percentile(lags, 50)} ms, max ${Math.max(...lags)} ms (untrusted bound ${INTERNAL_LIMITS.untrustedCacheMs} ms)`);
    // The untrusted bound, one poll and a loaded machine's scheduling; nowhere near the TTL.
    expect(Math.max(...lags)).toBeLessThan(INTERNAL_LIMITS.untrustedCacheMs + VERIFIED_BOUND_MS);
  }, 120_000);
});
