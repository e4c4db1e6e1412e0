import type { BuiltinName } from './builtins.js';
import type { JulepString } from './julep/types.js';

/**
 * The language-neutral program a reference string compiles to. Both jsep and nunjucks ASTs are
 * checked against the allowlist and lowered to this; the renderer evaluates only this.
 * Offsets (`start`/`end`) are indices into the string value.
 */
export type Expr =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'ref'; name: string; start: number; end: number }
  | { type: 'var'; name: string; start: number; end: number }
  | { type: 'concat'; parts: Expr[] }
  | { type: 'add'; left: Expr; right: Expr }
  | { type: 'compare'; op: '==' | '!='; left: Expr; right: Expr }
  | { type: 'logical'; op: '||' | '??' | '&&'; left: Expr; right: Expr }
  | { type: 'not'; argument: Expr }
  | { type: 'cond'; test: Expr; then: Expr; otherwise: Expr }
  | { type: 'call'; fn: BuiltinName; args: Expr[]; start: number; end: number };

/** Where an output lands inside its string: the userinfo of a URL is percent-encoded by default. */
export type OutputContext = 'text' | 'userinfo';

export type Segment =
  | { type: 'text'; value: string }
  | { type: 'output'; expr: Expr; context: OutputContext; start: number; end: number }
  | { type: 'if'; branches: { test: Expr; body: Segment[] }[]; otherwise: Segment[] };

/** How a string holding references is read: the `secretref` forms, and Julep's f-string (`fstring`). */
export type Form = 'expression' | 'template' | 'inline' | 'fstring';

/**
 * A compiled string value. `segments` concatenate to a string; an expression that is not a
 * string concatenation keeps its own type (`$ 1 + 1` is the number 2).
 */
export type Program =
  | { form: 'expression'; kind: 'value'; expr: Expr }
  | { form: Form; kind: 'segments'; segments: Segment[] }
  /** Julep dialect: the string as written, with values spliced in where `scan` says (grammar/julep.md). */
  | { form: Form; kind: 'julep'; value: string; scan: JulepString };
