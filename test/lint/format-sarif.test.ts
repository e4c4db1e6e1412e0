/**
 * The SARIF report validates against the official OASIS SARIF 2.1.0 schema (draft-07, kept in
 * fixtures/lint/) and carries what GitHub code scanning reads: rule metadata, levels, relative
 * URIs, regions and stable partial fingerprints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY } from '../../src/lint/format-sarif.js';
import { formatDiagnostics, lint, LINT_CODES, LINT_RULES, type Diagnostic } from '../../src/lint/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/lint');
const schema = JSON.parse(readFileSync(join(FIXTURES, 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS; its default export is the plugin function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
addFormats(ajv);
const validate = ajv.compile(schema);

type SarifLog = {
  runs: {
    tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string }; shortDescription: { text: string } }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[]; partialFingerprints: Record<string, string> }[];
  }[];
};

async function corpusDiagnostics(): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const f of ['planted/syntax.yaml', 'planted/credentials.yaml', 'planted/looks-like.yaml', 'planted/model-fields.json', 'planted/name-style.yaml', 'planted/invalid.json', 'clean/julep-agent.yaml']) {
    out.push(...(await lint(readFileSync(join(FIXTURES, f), 'utf8'), { filename: `fixtures/lint/${f}` })));
  }
  return out;
}

describe('SARIF report', () => {
  it('validates against the SARIF 2.1.0 schema, for many files in one run', async () => {
    const diagnostics = await corpusDiagnostics();
    expect(diagnostics.length).toBeGreaterThan(20);
    const log = JSON.parse(formatDiagnostics(diagnostics, 'sarif', { toolVersion: '0.1.0' })) as SarifLog;
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The schema is not vacuous: a run without a tool, or a region at line 0, is refused.
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
    const broken = structuredClone(log) as SarifLog;
    broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0;
    expect(validate(broken)).toBe(false);
    expect(log.runs).toHaveLength(1);
    expect(new Set(log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).size).toBeGreaterThan(5);
  });

  it('validates when empty, and for a file name that needs escaping or is absolute', async () => {
    for (const ds of [[], await lint('a: $secret.x\n', { filename: 'my tools/weird #1.yaml' }), await lint('a: $secret.x\n', { filename: '/abs/path/t.yaml' })]) {
      expect(validate(JSON.parse(formatDiagnostics(ds, 'sarif')))).toBe(true);
    }
    const log = JSON.parse(formatDiagnostics(await lint('a: $secret.x\n', { filename: 'my tools/weird #1.yaml' }), 'sarif')) as SarifLog;
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('my%20tools/weird%20%231.yaml');
  });

  it('describes every rule, and each result points at its rule by id and index', async () => {
    const log = JSON.parse(formatDiagnostics(await corpusDiagnostics(), 'sarif')) as SarifLog;
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('secretref');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(LINT_CODES);
    for (const r of run.tool.driver.rules) {
      expect(r.shortDescription.text).toBe(LINT_RULES[r.id as keyof typeof LINT_RULES].summary);
      expect(['error', 'warning', 'note']).toContain(r.defaultConfiguration.level);
    }
    for (const res of run.results) {
      expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
      expect(res.locations[0]!.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(res.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(run.results.map((r) => r.level)).toEqual(expect.arrayContaining(['error', 'warning', 'note']));
  });

  it('fingerprints are stable when lines move, and distinct per finding', async () => {
    const a = await lint('name: t\nx: $secret.one\ny: $secret.two\n', { filename: 't.yaml' });
    const b = await lint('# a new comment\n\nname: t\nx: $secret.one\ny: $secret.two\n', { filename: 't.yaml' });
    const fp = (ds: Diagnostic[]) => (JSON.parse(formatDiagnostics(ds, 'sarif')) as SarifLog).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY] as string);
    expect(fp(a)).toEqual(fp(b));
    expect(new Set(fp(a)).size).toBe(2);
  });
});
