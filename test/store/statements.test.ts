/**
 * The store's SQL invariants, read off the statements themselves (no database needed): every
 * statement that writes a secret audits it in the same statement, every encryption and decryption
 * goes through the one passphrase (tenant key ‖ ':' ‖ secret_id of the row), and migration 1 —
 * generated from the same helpers — still has the text stores that ran it hold.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PGP_OPTIONS } from '../../src/store/sql.js';
import * as st from '../../src/store/statements.js';
import type { ParsedCreate } from '../../src/store/validate-input.js';

const N: st.SqlNames = { schema: '"sch"', crypto: '"pgx"' };
const TENANT: st.Tenant = { developerId: '00000000-0000-0000-0000-00000000000a', tenantKey: 'tk', keyId: 'kid' };
const SECRET: ParsedCreate = { name: 'a', value: 'v', description: null, metadata: {}, expiresAt: null, allowedTools: null, allowedHosts: null };
const DEV = { developerId: TENANT.developerId };

/** Each statement that writes a secret, with the audit actions it must record. */
const WRITES: Record<string, { statements: st.Statement[]; actions: string[] }> = {
  insertSecret: {
    statements: [
      st.insertSecret(N, { ...TENANT, secretId: 'id', secret: SECRET }),
      st.insertSecret(N, { ...TENANT, secretId: 'id', secret: SECRET, createdAt: new Date(0), updatedAt: new Date(0), provenance: { importedFrom: 'julep' } }),
    ],
    actions: ['create'],
  },
  updateSecret: {
    statements: [
      st.updateSecret(N, { ...TENANT, name: 'a', change: { value: 'v' } }),
      st.updateSecret(N, { ...TENANT, name: 'a', change: { description: 'd', metadata: { merge: { k: 1 }, remove: ['j'] } } }),
      st.updateSecret(N, { ...TENANT, name: 'a', change: { value: 'v', metadata: { replace: {} } }, provenance: { importedFrom: 'julep' } }),
      st.updateSecret(N, { ...TENANT, name: 'a', change: { expiresAt: null, allowedTools: null, allowedHosts: ['h'] } }),
    ],
    actions: ['update'],
  },
  'updateSecret (rename)': {
    statements: [st.updateSecret(N, { ...TENANT, name: 'a', change: { rename: 'b' } })],
    actions: ['rename'],
  },
  'updateSecret (rename and fields)': {
    statements: [st.updateSecret(N, { ...TENANT, name: 'a', change: { rename: 'b', value: 'v' } })],
    actions: ['rename', 'update'],
  },
  deleteSecret: { statements: [st.deleteSecret(N, { ...DEV, name: 'a' })], actions: ['delete'] },
  rotateSecret: { statements: [st.rotateSecret(N, { ...TENANT, name: 'a', value: 'v', graceMs: 1 })], actions: ['rotate'] },
  rollbackSecret: { statements: [st.rollbackSecret(N, { ...TENANT, name: 'a' })], actions: ['rollback'] },
  rekeyBatch: {
    statements: [st.rekeyBatch(N, { ids: ['id'], oldTenantKeys: ['o'], newTenantKeys: ['n'], from: 'k1', to: 'k2' })],
    actions: ['rekey'],
  },
  rebindBatch: { statements: [st.rebindBatch(N, { ids: ['id'], tenantKeys: ['tk'], keyId: 'k' })], actions: ['rekey'] },
  quarantineUnbound: { statements: [st.quarantineUnbound(N, { id: 'id', keyId: 'k' })], actions: ['rekey'] },
};

