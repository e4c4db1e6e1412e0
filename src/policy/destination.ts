/**
 * Where a value goes: the tool a string belongs to and the host it is sent to. Lint, render and
 * the resolver all read destinations from here.
 *
 * - **Tool**: the `name` of the tool definition holding the string — the document itself, an item
 *   of a top-level array, or an item of a `tools`/`functions` array — when that `name` is a plain
 *   string (one holding a reference names no fixed tool).
 * - **Host**: the host of the URL the tool's request actually goes to, read as WHATWG `new URL()`
 *   reads it — never a field the definition's author can name freely (a `Host` header, a body
 *   field `url`, a URL inside a header value). The target, the innermost that applies:
 *   1. an MCP server entry (`mcpServers.NAME`): its `url`;
 *   2. an integration (`integration: { provider, setup }`): `setup.base_url`, `setup.endpoint` or
 *      `setup.url`, where the provider's client sends its requests;
 *   3. an HTTP tool: its `api_call.url` (Julep, OpenAI-compatible `api_call` tools), else its own
 *      `url` field;
 *   4. with none of these, a string that is itself a URL with a static host (a connection string
 *      such as `postgresql://app:${secrets.p}@db.internal/app` goes to db.internal).
 *   Every string of a tool with a target goes to the target's host, whatever it says itself. A
 *   target whose host is built from a value, or no target at all, is a destination that cannot
 *   be told: host-limited secrets fail closed there.
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

/** Inside an integration or MCP server without a URL: only a string that is itself a URL has a host. */
const NO_TARGET: Keys = Object.freeze([]);
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
  private readonly targetHosts = new Map<string, string | undefined>();

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
    const h = this.hostOf(keys, text);
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

  /** The host the string at `keys` (text `text`, OPAQUE where values go) is sent to, if it can be told. */
  hostOf(keys: Keys, text: string | undefined): string | undefined {
    const target = this.targetOf(keys);
    if (target === undefined || target === NO_TARGET) {
      const own = text === undefined ? undefined : urlHost(text);
      return own ?? undefined;
    }
    if (target.length === keys.length && target.every((k, i) => k === keys[i])) return text === undefined ? undefined : (urlHost(text) ?? undefined);
    return this.fieldHost(target);
  }

  /** Keys of the URL field the request of the tool holding `keys` goes to (see the rule above). */
  targetOf(keys: Keys): Keys | undefined {
    // 1 and 2: the innermost MCP server entry or integration holding the string.
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      if (keys[i - 1] === 'mcpServers' && typeof k === 'string') return this.stringField([...keys.slice(0, i + 1)], ['url']) ?? NO_TARGET;
      if (k === 'integration') {
        const setup = [...keys.slice(0, i + 1), 'setup'];
        return this.stringField(setup, ['base_url', 'endpoint', 'url']) ?? NO_TARGET;
      }
    }
    // 3: the tool's request.
    const root = keys.slice(0, this.toolRootLength(keys));
    return this.stringField([...root, 'api_call'], ['url']) ?? this.stringField(root, ['url']);
  }

  /** `holder/<first of fields>` when it holds a string. */
  private stringField(holder: Keys, fields: readonly string[]): Keys | undefined {
    const h = this.valueAt(holder);
    if (h === null || typeof h !== 'object' || Array.isArray(h)) return undefined;
    for (const f of fields) if (typeof (h as Record<string, unknown>)[f] === 'string') return [...holder, f];
    return undefined;
  }

  /** The static host of the URL string at `keys` (memoised: a tool's strings share it). */
  private fieldHost(keys: Keys): string | undefined {
    const path = jsonPointer(keys);
    if (this.targetHosts.has(path)) return this.targetHosts.get(path);
    const site = this.sitesByPath.get(path);
    const v = this.valueAt(keys);
    const text = site ? siteText(site) : typeof v === 'string' ? v : undefined;
    const host = text === undefined ? undefined : (urlHost(text) ?? undefined);
    this.targetHosts.set(path, host);
    return host;
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
