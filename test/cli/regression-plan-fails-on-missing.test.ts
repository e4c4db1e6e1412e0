/**
 * Regression (issue 17, Build 5): `render --plan` threw on a missing secret instead of planning.
 * A plan lists missing, expired and denied references as such, exits 1 and writes nothing; the
 * library's render({ plan: true }) resolves with the plan and `value: null` instead of rejecting.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createResolver, keygen, openStore, render } from '../../src/index.js';
import { cli, newDeveloper, type CliCall } from '../helpers/cli.js';

let url: string;
const key = keygen();
beforeAll(() => {
  url = inject('pg').appUrl;
});
const as = (developer: string, cwd: string): CliCall => ({ cwd, env: { SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: url, SECRETREF_DEVELOPER_ID: developer } });

describe('render --plan plans what cannot render', () => {
  it('lists missing, expired and denied references with their status, exit 1, no value, nothing written', async () => {
    const dev = newDeveloper();
    const dir = mkdtempSync(join(tmpdir(), 'secretref-plan-'));
    await cli(['secrets', 'create', 'ok_key'], { ...as(dev, dir), stdin: 'value-ok-1234' });
    await cli(['secrets', 'create', 'old_key', '--expires-at', '2020-01-01T00:00:00Z'], { ...as(dev, dir), stdin: 'value-old-1234' });
    await cli(['secrets', 'create', 'fenced_key', '--allow-tool', 'other_tool'], { ...as(dev, dir), stdin: 'value-fenced-1234' });
    writeFileSync(join(dir, 't.yaml'), 'name: t\na: $secrets.ok_key\nb: $secrets.gone_key\nc: $secrets.old_key\nd: $secrets.fenced_key\n');
    const r = await cli(['render', 't.yaml', '--plan', '--out', 'never.json'], as(dev, dir));
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; plan: { reference: string; status: string; secret: string | null; problem: { code: string } | null; line: number }[] };
    expect(doc.ok).toBe(false);
    expect(doc.plan.map((p) => [p.reference, p.status])).toEqual([
      ['ok_key', 'ok'],
      ['gone_key', 'missing'],
      ['old_key', 'expired'],
      ['fenced_key', 'denied'],
    ]);
    expect(doc.plan.map((p) => p.problem?.code ?? null)).toEqual([null, 'SECRET_NOT_FOUND', 'SECRET_EXPIRED', 'PERMISSION_DENIED']);
    expect(doc.plan[1]?.line).toBe(3);
    expect(r.stderr).toMatch(/^t\.yaml:3:\d+: error SECRET_NOT_FOUND gone_key is missing$/m);
    for (const v of ['value-ok-1234', 'value-old-1234', 'value-fenced-1234']) expect(r.stdout + r.stderr).not.toContain(v);
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });

  it('a plan of a definition that is itself broken still fails with its error', async () => {
    const dev = newDeveloper();
    const dir = mkdtempSync(join(tmpdir(), 'secretref-plan-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: t\na: "{{ secrets[x] }}"\nb: $secrets.gone_key\n');
    const r = await cli(['render', 'bad.yaml', '--plan'], as(dev, dir));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('REFERENCE_DYNAMIC');
  });

  it('the library resolves a plan with value null instead of rejecting; a render without plan still rejects', async () => {
    const store = await openStore({ url, masterKey: key });
    const dev = newDeveloper();
    try {
      await store.scope(dev).create({ name: 'here_key', value: 'here-value-1' });
      const resolver = createResolver(store, { developerId: dev });
      try {
        const source = 'name: t\na: $secrets.here_key\nb: $secrets.absent_key\nc: "{{ secrets.maybe_key | default(\'none\') }}"\n';
        const planned = await render(source, { resolver, plan: true });
        expect(planned.value).toBeNull();
        expect(planned.plan?.map((p) => p.status)).toEqual(['ok', 'missing', 'absent']);
        await expect(render(source, { resolver })).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
        const fine = await render('name: t\na: $secrets.here_key\n', { resolver, plan: true });
        expect(fine.value).toEqual({ name: 't', a: 'here-value-1' });
        expect(fine.plan?.[0]).toMatchObject({ status: 'ok', fallback: false, secret: 'here_key' });
      } finally {
        resolver.close();
      }
    } finally {
      await store.close();
    }
  });
});
