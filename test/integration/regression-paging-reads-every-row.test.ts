/**
 * Listing was quadratic: after five calls on a connection PostgreSQL switched the paging functions
 * (`list_page`, `list_secrets`) to a generic plan in which `p_after is null or name > p_after` is
 * a filter, not an index bound, so every page read the developer's rows from the first one. Now
 * the bounds are plain index conditions, and every page of every call is an index range scan of
 * the (developer_id, name) index that reads no row it does not return.
 *
 * Seen from inside: auto_explain (nested statements, with ANALYZE) on one connection reports the
 * plan of the function's query on each call, ten calls and more on the same connection, as a plan
 * cache would see them. Not a timing test.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';

const { adminUrl } = inject('pg');
const PAGE = 100;
const ROWS = 3_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function nodes(p: PlanNode): PlanNode[] {
  return [p, ...(p.Plans ?? []).flatMap(nodes)];
}

describe('paging plans on the server', () => {
  let store: Store;
  let c: pg.Client;
  const dev = randomUUID();
  let plans: { query: string; plan: PlanNode }[] = [];

  beforeAll(async () => {
    if (adminUrl === null) throw new Error('this test needs the superuser of the test server (auto_explain)');
    store = await openStore({ url: inject('pg').appUrl, masterKey: keygen(), schema: `p_${Math.random().toString(36).slice(2, 10)}` });
    c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(
      `insert into ${store.schema}.secrets (developer_id, name, value_encrypted, key_id, binding)
       select $1::uuid, (case when g % 2 = 0 then 'a' else 'b' end) || lpad(g::text, 6, '0'), '\\x00'::bytea, $2, 0
         from generate_series(1, $3::integer) g`,
      [dev, store.keyId, ROWS],
    );
    // Another developer's rows before and after this one's in the index.
    await c.query(
      `insert into ${store.schema}.secrets (developer_id, name, value_encrypted, key_id, binding)
       select d, 'a' || lpad(g::text, 6, '0'), '\\x00'::bytea, $1, 0
         from generate_series(1, 500) g, (values ('00000000-0000-4000-8000-000000000000'::uuid), ('ffffffff-ffff-4fff-bfff-ffffffffffff'::uuid)) v(d)`,
      [store.keyId],
    );
    await c.query(`analyze ${store.schema}.secrets`);
    await c.query(`load 'auto_explain'`);
    for (const s of [
      'auto_explain.log_min_duration = 0',
      'auto_explain.log_nested_statements = on',
      'auto_explain.log_analyze = on',
      'auto_explain.log_timing = off',
      `auto_explain.log_format = 'json'`,
      'client_min_messages = log',
    ]) {
      await c.query(`set ${s}`);
    }
    c.on('notice', (n) => {
      const m = /^duration: [\d.]+ ms {2}plan:\s*([\s\S]*)$/.exec(n.message ?? '');
      if (!m?.[1]) return;
      const parsed = JSON.parse(m[1]) as { 'Query Text': string; Plan: PlanNode };
      plans.push({ query: parsed['Query Text'], plan: parsed.Plan });
    });
  });

  afterAll(async () => {
    await c?.end();
    await store?.close();
  });

  /** The plan of the function's inner query (the one that reads `secrets`) during `call`. */
  async function innerPlan(call: () => Promise<unknown>): Promise<PlanNode[]> {
    plans = [];
    await call();
    const inner = plans.filter((p) => /from\s+\S+\.secrets t/i.test(p.query) && /order by t\.name/i.test(p.query));
    expect(inner).toHaveLength(1);
    return nodes((inner[0] as { plan: PlanNode }).plan);
  }

  function expectRangeScan(plan: PlanNode[], returned: number): void {
    const scans = plan.filter((n) => n['Relation Name'] === 'secrets');
    expect(scans).toHaveLength(1);
    const scan = scans[0] as PlanNode;
    expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
    expect(scan['Index Name']).toBe('secrets_developer_name_key');
    expect(scan['Index Cond']).toMatch(/name >/);
    // Reads what it returns (plus the one row that tells the caller there is a next page).
    expect(scan['Rows Removed by Filter'] ?? 0).toBe(0);
    expect(scan['Actual Rows']).toBeLessThanOrEqual(returned + 1);
  }

  for (const fn of ['list_page', 'list_secrets'] as const) {
    it(`${fn}: every page of a ${ROWS}-row walk stays an index range scan, well past the fifth call`, async () => {
      const call = (after: string | null, prefix: string) =>
        fn === 'list_page'
          ? c.query<{ name: string }>(`select name from ${store.schema}.list_page($1::uuid, $2::text, $3::text, null::jsonb, $4::integer)`, [dev, after, prefix, PAGE])
          : c.query<{ name: string }>(`select name from ${store.schema}.list_secrets($1::uuid, $2::text, $3::text, null::jsonb, $4::integer, null::text, null::text)`, [dev, after, prefix, PAGE]);
      for (const prefix of ['', 'b']) {
        let after: string | null = null;
        let pages = 0;
        let seen = 0;
        for (;;) {
          let rows: { name: string }[] = [];
          const plan = await innerPlan(async () => {
            rows = (await call(after, prefix)).rows;
          });
          pages++;
          seen += rows.length;
          expectRangeScan(plan, rows.length);
          if (rows.length < PAGE) break;
          after = rows[rows.length - 1]?.name ?? null;
        }
        expect(seen).toBe(prefix === '' ? ROWS : ROWS / 2);
        expect(pages).toBeGreaterThan(10);
      }
    });
  }
});
