import { describe, expect, it } from 'vitest';
import { SecretrefError } from '../../src/errors.js';
import { DEFAULT_PROVIDERS, providerSecretName } from '../../src/resolve/providers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SecretrefError ? e.code : 'not a SecretrefError';
  }
  return undefined;
}

describe('providerSecretName', () => {
  it.each([
    ['openai', 'OPENAI_API_KEY'],
    ['OpenAI', 'OPENAI_API_KEY'],
    ['anthropic', 'ANTHROPIC_API_KEY'],
    ['google', 'GOOGLE_API_KEY'],
    ['gemini', 'GOOGLE_API_KEY'],
    ['vertex_ai', 'GOOGLE_API_KEY'],
    ['azure', 'AZURE_OPENAI_API_KEY'],
    ['azure-openai', 'AZURE_OPENAI_API_KEY'],
    ['Azure_OpenAI', 'AZURE_OPENAI_API_KEY'],
    ['cohere', 'COHERE_API_KEY'],
    ['mistral', 'MISTRAL_API_KEY'],
    ['groq', 'GROQ_API_KEY'],
    ['deepseek', 'DEEPSEEK_API_KEY'],
    ['xai', 'XAI_API_KEY'],
    ['grok', 'XAI_API_KEY'],
    ['together', 'TOGETHER_API_KEY'],
    ['fireworks', 'FIREWORKS_API_KEY'],
    ['openrouter', 'OPENROUTER_API_KEY'],
    ['perplexity', 'PERPLEXITY_API_KEY'],
  ])('provider %s → %s', (input, secret) => {
    expect(providerSecretName(input)).toBe(secret);
  });

  it.each([
    ['gpt-4o', 'OPENAI_API_KEY'],
    ['gpt-4o-mini', 'OPENAI_API_KEY'],
    ['GPT-4.1', 'OPENAI_API_KEY'],
    ['o1', 'OPENAI_API_KEY'],
    ['o1-mini', 'OPENAI_API_KEY'],
    ['o3-mini', 'OPENAI_API_KEY'],
    ['o4-mini', 'OPENAI_API_KEY'],
    ['chatgpt-4o-latest', 'OPENAI_API_KEY'],
    ['text-embedding-3-small', 'OPENAI_API_KEY'],
    ['dall-e-3', 'OPENAI_API_KEY'],
    ['text-embedding-004', 'GOOGLE_API_KEY'],
    ['claude-sonnet-4-5', 'ANTHROPIC_API_KEY'],
    ['claude-3-5-haiku-latest', 'ANTHROPIC_API_KEY'],
    ['gemini-2.5-pro', 'GOOGLE_API_KEY'],
    ['models/gemini-1.5-flash', 'GOOGLE_API_KEY'],
    ['command-r-plus', 'COHERE_API_KEY'],
    ['embed-english-v3.0', 'COHERE_API_KEY'],
    ['mistral-large-latest', 'MISTRAL_API_KEY'],
    ['mixtral-8x7b', 'MISTRAL_API_KEY'],
    ['codestral-latest', 'MISTRAL_API_KEY'],
    ['deepseek-chat', 'DEEPSEEK_API_KEY'],
    ['grok-3', 'XAI_API_KEY'],
    ['sonar-pro', 'PERPLEXITY_API_KEY'],
  ])('model %s → %s', (input, secret) => {
    expect(providerSecretName(input)).toBe(secret);
  });

  it.each([
    ['openai/gpt-4o', 'OPENAI_API_KEY'],
    ['anthropic/claude-3-opus', 'ANTHROPIC_API_KEY'],
    ['azure/my-deployment', 'AZURE_OPENAI_API_KEY'],
    ['groq/llama-3.1-8b-instant', 'GROQ_API_KEY'],
    // The router is who is paid, whatever model it routes to.
    ['openrouter/anthropic/claude-3.5-sonnet', 'OPENROUTER_API_KEY'],
    ['accounts/fireworks/models/llama-v3p1-70b', 'FIREWORKS_API_KEY'],
    ['together_ai/meta-llama/Llama-3-70b', 'TOGETHER_API_KEY'],
  ])('routed %s → %s', (input, secret) => {
    expect(providerSecretName(input)).toBe(secret);
  });

  it('unknown model or provider is INVALID_INPUT listing the known providers', () => {
    for (const input of ['llama-3-70b', 'acme', 'meta-llama/Llama-3-70b', '', '   ']) {
      expect(codeOf(() => providerSecretName(input))).toBe('INVALID_INPUT');
    }
    try {
      providerSecretName('acme');
    } catch (e) {
      for (const p of ['openai', 'anthropic', 'google', 'azure', 'cohere']) expect((e as Error).message).toContain(p);
    }
  });

  it('unknown-model errors never echo the input (a key is sometimes passed where a model belongs)', () => {
    const key = 'zz-live-51Hk3ExampleExampleExample';
    try {
      providerSecretName(key);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(key);
    }
  });

  it('the table is extensible: new providers, new prefixes, overrides', () => {
    const table = {
      providers: { mycorp: 'MYCORP_API_KEY', openai: 'TEAM_OPENAI_KEY' },
      models: { 'mc-': 'mycorp', 'llama-': 'groq' },
    };
    expect(providerSecretName('mycorp', table)).toBe('MYCORP_API_KEY');
    expect(providerSecretName('mc-large', table)).toBe('MYCORP_API_KEY');
    expect(providerSecretName('llama-3-70b', table)).toBe('GROQ_API_KEY');
    expect(providerSecretName('gpt-4o', table)).toBe('TEAM_OPENAI_KEY');
    expect(providerSecretName('anthropic', table)).toBe('ANTHROPIC_API_KEY');
  });

  it('a table entry with an invalid secret name or an unknown provider is INVALID_INPUT', () => {
    expect(codeOf(() => providerSecretName('x', { providers: { x: 'not-a-name' } }))).toBe('INVALID_INPUT');
    expect(codeOf(() => providerSecretName('x', { models: { 'x-': 'nobody' } }))).toBe('INVALID_INPUT');
  });

  it('every default secret name follows the name rule', () => {
    for (const secret of Object.values(DEFAULT_PROVIDERS)) expect(secret).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });
});
