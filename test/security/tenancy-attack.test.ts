/**
 * Tenancy under attack. Developer B tries every operation of the library and every CLI command
 * taking a name on developer A's secrets: B cannot read, list, infer (the answer is the one for a
 * name nobody has — same code, same message), update, delete, rotate, roll back or audit them, and
 * A's secrets and audit log are untouched afterwards. SQL metacharacters in names are refused as
 * INVALID_NAME; in metadata keys and values, list prefixes and metadata filters they are inert:
 * stored and matched literally, never an extra row.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { keygen } from '../../src/store/crypto-key.js';
import { openStore } from '../../src/store/open.js';
import type { ScopedStore, Store } from '../../src/store/types.js';
import { describeBackends } from '../helpers/backends.js';
import { cli, type CliResult } from '../helpers/cli.js';

const A = randomUUID();
const B = randomUUID();
const A_VALUE = 'A-PRIVATE-VALUE-7f3c';
const A_PREVIOUS = 'A-PREVIOUS-VALUE-91d2';

/** The outcome of a call as data: value or { code, message with `name` masked }. */
async function outcome(p: Promise<unknown>, name: string): Promise<unknown> {
  try {
    const v = await p;
    if (v instanceof Map) return { map: [...v.keys()] };
    if (Array.isArray(v)) return { array: v.length };
    return { ok: true };
  } catch (e) {
    if (!(e instanceof SecretrefError)) throw e;
    return { code: e.code, message: e.message.replaceAll(name, '<NAME>'), problems: e.problems.map((p) => ({ ...p, message: p.message.replaceAll(name, '<NAME>'), ...(p.name ? { name: '<NAME>' } : {}) })) };
  }
}

/** Every operation B could aim at a name. */
function attacks(b: ScopedStore, name: string): [string, () => Promise<unknown>][] {
  return [
    ['get', () => b.get(name)],
    ['get reveal', () => b.get(name, { reveal: true })],
    ['get reveal previous', () => b.get(name, { reveal: true, previous: true })],
    ['update value', () => b.update(name, { value: 'B-OVERWRITE' })],
    ['update rename', () => b.update(name, { name: 'stolen_by_b' })],
    ['update description', () => b.update(name, { description: 'pwned' })],
    ['update metadata', () => b.update(name, { metadata: { owner: 'b' } })],
    ['update clear metadata', () => b.update(name, { metadata: null })],
    ['update expiry', () => b.update(name, { expiresAt: new Date(0) })],
    ['update policy', () => b.update(name, { allowedTools: ['evil'], allowedHosts: ['evil.example'] })],
    ['delete', () => b.delete(name)],
    ['rotate', () => b.rotate(name, 'B-ROTATED')],
    ['rotate no grace', () => b.rotate(name, 'B-ROTATED', { graceMs: 0 })],
    ['rollback', () => b.rollback(name)],
    ['resolveMany', () => b.resolveMany([name])],
    ['resolveDetailed', () => b.resolveDetailed([name])],
    ['inspectMany', () => b.inspectMany([name])],
    ['audit by name', () => b.audit({ name })],
    ['list by prefix', () => b.list({ prefix: name })],
  ];
}

const METACHAR_NAMES = [
  "a'; drop table secrets; --",
  "x' or '1'='1",
  'a"b',
  'a;b',
  'a--b',
  'a%',
  '%',
  '_',
  '_a',
  'a\\b',
  '$$a$$',
  '$1',
  'a b',
  'a.b',
  'a[0]',
  'a\u0000b',
  'é',
  'a/*b*/',
  '1a',
  '',
];

