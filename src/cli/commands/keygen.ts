/** `secretref keygen`: a new random 256-bit master key on stdout. */
import { keygen as newKey } from '../../index.js';
import { defineCommand } from '../command.js';

export async function keygen(): Promise<string> {
  return newKey();
}

export const keygenCommand = defineCommand({
  name: 'keygen',
  examples: ['export SECRETS_MASTER_KEY="$(secretref keygen)"'],
  description: 'print a new random 256-bit master key (use it as SECRETS_MASTER_KEY)',
  usesConfig: false,
  toOptions: () => ({}),
  run: keygen,
  report(key, _options, ctx) {
    ctx.out(key);
    return 0;
  },
});
