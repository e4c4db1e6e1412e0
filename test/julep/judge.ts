/**
 * The equivalence the Julep dialect promises, asked of the oracle: Julep's evaluation of the
 * rendered string with *other* secrets (canaries) equals its evaluation of the original string
 * with the real ones. A rendered string that still read a secret would show a canary.
 */
import { scanJulep, spliceJulep } from '../../src/syntax/julep/index.js';
import type { JulepOracle, OracleContext, OracleResult } from '../oracle/julep-oracle.js';

/** Runtime names of a step, as Julep would pass them (all text, so they concatenate). */
export const CONTEXT: OracleContext = {
  _: { topic: "T{x}'''\\", n: '7', items: ['i1', 'i2'], fallback: 'FB', name: 'N', user: 'U', b: 'B', prefix: 'P', all: [{ x: 'ax' }] },
  inputs: [{ q: 'Q', resource: 'res' }],
  outputs: [{ r: 'R' }],
  steps: [{ output: 'S', input: { from: 'F' } }],
  state: { k: 'K' },
  agent: { id: 'A1', name: 'Agent' },
  tenant_key: 'acme',
};

export const CANARY = 'CANARY';

export interface Judgement {
  rendered: string;
  input: OracleResult;
  output: OracleResult;
}

/**
 * Renders `s` with `values` (names in `absent` have none) and evaluates both sides. The output is
 * evaluated with a canary for every name the input mentions, absent ones included.
 */
export async function judge(
  oracle: JulepOracle,
  s: string,
  values: Readonly<Record<string, string>>,
  absent: ReadonlySet<string> = new Set(),
  context: OracleContext = CONTEXT,
): Promise<Judgement> {
  const scan = scanJulep(s);
  const present = Object.fromEntries(Object.entries(values).filter(([n]) => !absent.has(n)));
  const rendered = scan ? spliceJulep(s, scan, (n) => present[n]) : s;
  const names = new Set([...Object.keys(values), ...(scan?.refs.map((r) => r.name) ?? [])]);
  const canaries = Object.fromEntries([...names].map((n, i) => [n, `${CANARY}${i}`]));
  const [input, output] = await Promise.all([
    oracle.evaluate({ string: s, secrets: present, context }),
    oracle.evaluate({ string: rendered, secrets: canaries, context }),
  ]);
  return { rendered, input, output };
}
