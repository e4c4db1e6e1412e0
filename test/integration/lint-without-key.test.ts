/**
 * Store-backed lint without the master key (issue 16): a store opened `withoutKey` reads names,
 * descriptions, metadata, expiry and policy — everything lint's store rules need — and refuses
 * every value read and every write with MASTER_KEY_MISSING. The CLI's `lint` opens the store
 * that way when no master key is configured, so a CI job can check references against the store
 * without holding the key.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/lint/index.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import { describeBackends } from '../helpers/backends.js';
import { cli } from '../helpers/cli.js';
import { rejected } from '../helpers/expect-error.js';

const DEV = '00000000-0000-0000-0000-0000000000d7';
const DEFINITION = [
  'name: charge',
  'type: api_call',
  'api_call:',
  '  url: https://api.stripe.com/v1/charges',
  '  headers:',
  '    Authorization: Bearer $secrets.stripe_key',
  '    X-Other: $secrets.othr_token',
  '    X-Old: $secrets.old_token',
  '    X-Hook: $secrets.hook_token',
  '',
].join('\n');

describeBackends('a store opened without the master key', (backend) => {
  it("serves lint's store rules (missing with suggestions, expiry, policy) and refuses values and writes", async () => {
    const schema = backend.freshSchema();
    const keyed = await backend.open({ schema });
    const mine = keyed.scope(DEV);
    await mine.create({ name: 'stripe_key', value: 'sk_test_never_seen_0001' });
    await mine.create({ name: 'other_token', value: 'never-seen-0002' });
    await mine.create({ name: 'old_token', value: 'never-seen-0003', expiresAt: new Date(Date.now() - 60_000) });
    await mine.create({ name: 'hook_token', value: 'never-seen-0004', allowedHosts: ['hooks.example.com'] });

    const keyless = await backend.open({ schema, withoutKey: true });
    const codes = (await lint(DEFINITION, { store: keyless, developerId: DEV })).map((d) => [d.code, d.path, d.suggestion ?? null]);
    expect(codes).toEqual([
      ['SECRET_NOT_FOUND', '/api_call/headers/X-Other', 'other_token'],
      ['SECRET_EXPIRED', '/api_call/headers/X-Old', null],
      ['PERMISSION_DENIED', '/api_call/headers/X-Hook', null],
    ]);
    const scoped = keyless.scope(DEV);
    expect((await scoped.get('stripe_key')).version).toBe(1);
    for (const attempt of [
      scoped.get('stripe_key', { reveal: true }),
      scoped.resolveMany(['stripe_key']),
      scoped.create({ name: 'new_one', value: 'never-seen-0005' }),
      scoped.rotate('stripe_key', 'never-seen-0006'),
      scoped.delete('stripe_key'),
    ]) {
      const e = await rejected(attempt);
      expect([e.code, e.message]).toEqual(["MASTER_KEY_MISSING", expect.stringContaining("without the master key")]);
      expect(e.message).toContain('without the master key');
    }
    // Nothing was written: the keyed store still reads the one value it had.
    expect((await mine.resolveMany(['stripe_key'])).get('stripe_key')).toBe('sk_test_never_seen_0001');
  });
});

describe('secretref lint without SECRETS_MASTER_KEY', () => {
  it('checks the references against the store, reading no value, and says the rows were not authenticated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-lint-nokey-'));
    const url = `file:${join(dir, 'db')}`;
    const store = await openStore({ url, masterKey: keygen() });
    await store.scope(DEV).create({ name: 'stripe_key', value: 'sk_test_never_seen_0007' });
    await store.close();
    const env = { SECRETREF_DATABASE_URL: url, SECRETREF_DEVELOPER_ID: DEV };
    const file = join(dir, 'tool.yaml');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'name: t\nurl: https://api.stripe.com/v1\nheaders:\n  A: $secrets.stripe_key\n  B: $secrets.strip_key\n'));
    const r = await cli(['lint', file, '--format', 'json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    const diagnostics = JSON.parse(r.stdout).diagnostics as { code: string; suggestion?: string }[];
    expect(diagnostics.map((d) => [d.code, d.suggestion])).toEqual([['SECRET_NOT_FOUND', 'stripe_key']]);
    expect(r.stdout + r.stderr).not.toContain('never_seen');
    const text = await cli(['lint', file], { env, cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('store read without the master key');
  });
});
