/**
 * The store agent's one PGlite session, shared by many `pg` clients through pglite-socket: one
 * client's transaction or extended-protocol exchange must never take in another client's
 * statements (src/store/agent-session.ts). Stock pglite-socket 0.2.17 keeps a client's turn only
 * inside an explicit transaction block; a parameterised query whose messages arrive in two reads
 * (a large value) had another client's Parse run in between, and its Bind then ran that other
 * statement — the "large value" test below failed that way before the session wrapper.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialisedSession } from '../../src/store/agent-session.js';

const dir = mkdtempSync(join(tmpdir(), 'secretref-agent-session-'));
let db: PGlite;
let server: PGLiteSocketServer;
const notifications: string[] = [];
const clients: pg.Client[] = [];

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: dir, port: 5432, user: 'postgres', database: 'postgres' });
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec('create table t (v int); listen probe');
  server = new PGLiteSocketServer({ db: serialisedSession(db, (channel, payload) => notifications.push(`${channel}:${payload}`)) as unknown as PGlite, path: join(dir, '.s.PGSQL.5432'), maxConnections: 50 });
  await server.start();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await server.stop();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `p` and reports whether it has settled after `ms`. */
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return done;
}

describe('agent session: clients multiplexed onto one PGlite', () => {
  it("BEGIN of A, then B's statement, then ROLLBACK of A: B's statement waits for A and is not rolled back", async () => {
    const a = await client();
    const b = await client();
    await db.exec('truncate t');
    await a.query('begin');
    await a.query('insert into t values (1)');
    const bInsert = b.query('insert into t values (2)');
    expect(await settledWithin(bInsert, 200)).toBe(false);
    // Inside A's transaction only A's row is there: B's insert has not run in it.
    expect((await a.query<{ v: number }>('select v from t order by v')).rows.map((r) => r.v)).toEqual([1]);
    await a.query('rollback');
    await bInsert;
    expect((await b.query<{ v: number }>('select v from t order by v')).rows.map((r) => r.v)).toEqual([2]);
  });

  it('a large parameterised query (several reads) never runs with another client’s statement', async () => {
    const big = 'x'.repeat(2_000_000);
    const cs = await Promise.all([client(), client(), client(), client()]);
    const wrong: string[] = [];
    await Promise.all(
      cs.map(async (c, k) => {
        for (let i = 0; i < 15; i++) {
          try {
            if (k === 0) {
              const r = await c.query<{ n: number; k: number }>('select length($1::text)::int as n, 0 as k', [big]);
              if (r.rows[0]?.n !== big.length || r.rows[0]?.k !== 0) wrong.push(`big ${JSON.stringify(r.rows[0])}`);
            } else {
              const r = await c.query<{ x: number; k: number }>(`select $1::int as x, ${k}::int as k`, [i]);
              if (r.rows[0]?.x !== i || r.rows[0]?.k !== k) wrong.push(`small ${JSON.stringify(r.rows[0])}`);
            }
          } catch (e) {
            wrong.push(`client ${k}: ${(e as Error).message.slice(0, 80)}`);
          }
        }
      }),
    );
    expect(wrong).toEqual([]);
  }, 60_000);

  it("a failing statement of one client skips none of another's (the error's skip-to-Sync stays its own)", async () => {
    const cs = await Promise.all(Array.from({ length: 6 }, () => client()));
    let wrong = 0;
    let errors = 0;
    let expected = 0;
    await Promise.all(
      cs.map(async (c, k) => {
        for (let i = 0; i < 40; i++) {
          const fail = i % 5 === k % 5;
          if (fail) expected++;
          try {
            const r = await c.query<{ x: number; k: number }>(fail ? 'select 1 / ($1::int - $1::int) as x' : `select $1::int as x, ${k}::int as k`, [i]);
            if (r.rows[0]?.x !== i || r.rows[0]?.k !== k) wrong++;
          } catch {
            errors++;
          }
        }
      }),
    );
    expect(wrong).toBe(0);
    expect(errors).toBe(expected);
  }, 60_000);

  it('a client that leaves inside a transaction is rolled back, and the others go on', async () => {
    const a = await client();
    const b = await client();
    await db.exec('truncate t');
    a.on('error', () => undefined); // its connection is cut below
    await a.query('begin');
    await a.query('insert into t values (10)');
    const bRead = b.query<{ n: number }>('select count(*)::int as n from t');
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    // Had B's read run inside A's transaction, it would count A's row.
    expect((await bRead).rows[0]?.n).toBe(0);
    expect((await b.query<{ n: number }>('select count(*)::int as n from t')).rows[0]?.n).toBe(0);
  });

  it('a client that leaves in the middle of an exchange (Parse, no Sync) does not hold the session', async () => {
    const raw = connect(join(dir, '.s.PGSQL.5432'));
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    params.copy(startup, 8);
    await new Promise<void>((ok) => {
      raw.on('connect', () => raw.write(startup));
      raw.once('data', () => ok());
    });
    const sql = Buffer.from('select 1\0');
    const parse = Buffer.alloc(1 + 4 + 1 + sql.length + 2);
    parse.write('P', 0);
    parse.writeInt32BE(parse.length - 1, 1);
    parse.writeUInt8(0, 5); // unnamed statement
    sql.copy(parse, 6);
    parse.writeInt16BE(0, 6 + sql.length);
    raw.write(parse);
    await new Promise((r) => setTimeout(r, 100));
    // Even B's start-up waits: the session is in the middle of the other client's exchange.
    const pending = client().then(async (b) => await b.query<{ x: number }>('select 42 as x'));
    expect(await settledWithin(pending, 300)).toBe(false);
    raw.destroy();
    expect((await pending).rows[0]?.x).toBe(42);
  });

  it("passes on the session's notifications to the agent", async () => {
    const a = await client();
    await a.query("select pg_notify('probe', 'hello')");
    expect(notifications).toContain('probe:hello');
  });
});
