/**
 * Regression (issue 17, Build 4): `render --environment qa` with no qa_ secrets rendered the
 * unprefixed (often development) values, exit 0, without a word. Every fallback is now warned
 * about (stderr, and --plan's warnings), --strict-environment or the project config's
 * `strictEnvironment` makes it an error, and an environment without any secret is an error
 * unless --allow-empty-environment.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keygen } from '../../src/index.js';
import { cli, newDeveloper, serverCalls } from '../helpers/cli.js';

const as = serverCalls(keygen());

async function project(): Promise<{ dev: string; dir: string }> {
  const dev = newDeveloper();
  const dir = mkdtempSync(join(tmpdir(), 'secretref-env-'));
  await cli(['secrets', 'create', 'api_key'], as(dev, dir, 'dev-api-value'));
  await cli(['secrets', 'create', 'db_pass'], as(dev, dir, 'dev-db-value'));
  await cli(['secrets', 'create', 'prod_api_key'], as(dev, dir, 'prod-api-value'));
  writeFileSync(join(dir, 't.yaml'), 'name: t\napi: $secrets.api_key\ndb: $secrets.db_pass\n');
  return { dev, dir };
}

describe('environments cannot silently fall back', () => {
  it('an environment with no secrets at all is an error, unless allowed', async () => {
    const { dev, dir } = await project();
    const r = await cli(['render', 't.yaml', '--environment', 'qa', '--out', 'out.json'], as(dev, dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ENVIRONMENT_EMPTY');
    expect(r.stdout).not.toContain('dev-api-value');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    const allowed = await cli(['render', 't.yaml', '--environment', 'qa', '--allow-empty-environment'], as(dev, dir));
    expect(allowed.code).toBe(0);
    expect(allowed.stderr.match(/warning ENVIRONMENT_FALLBACK/g)).toHaveLength(2);
  });

  it('warns on stderr for every reference that fell back, with its position; the overlay is used where it exists', async () => {
    const { dev, dir } = await project();
    const r = await cli(['render', 't.yaml', '--environment', 'prod'], as(dev, dir));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: 't', api: 'prod-api-value', db: 'dev-db-value' });
    expect(r.stderr).toMatch(/^t\.yaml:3:5: warning ENVIRONMENT_FALLBACK db_pass: no prod_db_pass/m);
    expect(r.stderr).not.toMatch(/ENVIRONMENT_FALLBACK api_key/);
    expect(r.stderr).not.toContain('dev-db-value');
  });

  it('lists fallbacks in the --plan output', async () => {
    const { dev, dir } = await project();
    const r = await cli(['render', 't.yaml', '--environment', 'prod', '--plan'], as(dev, dir));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { warnings: { code: string; path: string }[]; plan: { reference: string; secret: string; fallback: boolean }[] };
    expect(doc.plan.map((p) => [p.reference, p.secret, p.fallback])).toEqual([
      ['api_key', 'prod_api_key', false],
      ['db_pass', 'db_pass', true],
    ]);
    expect(doc.warnings).toEqual([expect.objectContaining({ code: 'ENVIRONMENT_FALLBACK', path: '/db' })]);
  });

  it('--strict-environment and the config setting make a fallback an error: exit 1, nothing written', async () => {
    const { dev, dir } = await project();
    const r = await cli(['render', 't.yaml', '--environment', 'prod', '--strict-environment', '--out', 'out.json'], as(dev, dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ENVIRONMENT_FALLBACK');
    expect(r.stderr).toContain('db_pass');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);

    writeFileSync(join(dir, 'secretref.config.json'), JSON.stringify({ environment: 'prod', strictEnvironment: true }));
    const byConfig = await cli(['render', 't.yaml'], as(dev, dir));
    expect(byConfig.code).toBe(1);
    expect(byConfig.stdout).toBe('');
    expect(byConfig.stderr).toContain('ENVIRONMENT_FALLBACK');
    const planned = await cli(['render', 't.yaml', '--plan'], as(dev, dir));
    expect(planned.code).toBe(1);
    expect(JSON.parse(planned.stdout).ok).toBe(false);

    writeFileSync(join(dir, 'secretref.config.json'), JSON.stringify({ strictEnvironment: 'yes' }));
    const bad = await cli(['render', 't.yaml'], as(dev, dir));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('strictEnvironment');
  });
});