describeBackends('tenancy under attack (library)', (backend) => {
  let store: Store;
  let a: ScopedStore;
  let b: ScopedStore;
  beforeAll(async () => {
    store = await backend.open();
    a = store.scope(A);
    b = store.scope(B);
    await a.create({ name: 'only_a', value: A_PREVIOUS, description: 'A only', metadata: { owner: 'a', team: 'x' }, allowedTools: ['a_tool'] });
    await a.rotate('only_a', A_VALUE, { graceMs: 600_000 });
    await a.create({ name: 'a_other', value: 'A-OTHER' });
  });

  it("B's every operation on A's secret answers exactly as for a name nobody has", async () => {
    const auditBefore = await a.audit({ limit: 1000 });
    for (const [what, run] of attacks(b, 'only_a')) {
      const foreign = await outcome(run(), 'only_a');
      const absent = await outcome(attacks(b, 'never_made').find(([w]) => w === what)![1](), 'never_made');
      expect(foreign, what).toEqual(absent);
      expect(JSON.stringify(foreign)).not.toContain('A-');
    }
    // No list, filter or page of B shows A's rows.
    expect((await b.list({ limit: 1000 })).items).toEqual([]);
    expect((await b.list({ metadata: { owner: 'a' } })).items).toEqual([]);
    expect((await b.list({ prefix: 'only' })).items).toEqual([]);
    expect(await b.audit({ limit: 10_000 })).toEqual([]);
    // B's own namespace is independent: the same names are free, renames onto them work — no
    // DUPLICATE_NAME that would betray A's secret.
    await b.create({ name: 'only_a', value: 'B-OWN' });
    await b.create({ name: 'b_mine', value: 'B-MINE' });
    await b.update('b_mine', { name: 'a_other' });
    expect((await b.resolveMany(['only_a', 'a_other'])).get('only_a')).toBe('B-OWN');
    await b.delete('only_a');
    await b.delete('a_other');

    // A is untouched: value, previous value, metadata, policy, version, audit log.
    const mine = await a.get('only_a', { reveal: true, previous: true });
    expect(mine).toMatchObject({ value: A_VALUE, version: 2, description: 'A only', metadata: { owner: 'a', team: 'x' }, allowedTools: ['a_tool'], expiresAt: null });
    expect(mine.previous?.value).toBe(A_PREVIOUS);
    expect((await a.resolveMany(['a_other'])).get('a_other')).toBe('A-OTHER');
    const auditAfter = await a.audit({ limit: 1000 });
    // Only A's own reads above were added; nothing of B's attempts.
    expect(auditAfter.filter((e) => !auditBefore.some((x) => x.id === e.id)).map((e) => e.action).sort()).toEqual(['resolve', 'reveal']);
    expect(auditAfter.every((e) => e.developerId === A)).toBe(true);
  });

  it('refuses SQL metacharacters in names as INVALID_NAME, in every operation, without touching the database', async () => {
    const before = await backend.sql<{ n: string | number }>(`select count(*) as n from ${store.schema}.secrets`, [], { maintenance: true });
    for (const name of METACHAR_NAMES) {
      const calls: [string, () => Promise<unknown>][] = [
        ['create', () => b.create({ name, value: 'v' })],
        ['rename target', () => a.update('a_other', { name })],
        ...attacks(b, name).filter(([w]) => w !== 'list by prefix'),
      ];
      for (const [what, run] of calls) {
        const got = await outcome(run(), name);
        expect((got as { code?: string }).code, `${what} ${JSON.stringify(name)}`).toBe('INVALID_NAME');
        // The refused name is never echoed back (it may be a value pasted in the wrong place).
        if (name.length > 2) expect((got as { message: string }).message).not.toContain('<NAME>');
      }
    }
    const after = await backend.sql<{ n: string | number }>(`select count(*) as n from ${store.schema}.secrets`, [], { maintenance: true });
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n));
    expect(() => store.scope("'; drop table secretref.secrets; --")).toThrow(SecretrefError);
  });

  it('keeps metacharacters in metadata keys, values, filters and prefixes inert: literal matches, no extra rows', async () => {
    const c = store.scope(randomUUID());
    const nasty = {
      "k'; drop table secrets; --": "v' or '1'='1",
      '%': '_',
      '_': '%',
      'a\\b': 'c\\\\d',
      '$$x$$': '$1',
      'semi;colon': '-- comment',
      'quote"d': '/* c */',
      '{"nested"}': '@> {}',
    };
    await c.create({ name: 'meta_one', value: 'v1', metadata: nasty });
    await c.create({ name: 'meta_two', value: 'v2', metadata: { plain: 'x', '%': 'other' } });
    await c.create({ name: 'meta_three', value: 'v3', metadata: { nested: { '%': ['_'] } } });
    await c.create({ name: 'ab_1', value: 'v4' });
    await c.create({ name: 'aX1', value: 'v5' });
    await c.create({ name: 'a_1', value: 'v6' });

    expect((await c.get('meta_one')).metadata).toEqual(nasty);
    const names = async (metadata: Record<string, unknown>) => (await c.list({ metadata })).items.map((s) => s.name).sort();
    for (const [k, v] of Object.entries(nasty)) expect(await names({ [k]: v })).toEqual(['meta_one']);
    expect(await names(nasty)).toEqual(['meta_one']);
    expect(await names({ '%': '%' })).toEqual([]);
    expect(await names({ '%': '_' })).toEqual(['meta_one']);
    expect(await names({ "k'; drop table secrets; --": '%' })).toEqual([]);
    expect(await names({ nested: { '%': ['_'] } })).toEqual(['meta_three']);
    expect(await names({ nested: { '%': ['%'] } })).toEqual([]);
    // `_` in a prefix is a literal underscore, not a LIKE wildcard.
    expect((await c.list({ prefix: 'a_' })).items.map((s) => s.name)).toEqual(['a_1']);
    expect((await c.list({ prefix: 'A' })).items.map((s) => s.name)).toEqual([]);
    // Prefixes that no name can start with are refused, never widened.
    for (const prefix of ['%', "a'", 'a;', 'a--', 'a\\', '$$', 'a b', 'a%']) {
      expect((await outcome(c.list({ prefix }), prefix) as { code?: string }).code, prefix).toBe('INVALID_INPUT');
    }
    // Update merges and removes metacharacter keys literally too.
    await c.update('meta_one', { metadata: { '%': null, 'new;key': "'" } });
    const { '%': _gone, ...rest } = nasty;
    expect((await c.get('meta_one')).metadata).toEqual({ ...rest, 'new;key': "'" });
    expect((await c.list({ limit: 1000 })).items).toHaveLength(6);
  });
});

