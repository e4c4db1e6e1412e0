import { SecretrefError } from '../errors.js';
import { analyzeSource, type AnalyzeOptions } from './document.js';
import type { Reference } from './reference.js';

/**
 * Every static secret reference in a JSON or YAML document, with its form, JSON pointer and
 * 1-based range. Throws one SecretrefError listing every problem of the document (in
 * `problems`) when there is any.
 */
export function findReferences(source: string, options: AnalyzeOptions = {}): Reference[] {
  const doc = analyzeSource(source, options);
  if (doc.problems.length > 0) throw SecretrefError.fromProblems(doc.problems, options.filename);
  return doc.references;
}
