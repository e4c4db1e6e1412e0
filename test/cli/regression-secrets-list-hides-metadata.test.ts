/** `secrets list` showed no metadata in its table (issue 18); it has a METADATA column now. */
import { describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper, type CliCall } from '../helpers/cli.js';

const key = keygen();
const as = (dev: string, extra: CliCall = {}): CliCall => ({ ...extra, env: { SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: dev } });

describe('secrets list', () => {
  it('shows each secret’s metadata', async () => {
    const dev = newDeveloper();
    await cli(['secrets', 'create', 'a_key', '--metadata', 'team=payments', '--metadata', 'env=prod'], as(dev, { stdin: 'v' }));
    await cli(['secrets', 'create', 'b_key'], as(dev, { stdin: 'v' }));
    const r = await cli(['secrets', 'list'], as(dev));
    expect(r.code).toBe(0);
    const [head, a, b] = r.stdout.trimEnd().split('\n');
    expect(head).toMatch(/\bMETADATA\b/);
    expect(a).toMatch(/^a_key\b.*\benv=prod,team=payments\b/);
    expect(b).toMatch(/^b_key\b/);
  });
});
