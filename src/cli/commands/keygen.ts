import type { Command } from 'commander';
import { keygen } from '../../store/crypto-key.js';
import type { CliContext } from '../context.js';

export function registerKeygen(program: Command, ctx: CliContext): void {
  program
    .command('keygen')
    .description('print a new random 256-bit master key (use it as SECRETS_MASTER_KEY)')
    .action(() => {
      ctx.out(keygen());
    });
}
