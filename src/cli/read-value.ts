/**
 * Secret values enter only through standard input or a hidden prompt, never argv or an
 * environment variable named on the command line. What comes in is stored exactly or refused,
 * never altered silently: standard input is read as bytes and must be UTF-8 (a replacement
 * character in place of a bad byte would be a different secret); a leading byte-order mark is
 * refused (an invisible encoding marker, which many readers drop and others keep, so one
 * credential would read differently from tool to tool). The one documented change is that a
 * single trailing newline from stdin is dropped unless --keep-newline.
 */
import { SecretrefError } from '../core.js';
import { nameProblem } from '../syntax/index.js';
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

/** Offset of the first byte of the first ill-formed UTF-8 sequence in `b`, or -1 (WHATWG/RFC 3629 rules). */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < n && (b[j] as number) >= lo && (b[j] as number) <= hi;
  while (i < n) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
    } else if (c >= 0xc2 && c <= 0xdf) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      // E0: no overlongs (A0..BF); ED: no surrogates (80..9F).
      const ok = c === 0xe0 ? cont(i + 1, 0xa0) : c === 0xed ? cont(i + 1, 0x80, 0x9f) : cont(i + 1);
      if (!ok || !cont(i + 2)) return i;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      // F0: no overlongs (90..BF); F4: nothing above U+10FFFF (80..8F).
      const ok = c === 0xf0 ? cont(i + 1, 0x90) : c === 0xf4 ? cont(i + 1, 0x80, 0x8f) : cont(i + 1);
      if (!ok || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else {
      return i;
    }
  }
  return -1;
}

/** Standard input as text: exactly its bytes, or INVALID_INPUT naming where it stops being UTF-8. */
function decodeStdin(bytes: Uint8Array, name: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    throw new SecretrefError(
      'INVALID_INPUT',
      `The value for ${name} on standard input is not valid UTF-8: the byte sequence at byte ${bad + 1} (of ${bytes.length}) is ill-formed. ` +
        'Secret values are text; encode binary data first (e.g. base64). Nothing was stored.',
      { path: '/value', name },
    );
  }
  // Buffer's decoder keeps a leading U+FEFF (TextDecoder would drop it); it is refused below.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

export async function readSecretValue(ctx: CliContext, name: string, keepNewline = false): Promise<string> {
  // The name first: a value typed where the name belongs must not be echoed by the prompt or an error.
  const bad = nameProblem(name);
  if (bad !== undefined) throw new SecretrefError('INVALID_NAME', `The secret name is invalid: ${bad} (e.g. stripe_api_key).`, { path: '/name' });
  let value: string;
  if (ctx.io.stdinIsTTY) {
    value = await ctx.io.promptHidden(`Value for ${name} (hidden): `);
  } else {
    value = ctx.io.readStdinBytes ? decodeStdin(await ctx.io.readStdinBytes(), name) : await ctx.io.readStdin();
    // `echo value | secretref …` adds one newline that is not part of the value.
    if (!keepNewline) value = value.replace(/\r?\n$/, '');
  }
  if (value.startsWith('\u{feff}')) {
    throw new SecretrefError(
      'INVALID_INPUT',
      `The value for ${name} starts with a byte-order mark (U+FEFF, bytes EF BB BF), which editors add and many readers drop. ` +
        "Remove it (e.g. sed '1s/^\\xEF\\xBB\\xBF//') and give the value again; if it truly belongs to the value, store it through the library API. Nothing was stored.",
      { path: '/value', name },
    );
  }
  if (value.length === 0) throw new UsageError(`No value for ${name}: pipe it on standard input (printf %s "$VALUE" | secretref …) or type it at the prompt.`);
  return value;
}
