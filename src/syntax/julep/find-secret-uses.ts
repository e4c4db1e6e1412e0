/**
 * Every use of the name `secrets` in a parsed Julep string, sorted into static references (with
 * the encoding their place needs) and findings. Offsets here are offsets into the Python source;
 * scan-julep maps them back to the string value.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import type { ErrorCode } from '../../errors.js';
import { nameProblem, suggestName } from '../names.js';
import { stringHead } from './parse-python.js';
import type { JulepEncoding } from './types.js';

/** A finding in Python-source offsets. */
export interface RawFinding {
  code: ErrorCode;
  severity: 'error' | 'warning';
  message: string;
  from: number;
  to: number;
  suggestion?: string;
}

/** A static reference in Python-source offsets, with where and how its value goes. */
export interface RawRef {
  name: string;
  from: number;
  to: number;
  optional: boolean;
  /** The default argument's span, for `secrets.get('x', default)`. */
  defaultSpan?: [number, number];
  /** Undefined when no encoding is legal at this place (a finding says why). */
  encoding?: JulepEncoding;
  quote?: "'" | '"';
  /** For `fstring-text`: the whole field `{…}` that the text replaces. */
  field?: [number, number];
  danglingBackslash?: boolean;
}

export interface SecretUses {
  refs: RawRef[];
  findings: RawFinding[];
}

/**
 * Attributes that `secrets.NAME` reaches before any secret: Julep's `secrets` is a python-box
 * `Box` (a dict), so these are its methods, not secrets.
 */
const MAPPING_ATTRIBUTES = new Set([
  'clear', 'copy', 'fromkeys', 'get', 'items', 'keys', 'pop', 'popitem', 'setdefault', 'update', 'values',
  'to_dict', 'to_json', 'to_yaml', 'to_toml', 'to_msgpack', 'to_csv', 'from_json', 'from_yaml', 'from_toml',
  'from_msgpack', 'from_csv', 'merge_update', 'box_it_up',
]);

const COMPREHENSIONS = new Set([
  'ArrayComprehensionExpression', 'ComprehensionExpression', 'SetComprehensionExpression', 'DictionaryComprehensionExpression',
]);

const DYNAMIC = 'cannot be resolved in advance or checked: secretref resolves only references that name a secret literally';

export function findSecretUses(tree: Tree, python: string, dangling: ReadonlySet<number>): SecretUses {
  const text = (n: SyntaxNode): string => python.slice(n.from, n.to);
  const uses: SyntaxNode[] = [];
  let binding: SyntaxNode | undefined;
  tree.iterate({
    enter(n) {
      if (n.name !== 'VariableName' || python.slice(n.from, n.to) !== 'secrets') return;
      const node = n.node;
      const role = roleOf(node, text);
      if (role === 'binding') binding ??= node;
      else if (role === 'use') uses.push(node);
    },
  });
  const findings: RawFinding[] = [];
  if (binding) {
    findings.push({
      code: 'REFERENCE_DYNAMIC',
      severity: 'warning',
      message: `This string binds its own \`secrets\` (a comprehension variable, lambda parameter or assignment), so which secrets it reads ${DYNAMIC}; rename the local variable.`,
      from: binding.from,
      to: binding.to,
    });
    return { refs: [], findings };
  }
  const refs: RawRef[] = [];
  for (const node of uses) analyzeUse(node, text, refs, findings);
  for (const r of refs) placeRef(r, tree, python, dangling, findings);
  return { refs, findings };
}

type Role = 'use' | 'binding' | 'keyword';

function roleOf(node: SyntaxNode, text: (n: SyntaxNode) => string): Role {
  const parent = node.parent;
  const next = node.nextSibling;
  if (parent?.name === 'ParamList') return 'binding';
  if (next?.name === 'AssignOp') {
    if (parent?.name === 'ArgList' && text(next) === '=') return 'keyword';
    return 'binding';
  }
  // A comprehension target sits between a `for` and its `in`, possibly inside a tuple.
  let child: SyntaxNode = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (COMPREHENSIONS.has(p.name)) {
      for (let s = child.prevSibling; s; s = s.prevSibling) {
        if (s.name === 'for') return 'binding';
        if (s.name === 'in' || s.name === 'if') break;
      }
      break;
    }
  }
  return 'use';
}

