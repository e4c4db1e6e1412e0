/**
 * README's tour, run as written: the commands are read from the block between
 * `<!-- tour:begin -->` and `<!-- tour:end -->`, so README and this test cannot drift. They run in
 * one bash shell in a fresh temp folder (the `cd` and `export` carry over, as in a terminal), on
 * the embedded default store, with `npx secretref` meaning the built CLI (as in e2e.test.ts).
 * Every command must exit 0 and must have a check below: a command added to the tour without
 * a check fails the test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

/** The shell commands of README's tour block; a heredoc stays with the command that opens it. */
function tourCommands(readme: string): string[] {
  const block = /<!-- tour:begin -->\n```sh\n([\s\S]*?)```\n<!-- tour:end -->/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README has no tour block between <!-- tour:begin --> and <!-- tour:end -->');
  const lines = block.split('\n');
  const commands: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const heredoc = /<<'?(\w+)'?/.exec(line)?.[1];
    if (heredoc === undefined) {
      commands.push(line);
      continue;
    }
    const body = [line];
    while (i + 1 < lines.length && lines[i] !== heredoc) body.push(lines[++i] as string);
    commands.push(body.join('\n'));
  }
  return commands;
}

interface Step {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the commands in one shell, each with its own captured output and exit status. */
async function runTour(commands: string[], dir: string): Promise<Step[]> {
  const out = join(dir, '.tour-out');
  const script = [
    `mkdir -p '${out}'`,
    // `npx secretref …` is the built CLI; anything else through npx is not part of the tour.
    `npx() { if [ "$1" = secretref ]; then shift; node '${BIN}' "$@"; else echo "unexpected: npx $*" >&2; return 127; fi; }`,
    ...commands.map((c, i) => `{ ${c}\n} >'${out}/${i}.out' 2>'${out}/${i}.err'; echo $? >'${out}/${i}.rc'`),
  ].join('\n');
  writeFileSync(join(dir, '.tour.sh'), script);
  const env = { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' };
  await promisify(execFile)('bash', [join(dir, '.tour.sh')], { cwd: dir, env, timeout: 280_000 });
  return commands.map((command, i) => ({
    command,
    code: Number(readFileSync(join(out, `${i}.rc`), 'utf8').trim()),
    stdout: readFileSync(join(out, `${i}.out`), 'utf8'),
    stderr: readFileSync(join(out, `${i}.err`), 'utf8'),
  }));
}

/** The values the tour pipes in: none may be printed except where a render puts it. */
const VALUES = { stripe_api_key: 'sk_test_tour_4eC39H', prod_stripe_api_key: 'sk_live_tour_9xQ2Lm', stripe_account_id: 'acct_1TourDemo', db_password: 'p@ss:w/rd#1' };

type Check = [RegExp, (s: Step, dir: string) => void];

const NAMES = ['db_password', 'idem_prefix', 'stripe_account_id', 'stripe_api_key'];

const CHECKS: Check[] = [
  [/^mkdir -p secretref-tour && cd secretref-tour$/, (s, dir) => expect(existsSync(join(dir, 'secretref-tour'))).toBe(true)],
  [/secretref keygen/, (s) => expect(s.stdout + s.stderr).toBe('')],
  [/secrets create (\w+)/, (s) => {
    const name = /secrets create (\w+)/.exec(s.command)?.[1] as string;
    expect(s.stderr).toMatch(new RegExp(`^Created ${name} \\(version 1, key [0-9a-f]{16}\\)\\.\\n$`));
  }],
  [/cat > tools\/stripe\.yaml/, (s, dir) => expect(readFileSync(join(dir, 'secretref-tour', 'tools', 'stripe.yaml'), 'utf8')).toContain('name: stripe_create_charge')],
  [/secrets list$/, (s) => {
    const names = s.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['db_password', 'idem_prefix', 'prod_stripe_api_key', 'stripe_account_id', 'stripe_api_key']);
    expect(s.stdout).toContain('Stripe test key');
  }],
  [/secretref refs tools\/$/, (s) => {
    const refs = s.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(refs.map((r) => r[2]).sort()).toEqual(NAMES);
    expect(refs[0]?.[0]).toBe('tools/stripe.yaml:5:30');
    expect(s.stderr).toContain('4 references to 4 secrets in 1 file(s) (dialect secretref)');
  }],
  [/secretref lint tools\/$/, (s) => expect(s.stderr).toContain('1 file(s): 0 error(s), 0 warning(s) (dialect secretref).')],
  [/render tools\/stripe\.yaml$/, (s) => {
    const v = JSON.parse(s.stdout);
    expect(v.api_call.headers).toEqual({ Authorization: `Bearer ${VALUES.stripe_api_key}`, 'Stripe-Account': VALUES.stripe_account_id, 'Idempotency-Key': 'charge-tour' });
    expect(decodeURIComponent(new URL(v.api_call.dsn).password)).toBe(VALUES.db_password);
    expect(v.api_call.note).toBe('costs $5, and $secrets.x stays literal');
    expect(s.stderr).toContain('dialect secretref');
  }],
  [/--plan$/, (s) => {
    const plan = JSON.parse(s.stdout);
    expect(plan.dialect).toBe('secretref');
    expect(plan.plan.map((p: { secret: string }) => p.secret)).toEqual(['stripe_api_key', 'stripe_account_id', 'idem_prefix', 'db_password']);
  }],
  [/--redact$/, (s) => {
    for (const name of NAMES.filter((n) => n !== 'idem_prefix')) expect(s.stdout).toContain(`[REDACTED:${name}]`);
  }],
  [/--environment prod$/, (s) => expect(JSON.parse(s.stdout).api_call.headers.Authorization).toBe(`Bearer ${VALUES.prod_stripe_api_key}`)],
];

/** Commands that show values: a render without masking. Every other output holds none. */
const SHOWS_VALUES = /render tools\/stripe\.yaml( --environment prod)?$/;

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe("README's tour", () => {
  const commands = tourCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('is extracted whole: every command of the block, the heredoc with its command', () => {
    expect(commands.length).toBeGreaterThanOrEqual(12);
    expect(commands.find((c) => c.includes('<<'))?.endsWith('\nEOF')).toBe(true);
    const unchecked = commands.filter((c) => !CHECKS.some(([re]) => re.test(c.split('\n')[0] as string)));
    expect(unchecked, 'tour commands without a check in this test').toEqual([]);
  });

  it('runs as written in a fresh folder, and each command prints what README says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-tour-'));
    const steps = await runTour(commands, dir);
    for (const step of steps) {
      const head = step.command.split('\n')[0] as string;
      expect(step.code, `${head}\n${step.stderr}`).toBe(0);
      for (const [re, check] of CHECKS) if (re.test(head)) check(step, dir);
      if (!SHOWS_VALUES.test(head)) for (const v of Object.values(VALUES)) expect(step.stdout + step.stderr, head).not.toContain(v);
    }
  }, 300_000);
});