describe('tenancy under attack (CLI, in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-tenancy-cli-'));
  const folder = join(dir, 'db');
  const key = keygen();
  let keeper: Store | undefined;
  const env = (developer: string) => ({ SECRETS_MASTER_KEY: key, SECRETREF_DATABASE_URL: `file:${folder}`, SECRETREF_DEVELOPER_ID: developer, HOME: dir });
  const as = (developer: string, argv: string[], stdin?: string): Promise<CliResult> =>
    cli(argv, { cwd: dir, env: env(developer), ...(stdin !== undefined ? { stdin } : {}) });

  beforeAll(async () => {
    cpSync(inject('pgliteTemplate'), folder, { recursive: true });
    // Keeps the embedded database booted between CLI runs (each run joins it, then lets go).
    keeper = await openStore({ url: `file:${folder}`, masterKey: key });
    expect((await as(A, ['secrets', 'create', 'only_a', '--metadata', 'owner=a'], A_PREVIOUS)).code).toBe(0);
    expect((await as(A, ['secrets', 'rotate', 'only_a'], A_VALUE)).code).toBe(0);
    expect((await as(A, ['secrets', 'create', 'stripe_api_key'], 'A-STRIPE')).code).toBe(0);
    for (const n of ['only_a', 'absent', 'stripe_api_kye']) {
      writeFileSync(join(dir, `${n}.yaml`), `name: t\nurl: https://api.example.com\nheaders:\n  X-Key: $secrets.${n}\n`);
    }
  }, 120_000);
  afterAll(async () => {
    await keeper?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commands = (name: string): [string, string[], string?][] => [
    ['get', ['secrets', 'get', name]],
    ['get --reveal', ['secrets', 'get', name, '--reveal']],
    ['get --reveal --previous --json', ['secrets', 'get', name, '--reveal', '--previous', '--json']],
    ['update --value-stdin', ['secrets', 'update', name, '--value-stdin'], 'B-OVERWRITE'],
    ['update --rename', ['secrets', 'update', name, '--rename', 'stolen_by_b']],
    ['update --description', ['secrets', 'update', name, '--description', 'pwned']],
    ['update --clear-metadata --no-expiry --clear-policy', ['secrets', 'update', name, '--clear-metadata', '--no-expiry', '--clear-policy']],
    ['delete', ['secrets', 'delete', name]],
    ['rotate', ['secrets', 'rotate', name, '--grace', '0s'], 'B-ROTATED'],
    ['rollback', ['secrets', 'rollback', name]],
    ['audit --secret', ['audit', '--secret', name]],
    ['audit --secret --json', ['audit', '--secret', name, '--json']],
    ['render', ['render', `${name}.yaml`]],
    ['render --plan', ['render', `${name}.yaml`, '--plan']],
    ['render --redact', ['render', `${name}.yaml`, '--redact']],
    ['lint', ['lint', `${name}.yaml`]],
    ['lint --format json', ['lint', `${name}.yaml`, '--format', 'json']],
    ['lint --format sarif', ['lint', `${name}.yaml`, '--format', 'sarif']],
    ['list --prefix', ['secrets', 'list', '--prefix', name.slice(0, 4)]],
  ];

  /** Output with the name (and what SARIF derives from it: fingerprints, timestamps) masked. */
  const masked = (r: CliResult, name: string) => {
    const clean = (s: string) =>
      s
        .replaceAll(name, '<NAME>')
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<TIME>')
        .replace(/("secretref\/v\d+"|"fingerprint"): "[0-9a-f]+"/g, '$1: "<HASH>"');
    return { code: r.code, stdout: clean(r.stdout), stderr: clean(r.stderr) };
  };

  it("B's every command naming A's secret answers exactly as for a name nobody has; A is untouched", async () => {
    for (const [what, argv, stdin] of commands('only_a')) {
      const foreign = await as(B, argv, stdin);
      // Same length as only_a, so ranges and columns line up too.
      const absent = await as(B, commands('absent').find(([w]) => w === what)![1], stdin);
      expect(masked(foreign, 'only_a'), what).toEqual(masked(absent, 'absent'));
      expect(foreign.stdout + foreign.stderr, what).not.toContain('A-');
    }
    // No listing, filter or suggestion of B shows A's names.
    for (const argv of [['secrets', 'list'], ['secrets', 'list', '--json'], ['secrets', 'list', '--metadata', 'owner=a', '--json'], ['audit', '--json'], ['render', 'stripe_api_kye.yaml'], ['lint', 'stripe_api_kye.yaml', '--format', 'json']]) {
      const r = await as(B, argv);
      expect(r.stdout + r.stderr, argv.join(' ')).not.toMatch(/only_a|stripe_api_key|A-/);
    }
    const got = await as(A, ['secrets', 'get', 'only_a', '--reveal']);
    expect(got).toMatchObject({ code: 0, stdout: A_VALUE });
    expect((await as(A, ['secrets', 'get', 'only_a', '--reveal', '--previous'])).stdout).toBe(A_PREVIOUS);
    const audit = JSON.parse((await as(A, ['audit', '--json', '--limit', '1000'])).stdout) as { entries: { developerId: string }[] };
    expect(audit.entries.every((e) => e.developerId === A)).toBe(true);
    const list = JSON.parse((await as(A, ['secrets', 'list', '--json'])).stdout) as { secrets: { name: string; version: number; metadata: unknown }[] };
    expect(list.secrets.map((s) => [s.name, s.version, s.metadata])).toEqual([['only_a', 2, { owner: 'a' }], ['stripe_api_key', 1, {}]]);
  }, 180_000);

  it('refuses metacharacter names and developer ids; metacharacter filters are inert', async () => {
    for (const name of METACHAR_NAMES.filter((n) => n !== '' && !n.includes('\u0000'))) {
      for (const argv of [['secrets', 'create', name], ['secrets', 'get', name], ['secrets', 'delete', name], ['audit', '--secret', name]]) {
        const r = await as(B, argv, 'value');
        expect(r.code, `${argv.join(' ')}`).toBe(1);
        expect(r.stderr).toContain('INVALID_NAME');
      }
    }
    const evil = await cli(['secrets', 'list'], { cwd: dir, env: { ...env(A), SECRETREF_DEVELOPER_ID: "'; drop table secretref.secrets; --" } });
    expect(evil.code).toBe(2); // a malformed developer id is a usage error
    expect(evil.stderr).toContain('INVALID_INPUT');
    for (const pair of ["owner=a' or '1'='1", "owner'--=a", '%=%', 'owner=%', '_=_']) {
      const r = await as(A, ['secrets', 'list', '--metadata', pair, '--json']);
      expect(r.code, pair).toBe(0);
      expect((JSON.parse(r.stdout) as { secrets: unknown[] }).secrets, pair).toEqual([]);
    }
    expect(JSON.parse((await as(A, ['secrets', 'list', '--metadata', 'owner=a', '--json'])).stdout).secrets).toHaveLength(1);
    const wild = await as(A, ['secrets', 'list', '--prefix', '%']);
    expect(wild.code).toBe(1);
    expect(wild.stderr).toContain('INVALID_INPUT');
    expect(wild.stdout).toBe('');
  }, 180_000);
});
