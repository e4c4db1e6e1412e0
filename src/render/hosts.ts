/**
 * Which hosts a secret is sent to, for usage policies (`allowedHosts`). The rule:
 * 1. the host of the URL the reference lands in, when that string is a URL with a static host
 *    (`https://api.stripe.com/v1?key={{ secrets.k }}` → api.stripe.com);
 * 2. otherwise the nearest URL-like sibling field: the object holding the string, then each
 *    enclosing object up to the root, is searched for a field named (case-insensitively, `_`
 *    and `-` ignored) `url`, `uri`, `base_url`, `endpoint`, `api_base` or `host`/`hostname`
 *    holding a URL with a static host (or, for `host`/`hostname`, a bare host name). The first
 *    field found at the nearest level wins, in that order.
 * A reference with neither has no host; the resolver then checks tools only.
 */
import { UNKNOWN_HOST } from '../resolve/host-match.js';
import type { Site } from '../syntax/document.js';
import { jsonPointer } from '../syntax/json-pointer.js';
import { whatwgHost } from '../syntax/url-host.js';

const URL_FIELDS = ['url', 'uri', 'baseurl', 'endpoint', 'apibase'];
const HOST_FIELDS = ['host', 'hostname'];
const URL_HOST = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^/?#:@\s[\]]+)/;
const BARE_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

function norm(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Host of a plain URL string; undefined when it is not one. */
export function urlHost(s: string): string | undefined {
  const parsed = whatwgHost(s);
  if (parsed !== undefined) return parsed ?? undefined;
  return URL_HOST.exec(s)?.[1]?.toLowerCase();
}

/** Hosts per name for every reference of the sites of `root`. */
export function hostsByName(root: unknown, sites: readonly Site[]): Map<string, Set<string>> {
  const sitesByPath = new Map(sites.map((s) => [s.path, s]));
  const out = new Map<string, Set<string>>();
  for (const site of sites) {
    // No fixed host: recorded as UNKNOWN_HOST, so a secret limited to some hosts fails closed.
    const host = site.compiled.host ?? nearestUrlField(root, site, sitesByPath) ?? UNKNOWN_HOST;
    for (const r of site.compiled.refs) {
      let set = out.get(r.name);
      if (!set) out.set(r.name, (set = new Set()));
      set.add(host);
    }
  }
  return out;
}

function nearestUrlField(root: unknown, site: Site, sitesByPath: ReadonlyMap<string, Site>): string | undefined {
  // The chain of containers from the root down to the string's parent.
  const chain: { value: unknown; keys: (string | number)[] }[] = [];
  let cur: unknown = root;
  for (let i = 0; i < site.keys.length; i++) {
    chain.push({ value: cur, keys: site.keys.slice(0, i) });
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[site.keys[i] as string | number] : undefined;
  }
  for (let level = chain.length - 1; level >= 0; level--) {
    const { value, keys } = chain[level] as (typeof chain)[number];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const fields = new Map<string, string>();
    for (const k of Object.keys(value)) fields.set(norm(k), k);
    for (const wanted of [...URL_FIELDS, ...HOST_FIELDS]) {
      const key = fields.get(wanted);
      if (key === undefined) continue;
      const v = (value as Record<string, unknown>)[key];
      if (typeof v !== 'string') continue;
      const path = jsonPointer([...keys, key]);
      const s = sitesByPath.get(path);
      const host = s ? s.compiled.host : HOST_FIELDS.includes(wanted) && BARE_HOST.test(v) ? v.toLowerCase() : urlHost(v);
      if (host) return host;
    }
  }
  return undefined;
}

