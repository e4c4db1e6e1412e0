/**
 * Where a value goes: the tool a string belongs to and the host it is sent to. Lint, render and
 * the resolver all read destinations from here.
 *
 * - **Tool**: the `name` of the tool definition holding the string — the document itself, an item
 *   of a top-level array, or an item of a `tools`/`functions` array — when that `name` is a plain
 *   string (one holding a reference names no fixed tool).
 * - **Host**: the host of the URL the string itself is, when it is one (read as WHATWG `new URL()`
 *   reads it; a host built from a value is no fixed host); otherwise the nearest URL-like field:
 *   the object holding the string, then each enclosing object up to the root, is searched for a
 *   field named (case-insensitively, `_`/`-` ignored) `url`, `uri`, `base_url`, `endpoint`,
 *   `api_base`, or `host`/`hostname` holding a bare host name; the first found at the nearest
 *   level wins, in that order. A destination with no host fails closed for host-limited secrets.
 */
import type { Site } from '../syntax/document.js';
import { jsonPointer } from '../syntax/json-pointer.js';
import { OPAQUE, urlHost } from './url-host.js';

/** Where one reference's value goes. `undefined` fields cannot be told. */
export interface Destination {
  tool?: string;
  host?: string;
}

type Keys = readonly (string | number)[];

const URL_FIELDS = ['url', 'uri', 'baseurl', 'endpoint', 'apibase'];
const HOST_FIELDS = ['host', 'hostname'];
const FIELD_ORDER = [...URL_FIELDS, ...HOST_FIELDS];
const BARE_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
const TOOL_ARRAYS = new Set(['tools', 'functions']);

/** The text of a site with OPAQUE where values go; undefined when its shape is not one string. */
function siteText(site: Site): string | undefined {
  const p = site.compiled.program;
  if (p.kind === 'julep') {
    // Julep: a `$ ` expression is Python, not a URL; an f-string's fields (secrets or runtime
    // values alike) are not known here, so each stands for an inserted value.
    if (p.scan.form === 'expression') return undefined;
    const text = p.scan.form === 'template' ? p.value.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : p.value.replace(/\{\{|\}\}/g, 'x');
    return text.replace(/\{[^{}]*\}/g, OPAQUE);
  }
  if (p.kind !== 'segments' || p.segments.some((s) => s.type === 'if')) return undefined;
  return p.segments.map((s) => (s.type === 'text' ? s.value : OPAQUE)).join('');
}

/** Destinations of one document's strings. Built once per document. */
export class Destinations {
  private readonly sitesByPath: ReadonlyMap<string, Site>;
  private readonly fieldHosts = new WeakMap<object, string | null | undefined>();

  constructor(
    private readonly root: unknown,
    sites: readonly Site[],
  ) {
    this.sitesByPath = new Map(sites.map((s) => [s.path, s]));
  }

  /** Destination of a site (a string holding references). `tool` overrides the definition's. */
  ofSite(site: Site, tool?: string): Destination {
    return this.of(site.keys, siteText(site), tool);
  }

  /** Destination of the string at `keys` whose text (OPAQUE where values go) is `text`. */
  of(keys: Keys, text: string | undefined, tool?: string): Destination {
    const out: Destination = {};
    const t = tool ?? this.toolOf(keys);
    if (t !== undefined) out.tool = t;
    const host = text === undefined ? undefined : urlHost(text);
    const h = host === undefined ? this.nearestField(keys) : (host ?? undefined);
    if (h !== undefined) out.host = h.toLowerCase();
    return out;
  }

  /** Destinations per referenced name, for a resolve request. */
  byName(sites: readonly Site[], tool?: string): Map<string, Destination[]> {
    const out = new Map<string, Destination[]>();
    for (const site of sites) {
      const d = this.ofSite(site, tool);
      for (const r of site.compiled.refs) {
        const list = out.get(r.name);
        if (!list) out.set(r.name, [d]);
        else if (!list.some((x) => x.tool === d.tool && x.host === d.host)) list.push(d);
      }
    }
    return out;
  }

  /**
   * How many leading keys of `keys` address the tool definition the value belongs to: the
   * document itself, an item of a top-level array, or an item of a `tools`/`functions` array.
   */
  toolRootLength(keys: Keys): number {
    let root = 0;
    for (let i = 1; i <= keys.length; i++) {
      if (typeof keys[i - 1] !== 'number') continue;
      const parent = keys[i - 2];
      if (i === 1 || (typeof parent === 'string' && TOOL_ARRAYS.has(parent))) root = i;
    }
    return root;
  }

  /** The tool definition holding `keys`: its `name`, when a plain string. */
  toolOf(keys: Keys): string | undefined {
    const root = this.toolRootLength(keys);
    const holder = this.valueAt(keys.slice(0, root));
    if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(holder, 'name')) return undefined;
    const name = (holder as Record<string, unknown>).name;
    if (typeof name !== 'string' || this.sitesByPath.has(jsonPointer([...keys.slice(0, root), 'name']))) return undefined;
    return name;
  }

  /** The host of the nearest URL-like field above `keys`; undefined when none has a fixed host. */
  nearestField(keys: Keys): string | undefined {
    for (let level = keys.length - 1; level >= 0; level--) {
      const at = keys.slice(0, level);
      const holder = this.valueAt(at);
      if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) continue;
      let host = this.fieldHosts.get(holder);
      if (host === undefined && !this.fieldHosts.has(holder)) this.fieldHosts.set(holder, (host = this.fieldHost(holder as Record<string, unknown>, at)));
      // A URL field whose host is built from a value sends the secret somewhere unknown.
      if (host === null) return undefined;
      if (host !== undefined) return host;
    }
    return undefined;
  }

  /** The host named by the URL-like fields of one object (memoised: siblings share it). */
  private fieldHost(holder: Record<string, unknown>, at: Keys): string | null | undefined {
    const fields = new Map<string, string>();
    for (const k of Object.keys(holder)) {
      const norm = k.toLowerCase().replace(/[-_]/g, '');
      if (FIELD_ORDER.includes(norm) && !fields.has(norm)) fields.set(norm, k);
    }
    for (const wanted of FIELD_ORDER) {
      const key = fields.get(wanted);
      if (key === undefined) continue;
      const v = holder[key];
      if (typeof v !== 'string') continue;
      const site = this.sitesByPath.get(jsonPointer([...at, key]));
      if (site) {
        const text = siteText(site);
        const host = text === undefined ? undefined : urlHost(text);
        if (host === null) return null;
        if (host !== undefined) return host;
        continue;
      }
      const host = HOST_FIELDS.includes(wanted) && BARE_HOST.test(v) ? v : (urlHost(v) ?? undefined);
      if (host) return host;
    }
    return undefined;
  }

  /** The value at `keys` (own properties only), or undefined. */
  valueAt(keys: Keys): unknown {
    let cur: unknown = this.root;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
      cur = (cur as Record<string | number, unknown>)[k];
    }
    return cur;
  }
}
