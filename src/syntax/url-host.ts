/**
 * The host a URL string is sent to, read by the WHATWG URL parser that fetch, undici and axios
 * use — a regular expression disagrees with it (`https://evil.com\@api.example.com` goes to
 * evil.com: `\` ends the authority in http(s) URLs). `opaque` marks where values will be
 * inserted: a host that changes with them is no static host.
 *
 * Returns the host, `null` when the text parses as a URL whose host depends on a value, or
 * `undefined` when it does not parse as a URL with a host (callers may then try other rules).
 */
export function whatwgHost(text: string, opaque?: string): string | null | undefined {
  if (opaque === undefined || !text.includes(opaque)) return hostOf(text);
  const a = hostOf(text.split(opaque).join('a'));
  const b = hostOf(text.split(opaque).join('b'));
  if (a === undefined || b === undefined) return a === b ? undefined : null;
  return a === b ? a : null;
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
