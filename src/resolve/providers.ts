/**
 * Which secret holds the API key of an LLM provider, from a provider id (`openai`), a model name
 * (`gpt-4o`, `claude-sonnet-4`) or a routed model (`openai/gpt-4o`, `openrouter/anthropic/…`).
 */
import { SecretrefError } from '../errors.js';
import { nameProblem } from '../syntax/names.js';

/** A caller's additions to (or overrides of) the built-in provider table. */
export interface ProviderTable {
  /** Provider id → secret name, e.g. `{ mycorp: 'MYCORP_API_KEY' }`. Ids match loosely (case, `-`, `_`). */
  providers?: Readonly<Record<string, string>>;
  /** Model-name prefix → provider id, e.g. `{ 'mc-': 'mycorp' }`. The longest matching prefix wins. */
  models?: Readonly<Record<string, string>>;
}

/** Built-in provider ids and the secret each one's key is conventionally stored under. */
export const DEFAULT_PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  google: 'GOOGLE_API_KEY',
  gemini: 'GOOGLE_API_KEY',
  'google-ai': 'GOOGLE_API_KEY',
  vertex: 'GOOGLE_API_KEY',
  vertex_ai: 'GOOGLE_API_KEY',
  'google-vertex': 'GOOGLE_API_KEY',
  azure: 'AZURE_OPENAI_API_KEY',
  'azure-openai': 'AZURE_OPENAI_API_KEY',
  cohere: 'COHERE_API_KEY',
  mistral: 'MISTRAL_API_KEY',
  mistralai: 'MISTRAL_API_KEY',
  groq: 'GROQ_API_KEY',
  deepseek: 'DEEPSEEK_API_KEY',
  xai: 'XAI_API_KEY',
  grok: 'XAI_API_KEY',
  together: 'TOGETHER_API_KEY',
  together_ai: 'TOGETHER_API_KEY',
  fireworks: 'FIREWORKS_API_KEY',
  fireworks_ai: 'FIREWORKS_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
  perplexity: 'PERPLEXITY_API_KEY',
  ai21: 'AI21_API_KEY',
  voyage: 'VOYAGE_API_KEY',
  voyageai: 'VOYAGE_API_KEY',
  cerebras: 'CEREBRAS_API_KEY',
  huggingface: 'HUGGINGFACE_API_KEY',
  replicate: 'REPLICATE_API_TOKEN',
  nvidia: 'NVIDIA_API_KEY',
};

/**
 * Model-name prefixes → provider id. Only prefixes that name one vendor's models: open-weight
 * families served by many hosts (`llama`, `qwen`, `gemma`) are deliberately absent, since the key
 * depends on the host — write `groq/llama-3.1-8b` or add a prefix of your own.
 */
export const DEFAULT_MODEL_PREFIXES: Readonly<Record<string, string>> = {
  'gpt-': 'openai',
  'chatgpt-': 'openai',
  o1: 'openai',
  o3: 'openai',
  o4: 'openai',
  'text-embedding-': 'openai',
  // Google's embedding models share OpenAI's prefix; the longer prefix wins.
  'text-embedding-00': 'google',
  'text-multilingual-embedding-': 'google',
  'text-moderation-': 'openai',
  'omni-moderation-': 'openai',
  'dall-e': 'openai',
  'whisper-': 'openai',
  'tts-1': 'openai',
  'codex-': 'openai',
  'davinci-': 'openai',
  'babbage-': 'openai',
  'claude-': 'anthropic',
  claude: 'anthropic',
  'gemini-': 'google',
  'imagen-': 'google',
  'veo-': 'google',
  'learnlm-': 'google',
  'command-': 'cohere',
  command: 'cohere',
  'embed-english-': 'cohere',
  'embed-multilingual-': 'cohere',
  'rerank-': 'cohere',
  'c4ai-aya-': 'cohere',
  'mistral-': 'mistral',
  'mixtral-': 'mistral',
  'open-mistral-': 'mistral',
  'open-mixtral-': 'mistral',
  'codestral-': 'mistral',
  'ministral-': 'mistral',
  'pixtral-': 'mistral',
  'magistral-': 'mistral',
  'devstral-': 'mistral',
  'deepseek-': 'deepseek',
  'grok-': 'xai',
  sonar: 'perplexity',
  'jamba-': 'ai21',
  'voyage-': 'voyage',
};

