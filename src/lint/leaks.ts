/**
 * SECRET_IN_MODEL_FIELD: a reference in a field the model reads. The model sees a tool's name,
 * title and description and its whole parameter schema (descriptions, titles, enums, defaults,
 * examples); a secret rendered there is handed to the model, its logs and its provider.
 *
 * Recognised shapes, relative to each tool definition (the document, an item of a top-level
 * array, or an item of a `tools`/`functions` array):
 * - `name`, `title`, `description`, `annotations/title` (OpenAI, Anthropic, MCP, Julep);
 * - `function/name`, `function/description` (OpenAI `{ type: 'function', function }`);
 * - anything inside a JSON schema under `parameters`, `function/parameters`, `input_schema`,
 *   `inputSchema` or `params_schema`. When the object there does not look like a JSON schema
 *   (no `type`, `properties`, `$schema`, `anyOf`…), some formats use it for run-time values, so
 *   only `description`/`title` inside it count.
 *
 * In the Julep dialect, prompt steps also go to the model: anything under a step's `prompt`
 * (a string, or messages whose `content` it is), its `template_variables`, and a `system` field.
 */
import type { Keys, LintContext } from './context.js';

const TOP_FIELDS = new Set(['name', 'title', 'description']);
const SCHEMA_ROOTS: readonly (readonly string[])[] = [['parameters'], ['function', 'parameters'], ['input_schema'], ['inputSchema'], ['params_schema']];
const SCHEMA_MARKERS = ['type', 'properties', '$schema', 'anyOf', 'oneOf', 'allOf', 'items', 'required', 'enum'];
const TEXT_FIELDS = new Set(['description', 'title']);
const PROMPT_FIELDS = new Set(['prompt', 'template_variables', 'system']);

/** The model-visible field `keys` is in (a JSON pointer relative to its tool), or undefined. */
export function modelField(ctx: LintContext, keys: Keys): string | undefined {
  if (ctx.doc.dialect === 'julep') {
    const at = keys.findIndex((k) => typeof k === 'string' && PROMPT_FIELDS.has(k));
    if (at !== -1) return keys.slice(at).join('/');
  }
  const root = ctx.toolRootLength(keys);
  const rel = keys.slice(root);
  const [a, b] = rel;
  if (rel.length === 1 && typeof a === 'string' && TOP_FIELDS.has(a)) return a;
  if (rel.length === 2 && a === 'function' && (b === 'name' || b === 'description')) return `function/${b}`;
  if (rel.length === 2 && a === 'annotations' && b === 'title') return 'annotations/title';
  for (const schemaKeys of SCHEMA_ROOTS) {
    if (rel.length <= schemaKeys.length || !schemaKeys.every((k, i) => rel[i] === k)) continue;
    const schema = ctx.valueAt(keys.slice(0, root + schemaKeys.length));
    const isSchema = schema !== null && typeof schema === 'object' && !Array.isArray(schema) && SCHEMA_MARKERS.some((m) => Object.prototype.hasOwnProperty.call(schema, m));
    const last = rel[rel.length - 1];
    const underProperties = rel[rel.length - 2] === 'properties';
    if (isSchema || (typeof last === 'string' && TEXT_FIELDS.has(last) && !underProperties)) return rel.join('/');
  }
  return undefined;
}
