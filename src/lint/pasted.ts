/**
 * PASTED_CREDENTIAL: turns credential matches into findings whose suggestion is the reference to
 * write instead. The suggested name comes from the token's provider (`ANTHROPIC_API_KEY`,
 * `stripe_api_key`), else from the host the value is sent to (`api.acme.com` → `acme_…`) or the
 * URL scheme, else from the tool's name, joined with what the value is (`password`, `api_key`).
 * Nothing of the credential itself ends up in the message or the suggestion.
 */
import { urlHost } from '../policy/url-host.js';
import { DEFAULT_PROVIDERS } from '../resolve/providers.js';
import { NAME_PATTERN, suggestName } from '../syntax/names.js';
import type { LintContext, LocalFinding, StringValue } from './context.js';
import { findAssignments } from './assignments.js';
import { findCommandLineSecrets, findSiblingFlagSecret } from './command-line.js';
import { findFieldSecret, findTokens, findUrlSecrets, maskCredential, snake, type CredentialMatch } from './credentials.js';

const GENERIC_LABELS = new Set(['api', 'www', 'app', 'apis', 'rest', 'graph', 'gateway', 'hooks', 'web', 'm', 'v1', 'v2', 'secure', 'auth', 'login', 'oauth', 'prod', 'staging', 'dev']);
const GENERIC_SERVICES = new Set(['localhost', 'local', 'internal', 'example', 'svc', 'cluster']);
// Stems that say what a value is but not whose: these get the service in front (`acme_api_key`).
const GENERIC_STEMS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'token', 'api_key', 'api_token', 'apikey', 'key', 'secret', 'secret_key', 'access_key', 'access_token', 'auth_token', 'bearer_token', 'refresh_token', 'client_secret', 'private_key', 'credential', 'credentials', 'webhook_secret', 'signing_secret', 'sig', 'signature']);

/** Credential findings in one string value. `skip` marks spans that are real references. */
export function findPasted(ctx: LintContext, s: StringValue, skip: (start: number, end: number) => boolean): LocalFinding[] {
  const matches: CredentialMatch[] = [];
  const keep = (m: CredentialMatch): void => {
    if (skip(m.start, m.end) || matches.some((o) => o.start < m.end && m.start < o.end)) return;
    matches.push(m);
  };
  findTokens(s.value).forEach(keep);
  findUrlSecrets(s.value).forEach(keep);
  const field = s.keys[s.keys.length - 1];
  if (!s.site && typeof field === 'string') {
    const m = findFieldSecret(field, s.value);
    if (m) keep(m);
  }
  // `args: [--token, <value>]`: the item after a lone flag is that flag's argument.
  if (typeof field === 'number' && field > 0) {
    const flag = (ctx.valueAt(s.keys.slice(0, -1)) as unknown[] | undefined)?.[field - 1];
    const m = typeof flag === 'string' ? findSiblingFlagSecret(flag, s.value) : undefined;
    if (m) keep(m);
  }
  findCommandLineSecrets(s.value).forEach(keep);
  findAssignments(s.value).forEach(keep);
  return matches.map((m) => {
    const name = secretNameFor(ctx, s, m);
    const whole = m.start === 0 && m.end >= s.value.trimEnd().length;
    const suggestion = ctx.doc.dialect === 'julep' ? julepReference(s, name, whole) : whole ? `$secrets.${name}` : s.site?.compiled.form === 'template' ? `{{ secrets.${name} }}` : `\${secrets.${name}}`;
    return {
      code: 'PASTED_CREDENTIAL',
      message: `${capitalize(m.label)} is pasted in clear text (${maskCredential(m)}); store it with \`secretref secrets create ${name}\`, write ${suggestion} instead, and revoke the exposed one.`,
      start: m.start,
      end: m.end,
      suggestion,
      evidence: `${m.label}\u0000${maskCredential(m)}`,
    } satisfies LocalFinding;
  });
}

function secretNameFor(ctx: LintContext, s: StringValue, m: CredentialMatch): string {
  if ('fixed' in m.name) return m.name.fixed;
  const host = hostNear(ctx, s);
  let service = m.name.service;
  const stem = snake(m.name.stem);
  if (service !== undefined && service !== 'OPENAI') return `${service}_${stem}`; // the token names its provider
  if (service === 'OPENAI') {
    const provider = host ? serviceOf(host) : undefined;
    const key = provider ? DEFAULT_PROVIDERS[provider] : undefined;
    return key ?? 'OPENAI_API_KEY';
  }
  if (service === undefined && host) service = serviceOf(host);
  if (service === undefined && m.label === 'a password in the URL') service = schemeOf(s.value.slice(0, m.start));
  if (service === undefined) {
    const tool = ctx.toolName(s.keys);
    if (tool) service = snake(tool);
  }
  const raw = service && GENERIC_STEMS.has(stem) ? `${service}_${stem}` : stem;
  const name = snake(raw);
  return NAME_PATTERN.test(name) && name.length <= 64 ? name : (suggestName(name) ?? 'api_key');
}

/** The registrable name of a host: `api.stripe.com` → `stripe`, `db.internal` → `db`. */
export function serviceOf(host: string): string | undefined {
  if (/^[\d.]+$|^\[/.test(host)) return undefined;
  const labels = host.toLowerCase().split('.').filter(Boolean);
  if (labels.length >= 2) labels.pop(); // the top-level domain
  if (labels.length >= 2 && /^(?:co|com|net|org|ac|gov)$/.test(labels[labels.length - 1] as string)) labels.pop(); // co.uk
  const useful = labels.filter((l) => !GENERIC_LABELS.has(l));
  const pick = useful[useful.length - 1] ?? labels[labels.length - 1];
  if (!pick || GENERIC_SERVICES.has(pick)) return undefined;
  const out = snake(pick);
  return /^[a-z]/.test(out) ? out : undefined;
}

function schemeOf(before: string): string | undefined {
  const m = /([A-Za-z][A-Za-z0-9+.-]*):\/\/[^\s]*$/.exec(before);
  const scheme = m?.[1]?.toLowerCase().replace(/\+.*$/, '');
  return scheme && !/^https?$/.test(scheme) ? snake(scheme) : undefined;
}

/** Where the value goes: the host of the string itself when it is a URL, else of the nearest URL-like field. */
function hostNear(ctx: LintContext, s: StringValue): string | undefined {
  return ctx.destinations.hostOf(s.keys, s.value) ?? urlHost(s.value) ?? undefined;
}

/** The reference to write in a Julep string: `$ secrets.x` for a whole value, a field in an f-string, a name in an expression. */
function julepReference(s: StringValue, name: string, whole: boolean): string {
  if (whole) return `$ secrets.${name}`;
  const form = s.site?.compiled.form ?? (s.value.startsWith('$ ') ? 'expression' : s.value.includes('{{') ? 'template' : 'fstring');
  return form === 'expression' ? `secrets.${name}` : form === 'template' ? `{{ secrets.${name} }}` : `{secrets.${name}}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