/** `Azure_OpenAI`, `azure-openai` and `azureopenai` are one provider id. */
function normalizeId(id: string): string {
  return id.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/** A provider table merged with the defaults and normalised for lookups. */
export interface CompiledProviderTable {
  providers: ReadonlyMap<string, string>;
  /** Lower-cased prefixes, longest first. */
  prefixes: readonly (readonly [prefix: string, provider: string])[];
  /** Provider ids as written, for error messages. */
  known: readonly string[];
}

/** Merges `extra` over the defaults; a secret name that breaks the name rule is INVALID_INPUT. */
export function compileProviderTable(extra?: ProviderTable): CompiledProviderTable {
  const providers = new Map<string, string>();
  const known: string[] = [];
  for (const [id, secret] of Object.entries({ ...DEFAULT_PROVIDERS, ...extra?.providers })) {
    const why = nameProblem(secret);
    if (why !== undefined) {
      throw new SecretrefError('INVALID_INPUT', `The provider table maps "${id}" to an invalid secret name: ${why}.`, {
        path: `/providers/${id}`,
      });
    }
    const key = normalizeId(id);
    if (!providers.has(key)) known.push(id);
    providers.set(key, secret);
  }
  const prefixes = new Map<string, string>();
  for (const [prefix, provider] of Object.entries({ ...DEFAULT_MODEL_PREFIXES, ...extra?.models })) {
    if (!providers.has(normalizeId(provider))) {
      throw new SecretrefError(
        'INVALID_INPUT',
        `The model prefix "${prefix}" maps to the unknown provider "${provider}"; add it under \`providers\`.`,
        { path: `/models/${prefix}` },
      );
    }
    prefixes.set(prefix.toLowerCase(), normalizeId(provider));
  }
  const sorted = [...prefixes].sort((a, b) => b[0].length - a[0].length);
  return { providers, prefixes: sorted, known: known.sort() };
}

const DEFAULT_TABLE = compileProviderTable();

/**
 * Resolves a provider id, model name or `provider/model` to a provider secret name with a compiled
 * table. The input is never echoed in errors: callers sometimes pass a key where a model belongs.
 */
export function lookupProviderSecret(modelOrProvider: string, table: CompiledProviderTable): string {
  if (typeof modelOrProvider !== 'string' || modelOrProvider.trim() === '') {
    throw new SecretrefError('INVALID_INPUT', 'Pass a model name or provider id, e.g. "gpt-4o" or "anthropic".');
  }
  const input = modelOrProvider.trim();
  const direct = table.providers.get(normalizeId(input));
  if (direct !== undefined) return direct;
  // Routed forms: the first segment that is a provider pays (openrouter/anthropic/… → OpenRouter).
  const segments = input.split('/');
  for (const segment of segments.slice(0, -1)) {
    const routed = table.providers.get(normalizeId(segment));
    if (routed !== undefined) return routed;
  }
  const model = (segments[segments.length - 1] ?? '').toLowerCase();
  for (const [prefix, provider] of table.prefixes) {
    if (model.startsWith(prefix)) {
      const secret = table.providers.get(provider);
      if (secret !== undefined) return secret;
    }
  }
  throw new SecretrefError(
    'INVALID_INPUT',
    `Unknown model or provider. Known providers: ${table.known.join(', ')}. ` +
      'Pass one of them (or "provider/model"), or extend the table with `providers`/`models`.',
  );
}

/**
 * The secret name holding the API key for a provider or model: `openai`, `gpt-4o`,
 * `openai/gpt-4o` → `OPENAI_API_KEY`; `claude-…` → `ANTHROPIC_API_KEY`; `gemini-…` →
 * `GOOGLE_API_KEY`; `azure-openai` → `AZURE_OPENAI_API_KEY`; `command-r` → `COHERE_API_KEY`.
 * `table` extends or overrides the built-in one. Unknown input is INVALID_INPUT listing the
 * known providers.
 */
export function providerSecretName(modelOrProvider: string, table?: ProviderTable): string {
  return lookupProviderSecret(modelOrProvider, table ? compileProviderTable(table) : DEFAULT_TABLE);
}
