/**
 * Issue 17: a command that decrypts nothing (`secrets list`, `lint` with the store) boots the
 * embedded store without pgcrypto's module (embedded.pgcrypto: false). Descriptions and lists
 * still check every row (core sha256(), migration 10); a schema that needs migrating boots with
 * pgcrypto after all; a value read on such a store is a catalogued error that says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import { rejected } from '../helpers/expect-error.js';

const DEV = '00000000-0000-0000-0000-00000000000a';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'secretref-nocrypto-'));
  dirs.push(d);
  return join(d, 'db');
}

it('a new folder is migrated with pgcrypto; a current one lists and describes without it, and refuses to read a value', async () => {
  const url = `file:${folder()}`;
  const masterKey = keygen();
  // New: the schema needs migrating, so this open boots with pgcrypto and can write.
  const first = await openStore({ url, masterKey, agent: 'never', embedded: { pgcrypto: false } });
  await first.scope(DEV).create({ name: 'api_key', value: 'THE-VALUE-1234567', description: 'the key' });
  await first.close();

  const store = await openStore({ url, masterKey, agent: 'never', embedded: { pgcrypto: false } });
  try {
    const dev = store.scope(DEV);
    expect((await dev.list()).items.map((s) => [s.name, s.description])).toEqual([['api_key', 'the key']]);
    expect((await dev.inspectMany(['api_key'])).get('api_key')?.version).toBe(1);
    const e = await rejected(dev.resolveMany(['api_key']));
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.message).toContain('descriptions only');
    expect(JSON.stringify(e) + e.message).not.toContain('THE-VALUE');
  } finally {
    await store.close();
  }
  // Opened as usual again, the value reads.
  const again = await openStore({ url, masterKey, agent: 'never' });
  expect((await again.scope(DEV).resolveMany(['api_key'])).get('api_key')).toBe('THE-VALUE-1234567');
  await again.close();
}, 60_000);
