/**
 * The host a URL string is sent to. One rule for every stage: the WHATWG URL parser that fetch,
 * undici and axios use — a regular expression disagrees with it (`https://evil.com\@api.example.com`
 * goes to evil.com: `\` ends the authority in http(s) URLs). Only text the parser refuses outright
 * (a URL with spaces or a placeholder in its port) falls back to reading `scheme://[userinfo@]host`.
 */

const URL_HOST = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^/?#:@\s[\]]+)/;

/** Marks, in a string being analysed, where a value will be inserted. */
export const OPAQUE = '\u0000';

/**
 * The host of `text` read as a URL. `OPAQUE` marks where values will be inserted: a host that
 * changes with them is no static host (`null`). `undefined` when `text` is not a URL with a host.
 */
export function urlHost(text: string): string | null | undefined {
  if (!text.includes(OPAQUE)) return hostOf(text) ?? fallback(text);
  const a = hostOf(text.split(OPAQUE).join('a'));
  const b = hostOf(text.split(OPAQUE).join('b'));
  if (a !== undefined || b !== undefined) return a === b ? a : null;
  const host = fallback(text);
  return host === undefined ? undefined : host.includes(OPAQUE) ? null : host;
}

function hostOf(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  return u.hostname === '' ? undefined : u.hostname;
}

function fallback(s: string): string | undefined {
  return URL_HOST.exec(s)?.[1]?.toLowerCase();
}
