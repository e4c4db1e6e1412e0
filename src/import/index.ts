/** Importers: copy secrets from other systems into the store (not part of the store itself). */
export { importFromJulep } from './julep.js';
export type { JulepImportOptions, JulepImportContext, JulepImportResult, JulepSkippedRow, JulepConflictRow } from './julep.js';
