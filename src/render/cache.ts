/**
 * Compiled definitions are reused: by identity for objects (a WeakMap, so a definition that is
 * dropped is collected with its compilation) and by text for source strings (a small LRU bounded
 * by count and total size). A definition object is treated as immutable once compiled: mutate it
 * and you must pass a copy (or call `compileUncached`) to see the change.
 */
import { LRUCache } from 'lru-cache';
import { INTERNAL_LIMITS } from '../limits.js';
import { compileUncached, type Compiled } from './compile.js';
import type { CompileOptions } from './types.js';

/** Source strings kept; each entry also counts its length against MAX_SOURCE_CHARS. */
const MAX_SOURCE_CHARS = INTERNAL_LIMITS.renderCacheChars;

const byObject = new WeakMap<object, Map<string, Compiled>>();
const bySource = new LRUCache<string, Map<string, Compiled>>({
  max: INTERNAL_LIMITS.renderCacheSources,
  maxSize: MAX_SOURCE_CHARS,
  sizeCalculation: (_v, key) => Math.max(1, key.length),
});

function optionsKey(options: CompileOptions): string {
  const vars = options.vars ? [...options.vars].sort().join(',') : '';
  return `${options.filename ?? ''}\u0000${options.dialect ?? ''}\u0000${options.format ?? ''}\u0000${vars}`;
}

/** `compileUncached`, through the caches. Failures are not cached (they throw every time). */
export function compileCached(definition: unknown, options: CompileOptions = {}): Compiled {
  let perOptions: Map<string, Compiled> | undefined;
  if (typeof definition === 'string') {
    if (definition.length > MAX_SOURCE_CHARS) return compileUncached(definition, options);
    perOptions = bySource.get(definition);
    if (!perOptions) bySource.set(definition, (perOptions = new Map()));
  } else if (definition !== null && typeof definition === 'object') {
    perOptions = byObject.get(definition);
    if (!perOptions) byObject.set(definition, (perOptions = new Map()));
  } else {
    return compileUncached(definition, options);
  }
  const key = optionsKey(options);
  let compiled = perOptions.get(key);
  if (!compiled) {
    compiled = compileUncached(definition, options);
    // A caller cycling through many option sets on one definition must not grow it unboundedly.
    if (perOptions.size >= INTERNAL_LIMITS.renderCacheVariants) perOptions.clear();
    perOptions.set(key, compiled);
  }
  return compiled;
}
