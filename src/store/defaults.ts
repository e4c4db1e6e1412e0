/**
 * The store's defaults, and the developer-id rule, in a module of their own so that lint and the
 * CLI can read them without loading the store (its validation loads zod).
 */
import { SecretrefError } from '../errors.js';

/** Where the store lives when neither `url` nor SECRETREF_DATABASE_URL says. */
export const DEFAULT_STORE_URL = 'file:.secretref/db';
/** The developer every operation is scoped to when none is given: single-tenant use (SPEC §6). */
export const DEFAULT_DEVELOPER_ID = '00000000-0000-0000-0000-000000000000';
/** Default schema of the store's objects. */
export const DEFAULT_SCHEMA = 'secretref';

/** A UUID in any case (the shape zod's `z.guid()` accepts). */
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A developer id, canonical lower case. */
export function checkDeveloperId(id: unknown): string {
  if (typeof id !== 'string' || !GUID.test(id)) {
    throw new SecretrefError('INVALID_INPUT', 'The developer id must be a UUID (e.g. 00000000-0000-0000-0000-000000000000).', {
      path: '/developerId',
    });
  }
  return id.toLowerCase();
}
