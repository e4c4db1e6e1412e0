/**
 * The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml) are checked as
 * structure — they parse, have the keys GitHub and pre-commit require, and every flag they pass
 * exists in the lint command of the CLI's table — and run: the hook's entry on the files staged
 * in a temporary git repository, the Action's lint step (its bash, with `npx secretref@…` resolved
 * to this checkout) in one, writing its outputs and a SARIF report.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../src/cli/command-table.js';
import { cli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const TOKEN = 'ghp_Kq9Zx2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5GaQm'; // made up

type Step = { name?: string; id?: string; shell?: string; run?: string; uses?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> };
type Action = { name: string; description: string; inputs: Record<string, { description: string; required?: boolean; default?: string }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } };
type Hook = { id: string; name: string; entry: string; language: string; files?: string; exclude?: string; pass_filenames?: boolean };

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const lintSpec = COMMANDS.find((c) => c.name === 'lint') as { options?: readonly { flags: string }[] } | undefined;
const LINT_FLAGS = new Set((lintSpec?.options ?? []).map((o) => /--[\w-]+/.exec(o.flags)?.[0]));
const lintStep = action.runs.steps.find((s) => s.id === 'lint') as Step;

function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-ci-'));
  execFileSync('git', ['init', '-q', dir]);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('action.yml', () => {
  it('is a composite action with the documented inputs and outputs', () => {
    expect(action.name).toBe('secretref lint');
    expect(action.description.length).toBeGreaterThan(20);
    expect(action.runs.using).toBe('composite');
    for (const input of ['paths', 'dialect', 'fail-on', 'baseline', 'working-directory', 'upload', 'version']) expect(action.inputs[input]?.description, input).toBeTruthy();
    expect(action.inputs['fail-on']?.default).toBe('error');
    expect(Object.keys(action.outputs)).toEqual(['sarif-file', 'exit-code']);
    // Every run step of a composite action must name its shell.
    for (const s of action.runs.steps) if (s.run !== undefined) expect(s.shell, s.name).toBe('bash');
  });

  it('runs secretref lint with flags that exist, through env (no ${{ }} in the script), then uploads with upload-sarif', () => {
    const script = lintStep.run as string;
    expect(script).toContain('npx --yes "secretref@$INPUT_VERSION"');
    expect(script).not.toContain('${{');
    const arrays = [...script.matchAll(/args\+?=\(([^)]*)\)/g)].map((m) => m[1] as string).join(' ');
    expect(arrays.startsWith('lint ')).toBe(true);
    const flags = [...arrays.matchAll(/--[\w-]+/g)].map((m) => m[0]);
    expect(flags).toEqual(expect.arrayContaining(['--offline', '--format', '--output', '--fail-on', '--dialect', '--baseline']));
    for (const f of flags) expect(LINT_FLAGS.has(f), f).toBe(true);
    expect(arrays).toContain('--format sarif');
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.sarif_file).toBe('${{ steps.lint.outputs.sarif-file }}');
    expect(upload?.if).toContain('always()');
    // The job fails after the upload, not before it.
    const steps = action.runs.steps;
    expect(steps.indexOf(upload as Step)).toBeLessThan(steps.findIndex((s) => s.name === 'Fail on findings'));
  });

  it("its lint step, run in a git repository, writes SARIF and its outputs and leaves failing to the last step", async () => {
    const shim = mkdtempSync(join(tmpdir(), 'secretref-npx-'));
    // `npx --yes secretref@VERSION ARGS…` resolves to this checkout's CLI.
    writeFileSync(join(shim, 'npx'), `#!/bin/sh\nshift 2\nexec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${join(ROOT, 'src/cli/main.ts')}" "$@"\n`);
    chmodSync(join(shim, 'npx'), 0o755);
    const step = async (repo: string, failOn: string) => {
      const output = join(repo, 'github-output');
      writeFileSync(output, '');
      const env = { PATH: `${shim}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? tmpdir(), GITHUB_OUTPUT: output, SARIF_FILE: join(repo, 'out.sarif'), INPUT_PATHS: 'tools', INPUT_DIALECT: '', INPUT_FAIL_ON: failOn, INPUT_BASELINE: '', INPUT_IGNORE_FILE: '', INPUT_VERSION: '0.0.0-test' };
      const r = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', lintStep.run as string], { cwd: repo, env }).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
      return { code: r, outputs: readFileSync(output, 'utf8'), sarif: existsSync(env.SARIF_FILE) ? JSON.parse(readFileSync(env.SARIF_FILE, 'utf8')) : undefined };
    };
    const leaking = tempRepo({ 'tools/leak.yaml': `name: leak\nheaders:\n  Authorization: Bearer ${TOKEN}\n` });
    const a = await step(leaking, 'error');
    expect(a.code).toBe(0); // the step itself passes: the upload comes next
    expect(a.outputs).toContain('exit-code=1');
    expect(a.outputs).toContain(`sarif-file=${join(leaking, 'out.sarif')}`);
    expect(a.sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['PASTED_CREDENTIAL']);
    expect(a.sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('tools/leak.yaml');
    expect((await step(leaking, 'never')).outputs).toContain('exit-code=0');
    const clean = tempRepo({ 'tools/ok.yaml': 'name: ok\nheaders:\n  Authorization: Bearer $secrets.acme_token\n' });
    expect((await step(clean, 'error')).outputs).toContain('exit-code=0');
  }, 60_000);
});

describe('.pre-commit-hooks.yaml', () => {
  const hook = hooks[0] as Hook;

  it('defines one hook that runs the CLI offline on YAML and JSON files', () => {
    expect(hooks).toHaveLength(1);
    expect(hook).toMatchObject({ id: 'secretref-lint', language: 'node', pass_filenames: true });
    expect(hook.name.length).toBeGreaterThan(0);
    const [bin, command, ...flags] = hook.entry.split(/\s+/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain(bin);
    expect(COMMANDS.map((c) => c.name)).toContain(command);
    expect(command).toBe('lint');
    expect(flags).toContain('--offline');
    for (const f of flags) expect(LINT_FLAGS.has(f), f).toBe(true);
    const files = new RegExp(hook.files as string);
    const exclude = new RegExp(hook.exclude as string);
    expect(['tools/a.yaml', 'b.yml', 'c.json'].every((f) => files.test(f))).toBe(true);
    expect(['README.md', 'x.ts'].some((f) => files.test(f))).toBe(false);
    expect(['.github/workflows/ci.yml', 'package.json', 'pkg/package-lock.json', 'secretref.config.yaml', '.pre-commit-config.yaml'].every((f) => exclude.test(f))).toBe(true);
    expect(exclude.test('tools/a.yaml')).toBe(false);
  });

  it('run on the staged files of a git repository, fails on a pasted credential and passes once it is accepted', async () => {
    const repo = tempRepo({
      'tools/leak.yaml': `name: leak\nheaders:\n  Authorization: Bearer ${TOKEN}\n`,
      'tools/ok.json': JSON.stringify({ name: 'ok', headers: { Authorization: 'Bearer $secrets.acme_token' } }),
      // Not a tool definition, and excluded: GitHub's own ${{ secrets.X }} syntax.
      '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n',
    });
    execFileSync('git', ['add', '-A'], { cwd: repo });
    const staged = () =>
      execFileSync('git', ['diff', '--cached', '--name-only'], { cwd: repo, encoding: 'utf8' })
        .split('\n')
        .filter((f) => f && new RegExp(hook.files as string).test(f) && !new RegExp(hook.exclude as string).test(f));
    expect(staged()).toEqual(['tools/leak.yaml', 'tools/ok.json']);
    const argv = [...hook.entry.split(/\s+/).slice(1), ...staged()];
    const failing = await cli(argv, { cwd: repo });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('tools/leak.yaml:3:');
    expect(failing.stdout).not.toContain(TOKEN.slice(4));
    writeFileSync(join(repo, 'tools/leak.yaml'), `name: leak\nheaders:\n  Authorization: Bearer ${TOKEN} # secretref-ignore PASTED_CREDENTIAL: revoked test token\n`);
    execFileSync('git', ['add', '-A'], { cwd: repo });
    const passing = await cli([...hook.entry.split(/\s+/).slice(1), ...staged()], { cwd: repo });
    expect(passing.code).toBe(0);
    expect(passing.stderr).toContain('2 file(s): 0 error(s), 0 warning(s), 1 suppressed');
  });
});
