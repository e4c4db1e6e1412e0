/** The oracle never skips: without its python or without simpleeval the suite fails, saying what to install. */
import { describe, expect, it } from 'vitest';
import { JulepOracle } from '../oracle/julep-oracle.js';

describe('the Julep oracle fails loudly', () => {
  it('when the python it needs is missing', async () => {
    await expect(JulepOracle.start({ python: '/nonexistent/python3' })).rejects.toThrow(/apt-get install -y python3-simpleeval/);
  });

  it('when simpleeval cannot be imported (python -S leaves dist-packages out)', async () => {
    await expect(JulepOracle.start({ pythonArgs: ['-S'] })).rejects.toThrow(/simpleeval is not installed.*apt-get install -y python3-simpleeval/);
  });

  it('answers in order, and a closed oracle rejects further questions', async () => {
    const oracle = await JulepOracle.start();
    const answers = await Promise.all(['$ 1', '$ 2', 'x'].map((string) => oracle.evaluate({ string, secrets: {} })));
    expect(answers).toEqual([
      { ok: true, value: { int: '1' } },
      { ok: true, value: { int: '2' } },
      { ok: true, value: 'x' },
    ]);
    await oracle.close();
    await expect(oracle.evaluate({ string: 'x', secrets: {} })).rejects.toThrow(/exited/);
  });
});
