/** The destination rule of src/policy/destination.ts, one case per documented tool type. */
import { describe, expect, it } from 'vitest';
import { Destinations } from '../../src/policy/destination.js';
import { analyzeValue } from '../../src/syntax/document.js';

function destinations(def: unknown): Record<string, { tool?: string; host?: string }> {
  const doc = analyzeValue(def);
  const d = new Destinations(doc.value, doc.sites);
  return Object.fromEntries(doc.sites.map((s) => [s.path, d.ofSite(s)]));
}

describe('where a value goes', () => {
  it('Julep api_call: every string of the tool goes to api_call.url', () => {
    expect(destinations({ name: 'charge', api_call: { url: 'https://api.stripe.com/v1', headers: { A: '$secrets.a', Host: 'evil.example' }, body: { url: 'https://evil.example', b: '$secrets.b' } } })).toEqual({
      '/api_call/headers/A': { tool: 'charge', host: 'api.stripe.com' },
      '/api_call/body/b': { tool: 'charge', host: 'api.stripe.com' },
    });
  });

  it('a tool with its own url; the url itself; a host built from a value cannot be told', () => {
    expect(destinations({ name: 't', url: 'https://api.x.com/v1?k={{ secrets.k }}', headers: { a: '$secrets.a' } })).toEqual({
      '/url': { tool: 't', host: 'api.x.com' },
      '/headers/a': { tool: 't', host: 'api.x.com' },
    });
    expect(destinations({ name: 't', url: 'https://{{ secrets.h }}.x.com/', headers: { a: '$secrets.a' } })).toEqual({
      '/url': { tool: 't' },
      '/headers/a': { tool: 't' },
    });
  });

  it('tools[]: each item is its own tool with its own request', () => {
    expect(destinations({ tools: [{ name: 'a', api_call: { url: 'https://a.example/x', headers: { k: '$secrets.k' } } }, { name: 'b', url: 'https://b.example/', body: { k: '$secrets.k' } }] })).toEqual({
      '/tools/0/api_call/headers/k': { tool: 'a', host: 'a.example' },
      '/tools/1/body/k': { tool: 'b', host: 'b.example' },
    });
  });

  it('integrations: setup.base_url / endpoint, else a connection string\'s own host, else nowhere to tell', () => {
    expect(destinations({ name: 'llm', integration: { provider: 'azure', setup: { api_key: '$secrets.k', endpoint: 'https://acme.openai.azure.com/' } } })['/integration/setup/api_key']).toEqual({ tool: 'llm', host: 'acme.openai.azure.com' });
    expect(destinations({ name: 'db', integration: { provider: 'custom', setup: { mysql_url: 'mysql://app:${secrets.p}@mysql.internal:3306/s' } } })['/integration/setup/mysql_url']).toEqual({ tool: 'db', host: 'mysql.internal' });
    expect(destinations({ name: 'brave', integration: { provider: 'brave', setup: { api_key: '$secrets.k', note: 'https://api.stripe.com' } } })['/integration/setup/api_key']).toEqual({ tool: 'brave' });
  });

  it('MCP servers: the entry\'s url; a command server\'s env goes nowhere that can be told', () => {
    expect(destinations({ mcpServers: { gh: { url: 'https://mcp.github.com/sse', headers: { Authorization: 'Bearer $secrets.gh' } }, local: { command: 'npx', env: { TOKEN: '$secrets.t' } } } })).toEqual({
      '/mcpServers/gh/headers/Authorization': { host: 'mcp.github.com' },
      '/mcpServers/local/env/TOKEN': {},
    });
  });

  it('no target: a URL string with a static host goes there; anything else cannot be told', () => {
    expect(destinations({ dsn: 'postgresql://u:${secrets.p}@db.internal/app', header: 'Bearer $secrets.t' })).toEqual({
      '/dsn': { host: 'db.internal' },
      '/header': {},
    });
  });
});