/** Statements that write no secret (reads, and transaction settings). */
const OTHERS: Record<string, st.Statement> = {
  beginTenant: st.beginTenant(N, TENANT.developerId),
  liftRowSecurity: st.liftRowSecurity(N),
  restoreRowSecurity: st.restoreRowSecurity(N),
  grantApplication: st.grantApplication(N, '"app"'),
  applicationGranted: st.applicationGranted(N, 'app'),
  roleInfo: st.roleInfo(N),
  serverConnections: st.serverConnections(),
  pruneAuditBegin: st.pruneAuditBegin(N),
  pruneAuditBatch: st.pruneAuditBatch(N, { before: new Date(0), limit: 1 }),
  pruneAuditEnd: st.pruneAuditEnd(N),
  fetch: st.fetch(N, { ...DEV, names: ['a'], action: 'resolve', tenantKey: 'tk', keyId: 'kid', previous: true }),
  fetchUnlogged: st.fetchUnlogged(N, { ...DEV, names: ['a'], tenantKey: 'tk', keyId: 'kid', previous: true }),
  appendAudit: st.appendAudit(N, { ...DEV, records: '[]' }),
  listPage: st.listPage(N, { ...DEV, after: null, prefix: '', metadata: null, limit: 1, tenantKey: 'tk', keyId: 'kid' }),
  listNames: st.listNames(N, { ...DEV, after: null, prefix: '', limit: 1 }),
  auditPage: st.auditPage(N, { ...DEV, name: null, since: null, limit: 1 }),
  describe: st.describe(N, { ...DEV, name: 'a' }),
  compareSecret: st.compareSecret(N, { ...TENANT, name: 'a', value: 'v', description: null, metadata: {} }),
  countUnderKey: st.countUnderKey(N, 'k'),
  pickUnderKey: st.pickUnderKey(N, 'k', 1),
  otherKeys: st.otherKeys(N, 'k'),
  beginWrite: st.beginWrite(N, { ...DEV, keyId: 'kid' }),
  startRekey: st.startRekey(N, { from: 'k1', to: 'k2' }),
  rekeyBarrier: st.rekeyBarrier(N),
  finishRekey: st.finishRekey(N, { from: 'k1', to: 'k2' }),
  pickUnbound: st.pickUnbound(N, 'k', 1),
  finishRebind: st.finishRebind(N, 'name'),
  migrationDevelopers: st.migrationDevelopers(N),
  developerRowCount: st.developerRowCount(N, DEV.developerId),
  exportSecrets: st.exportSecrets(N, { ...DEV, tenantKey: 'tk', keyId: 'kid' }),
  exportAudit: st.exportAudit(N, DEV.developerId),
};

/**
 * Writes that carry another store's audit history over with the secrets (migrate) instead of
 * recording an action of their own: the history is written in the same statement.
 */
const COPIES: Record<string, st.Statement> = {
  importDeveloper: st.importDeveloper(N, { ...DEV, tenantKey: 'tk', keyId: 'kid', secrets: '[]', audit: '[]' }),
};
const HISTORY_INSERT = `insert into ${N.schema}.audit (developer_id, secret_id, name, names, action, detail, at)`;

/** The building blocks and the SQL function bodies (checked below on their own). */
const BLOCKS = [
  'passphrase', 'encrypt', 'decrypt', 'audit', 'infoColumns', 'sqlFunctions', 'keyGuard',
  'boundPassphrase', 'encryptBound', 'decryptBound', 'rowColumns', 'rowMac', 'intact', 'bindingSchema', 'keysetPaging', 'auditBatch', 'boundedAudit', 'sizedNames',
  'standbyReads', 'coreMacReads', 'macPads',
];

const AUDIT_INSERT = `insert into ${N.schema}.audit (developer_id, secret_id, name, action, detail)`;
const WRITES_SECRETS = /\b(insert\s+into\s+"sch"\.secrets|update\s+"sch"\.secrets\s+\w+\s+set|delete\s+from\s+"sch"\.secrets)\b/;

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The arguments of the call whose `(` is at `open`, split at top-level commas (quotes respected). */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      args.push(text.slice(start, i).trim());
      return args;
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error('unbalanced call');
}

/** Passphrase of a row alias: derived key ‖ ':' ‖ secret_id (binding 1), then ‖ name ‖ version (binding 2). */
const PASS_V1 = String.raw`[\w$:.]+ \|\| ':' \|\| \w+\.secret_id::text`;
const PASS_V2 = String.raw`${PASS_V1} \|\| ':' \|\| \([\w$:.]+\) \|\| ':' \|\| \([\w$:. +1]+\)::text`;

/**
 * Every pgcrypto call in `text`: each decrypt uses a row passphrase; each encrypt the bound one
 * (name and version included) and the store options.
 */
