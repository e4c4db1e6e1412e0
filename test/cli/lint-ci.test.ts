/**
 * `secretref lint` as CI runs it, in a temporary git repository (issue 16, "done when"): a finding
 * accepted by an ignore comment, one accepted by the ignore file, one in the baseline and a new
 * one give exactly one reported finding; exit 1 with `--fail-on error`, 0 with `--fail-on never`;
 * SARIF in which the accepted ones are suppressions and every path is relative to the repository
 * root, whatever folder lint runs from. The CLI runs in-process, offline (no store).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/lint/sarif-schema-2.1.0.json'), 'utf8')) as object;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

// Made-up credentials of real shapes.
const ACCEPTED = 'ghp_Kq9Zx2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5GaQm';
const DEMO_DSN = 'postgres://reader:Vq7rLx2mNc9TbZ4w@demo-db.acme.test:5432/public';
const FIXTURE = 'sk_live_Rt0Yv3Bx9Md7Hj1Fs5GaQmKq9Zx';
const NEW = 'glpat-Zx2Wn8Kc4Lp6Rt0Yv3Bx';

type Result = { ruleId: string; suppressions?: { kind: string; justification?: string }[]; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] };

let repo: string;
let tools: string;

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'secretref-lint-ci-'));
  execFileSync('git', ['init', '-q', repo]);
  tools = join(repo, 'tools');
  mkdirSync(join(tools, 'fixtures'), { recursive: true });
  writeFileSync(join(tools, 'accepted.yaml'), `name: accepted\ntype: api_call\napi_call:\n  url: https://api.github.com/user\n  headers:\n    Authorization: Bearer ${ACCEPTED}\n`);
  writeFileSync(join(tools, 'demo.yaml'), `name: demo\nsetup:\n  # secretref-ignore PASTED_CREDENTIAL: public read-only demo database\n  database_url: ${DEMO_DSN}\n`);
  writeFileSync(join(tools, 'fixtures', 'stripe.json'), JSON.stringify({ name: 'stripe_fixture', setup: { stripe_api_key: FIXTURE } }, null, 2));
  writeFileSync(join(repo, '.secretrefignore'), '# test fixtures hold fake keys\ntools/fixtures/** PASTED_CREDENTIAL\n');
  // Accept what is there today; the baseline sits at the repository root, lint runs from tools/.
  const write = await cli(['lint', '--offline', '.', '--baseline', '../.secretref-baseline.json', '--update-baseline'], { cwd: tools });
  expect(write.code).toBe(0);
  expect(write.stderr).toContain('Wrote 1 finding(s) to the baseline');
  // Then a new credential lands.
  writeFileSync(join(tools, 'new.yaml'), `name: new_tool\nsetup:\n  command: "curl -H 'PRIVATE-TOKEN: ${NEW}' https://gitlab.acme.test/api/v4/user"\n`);
});

describe('lint in CI: ignore comment, ignore file, baseline, new finding', () => {
  it('reports exactly the new finding, and fails on it with --fail-on error', async () => {
    const r = await cli(['lint', '--offline', '.', '--baseline', '../.secretref-baseline.json', '--fail-on', 'error'], { cwd: tools });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^new\.yaml:3:\d+: error PASTED_CREDENTIAL /)]);
    expect(r.stderr).toContain('4 file(s): 1 error(s), 0 warning(s), 3 suppressed');
    for (const secret of [ACCEPTED, DEMO_DSN, FIXTURE, NEW]) expect(r.stdout + r.stderr).not.toContain(secret.slice(-12));
  });

  it('exits 0 with --fail-on never, and SARIF holds the accepted ones as suppressions, paths from the repository root', async () => {
    const out = join(repo, 'secretref.sarif');
    const r = await cli(['lint', '--offline', '.', '--baseline', '../.secretref-baseline.json', '--fail-on', 'never', '--format', 'sarif', '--output', out], { cwd: tools });
    expect(r.code).toBe(0);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(validateSarif(log)).toBe(true);
    const run = log.runs[0];
    const byUri = Object.fromEntries((run.results as Result[]).map((x) => [x.locations[0]!.physicalLocation.artifactLocation.uri, x.suppressions?.map((s) => s.kind) ?? []]));
    expect(byUri).toEqual({ 'tools/accepted.yaml': ['external'], 'tools/demo.yaml': ['inSource'], 'tools/fixtures/stripe.json': ['external'], 'tools/new.yaml': [] });
    for (const x of run.results as Result[]) expect(x.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(repo).href}/`);
    expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.automationDetails.id).toBe('secretref/lint/');
    const text = readFileSync(out, 'utf8');
    for (const secret of [ACCEPTED, DEMO_DSN, FIXTURE, NEW]) expect(text).not.toContain(secret.slice(-12));
  });

  it('--fail-on warning fails on a warning; the baseline file holds no credential', async () => {
    const dir = join(repo, 'warn');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'w.yaml'), 'name: w\nurl: https://api.acme.test/$secret.token\n');
    expect((await cli(['lint', '--offline', 'w.yaml'], { cwd: dir })).code).toBe(0);
    expect((await cli(['lint', '--offline', 'w.yaml', '--fail-on', 'warning'], { cwd: dir })).code).toBe(1);
    const baseline = readFileSync(join(repo, '.secretref-baseline.json'), 'utf8');
    expect(JSON.parse(baseline).findings).toEqual([{ file: 'tools/accepted.yaml', code: 'PASTED_CREDENTIAL', path: '/api_call/headers/Authorization', fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) }]);
    expect(baseline).not.toContain(ACCEPTED.slice(4));
  });

  it('refuses what it cannot honour: a missing baseline, a bad ignore file, --update-baseline alone, an unknown --fail-on', async () => {
    expect((await cli(['lint', '--offline', '.', '--baseline', 'nope.json'], { cwd: tools })).code).toBe(2);
    expect((await cli(['lint', '--offline', '.', '--update-baseline'], { cwd: tools })).code).toBe(2);
    expect((await cli(['lint', '--offline', '.', '--fail-on', 'sometimes'], { cwd: tools })).code).toBe(2);
    const bad = join(repo, 'bad-ignore');
    writeFileSync(bad, 'tools/** PASTED_CREDENTAL\n');
    const r = await cli(['lint', '--offline', '.', '--ignore-file', '../bad-ignore'], { cwd: tools });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bad-ignore:1:1');
  });

  it('--var names a variable the definitions use, so it is not UNKNOWN_VARIABLE', async () => {
    const dir = join(repo, 'vars');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'v.yaml'), 'name: v\nheaders:\n  Authorization: "Bearer {{ secrets.acme_token | default(fallback) }}"\n');
    const without = await cli(['lint', '--offline', 'v.yaml', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(without.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('UNKNOWN_VARIABLE');
    const withVar = await cli(['lint', '--offline', 'v.yaml', '--format', 'json', '--var', 'fallback=none'], { cwd: dir });
    expect(JSON.parse(withVar.stdout).diagnostics).toEqual([]);
    expect(withVar.code).toBe(0);
  });

  it('--write-baseline FILE writes the baseline in one flag (the same file --baseline then reads)', async () => {
    const dir = join(repo, 'wb');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'k.yaml'), `name: k\nsetup:\n  api_key: ${FIXTURE}\n`);
    const write = await cli(['lint', '--offline', 'k.yaml', '--write-baseline', 'base.json'], { cwd: dir });
    expect(write.code).toBe(0);
    expect(write.stderr).toContain('Wrote 1 finding(s) to the baseline base.json');
    const read = await cli(['lint', '--offline', 'k.yaml', '--baseline', 'base.json'], { cwd: dir });
    expect(read.code).toBe(0);
    expect(read.stderr).toContain('1 suppressed');
    expect((await cli(['lint', '--offline', 'k.yaml', '--write-baseline', 'a.json', '--baseline', 'b.json'], { cwd: dir })).code).toBe(2);
  });

  it("every rule's helpUri points at a heading of docs/errors.md that exists", async () => {
    const r = await cli(['lint', '--offline', 'new.yaml', '--format', 'sarif', '--fail-on', 'never'], { cwd: tools });
    const rules = JSON.parse(r.stdout).runs[0].tool.driver.rules as { id: string; helpUri?: string }[];
    const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    // GitHub's anchor of a heading: lower case, punctuation other than - and _ dropped, spaces as -.
    const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
    expect(rules.length).toBeGreaterThan(10);
    for (const rule of rules) {
      const uri = new URL(rule.helpUri ?? '');
      expect(uri.pathname).toMatch(/\/docs\/errors\.md$/);
      expect(anchors, rule.id).toContain(uri.hash.slice(1));
    }
  });
});

describe('refs --var', () => {
  it('names a variable the definitions use, so refs reports no UNKNOWN_VARIABLE', async () => {
    const dir = join(repo, 'refs-vars');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'v.yaml'), 'name: v\nheaders:\n  Authorization: "Bearer {{ secrets.acme_token | default(fallback) }}"\n');
    const without = await cli(['refs', 'v.yaml', '--json'], { cwd: dir });
    expect(without.code).toBe(1);
    expect(JSON.parse(without.stdout).files[0].problems.map((p: { code: string }) => p.code)).toEqual(['UNKNOWN_VARIABLE']);
    const withVar = await cli(['refs', 'v.yaml', '--json', '--var', 'fallback=none'], { cwd: dir });
    expect(withVar.code).toBe(0);
    expect(JSON.parse(withVar.stdout).files[0].references.map((x: { name: string }) => x.name)).toEqual(['acme_token']);
  });
});
