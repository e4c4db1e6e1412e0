/**
 * Findings about f-string text (the parts between fields): `$secrets.x` or `secrets.x` written
 * as text, which Julep leaves as it is (a warning with the reference written Julep's way), and a
 * single `}`, which Python rejects (an error: Julep cannot evaluate the string).
 */
import type { Tree } from '@lezer/common';
import { literalSegments, stringHead } from './parse-python.js';
import type { RawFinding } from './find-secret-uses.js';
import type { JulepForm } from './types.js';

const MENTION = /(^|[^A-Za-z0-9_$])(\$?)secrets(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[)/g;

export function textFindings(tree: Tree, python: string, form: JulepForm): RawFinding[] {
  const out: RawFinding[] = [];
  tree.iterate({
    enter(n) {
      if (n.name !== 'FormatString') return;
      const head = stringHead(python.slice(n.from, n.to));
      if (!head) return;
      for (const [a, b] of literalSegments(n.node, head.length, head.long ? 3 : 1)) {
        const seg = python.slice(a, b);
        for (const m of seg.matchAll(MENTION)) {
          const from = a + (m.index ?? 0) + (m[1] ?? '').length;
          const written = m[0].slice((m[1] ?? '').length);
          const name = m[3];
          const ref = name === undefined ? undefined : form === 'template' ? `{{ secrets.${name} }}` : `{secrets.${name}}`;
          out.push({
            code: 'REFERENCE_SYNTAX',
            severity: 'warning',
            message: `Julep leaves \`${written}\` here as text, not a secret; ${ref === undefined ? 'a reference goes inside an f-string field' : `a reference is written \`${ref}\``}.`,
            from,
            to: from + written.length,
            ...(ref !== undefined ? { suggestion: ref } : {}),
          });
        }
        for (const m of seg.matchAll(/\}+/g)) {
          if (m[0].length % 2 === 0) continue;
          const at = a + (m.index ?? 0) + m[0].length - 1;
          out.push({
            code: 'REFERENCE_SYNTAX',
            severity: 'error',
            message: `Python rejects a single \`}\` in f-string text, so Julep cannot evaluate this string; a literal \`}\` is written ${form === 'template' ? '`}}}}` in a string that contains `{{`' : '`}}`'}.`,
            from: at,
            to: at + 1,
          });
        }
      }
    },
  });
  return out;
}