function cryptoCalls(text: string): { encrypts: number; decrypts: number; unbound: string[] } {
  const bad: string[] = [];
  let encrypts = 0;
  let decrypts = 0;
  for (const m of text.matchAll(/"pgx"\.pgp_sym_(encrypt|decrypt)\(/g)) {
    const args = callArguments(text, (m.index ?? 0) + m[0].length - 1);
    if (m[1] === 'encrypt') {
      encrypts++;
      if (!new RegExp(`^${PASS_V2}$`).test(args[1] ?? '') || args[2] !== `'${PGP_OPTIONS}'` || args.length !== 3) bad.push(args.join(' ‖ '));
    } else {
      decrypts++;
      if (!new RegExp(`^(${PASS_V2}|${PASS_V1})$`).test(args[1] ?? '') || args.length !== 2) bad.push(args.join(' ‖ '));
    }
  }
  return { encrypts, decrypts, unbound: bad };
}

describe('store statements', () => {
  it('classifies every statement builder as a write or not (a new one must be added here)', () => {
    const names = Object.entries(st).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    const classified = [...new Set([...Object.keys(WRITES).map((k) => k.split(' ')[0] as string), ...Object.keys(OTHERS), ...Object.keys(COPIES), ...BLOCKS])];
    expect(names.sort()).toEqual(classified.sort());
  });

  it('every statement that writes a secret audits it, once per action, in the same statement', () => {
    for (const [name, { statements, actions }] of Object.entries(WRITES)) {
      for (const s of statements) {
        expect(s.text, name).toMatch(WRITES_SECRETS);
        expect(occurrences(s.text, AUDIT_INSERT), name).toBe(1);
        const recorded = [...s.text.matchAll(/'(create|update|rename|delete|rotate|rollback|rekey)'/g)].map((m) => m[1]);
        expect(recorded, name).toEqual(actions);
      }
    }
  });

  it('a move writes secrets only with the audit history it copies, in the same statement, and records no action of its own', () => {
    for (const [name, s] of Object.entries(COPIES)) {
      expect(s.text, name).toMatch(WRITES_SECRETS);
      expect(occurrences(s.text, HISTORY_INSERT), name).toBe(1);
      expect(s.text, name).not.toContain(AUDIT_INSERT);
      expect([...s.text.matchAll(/'(create|update|rename|delete|rotate|rollback|rekey)'/g)], name).toEqual([]);
    }
  });

  it('no other statement writes a secret', () => {
    for (const [name, s] of Object.entries(OTHERS)) {
      expect(s.text, name).not.toMatch(WRITES_SECRETS);
      expect(s.text, name).not.toContain(AUDIT_INSERT);
    }
  });

  it('every pgp_sym_encrypt binds name and version; every pgp_sym_decrypt uses a row passphrase', () => {
    let encrypts = 0;
    const all = [...Object.values(WRITES).flatMap((w) => w.statements), ...Object.values(OTHERS), ...Object.values(COPIES)].map((s) => s.text);
    for (const text of [...all, st.sqlFunctions(N), st.bindingSchema(N), st.keysetPaging(N), st.boundedAudit(N), st.standbyReads(N), st.coreMacReads(N)]) {
      const c = cryptoCalls(text);
      expect(c.unbound).toEqual([]);
      encrypts += c.encrypts;
    }
    expect(encrypts).toBeGreaterThanOrEqual(6); // create ×2, update ×2, rotate, rekey ×2
  });

  it('descriptions and lists decrypt nothing and call no pgcrypto function (migration 10), and still check every row', () => {
    const describe = st.fetch(N, { ...DEV, names: ['a'], action: null, tenantKey: 'tk', keyId: 'kid', previous: false });
    const list = st.listPage(N, { ...DEV, after: null, prefix: '', metadata: null, limit: 10, tenantKey: 'tk', keyId: 'kid' });
    expect(describe.text).toContain('describe_secrets(');
    expect(list.text).toContain('list_described(');
    // No key text reaches the database on these reads, only the HMAC pads.
    expect([...describe.params, ...list.params]).not.toContain('tk');
    const sql = st.coreMacReads(N);
    expect(sql).not.toContain(N.crypto);
    expect(sql).not.toMatch(/pgp_sym|hmac\(/);
    expect(occurrences(sql, 'p_mac_ipad, p_mac_opad)')).toBe(2); // each function checks each row it returns
  });

  it('the SQL function `fetch` audits and decrypts through the same helpers', () => {
    const fns = st.sqlFunctions(N);
    expect(occurrences(fns, AUDIT_INSERT)).toBe(1);
    expect(fns).toContain(st.audit(N, { action: { sql: 'p_action' }, detail: `jsonb_build_object('version', h.version)` }, 'hit', 'h'));
    expect(occurrences(fns, st.decrypt(N, 'h.value_encrypted', 'p_tenant_key', 'h'))).toBe(1);
    expect(occurrences(fns, st.decrypt(N, 'h.previous_value_encrypted', 'p_tenant_key', 'h'))).toBe(1);
  });

  it('the SQL function `read_secrets` (migration 4) audits, checks the HMAC and decrypts bound values through the same helpers', () => {
    const fns = st.bindingSchema(N);
    expect(occurrences(fns, AUDIT_INSERT)).toBe(1);
    expect(occurrences(fns, st.intact(N, 'p_tenant_key', 't'))).toBe(3);
    expect(occurrences(fns, st.decryptBound(N, 'h.value_encrypted', 'p_tenant_key', 'h', 'h.name', 'h.version'))).toBe(1);
    expect(occurrences(fns, st.decryptBound(N, 'h.previous_value_encrypted', 'p_tenant_key', 'h', 'h.name', 'h.previous_version'))).toBe(1);
    // Decrypted only when intact.
    expect(fns).toMatch(/case when h\.intact\s+then convert_to\(case when h\.binding = 2/);
  });

  it('every write that changes a row it finds checks the row first (cur.intact), so it never signs a tampered row', () => {
    for (const s of [
      ...WRITES.updateSecret!.statements,
      ...WRITES['updateSecret (rename)']!.statements,
      ...WRITES.rotateSecret!.statements,
      ...WRITES.rollbackSecret!.statements,
      ...WRITES.rekeyBatch!.statements,
    ]) {
      expect(s.text).toMatch(/from (b, )?cur where t\.secret_id = (cur\.secret_id|b\.id and cur\.secret_id = t\.secret_id) and cur\.intact/);
      expect(s.text).toContain('mac = ');
    }
  });

  it('pgcrypto, the passphrase and the audit insert are written once in src/, in the helpers', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
      }
    };
    walk(join(import.meta.dirname, '../../src'));
    const where = (needle: RegExp): string[] => [
      ...new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(needle)].map(() => f.slice(f.indexOf('src/'))))),
    ];
    expect(where(/pgp_sym_encrypt\(/g)).toEqual(['src/store/statements.ts']);
    expect(where(/pgp_sym_decrypt\(/g).filter((f) => f !== 'src/import/julep.ts')).toEqual(['src/store/statements.ts']);
    expect(where(/\|\| ':' \|\|/g)).toEqual(['src/store/statements.ts']);
    expect(where(/insert into \$\{[^}]+\}\.audit/g)).toEqual(['src/store/statements.ts']);
  });

  it('migration 1 keeps the text stores that ran it hold (whitespace aside)', () => {
    const m1 = MIGRATIONS.find((m) => m.version === 1);
    const text = m1?.sql(N).replace(/\s+/g, ' ').trim() ?? '';
    // Pinned from migration 1 as released; if this fails, keep the old text for version 1 and add
    // a migration that replaces what changed.
    expect(createHash('sha256').update(text).digest('hex')).toBe('8afaf2d756fcd084558e9b0521fa1a5314ea0872aa255f27e4ec47e29bda5d4a');
  });

  it('migrations 2–10 keep their text too (key guard, roles, binding, keyset paging, bounded audit, sized names, standby reads, core-sha256 reads; 5 is a data migration with none)', () => {
    const pinned: Record<number, string> = {
      2: '29783f09741312ddbdb741aac5480a468b21a6483bea4fcd0ceb8956afaaf021',
      3: '2ea6038c3405e7412436bb02b12bec4d7aa888fc5e41bc47e22572dfe9e7d1a6',
      4: 'bc7ee3352be20938cd8d0226e5528fa4e39a7ee2a03f9ba33bd0f0671d46bc95',
      5: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      6: 'a29dfa923ee7cf717f457560de7d65ed8889ea2227dbf3b34c241688d9abccd9',
      7: 'a1fa8e41173b25c03a191f5261e2cda9d49d4d4d573a01ae4ad7a0771d572fff',
      8: 'e4b601b4114b5c150329a89bde9f6aa015acd30c10822b2b6ee06489e0326506',
      9: 'b0fe40f654b8a1078233c0ff6f2391bf9ce7bf7fc359f4527858de10b4530f19',
      10: '71319902d14aabe4adf744d977d0177f76431a2fb83d8c659edb4e6dd6de3a1b',
    };
    for (const m of MIGRATIONS.filter((x) => x.version > 1)) {
      const text = m.sql(N).replace(/\s+/g, ' ').trim();
      expect(createHash('sha256').update(text).digest('hex'), `migration ${m.version}`).toBe(pinned[m.version]);
    }
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(MIGRATIONS.filter((m) => m.data).map((m) => m.version)).toEqual([st.REBIND_VERSION]);
  });
});
