/**
 * Matching a host against a secret's `allowedHosts`. Hosts compare case-insensitively (DNS names
 * are), a trailing dot is ignored, and a port is ignored unless the pattern names one.
 * `*.example.com` matches any name below example.com (`api.example.com`, `a.b.example.com`) but
 * not `example.com` itself — list both when both are meant. `*` alone matches every host.
 */

interface HostPort {
  host: string;
  port: string | undefined;
}

function split(raw: string): HostPort {
  const s = raw.trim().toLowerCase();
  // [v6]:port keeps its brackets; a bare v6 address (several colons) has no port.
  const v6 = /^(\[[^\]]*\])(?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1] as string, port: v6[2] };
  const colon = s.lastIndexOf(':');
  if (colon > 0 && s.indexOf(':') === colon && /^\d+$/.test(s.slice(colon + 1))) {
    return { host: strip(s.slice(0, colon)), port: s.slice(colon + 1) };
  }
  return { host: strip(s), port: undefined };
}

function strip(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** Does `host` (as found in a URL: `api.example.com`, `api.example.com:8443`) match `pattern`? */
export function hostMatches(pattern: string, host: string): boolean {
  const p = split(pattern);
  const h = split(host);
  if (h.host === '') return false;
  if (p.port !== undefined && p.port !== h.port) return false;
  if (p.host === '*') return true;
  if (p.host.startsWith('*.')) {
    const suffix = p.host.slice(1); // ".example.com"
    return h.host.length > suffix.length && h.host.endsWith(suffix);
  }
  return p.host === h.host;
}

/** Is `host` allowed by any of `patterns`? */
export function hostAllowed(patterns: readonly string[], host: string): boolean {
  return patterns.some((p) => hostMatches(p, host));
}

