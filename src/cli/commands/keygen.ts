/** `secretref keygen`: a new random 256-bit master key on stdout. */
import { keygen as newKey } from '../../index.js';
import { implementCommand } from '../command.js';

export async function keygen(): Promise<string> {
  return newKey();
}

export const keygenCommand = implementCommand({
  toOptions: () => ({}),
  run: keygen,
  report(key, _options, ctx) {
    ctx.out(key);
    return 0;
  },
});
