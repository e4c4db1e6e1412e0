/**
 * The store's input bounds, apart from validate.ts so a reader of the numbers (lint) does not
 * load zod with them.
 */
import { LIMITS } from '../limits.js';

/** Bounds of the store's inputs besides the value and the name (see LIMITS). */
export const STORE_LIMITS = {
  maxDescriptionLength: 4096,
  /** Bytes of the metadata object as JSON. */
  maxMetadataBytes: 16 * 1024,
  maxPolicyEntries: 256,
  maxPolicyEntryLength: 512,
  maxListLimit: 1000,
  defaultListLimit: 100,
  maxAuditLimit: 10_000,
  defaultAuditLimit: 100,
  /** Distinct names in one resolveMany. */
  maxResolveNames: LIMITS.maxReferences,
} as const;
