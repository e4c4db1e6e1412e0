/**
 * Inline acceptance of a finding, in YAML: `# secretref-ignore CODE[, CODE…][: reason]` at the
 * end of the line the finding starts on, or on its own line before it (blank and comment lines
 * between are skipped, so several ignores can be stacked above one line). Codes are required, so an ignore says what it accepts; a code that is not
 * a lint code accepts nothing (the finding stays visible). JSON has no comments: use the ignore
 * file or the baseline there.
 *
 * Comments are found by YAML's own lexer, so `"# secretref-ignore …"` inside a string or a block
 * scalar is text, not an ignore. One pass over the source.
 */
import { Lexer } from 'yaml';
import { LineIndex } from '../syntax/line-index.js';
import type { Diagnostic } from './diagnostic.js';
import { isLintCode, type LintCode } from './rules.js';

/** What one ignore comment accepts. */
export interface IgnoreComment {
  /** 1-based line whose findings it accepts … */
  line: number;
  /** … through this line, when that line opens a block scalar (`key: |`): the block's last line. */
  until?: number;
  codes: ReadonlySet<LintCode>;
  reason?: string;
}

const DIRECTIVE = /^#\s*secretref-ignore\b[ \t]*(.*)$/;
const CODES = /^([A-Z][A-Z0-9_]*(?:[ \t]*,[ \t]*[A-Z][A-Z0-9_]*)*)[ \t]*(?::[ \t]*(.*))?$/;
const BLOCK_HEADER = /^[|>][-+0-9]*$/;
// The lexer's control tokens carry no source text.
const CONTROL = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * Every `secretref-ignore` comment of a YAML source, with the lines it covers: a comment after
 * YAML covers its own line; a comment alone on its line covers the next line that holds YAML
 * (blank and comment lines skipped). A covered line that opens a block scalar (`key: |`) covers
 * the whole block, where a private key or a script sits.
 */
export function ignoreComments(source: string): IgnoreComment[] {
  if (!source.includes('secretref-ignore')) return [];
  const lines = new LineIndex(source);
  const lineOf = (offset: number): number => lines.position(offset).line;
  const out: IgnoreComment[] = [];
  let pending: IgnoreComment[] = []; // own-line comments, waiting for the next line with YAML
  let block: IgnoreComment[] = []; // covering a line that opened a block scalar: the block is theirs too
  let headerLine = 0;
  let lastContentLine = 0;
  let offset = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(source)) {
    if (CONTROL.has(token)) {
      if (token === '\u001f') scalarNext = true;
      continue;
    }
    const at = offset;
    offset += token.length;
    const scalar = scalarNext;
    scalarNext = false;
    if (!scalar && token.startsWith('#')) {
      const directive = parse(token);
      if (!directive) continue;
      const c: IgnoreComment = { line: lineOf(at), ...directive };
      out.push(c);
      if (c.line !== lastContentLine) pending.push(c);
      else if (c.line === headerLine) block.push(c);
      continue;
    }
    if (/^\s*$/.test(token)) continue;
    const line = lineOf(at + token.length - token.trimStart().length);
    if (scalar && block.length > 0 && line > headerLine) {
      const until = lineOf(at + token.trimEnd().length - 1);
      for (const c of block) c.until = until;
      block = [];
    }
    for (const c of pending) if (line > c.line) out.push({ ...c, line });
    pending = pending.filter((c) => line <= c.line);
    if (!scalar && BLOCK_HEADER.test(token)) {
      headerLine = line;
      // The entries of this line are the last ones pushed.
      block = [];
      for (let i = out.length - 1; i >= 0 && (out[i] as IgnoreComment).line === line; i--) block.push(out[i] as IgnoreComment);
    }
    lastContentLine = lineOf(offset - 1);
  }
  return out;
}

/** Marks every diagnostic an ignore comment of `source` accepts (they stay in the list). */
export function applyIgnoreComments(diagnostics: readonly Diagnostic[], source: string): void {
  const comments = ignoreComments(source);
  if (comments.length === 0) return;
  const byLine = new Map<number, IgnoreComment[]>();
  const blocks: IgnoreComment[] = [];
  for (const c of comments) {
    if (c.until !== undefined) blocks.push(c);
    else byLine.set(c.line, [...(byLine.get(c.line) ?? []), c]);
  }
  for (const d of diagnostics) {
    if (d.suppression) continue;
    const line = d.range.start.line;
    const c = byLine.get(line)?.find((x) => x.codes.has(d.code)) ?? blocks.find((x) => line >= x.line && line <= (x.until as number) && x.codes.has(d.code));
    if (c) d.suppression = { kind: 'inSource', by: 'comment', ...(c.reason !== undefined ? { justification: c.reason } : {}) };
  }
}

function parse(comment: string): Omit<IgnoreComment, 'line'> | undefined {
  const m = DIRECTIVE.exec(comment.trimEnd());
  const rest = m ? CODES.exec(m[1] as string) : null;
  if (!rest) return undefined;
  const codes = new Set((rest[1] as string).split(',').map((c) => c.trim()).filter(isLintCode));
  if (codes.size === 0) return undefined;
  const reason = rest[2]?.trim();
  return reason ? { codes, reason } : { codes };
}
