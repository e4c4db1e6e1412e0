/**
 * THE command table: every command of `secretref`, in the order `--help` lists them. The argv
 * layer (argv.ts) registers exactly these; nothing else adds commands.
 */
import type { CommandSpec, RegistrarSpec } from './command.js';
import { STORE_ENV } from './help.js';
import { auditCommand } from './commands/audit.js';
import { completionCommand } from './commands/completion.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { registerImport } from './commands/import-julep.js';
import { keygenCommand } from './commands/keygen.js';
import { migrateCommand } from './commands/migrate.js';
import { lintCommand } from './commands/lint.js';
import { refsCommand } from './commands/refs.js';
import { rekeyCommand } from './commands/rekey.js';
import { renderCommand } from './commands/render.js';
import { runCommand } from './commands/run.js';
import { exportCommand } from './commands/export.js';
import { createCommand, deleteCommand, getCommand, listCommand, rollbackCommand, rotateCommand, updateCommand } from './commands/secrets.js';

/** Any table entry: a command function with its argv mapping, or a module's own registrar. */
export type TableEntry = CommandSpec<never, unknown, unknown> | RegistrarSpec;

/** Descriptions of the command groups (the first word of a two-word command). */
export const GROUPS: Readonly<Record<string, string>> = {
  secrets: 'manage the encrypted secrets of one developer',
};

export const COMMANDS: readonly TableEntry[] = [
  keygenCommand,
  createCommand,
  listCommand,
  getCommand,
  updateCommand,
  deleteCommand,
  rotateCommand,
  rollbackCommand,
  refsCommand,
  lintCommand,
  renderCommand,
  runCommand,
  exportCommand,
  rekeyCommand,
  migrateCommand,
  auditCommand,
  { name: 'import', register: registerImport, examples: ['JULEP_SECRETS_MASTER_KEY=… secretref import --from-julep postgres://julep@db/julep --only-this-developer'], env: [...STORE_ENV, 'JULEP_SECRETS_MASTER_KEY'] },
  demoCommand,
  doctorCommand,
  completionCommand,
];
