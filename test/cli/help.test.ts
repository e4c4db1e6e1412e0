/**
 * Help that teaches (issue 18, Build 5): every command of the table has `--help` with the global
 * options, the environment variables it reads and at least one example of itself; `completion`
 * prints scripts generated from the same table, and the bash one completes in a real bash.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import { STORE_ENV } from '../../src/cli/help.js';
import { cli } from '../helpers/cli.js';

describe('--help of every command', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s --help shows global options, environment and an example', async (name, spec) => {
    const r = await cli([...name.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Global Options:');
    expect(r.stdout).toContain('--database-url');
    expect(spec.examples.length).toBeGreaterThan(0);
    expect(r.stdout).toContain('Examples:');
    for (const x of spec.examples) expect(x).toMatch(new RegExp(`secretref ${name}\\b`));
    expect(r.stdout).toContain(`$ ${spec.examples[0]}`);
    const env = spec.env ?? ('usesConfig' in spec && spec.usesConfig === false ? [] : STORE_ENV);
    if (env.length === 0) expect(r.stdout).not.toContain('Environment:');
    for (const e of env) expect(r.stdout).toContain(e);
  });
});

describe('completion', () => {
  async function script(shell: string): Promise<string> {
    const r = await cli(['completion', shell]);
    expect(r.code).toBe(0);
    return r.stdout;
  }

  /** What bash offers for `secretref WORDS…` with the cursor on the last word. */
  function complete(bashScript: string, words: string[]): string[] {
    const line = ['secretref', ...words];
    const program = `${bashScript}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _secretref; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', program], { encoding: 'utf8', cwd: import.meta.dirname }).split('\n').filter(Boolean);
  }

  it('bash completes commands, subcommands, flags (global ones too) and file names', async () => {
    const s = await script('bash');
    for (const c of COMMANDS) expect(s).toContain(c.name.split(' ').pop());
    expect(complete(s, ['re'])).toEqual(['refs', 'render', 'rekey']);
    expect(complete(s, ['secrets', 'ro'])).toEqual(['rotate', 'rollback']);
    expect(complete(s, ['--developer', 'x', 'secrets', 'g'])).toEqual(['get']);
    expect(complete(s, ['render', '--fo'])).toEqual(['--format']);
    expect(complete(s, ['run', '--e'])).toEqual(['--env', '--environment']);
    expect(complete(s, ['secrets', 'get', '--database-'])).toEqual(['--database-url']);
    expect(complete(s, ['render', 'help.test'])).toEqual(['help.test.ts']);
  });

  it('zsh reuses the bash table through bashcompinit; fish has a line per command and flag', async () => {
    const z = await script('zsh');
    expect(z).toContain('bashcompinit');
    expect(z).toContain('complete -o filenames -F _secretref secretref');
    const f = await script('fish');
    expect(f).toContain("complete -c secretref -n '__fish_use_subcommand' -a 'render'");
    expect(f).toContain("-n '__fish_seen_subcommand_from secrets; and not __fish_seen_subcommand_from create list get update delete rotate rollback' -a 'get'");
    expect(f).toContain("-n '__fish_seen_subcommand_from run' -l env -r -F");
  });

  it('another shell is a usage error', async () => {
    expect((await cli(['completion', 'powershell'])).code).toBe(2);
  });
});
