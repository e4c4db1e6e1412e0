/**
 * `secrets get` of a mistyped name said only "not found", and never said whether a value from
 * before the last rotation was still readable (issue 18): now a close name is suggested, and the
 * previous version is shown with the end of its grace period (or "none").
 */
import { describe, expect, inject, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli, newDeveloper, type CliCall } from '../helpers/cli.js';

const key = keygen();
const as = (dev: string, extra: CliCall = {}): CliCall => ({ ...extra, env: { SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: inject('pg').appUrl, SECRETREF_DEVELOPER_ID: dev } });

describe('secrets get', () => {
  it('suggests a close name when the name is not found', async () => {
    const dev = newDeveloper();
    await cli(['secrets', 'create', 'stripe_api_key'], as(dev, { stdin: 'v1' }));
    const r = await cli(['secrets', 'get', 'stripe_apikey'], as(dev));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SECRET_NOT_FOUND');
    expect(r.stderr).toContain('suggestion: stripe_api_key');
    const json = await cli(['secrets', 'get', 'stripe_apikey', '--json'], as(dev));
    expect(JSON.parse(json.stdout).error.problems[0].suggestion).toBe('stripe_api_key');
  });

  it('says whether a previous value is in its grace period, and until when', async () => {
    const dev = newDeveloper();
    await cli(['secrets', 'create', 'db_password'], as(dev, { stdin: 'old-value' }));
    let r = await cli(['secrets', 'get', 'db_password'], as(dev));
    expect(r.stdout).toMatch(/^previous\s+none in a grace period$/m);
    await cli(['secrets', 'rotate', 'db_password', '--grace', '2h'], as(dev, { stdin: 'new-value' }));
    r = await cli(['secrets', 'get', 'db_password'], as(dev));
    expect(r.stdout).toMatch(/^previous\s+version 1, readable until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(in its grace period\)$/m);
    expect(r.stdout + r.stderr).not.toContain('old-value');
    const json = JSON.parse((await cli(['secrets', 'get', 'db_password', '--json'], as(dev))).stdout);
    expect(json.previous).toMatchObject({ version: 1 });
    expect(Date.parse(json.previous.validUntil)).toBeGreaterThan(Date.now());
  });
});
