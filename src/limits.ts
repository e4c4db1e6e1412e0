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
  /** YAML aliases expanded in one document (billion laughs). */
  maxAliasCount: 1_000,
  /** Nodes YAML aliases add to a document once expanded; bytes they add are bounded by maxDocumentBytes. */
  maxAliasExpansion: 100_000,
  /** Bytes of one secret value. */
  maxSecretValueBytes: 64 * 1024,
  /** Characters in a secret name. */
  maxNameLength: 128,
} as const;

export type Limits = typeof LIMITS;

/**
 * Internal bounds: caches, pages and how much of a long list or text a message shows. Not part of
 * the contract (they may change between versions), but declared here, once, with their reasons.
 */
export const INTERNAL_LIMITS = {
  /** Compiled strings memoised process-wide (tool definitions repeat `Bearer $secrets.x`). */
  compileMemoEntries: 2_000,
  /** Strings longer than this are compiled every time rather than memoised. */
  compileMemoMaxChars: 4_096,
  /** Source texts whose compilation `render`/`compile` keep. */
  renderCacheSources: 64,
  /** Total characters of those source texts. */
  renderCacheChars: 16 * 1024 * 1024,
  /** Option sets (filename, vars) kept per cached definition; tool overrides kept per compilation. */
  renderCacheVariants: 16,
  /** Names per page when listing them. */
  listNamesPage: 1_000,
  /** Names one `ScopedStore.listNames()` walk yields at most (its default and ceiling of `max`). */
  listNamesMax: 100_000,
  /** YAML parse errors reported for one document. */
  yamlErrorsShown: 50,
  /** Problems listed in one error message (all stay in `problems`). */
  problemsShown: 20,
  /** Characters of user text (a name, a key, an operator) quoted in a message. */
  quotedChars: 40,
  /** Characters of a parser's own message quoted in ours. */
  quotedParserChars: 120,
  /** Rows per batch of a rekey: default, and the most a caller may ask for. */
  rekeyBatch: 100,
  rekeyMaxBatch: 10_000,
  /** The longest grace period a rotation may keep the previous value readable (366 days). */
  maxGraceMs: 366 * 24 * 60 * 60 * 1000,
  /** Bytes of one change notification (PostgreSQL refuses NOTIFY payloads over 8,000). */
  notifyPayloadBytes: 7_000,
  /** How long the probe notification a store sends itself after LISTEN may take to arrive. */
  notifyProbeTimeoutMs: 2_000,
  /** How often a listening store probes its notification path again. */
  notifyProbeIntervalMs: 30_000,
  /**
   * How long a resolver trusts a cached entry while change notifications are not verified (the
   * probe did not arrive, the notify URL is a standby, the connection is down or not up yet).
   */
  untrustedCacheMs: 1_000,
  /**
   * With `readUrl`: how long a read waits for the standby to replay the writes this process knows
   * of (its own, and those it was notified of) before it goes to the primary instead, and how
   * often it looks again meanwhile.
   */
  replicaWaitMs: 500,
  replicaPollMs: 10,
  /**
   * With `readUrl`: how long the read pool is left alone after it could not be reached (reads go
   * to the primary), and how long after a read gave up waiting for its replay later reads look at
   * it once instead of waiting.
   */
  replicaBackoffMs: 5_000,
  /**
   * With `readUrl`, the audit records of reads made on the standby wait in the process for the
   * primary: flushed every `auditFlushMs`, at once when `auditFlushRecords` are waiting, and at
   * close. At most `auditBufferRecords` records or `auditBufferBytes` bytes wait; past that, reads
   * of values are refused (STORE_UNAVAILABLE) until the primary takes them: never an unaudited read.
   */
  auditFlushMs: 1_000,
  auditFlushRecords: 500,
  auditBufferRecords: 10_000,
  auditBufferBytes: 4 * 1024 * 1024,
  /** Rows read per page from a Julep secrets table during an import. */
  importPage: 500,
  /** Bytes of a project config file. */
  configFileBytes: 1024 * 1024,
  /** Characters of a string scanned for a pasted credential in a named field. */
  pastedFieldChars: 4_096,
} as const;
