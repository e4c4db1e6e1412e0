/**
 * The pieces of the pasted-credential detector, one table each: placeholders, shell words,
 * command-line flags, assignments in text, and the format checks that look inside a token
 * (decoded JWT headers, Bedrock keys). Values are made up; positions are asserted, since a
 * finding must land on the secret and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { findAssignments } from '../../src/lint/assignments.js';
import { findCommandLineSecrets, findSiblingFlagSecret } from '../../src/lint/command-line.js';
import { findTokens, findUrlSecrets, secretKind } from '../../src/lint/credentials.js';
import { hasAlphabetWalk, isPlaceholder, isPlaceholderPassword, isSequence } from '../../src/lint/placeholder.js';
import { readShellWord } from '../../src/lint/shell-word.js';

const SECRET = 'Zq2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5Ga';
const spans = (value: string, found: { start: number; end: number }[]): string[] => found.map((m) => value.slice(m.start, m.end));

describe('placeholders', () => {
  it.each([
    ['abcdefghij', true],
    ['Xw9kLmNoPqRsTu', true], // l-m-n-o-p-q-r-s-t-u
    ['aAbBcCdDeEfF', false], // pairs, not a walk
    ['ZyXwVuTsRq', false], // descending
    [SECRET, false],
  ])('alphabet walk in %s: %s', (s, walk) => {
    expect(hasAlphabetWalk(s)).toBe(walk);
  });

  it.each([
    ['abc', true],
    ['1234', true],
    ['abd', false],
  ])('sequence %s: %s', (s, seq) => {
    expect(isSequence(s)).toBe(seq);
  });

  it.each([
    ['postgres', 'postgres', true],
    ['mypassword', 'alice', true],
    ['xyz', 'bob', true],
    ['changeme', 'bob', true],
    ['test_pass_1', 'bob', true],
    ['Tr0ub4dor-and-3', 'reporting', false],
    ['secret123', 'user', false],
  ])('password %s for user %s is a stand-in: %s', (pw, user, stand) => {
    expect(isPlaceholderPassword(pw, user)).toBe(stand);
  });

  it.each(['$1', '$(cat pw)', '${PW}', '<password>', 'YOUR_TOKEN', '***'])('%s is a placeholder', (s) => {
    expect(isPlaceholder(s)).toBe(true);
  });
});

describe('field names', () => {
  it.each([
    ['X-Api-Key', 'secret'],
    ['clientSecret', 'secret'],
    ['some_api_token_123', 'secret'],
    ['DB_PASS', 'password'],
    ['creds', 'secret'],
    ['page_token', undefined],
    ['csrf-token', undefined],
    ['publicToken', undefined],
    ['token_url', undefined],
    ['max_tokens', undefined],
    ['primaryKey', undefined],
  ])('%s holds %s', (name, kind) => {
    expect(secretKind(name)).toBe(kind);
  });
});

describe('shell words', () => {
  it('removes quotes and keeps where each character came from', () => {
    const s = `-u kevin:'p4 ss'"x\\"y" next`;
    const w = readShellWord(s, 3, 100);
    expect(w.text).toBe('kevin:p4 ssx"y');
    expect(s[w.at[8] as number]).toBe(' ');
    expect(w.at[8]).toBe(s.indexOf(' ss'));
    expect(s.slice(w.end)).toBe(' next');
  });
});

describe('command lines', () => {
  it.each([
    [`curl -H 'X-Api-Key: ${SECRET}' https://api.acme.test`, [SECRET]],
    [`curl -H "Authorization: Token ${SECRET}"`, [SECRET]],
    [`curl -H 'Accept: application/json' -H 'X-Trace: ${SECRET}'`, []],
    [`curl --fail -u ops:${SECRET} https://x.test`, [SECRET]],
    [`curl --user 'ops:${SECRET}'`, [SECRET]],
    [`tool --api-key=${SECRET} --region eu`, [SECRET]],
    [`tool --password --verbose`, []],
    [`curl -u ops:ops https://x.test`, []],
    [`docker run -u 1000:1000 img`, []],
    [`curl -u "$U:$P"`, []],
    [`node server.js --port 8080 --log-level info`, []],
  ])('%s', (value, secrets) => {
    expect(spans(value, findCommandLineSecrets(value))).toEqual(secrets);
  });

  it('reads the list item after a lone flag as its argument', () => {
    expect(findSiblingFlagSecret('--token', SECRET)).toMatchObject({ start: 0, end: SECRET.length });
    expect(findSiblingFlagSecret('--region', SECRET)).toBeUndefined();
    expect(findSiblingFlagSecret('-H', `Authorization: Bearer ${SECRET}`)).toMatchObject({ start: 'Authorization: Bearer '.length });
  });
});

describe('assignments in text', () => {
  it.each([
    [`ACME_API_KEY=${SECRET} node app.js`, [SECRET]],
    [`export TOKEN="${SECRET}"`, [SECRET]],
    [`"client_secret" : "${SECRET}",`, [SECRET]],
    [`'access_token': '${SECRET}'`, [SECRET]],
    [`region: eu\npassword: Vq7rLx2mNc9TbZ4w`, ['Vq7rLx2mNc9TbZ4w']],
    [`  - auth_token: ${SECRET}`, [SECRET]],
    [`token := "${SECRET}"`, [SECRET]],
    [`sdk.init(token: ${SECRET})`, []], // a call's named argument
    [`{apiKey:"${SECRET}"}`, []], // minified code
    [`https://h.test/?token=${SECRET}`, []], // the URL detector's
    [`next_page_token=${SECRET}`, []],
    [`if (token == "${SECRET}")`, []],
    [`arn:aws:secretsmanager:eu-west-1:1:secret:${SECRET}`, []],
  ])('%s', (value, secrets) => {
    expect(spans(value, findAssignments(value))).toEqual(secrets);
  });
});

describe('formats checked inside', () => {
  const b64u = (s: string): string => Buffer.from(s).toString('base64url');
  it('a JWT needs a JSON header with "alg"', () => {
    const sig = 'Kq9Zx2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5GaQm4Pl0Ts';
    const good = `${b64u('{"alg":"HS256"}')}.${b64u('{"sub":"a1"}')}.${sig}`;
    const bad = `${b64u('{"typ":"JWT","x":1}')}.${b64u('{"sub":"a1"}')}.${sig}`;
    expect(findTokens(good).map((m) => m.label)).toEqual(['a JSON Web Token']);
    expect(findTokens(bad)).toEqual([]);
  });

  it('a Bedrock key decodes to its documented prefix', () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    expect(findTokens(`ABSK${b64(`BedrockAPIKey-${SECRET}`)}`)).toHaveLength(1);
    expect(findTokens(`ABSK${b64(`SomethingElse-${SECRET}`)}`)).toEqual([]);
    expect(findTokens(`bedrock-api-key-${b64(`bedrock.amazonaws.com/?X=${SECRET}`)}`)).toHaveLength(1);
  });

  it('an OpenAI project key needs the marker, and the public prefix alone is shown', () => {
    const body = 'Qm9Pz3Lk8Vw2Rt6Yh1Nc4Bx7Jd5Fs0GaHq3Wk9Tn2M';
    expect(findTokens(`sk-proj-${body}`)).toEqual([]);
    expect(findTokens(`sk-proj-${body}T3BlbkFJ${body}`)).toMatchObject([{ prefix: 'sk-proj-' }]);
  });

  it('a Microsoft Entra secret shows no prefix: its first characters are secret', () => {
    expect(findTokens(`Ab38Q~${'Kq9Zx2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5G'}`)).toMatchObject([{ prefix: '' }]);
    expect(findTokens(`Ab38Q~${'Kq9Zx2Wn8Kc4Lp6Rt0Yv3Bx9Md7Hj1Fs5GZZ'}`)).toEqual([]); // 36: not the format
  });

  it('a token percent-encoded in a query value is found', () => {
    const hook = encodeURIComponent(`https://hooks.slack.com/services/T0AB12CD3/B0EF45GH678/${SECRET}`);
    expect(findUrlSecrets(`https://api.acme.test/v1?key=${hook}`).map((m) => m.label)).toEqual(['a Slack webhook URL']);
  });
});
