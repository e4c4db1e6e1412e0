export { findReferences } from './find-references.js';
export { analyzeSource, analyzeValue, setOwn, type AnalyzedDocument, type AnalyzeOptions, type Site } from './document.js';
export { compileString, classify, type CompiledString } from './compile-string.js';
export type { Reference } from './reference.js';
export type { Expr, Segment, Program, Form, OutputContext } from './ir.js';
export { BUILTINS, ENCODING_FILTERS, isBuiltin, type BuiltinName } from './builtins.js';
export { NAME_PATTERN, nameProblem, suggestName } from './names.js';
export { jsonPointer } from './json-pointer.js';
export { LineIndex } from './line-index.js';
