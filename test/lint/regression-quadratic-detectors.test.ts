/**
 * Regression (security review, Medium): the URL-password detector was quadratic on strings such
 * as `a.a.a.…://x` (32 K characters 0.7 s, 256 K 18–30 s; 1 MiB strings are allowed). Every lint
 * detector is timed here on adversarial inputs of growing size: growth from n to 8n must stay
 * near 8× (linear), far from the 64× of a quadratic scan. Ratios within one run, not absolute times.
 */
import { describe, expect, it } from 'vitest';
import { findAssignments } from '../../src/lint/assignments.js';
import { findCommandLineSecrets } from '../../src/lint/command-line.js';
import { findFieldSecret, findTokens, findUrlSecrets } from '../../src/lint/credentials.js';
import { findLookalikes } from '../../src/lint/looks-like.js';
import { ignoreComments } from '../../src/lint/ignore-comments.js';
import { hasAlphabetWalk, isPlaceholder } from '../../src/lint/placeholder.js';
import { growth } from '../helpers/growth.js';

const DETECTORS: Record<string, (s: string) => unknown> = {
  findUrlSecrets,
  findTokens,
  findFieldSecret: (s) => findFieldSecret('password', s.slice(0, 4096)),
  findLookalikes: (s) => findLookalikes(s, () => false),
  findCommandLineSecrets,
  findAssignments,
  placeholders: (s) => isPlaceholder(s) || hasAlphabetWalk(s),
};

const ADVERSARIAL: Record<string, (n: number) => string> = {
  'a.a.a…://x': (n) => `${'a.'.repeat(n / 2)}://x`,
  'a://a://…': (n) => 'a://'.repeat(n / 4),
  'u:p:u:p…://': (n) => `x://${'u:p'.repeat(n / 3)}`,
  ':::…': (n) => `x://${':'.repeat(n)}`,
  'sk-sk-…': (n) => 'sk-'.repeat(n / 3),
  'AAAA…': (n) => 'A'.repeat(n),
  '?key=?key=…': (n) => `https://h/${'?key='.repeat(n / 5)}`,
  '$secrets.$secrets.…': (n) => '$secrets.'.repeat(n / 9),
  '{{ {{ …': (n) => '{{ '.repeat(n / 3),
  'ghp_…': (n) => `ghp_${'a'.repeat(n)}`,
  // Token formats, command lines and assignments (issue 16).
  'xsk-proj-xsk-proj-…': (n) => 'xsk-proj-'.repeat(n / 9),
  'sk-proj-aaaa… (no marker)': (n) => `sk-proj-${'a'.repeat(n)}`,
  'hf_hf_…': (n) => 'hf_'.repeat(n / 3),
  'eyJa.eyJa.…': (n) => 'eyJaaaaaaaaaaa.'.repeat(n / 15),
  'aaa8Q~aaa8Q~…': (n) => 'aaa8Q~'.repeat(n / 6),
  'hooks.slack.com/services/…': (n) => 'hooks.slack.com/services/a'.repeat(n / 26),
  'glpat-a.a.a.…': (n) => `glpat-${'a'.repeat(20)}${'.a'.repeat(n / 2)}!`,
  'a=a=a=…': (n) => 'a='.repeat(n / 2),
  'password=password=…': (n) => 'password='.repeat(n / 9),
  'token="token="…': (n) => 'token="'.repeat(n / 7),
  '"token":"token":…': (n) => '"token":'.repeat(n / 8),
  'blanks then token:': (n) => `${' '.repeat(n)}token: x`,
  'newline, token: …': (n) => '\n token:'.repeat(n / 9),
  '-H -H -H …': (n) => '-H '.repeat(n / 3),
  "-u 'unterminated…": (n) => `curl -u '${'a'.repeat(n)}`,
  '-u a:a -u a:a …': (n) => '-u a:a '.repeat(n / 7),
  '--token --token …': (n) => '--token '.repeat(n / 8),
  '--a-a-a-…': (n) => `--${'a-'.repeat(n / 2)}`,
  'abcdef…walks': (n) => 'abcdefghijklmnopqrstuvwxyz'.repeat(n / 26),
};

describe('ignore comments are found in linear time', () => {
  it.each([
    ['stacked ignore comments', (n: number) => '# secretref-ignore PASTED_CREDENTIAL\n'.repeat(n / 37)],
    ['block scalars each opened under an ignore', (n: number) => 'a: | # secretref-ignore PASTED_CREDENTIAL\n  x\n'.repeat(n / 45)],
    ['one comment, then many lines', (n: number) => `# secretref-ignore PASTED_CREDENTIAL\n${'a: 1\n'.repeat(n / 5)}`],
  ])('%s', (_label, make) => {
    const small = make(4_000);
    const large = make(32_000);
    ignoreComments(small);
    ignoreComments(large);
    expect(growth(ignoreComments, small, large)).toBeLessThan(24);
  });
});

describe('lint detectors stay linear on adversarial input', () => {
  for (const [name, detect] of Object.entries(DETECTORS)) {
    it.each(Object.entries(ADVERSARIAL))(`${name} on %s`, (_label, make) => {
      const small = make(4_000);
      const large = make(32_000);
      detect(small); // warm up
      detect(large);
      const ratio = growth(detect, small, large);
      // Linear is ~8; quadratic is ~64. The bound leaves room for a loaded machine.
      expect(ratio).toBeLessThan(24);
    });
  }
});
