/**
 * Accepting a finding: `# secretref-ignore CODE` comments, the `.secretrefignore` file and the
 * baseline. Accepted findings stay in the list, marked `suppression`, and every report shows
 * them as such (SARIF `suppressions`, JSON `suppressed`, not listed in text). Fingerprints keep
 * a finding's identity when lines move and never carry a credential, not even hashed whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { applyBaseline, applyIgnoreFile, baselineOf, formatBaseline, formatDiagnostics, ignoreComments, lint, parseBaseline, parseIgnoreFile, type Diagnostic } from '../../src/lint/index.js';

const TOKEN = 'ghp_Kq9Zx2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5GaQm';
const OTHER = 'ghp_Rt0Yv3Bx9Md7Hj1Fs5GaQmKq9Zx2Wn8Kc4Lp6';
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/lint/sarif-schema-2.1.0.json'), 'utf8')) as object;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line} ${d.code}${d.suppression ? ` ${d.suppression.by}` : ''}`);

describe('# secretref-ignore comments', () => {
  it('accept the named code on the same line or the line before, stacked over blank and comment lines', async () => {
    const source = [
      'name: t', // 1
      `a: ${TOKEN} # secretref-ignore PASTED_CREDENTIAL: rotated, kept for the demo`, // 2
      '# secretref-ignore PASTED_CREDENTIAL', // 3
      '', // 4
      '# another comment', // 5
      `b: ${TOKEN}`, // 6
      `c: ${TOKEN}`, // 7: not covered
      '# secretref-ignore NAME_STYLE', // 8: another code
      `d: ${TOKEN}`, // 9
    ].join('\n');
    const ds = await lint(source, { filename: 't.yaml' });
    expect(codes(ds)).toEqual(['2 PASTED_CREDENTIAL comment', '6 PASTED_CREDENTIAL comment', '7 PASTED_CREDENTIAL', '9 PASTED_CREDENTIAL']);
    expect(ds[0]?.suppression).toEqual({ kind: 'inSource', by: 'comment', justification: 'rotated, kept for the demo' });
  });

  it('cover a whole block scalar when they cover the line that opens it', async () => {
    const key = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----'];
    const block = (head: string) => [head, ...key.map((l) => `  ${l}`)].join('\n');
    const above = `name: t\n# secretref-ignore PASTED_CREDENTIAL: test key\n${block('signing_key: |')}\nother: ${TOKEN}\n`;
    expect(codes(await lint(above))).toEqual(['4 PASTED_CREDENTIAL comment', '8 PASTED_CREDENTIAL']);
    const trailing = `name: t\n${block('signing_key: | # secretref-ignore PASTED_CREDENTIAL')}\nother: ${TOKEN}\n`;
    expect(codes(await lint(trailing))).toEqual(['3 PASTED_CREDENTIAL comment', '7 PASTED_CREDENTIAL']);
  });

  it('are comments only: the same text inside a string or a block scalar accepts nothing', async () => {
    const source = [`a: "${TOKEN} # secretref-ignore PASTED_CREDENTIAL"`, 'b: |', '  # secretref-ignore PASTED_CREDENTIAL', `  ${TOKEN}`].join('\n');
    const ds = await lint(source, { filename: 't.yaml' });
    expect(ds.filter((d) => d.code === 'PASTED_CREDENTIAL').map((d) => d.suppression)).toEqual([undefined, undefined]);
    expect(ignoreComments(source)).toEqual([]);
  });

  it('name a code: a bare or unknown code accepts nothing, and ignoreComments: false reports everything', async () => {
    const source = `# secretref-ignore\na: ${TOKEN}\n# secretref-ignore PASTED_CREDENTAL\nb: ${TOKEN}\nc: ${TOKEN} # secretref-ignore PASTED_CREDENTIAL, NAME_STYLE\n`;
    expect(codes(await lint(source))).toEqual(['2 PASTED_CREDENTIAL', '4 PASTED_CREDENTIAL', '5 PASTED_CREDENTIAL comment']);
    expect(codes(await lint(source, { ignoreComments: false }))).toEqual(['2 PASTED_CREDENTIAL', '4 PASTED_CREDENTIAL', '5 PASTED_CREDENTIAL']);
  });
});

describe('the ignore file', () => {
  it('accepts by glob and code, a base-name glob in any folder', () => {
    const { rules, problems } = parseIgnoreFile('# fixtures\ntest/fixtures/** PASTED_CREDENTIAL  # fake on purpose\n*.example.yaml\n');
    expect(problems).toEqual([]);
    const d = (file: string, code: Diagnostic['code']): Diagnostic => ({ file, code, severity: 'error', message: 'm', path: '/a', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } });
    const ds = [d('test/fixtures/x/a.yaml', 'PASTED_CREDENTIAL'), d('test/fixtures/x/a.yaml', 'NAME_STYLE'), d('deep/dir/b.example.yaml', 'NAME_STYLE'), d('tools/c.yaml', 'PASTED_CREDENTIAL')];
    applyIgnoreFile(ds, rules, (x) => x.file);
    expect(ds.map((x) => x.suppression?.justification ?? null)).toEqual(['fake on purpose', null, '.secretrefignore line 3: *.example.yaml', null]);
    expect(ds[0]?.suppression?.kind).toBe('external');
  });

  it('reports every malformed line with its line number', () => {
    const { problems } = parseIgnoreFile('ok.yaml\n/abs/x.yaml\ntools/** PASTED_CREDENTAL\n!keep.yaml\n');
    expect(problems.map((p) => [p.code, p.range?.start.line])).toEqual([
      ['INVALID_INPUT', 2],
      ['INVALID_INPUT', 3],
      ['INVALID_INPUT', 4],
    ]);
  });
});

describe('baselines and fingerprints', () => {
  const source = (extra = '') => `${extra}name: t\nheaders:\n  Authorization: Bearer ${TOKEN}\nx: $secret.one\n`;

  it('a fingerprint survives moved lines, changes with the finding, and never holds the credential', async () => {
    const a = await lint(source(), { filename: 't.yaml' });
    const b = await lint(source('# moved\n\n'), { filename: 't.yaml' });
    expect(a.map((d) => d.fingerprint)).toEqual(b.map((d) => d.fingerprint));
    expect(new Set(a.map((d) => d.fingerprint)).size).toBe(a.length);
    const c = await lint('name: t\nheaders:\n  Authorization: Bearer x\nx: $secret.two\n', { filename: 't.yaml' });
    expect(c.find((d) => d.code === 'LOOKS_LIKE_REFERENCE')?.fingerprint).not.toBe(a.find((d) => d.code === 'LOOKS_LIKE_REFERENCE')?.fingerprint);
    // A credential is fingerprinted by its masked form only: another token of the same shape and
    // length at the same place has the same fingerprint, so no hash of the value is ever stored.
    const d = await lint(source().replace(TOKEN, OTHER), { filename: 't.yaml' });
    expect(d.find((x) => x.code === 'PASTED_CREDENTIAL')?.fingerprint).toBe(a.find((x) => x.code === 'PASTED_CREDENTIAL')?.fingerprint);
  });

  it('round-trips, matches by count, counts stale entries and holds no credential', async () => {
    const ds = await lint(source(), { filename: 't.yaml' });
    const file = formatBaseline(baselineOf(ds, (d) => d.file ?? ''));
    expect(file).not.toContain(TOKEN.slice(4));
    const { baseline, problems } = parseBaseline(file);
    expect(problems).toEqual([]);
    expect(baseline?.findings).toHaveLength(ds.length);
    // The same findings twice over: one copy is accepted, the other is new.
    const twice = [...(await lint(source(), { filename: 't.yaml' })), ...(await lint(source(), { filename: 't.yaml' }))];
    expect(applyBaseline(twice, baseline!, (d) => d.file ?? '')).toBe(0);
    expect(twice.filter((d) => d.suppression?.by === 'baseline')).toHaveLength(ds.length);
    // Fixed since: the entries match nothing.
    expect(applyBaseline(await lint('name: t\n', { filename: 't.yaml' }), baseline!, (d) => d.file ?? '')).toBe(ds.length);
    // Keyed by file: the same finding elsewhere is new.
    const moved = await lint(source(), { filename: 'u.yaml' });
    applyBaseline(moved, baseline!, (d) => d.file ?? '');
    expect(moved.every((d) => d.suppression === undefined)).toBe(true);
  });

  it('refuses a malformed baseline or another version, never reading it as empty', () => {
    expect(parseBaseline('{').problems[0]?.code).toBe('INVALID_INPUT');
    expect(parseBaseline('{"version": 99, "tool": "secretref", "findings": []}').problems[0]?.path).toBe('/version');
    expect(parseBaseline('{"version": 1, "tool": "secretref", "findings": [{"file": "a", "code": "NOPE", "path": "", "fingerprint": "x"}]}').problems[0]?.path).toBe('/findings/0');
  });
});

describe('suppressed findings in the reports', () => {
  it('SARIF marks them with suppressions (inSource / external) and still validates; JSON lists them apart; text leaves them out', async () => {
    const ds = await lint(`name: t\na: ${TOKEN} # secretref-ignore PASTED_CREDENTIAL: demo\nb: ${TOKEN}\nc: ${OTHER}\n`, { filename: 'tools/t.yaml' });
    applyBaseline(ds, baselineOf(ds.filter((d) => d.range.start.line === 3), (d) => d.file ?? ''), (d) => d.file ?? '');
    const log = JSON.parse(formatDiagnostics(ds, 'sarif', { root: '/repo', cwd: '/repo', toolVersion: '0.1.0' }));
    expect(validate(log)).toBe(true);
    const run = log.runs[0];
    expect(run.results.map((r: { suppressions?: { kind: string }[] }) => r.suppressions?.[0]?.kind ?? null)).toEqual(['inSource', 'external', null]);
    expect(run.results[0].suppressions[0]).toEqual({ kind: 'inSource', justification: 'demo' });
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'tools/t.yaml', uriBaseId: '%SRCROOT%' });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///repo/');
    expect(run.automationDetails.id).toBe('secretref/lint/');
    expect(run.tool.driver).toMatchObject({ version: '0.1.0', semanticVersion: '0.1.0' });
    const json = JSON.parse(formatDiagnostics(ds, 'json'));
    expect(json.summary).toEqual({ errors: 1, warnings: 0, infos: 0, suppressed: 2 });
    expect(json.diagnostics.map((d: { line: number }) => d.line)).toEqual([4]);
    expect(json.suppressed.map((d: { suppression: { by: string } }) => d.suppression.by)).toEqual(['comment', 'baseline']);
    const text = formatDiagnostics(ds, 'text');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain('tools/t.yaml:4:');
  });
});
