/**
 * PostgreSQL start-up settings of an embedded store (OpenStoreOptions.embedded.settings; the CLI
 * boots its short-lived PGlite with 16 MB of shared buffers and 5 connection slots, issue 17).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keygen, openStore } from '../../src/index.js';
import { openEmbedded } from '../../src/store/pglite.js';

const dir = mkdtempSync(join(tmpdir(), 'secretref-embedded-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const warn = (): void => undefined;

describe('embedded start-up settings', () => {
  it('are in force in the booted instance, and the default is PostgreSQL own', async () => {
    const tuned = await openEmbedded({ kind: 'file', path: join(dir, 'a') }, { queries: 0 }, 5_000, warn, { settings: { shared_buffers: '16MB', max_connections: '5' } });
    try {
      expect(await tuned.query<{ shared_buffers: string }>('show shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      expect(await tuned.query<{ max_connections: string }>('show max_connections')).toEqual([{ max_connections: '5' }]);
    } finally {
      await tuned.close();
    }
    const plain = await openEmbedded({ kind: 'memory', name: undefined }, { queries: 0 }, 5_000, warn);
    try {
      expect(await plain.query<{ shared_buffers: string }>('show shared_buffers')).not.toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await plain.close();
    }
  });

  it('a store opened with them works as any store', async () => {
    const masterKey = keygen();
    const store = await openStore({ url: `file:${join(dir, 'b')}`, masterKey, embedded: { settings: { shared_buffers: '16MB', max_connections: '5' } } });
    try {
      const s = store.scope('00000000-0000-0000-0000-000000000000');
      await s.create({ name: 'tuned_key', value: 'v-1' });
      expect((await s.get('tuned_key', { reveal: true })).value).toBe('v-1');
    } finally {
      await store.close();
    }
  });

  it.each([
    [{ 'shared_buffers; drop': '1' }],
    [{ shared_buffers: '16MB -c fsync=off' }],
    [{ Shared: '1' }],
  ])('a setting that is not a plain name=value is refused before anything boots: %o', async (settings) => {
    await expect(openStore({ url: `file:${join(dir, 'c')}`, masterKey: keygen(), embedded: { settings } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