function analyzeUse(node: SyntaxNode, text: (n: SyntaxNode) => string, refs: RawRef[], findings: RawFinding[]): void {
  const member = node.parent;
  const dynamic = (at: SyntaxNode, what: string, suggestion?: string): void => {
    findings.push({
      code: 'REFERENCE_DYNAMIC',
      severity: 'warning',
      message: `${what} ${DYNAMIC}.`,
      from: at.from,
      to: at.to,
      ...(suggestion !== undefined ? { suggestion } : {}),
    });
  };
  if (!member || member.name !== 'MemberExpression' || member.firstChild?.from !== node.from) {
    const call = member?.name === 'CallExpression' && member.firstChild?.from === node.from ? member : node;
    dynamic(call, 'Using `secrets` as a whole (passing it, iterating it, testing membership)');
    return;
  }
  const op = node.nextSibling;
  if (op?.name === '.') {
    const prop = op.nextSibling;
    const name = prop ? text(prop) : '';
    const call = member.parent?.name === 'CallExpression' && member.parent.firstChild?.from === member.from ? member.parent : undefined;
    if (name === 'get' && call) {
      analyzeGet(call, text, refs, findings, dynamic);
      return;
    }
    if (MAPPING_ATTRIBUTES.has(name)) {
      dynamic(call ?? member, `\`secrets.${name}\` is a method of the secrets mapping, not a secret; it`, `secrets['${name}']`);
      return;
    }
    addRef(name, member, false, undefined, refs, findings);
    return;
  }
  if (op?.name === '[') {
    const inside = op.nextSibling;
    const literal = inside && inside.nextSibling?.name === ']' ? decodeString(inside, text) : undefined;
    if (literal === undefined) {
      dynamic(member, 'A computed secret name (`secrets[…]` with anything but one string literal)');
      return;
    }
    addRef(literal, member, false, undefined, refs, findings);
    return;
  }
  dynamic(member, 'This use of `secrets`');
}

function analyzeGet(
  call: SyntaxNode,
  text: (n: SyntaxNode) => string,
  refs: RawRef[],
  findings: RawFinding[],
  dynamic: (at: SyntaxNode, what: string) => void,
): void {
  const args = call.lastChild;
  const groups: SyntaxNode[][] = [[]];
  let plain = args?.name === 'ArgList';
  for (let c = args?.firstChild ?? null; c && plain; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')') continue;
    if (c.name === ',') groups.push([]);
    else if (c.name === 'AssignOp' || c.name === '*' || c.name === '**' || c.name === 'for') plain = false;
    else groups[groups.length - 1]?.push(c);
  }
  if (groups.length > 1 && groups[groups.length - 1]?.length === 0) groups.pop();
  const first = groups[0]?.[0];
  const name = plain && groups.length <= 2 && groups.every((g) => g.length === 1) && first ? decodeString(first, text) : undefined;
  if (name === undefined) {
    dynamic(call, 'A `secrets.get(…)` whose first argument is not one string literal');
    return;
  }
  const dflt = groups[1]?.[0];
  addRef(name, call, true, dflt ? [dflt.from, dflt.to] : undefined, refs, findings);
}

function addRef(name: string, node: SyntaxNode, optional: boolean, defaultSpan: [number, number] | undefined, refs: RawRef[], findings: RawFinding[]): void {
  const problem = nameProblem(name);
  if (problem !== undefined) {
    const better = suggestName(name);
    findings.push({
      code: 'INVALID_NAME',
      severity: 'error',
      message: `This reference names a secret secretref cannot hold: ${problem}.`,
      from: node.from,
      to: node.to,
      ...(better !== undefined ? { suggestion: `secrets.${better}` } : {}),
    });
    return;
  }
  refs.push({ name, from: node.from, to: node.to, optional, ...(defaultSpan ? { defaultSpan } : {}) });
}

