/** Named bounds. Exceeding any of them is `LIMIT_EXCEEDED`, never a hang or a crash. */
export const LIMITS = {
  /** Bytes (UTF-16 code units) of one source document. */
  maxDocumentBytes: 10 * 1024 * 1024,
  /** Nesting depth of mappings and sequences. */
  maxDepth: 256,
  /** References in one document. */
  maxReferences: 10_000,
  /** Characters in one string value that holds a reference (template/expression/inline). */
  maxTemplateLength: 64 * 1024,
  /** Characters in any one string value. */
  maxStringLength: 1024 * 1024,
  /** Nodes produced by YAML alias expansion (billion laughs). */
  maxAliasCount: 1_000,
  /** Bytes of one secret value. */
  maxSecretValueBytes: 64 * 1024,
  /** Characters in a secret name. */
  maxNameLength: 128,
} as const;

export type Limits = typeof LIMITS;
