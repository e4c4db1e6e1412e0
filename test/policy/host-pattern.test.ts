import { describe, expect, it } from 'vitest';
import { hostAllowed, hostMatches } from '../../src/policy/host-pattern.js';

describe('hostMatches', () => {
  it.each([
    ['api.example.com', 'api.example.com', true],
    ['api.example.com', 'API.Example.COM', true],
    ['API.example.com', 'api.example.com', true],
    ['api.example.com', 'api.example.com.', true],
    ['api.example.com', 'api.example.com:8443', true],
    ['api.example.com:8443', 'api.example.com:8443', true],
    ['api.example.com:8443', 'api.example.com:443', false],
    ['api.example.com:8443', 'api.example.com', false],
    ['api.example.com', 'example.com', false],
    ['api.example.com', 'evil-api.example.com', false],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'evilexample.com', false],
    ['*.example.com', 'example.com.evil.net', false],
    ['*', 'anything.net', true],
    ['[::1]', '[::1]:5432', true],
    ['127.0.0.1', '127.0.0.1:5432', true],
    ['api.example.com', '', false],
  ])('%s vs %s → %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });

  it('hostAllowed: any pattern', () => {
    expect(hostAllowed(['a.example.com', '*.stripe.com'], 'api.stripe.com')).toBe(true);
    expect(hostAllowed(['a.example.com'], 'api.stripe.com')).toBe(false);
    expect(hostAllowed([], 'api.stripe.com')).toBe(false);
  });
});