/** The value of a plain string literal (no bytes, no f-string, no escapes), else undefined. */
function decodeString(node: SyntaxNode, text: (n: SyntaxNode) => string): string | undefined {
  if (node.name !== 'String') return undefined;
  const m = /^([uUrR]?)('''|"""|'|")([\s\S]*)\2$/.exec(text(node));
  if (!m || m[3] === undefined) return undefined;
  const raw = m[1] === 'r' || m[1] === 'R';
  if (!raw && m[3].includes('\\')) return undefined;
  return m[3];
}

/** Chooses the encoding of a reference from the f-string fields around it (grammar/julep.md §3). */
function placeRef(r: RawRef, tree: Tree, python: string, dangling: ReadonlySet<number>, findings: RawFinding[]): void {
  const node = tree.resolveInner(r.from, 1);
  let refNode: SyntaxNode | null = node;
  while (refNode && !(refNode.from === r.from && refNode.to === r.to)) refNode = refNode.parent;
  if (!refNode) return;
  const fields: SyntaxNode[] = [];
  const strings: { quote: "'" | '"'; long: boolean }[] = [];
  for (let p = refNode.parent; p; p = p.parent) {
    if (p.name === 'FormatReplacement') fields.push(p);
    if (p.name === 'FormatString') {
      const head = stringHead(python.slice(p.from, p.to));
      if (head) strings.push({ quote: head.quote, long: head.long });
    }
  }
  let selfDoc: SyntaxNode | undefined;
  for (const f of fields) {
    for (let c = f.firstChild; c && !selfDoc; c = c.nextSibling) if (c.name === 'FormatSelfDoc' && c.from >= r.to) selfDoc = c;
  }
  if (selfDoc) {
    findings.push({
      code: 'REFERENCE_SYNTAX',
      severity: 'error',
      message: 'A self-documenting field (`{…=}`) prints its own source text, so a reference inside it cannot be replaced by its value; write the label out, as in `secrets.x: {secrets.x}`.',
      from: selfDoc.from,
      to: selfDoc.to,
    });
    return;
  }
  const field = fields[0];
  if (!field) {
    r.encoding = 'python-literal';
    return;
  }
  const owner = field.parent;
  const ownerHead = owner?.name === 'FormatString' ? stringHead(python.slice(owner.from, owner.to)) : undefined;
  const whole =
    fields.length === 1 &&
    ownerHead !== undefined &&
    !ownerHead.raw &&
    refNode.parent?.from === field.from &&
    refNode.prevSibling?.name === '{' &&
    refNode.prevSibling.prevSibling === null &&
    refNode.nextSibling?.name === '}' &&
    refNode.nextSibling.nextSibling === null;
  if (whole) {
    r.encoding = 'fstring-text';
    r.field = [field.from, field.to];
    // An empty value keeps the field, as `{""}`: nothing around it moves.
    r.quote = ownerHead.quote === '"' ? "'" : '"';
    if (dangling.has(field.from - 1)) r.danglingBackslash = true;
    return;
  }
  // Python < 3.12 ends a string at its own quote even inside a field: pick a quote no enclosing
  // string uses, or one only triple-quoted enclosing strings use.
  const quote = (['"', "'"] as const).find((q) => strings.every((s) => s.quote !== q)) ??
    (['"', "'"] as const).find((q) => strings.every((s) => s.quote !== q || s.long));
  if (quote === undefined) {
    findings.push({
      code: 'UNSAFE_EXPRESSION',
      severity: 'error',
      message: 'This reference sits in an f-string nested inside another f-string\'s field, where Python 3.11 allows no string literal to carry its value; move it to a field of its own.',
      from: r.from,
      to: r.to,
    });
    return;
  }
  r.encoding = 'field-literal';
  r.quote = quote;
}
