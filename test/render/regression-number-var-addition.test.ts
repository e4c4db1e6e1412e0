import { describe, expect, it } from 'vitest';
import { compile } from '../../src/render/index.js';

// Broke: `$ count + 1` with count = 41 rendered "411": the syntax layer flattened any addition
// with a variable into a string concatenation. Variables have no static type; JS semantics apply.
describe('regression: adding a number variable concatenated it as text', () => {
  it('adds numbers held in variables', () => {
    const c = compile({ n: '$ count + 1', s: "$ 'n=' + count", t: '$ prefix + secrets.k' }, { vars: ['count', 'prefix'] });
    expect(c.render({ k: 'v' }, { vars: { count: 41, prefix: 'p-' } }).value).toEqual({ n: 42, s: 'n=41', t: 'p-v' });
  });
});
