/**
 * Dialects: how the strings of a definition are read (SPEC §1 "Dialects"). `secretref` is the
 * language of grammar/README.md (generic tool definitions: OpenAI/Anthropic/MCP JSON); `julep`
 * reads strings the way the Julep platform evaluates them (grammar/julep.md).
 */
import { SecretrefError } from '../errors.js';

export const DIALECTS = ['secretref', 'julep'] as const;
export type Dialect = (typeof DIALECTS)[number];
export const DEFAULT_DIALECT: Dialect = 'secretref';

/** The dialect named by an option, or INVALID_INPUT naming the valid ones. */
export function checkDialect(dialect: unknown): Dialect {
  if (dialect === undefined) return DEFAULT_DIALECT;
  if (typeof dialect === 'string' && (DIALECTS as readonly string[]).includes(dialect)) return dialect as Dialect;
  throw new SecretrefError('INVALID_INPUT', `Unknown dialect; use one of ${DIALECTS.join(', ')}.`, { path: '/dialect' });
}
