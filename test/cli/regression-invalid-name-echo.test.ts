/**
 * Regression: `secrets create|rotate|update --value-stdin` read the value before checking the
 * name, so a value typed where the name belongs (`secrets create sk-live-…`) was echoed back in
 * "No value for sk-live-…" (or in the hidden prompt's question on a terminal). The name is now
 * checked first: INVALID_NAME, never echoed, and no value is asked for.
 */
import { describe, expect, it } from 'vitest';
import { keygen } from '../../src/store/crypto-key.js';
import { cli } from '../helpers/cli.js';

const VALUE_AS_NAME = 'sk-live-4eC39HqLyjWDarjtT1zdp7dc';

describe('a value passed where the name belongs', () => {
  it.each([
    [['secrets', 'create', VALUE_AS_NAME]],
    [['secrets', 'rotate', VALUE_AS_NAME]],
    [['secrets', 'update', VALUE_AS_NAME, '--value-stdin']],
  ])('%j is INVALID_NAME without echoing it', async (argv) => {
    for (const call of [{ stdin: '' }, { tty: true, answers: ['v'] }]) {
      const r = await cli(argv, { ...call, env: { SECRETS_MASTER_KEY: keygen(), SECRETREF_DATABASE_URL: 'memory:' } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('INVALID_NAME');
      expect(r.stdout + r.stderr).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
    }
  });
});
