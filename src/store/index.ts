/** The encrypted secret store: public surface of src/store. */
export { openStore, parseStoreUrl } from './open.js';
export { DEFAULT_STORE_URL, DEFAULT_DEVELOPER_ID, DEFAULT_SCHEMA } from './defaults.js';
export { keygen, keyFingerprint, masterKeyWeakness, MIN_MASTER_KEY_LENGTH } from './crypto-key.js';
export { DEFAULT_GRACE_MS, STORE_LIMITS } from './validate.js';
export { PGP_OPTIONS, NOTIFY_CHANNEL } from './sql.js';
export type * from './types.js';
