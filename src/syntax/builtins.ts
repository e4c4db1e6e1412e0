/**
 * The built-in functions/filters, the same set in expressions (`urlencode(x)`) and templates
 * (`x | urlencode`). Only names here may be called; arity is checked before anything runs.
 */
export const BUILTINS = {
  urlencode: { min: 0, max: 0 },
  b64encode: { min: 0, max: 0 },
  b64decode: { min: 0, max: 0 },
  json: { min: 0, max: 0 },
  trim: { min: 0, max: 0 },
  lower: { min: 0, max: 0 },
  upper: { min: 0, max: 0 },
  default: { min: 1, max: 1 },
  raw: { min: 0, max: 0 },
} as const satisfies Record<string, { min: number; max: number }>;

export type BuiltinName = keyof typeof BUILTINS;

export function isBuiltin(name: string): name is BuiltinName {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

/** Filters that decide their own encoding, replacing the default URL-userinfo encoding. */
export const ENCODING_FILTERS: ReadonlySet<BuiltinName> = new Set(['urlencode', 'raw']);
