/**
 * Import fidelity (issue 13, item 6): a Julep table built as Julep builds it, imported into the
 * store on both backends. Timestamps carried over, metadata as the user wrote it, provenance in
 * the audit log, rows the store cannot hold skipped and named (never their values) while the rest
 * goes in, `overwrite` syncing value, description and metadata, and a rerun reporting every row
 * unchanged without reading a value through an audited path.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importFromJulep, type JulepImportOptions, type JulepImportResult } from '../../src/import/index.js';
import { INTERNAL_LIMITS, LIMITS } from '../../src/limits.js';
import { STORE_LIMITS } from '../../src/store/store-limits.js';
import type { Store } from '../../src/store/types.js';
import { describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';
import { JULEP_KEY, julepDb, type JulepDb } from '../helpers/julep.js';

const CANARY = 'canary-7f3a-never-print-me';

describeBackends('Julep import fidelity', (backend) => {
  let julep: JulepDb;
  beforeAll(async () => {
    julep = await julepDb();
  });
  afterAll(async () => {
    await julep.close();
  });

  async function importInto(store: Store, extra: Partial<JulepImportOptions> = {}): Promise<JulepImportResult> {
    return await importFromJulep({ url: julep.url, julepKey: JULEP_KEY, table: julep.table, ...extra }, { store });
  }

  it('carries created_at/updated_at over, keeps user metadata as written, records imported_from in the audit only', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    const createdAt = new Date('2024-01-02T03:04:05.678Z');
    const updatedAt = new Date('2024-06-07T08:09:10.111Z');
    await julep.create({ developerId: dev, name: 'stripe_key', value: `sk_${CANARY}`, description: 'Stripe', metadata: { env: 'prod', imported_from: 'my-vault' }, createdAt, updatedAt });
    await julep.create({ developerId: dev, name: 'no_metadata', value: 'v1', metadata: null });
    await julep.create({ developerId: dev, name: 'null_inside', value: 'v2', metadata: { a: null, nested: { b: [1, null] } } });
    const r = await importInto(store, { developerIds: [dev] });
    expect(r).toMatchObject({ ok: true, read: 3, created: 3, skipped: 0, developers: 1 });

    const scoped = store.scope(dev);
    const info = await scoped.get('stripe_key', { reveal: true });
    expect(info.value).toBe(`sk_${CANARY}`);
    expect(info.createdAt.toISOString()).toBe(createdAt.toISOString());
    expect(info.updatedAt.toISOString()).toBe(updatedAt.toISOString());
    expect(info.metadata).toEqual({ env: 'prod', imported_from: 'my-vault' });
    expect(info.description).toBe('Stripe');
    // Julep's NULL metadata is "none": secretref's {}.
    expect((await scoped.get('no_metadata')).metadata).toEqual({});
    expect((await scoped.get('null_inside')).metadata).toEqual({ a: null, nested: { b: [1, null] } });

    const created = (await scoped.audit({ name: 'stripe_key' })).filter((e) => e.action === 'create');
    expect(created).toHaveLength(1);
    expect(created[0]?.detail).toMatchObject({ imported_from: 'julep', version: 1 });

    // A second run: every row unchanged, compared without an audited read of any value.
    const before = await scoped.audit({ limit: 1000 });
    const again = await importInto(store, { developerIds: [dev] });
    expect(again).toMatchObject({ ok: true, read: 3, created: 0, updated: 0, unchanged: 3, conflicts: 0, skipped: 0 });
    expect(await scoped.audit({ limit: 1000 })).toEqual(before);
    expect(before.filter((e) => e.action === 'resolve')).toEqual([]);
  });

  it('regression: a row the store cannot hold no longer aborts the import — it is skipped and named, the rest imported', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    const longName = `n${'x'.repeat(199)}`;
    const tooBig = `${CANARY}${'v'.repeat(LIMITS.maxSecretValueBytes)}`;
    const ids: Record<string, string> = {
      before: await julep.create({ developerId: dev, name: 'a_before', value: 'ok-1' }),
      empty: await julep.create({ developerId: dev, name: 'b_empty', value: '' }),
      big: await julep.create({ developerId: dev, name: 'c_big', value: tooBig }),
      longName: await julep.create({ developerId: dev, name: longName, value: `long-${CANARY}` }),
      description: await julep.create({ developerId: dev, name: 'd_description', value: `d-${CANARY}`, description: 'd'.repeat(STORE_LIMITS.maxDescriptionLength + 1) }),
      metadata: await julep.create({ developerId: dev, name: 'e_metadata', value: `m-${CANARY}`, metadata: { blob: 'm'.repeat(STORE_LIMITS.maxMetadataBytes) } }),
      both: await julep.create({ developerId: dev, name: 'f_both', value: '', description: 'd'.repeat(STORE_LIMITS.maxDescriptionLength + 1) }),
      after: await julep.create({ developerId: dev, name: 'z_after', value: 'ok-2' }),
    };
    const r = await importInto(store, { developerIds: [dev] });
    expect(r).toMatchObject({ ok: false, read: 8, created: 2, skipped: 6 });
    const bySecret = new Map(r.skippedRows.map((s) => [s.secretId, s]));
    const reasons = (id: string | undefined) => bySecret.get(id ?? '')?.problems.map((p) => `${p.code} ${p.path}`);
    expect(reasons(ids.empty)).toEqual(['INVALID_INPUT /value']);
    expect(reasons(ids.big)).toEqual(['LIMIT_EXCEEDED /value']);
    expect(reasons(ids.longName)).toEqual(['INVALID_NAME /name']);
    expect(reasons(ids.description)).toEqual(['INVALID_INPUT /description']);
    expect(reasons(ids.metadata)).toEqual(['INVALID_INPUT /metadata']);
    expect(reasons(ids.both)).toEqual(['INVALID_INPUT /description', 'INVALID_INPUT /value']);
    for (const s of r.skippedRows) expect(s.developerId).toBe(dev);
    expect(bySecret.get(ids.longName ?? '')?.name).toBe(`${longName.slice(0, INTERNAL_LIMITS.quotedChars)}…`);
    expect(bySecret.get(ids.description ?? '')?.name).toBe('d_description');
    expect(JSON.stringify(r)).not.toContain(CANARY);
    expect(JSON.stringify(r)).not.toContain('v'.repeat(100));
    expect(JSON.stringify(r)).not.toContain(JULEP_KEY);

    const scoped = store.scope(dev);
    expect([...(await scoped.resolveMany(['a_before', 'z_after']))]).toEqual([['a_before', 'ok-1'], ['z_after', 'ok-2']]);
    const again = await importInto(store, { developerIds: [dev] });
    expect(again).toMatchObject({ read: 8, created: 0, unchanged: 2, skipped: 6 });
    expect(again.skippedRows).toEqual(r.skippedRows);
  });

  it('regression: --overwrite syncs description and metadata too (they were reported "unchanged")', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await julep.create({ developerId: dev, name: 'token', value: 'one', description: 'first', metadata: { keep: 1, drop: 2 } });
    await julep.create({ developerId: dev, name: 'described', value: 'same', description: 'old text' });
    expect(await importInto(store, { developerIds: [dev] })).toMatchObject({ created: 2 });

    await julep.update(dev, 'token', { value: `two-${CANARY}`, metadata: { keep: 1, added: { x: null } } });
    await julep.update(dev, 'described', { description: 'new text' });
    const conflicts = await importInto(store, { developerIds: [dev] });
    expect(conflicts).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 0, conflicts: 2 });
    expect(conflicts.conflictRows.map((c) => [c.name, c.fields])).toEqual([
      ['described', ['description']],
      ['token', ['value', 'metadata']],
    ]);
    const scoped = store.scope(dev);
    expect((await scoped.get('token', { reveal: true })).value).toBe('one');

    const synced = await importInto(store, { developerIds: [dev], overwrite: true });
    expect(synced).toMatchObject({ ok: true, updated: 2, conflicts: 0 });
    const token = await scoped.get('token', { reveal: true });
    expect(token.value).toBe(`two-${CANARY}`);
    expect(token.metadata).toEqual({ keep: 1, added: { x: null } });
    expect(token.version).toBe(2);
    const described = await scoped.get('described');
    expect(described.description).toBe('new text');
    expect(described.version).toBe(1);
    const update = (await scoped.audit({ name: 'token' })).find((e) => e.action === 'update');
    expect(update?.detail).toEqual({ fields: ['value', 'metadata'], version: 2, imported_from: 'julep' });
    expect(JSON.stringify(await scoped.audit({ limit: 1000 }))).not.toContain(CANARY);

    expect(await importInto(store, { developerIds: [dev], overwrite: true })).toMatchObject({ updated: 0, unchanged: 2, conflicts: 0 });
  });

  it('skips a row whose Julep ciphertext does not decrypt, names it, imports the others', async () => {
    const store = await backend.open();
    const dev = randomUUID();
    await julep.create({ developerId: dev, name: 'good_one', value: 'g1' });
    const bad = await julep.create({ developerId: dev, name: 'other_key', value: 'x' }, 'another-julep-key-0123456789abcdef');
    await julep.create({ developerId: dev, name: 'zz_good', value: 'g2' });
    const r = await importInto(store, { developerIds: [dev] });
    expect(r).toMatchObject({ ok: false, created: 2, skipped: 1 });
    expect(r.skippedRows).toEqual([{ developerId: dev, secretId: bad, name: 'other_key', problems: [expect.objectContaining({ code: 'ENCRYPTION_ERROR', path: '/value' })] }]);
  });

  it('imports every developer under its own id; a wrong Julep key is one ENCRYPTION_ERROR without the key', async () => {
    const store = await backend.open();
    const [a, b] = [randomUUID(), randomUUID()];
    await julep.create({ developerId: a, name: 'shared_name', value: 'for-a' });
    await julep.create({ developerId: b, name: 'shared_name', value: 'for-b' });
    const r = await importInto(store, { developerIds: [a, b] });
    expect(r).toMatchObject({ created: 2, developers: 2 });
    expect((await store.scope(a).resolveMany(['shared_name'])).get('shared_name')).toBe('for-a');
    expect((await store.scope(b).resolveMany(['shared_name'])).get('shared_name')).toBe('for-b');

    const wrongKey = 'not-the-julep-key-but-long-enough-xx';
    const e = await rejected(importInto(store, { developerIds: [a], julepKey: wrongKey }));
    expect(e.code).toBe('ENCRYPTION_ERROR');
    expect(JSON.stringify(e) + e.message + e.stack).not.toContain(wrongKey);
    expect((await rejected(importInto(store, { table: 'no_such_schema.secrets' }))).code).toBe('INVALID_INPUT');
    expect((await rejected(importInto(store, { table: 'secrets; drop table x' }))).code).toBe('INVALID_INPUT');
  });
});
