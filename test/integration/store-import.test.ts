/**
 * `ScopedStore.importSecret()`: copying a secret in from another system, on both backends. Its
 * comparison of an existing secret happens in the database: no value comes back, nothing is
 * audited, nothing is announced; its writes are audited with where they came from.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import type { StoreEvent } from '../../src/store/types.js';
import { describeBackends } from '../helpers/backends.js';
import { rejected } from '../helpers/expect-error.js';

describeBackends('store importSecret', (backend) => {
  it('creates with the given timestamps, then compares without reading, auditing or announcing', async () => {
    const store = await backend.open();
    const dev = store.scope(randomUUID());
    const input = { name: 'k', value: 'v1', description: 'd', metadata: { m: 1 }, createdAt: '2023-03-04T05:06:07.089Z', updatedAt: '2023-05-06T07:08:09.010Z' };
    expect(await dev.importSecret(input, { source: 'julep' })).toEqual({ outcome: 'created', fields: [] });
    const info = await dev.get('k');
    expect([info.createdAt.toISOString(), info.updatedAt.toISOString()]).toEqual([input.createdAt, input.updatedAt]);
    expect(info.metadata).toEqual({ m: 1 });

    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const audited = await dev.audit();
    expect(await dev.importSecret(input, { source: 'julep' })).toEqual({ outcome: 'unchanged', fields: [] });
    expect(await dev.importSecret({ ...input, value: 'v2', metadata: null }, { source: 'julep' })).toEqual({ outcome: 'conflict', fields: ['value', 'metadata'] });
    expect(await dev.importSecret({ ...input, description: null }, { source: 'julep' })).toEqual({ outcome: 'conflict', fields: ['description'] });
    expect(await dev.audit()).toEqual(audited);
    expect(events).toEqual([]);
    expect((await dev.get('k', { reveal: true })).value).toBe('v1');

    expect(await dev.importSecret({ ...input, value: 'v2', metadata: null }, { source: 'julep', overwrite: true })).toEqual({ outcome: 'updated', fields: ['value', 'metadata'] });
    expect(events).toEqual([{ type: 'change', developerId: dev.developerId, names: ['k'] }]);
    const now = await dev.get('k', { reveal: true });
    expect([now.value, now.metadata, now.version, now.createdAt.toISOString()]).toEqual(['v2', {}, 2, input.createdAt]);
    expect((await dev.audit()).find((a) => a.action === 'update')).toMatchObject({ detail: { fields: ['value', 'metadata'], imported_from: 'julep' } });
  });

  it('lists every problem of an input at once, never its value; refuses a bad source', async () => {
    const store = await backend.open();
    const dev = store.scope(randomUUID());
    const e = await rejected(dev.importSecret({ name: 'bad name', value: '', description: 'd'.repeat(5000), metadata: { x: 'y'.repeat(20_000) } }, { source: 'julep' }));
    expect(e.problems.map((p) => [p.code, p.path])).toEqual([
      ['INVALID_INPUT', '/description'],
      ['INVALID_INPUT', '/metadata'],
      ['INVALID_NAME', '/name'],
      ['INVALID_INPUT', '/value'],
    ]);
    expect(JSON.stringify(e) + e.message).not.toContain('yyyy');
    expect((await rejected(dev.importSecret({ name: 'ok', value: 'v' }, { source: 'Not A Source' }))).code).toBe('INVALID_INPUT');
    expect((await dev.list()).items).toEqual([]);
  });

  it('a secret under another master key is ENCRYPTION_ERROR naming it, not a conflict', async () => {
    const schema = backend.freshSchema();
    const first = await backend.open({ schema });
    const developer = randomUUID();
    await first.scope(developer).create({ name: 'old', value: 'v' });
    await first.close();
    const second = await backend.open({ schema, masterKey: keygen() });
    const e = await rejected(second.scope(developer).importSecret({ name: 'old', value: 'v' }, { source: 'julep' }));
    expect(e.code).toBe('ENCRYPTION_ERROR');
    expect(e.problems[0]?.name).toBe('old');
  });
});
