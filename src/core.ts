/**
 * The light part of the public API: what the command line needs before it knows which command
 * runs (errors, limits, environment, store defaults, dialects, the lint report shapes), from
 * modules that load no third-party library. The CLI imports the library through this entry and
 * `src/index.ts` only; everything here is also exported by `src/index.ts`, from the same modules.
 */
export { SecretrefError, isSecretrefError } from './errors.js';
export { LIMITS, INTERNAL_LIMITS } from './limits.js';
export { ENV, masterKeyFromEnv } from './env.js';
export { DEFAULT_STORE_URL, DEFAULT_DEVELOPER_ID, checkDeveloperId } from './store/defaults.js';
export { keygen } from './store/crypto-key.js';
export { DIALECTS, DEFAULT_DIALECT } from './syntax/dialect.js';
export { jsonReport } from './lint/format-json.js';
export { sarifLog } from './lint/format-sarif.js';
export { IGNORE_FILE } from './lint/ignore-file-name.js';
