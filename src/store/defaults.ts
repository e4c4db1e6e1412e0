/** The store's defaults, in a module of their own so that lint and the CLI can read them without loading the store. */

/** Where the store lives when neither `url` nor SECRETREF_DATABASE_URL says. */
export const DEFAULT_STORE_URL = 'file:.secretref/db';
/** The developer every operation is scoped to when none is given: single-tenant use (SPEC §6). */
export const DEFAULT_DEVELOPER_ID = '00000000-0000-0000-0000-000000000000';
/** Default schema of the store's objects. */
export const DEFAULT_SCHEMA = 'secretref';
