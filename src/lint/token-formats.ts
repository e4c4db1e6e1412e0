/**
 * Vendor token formats: one row per format, its shape taken from the vendor's own description of
 * it (the `source` of each row), never from another scanner's rules. Group 1 of every pattern is
 * the public prefix (shown in messages), group 2 the secret part (checked by `body`).
 *
 * Every pattern is a literal prefix followed by bounded or boundary-terminated character runs, so
 * a match attempt reads one token and no more (linear time: test/lint/regression-quadratic-
 * detectors.test.ts times each on adversarial input). A pattern runs only on strings that contain
 * its `hint`.
 */
import { shannonBitsPerChar } from '../entropy.js';
import { hasAlphabetWalk, PLACEHOLDER_BODY } from './placeholder.js';

/** How to name the secret: a fixed name (provider keys) or a stem to prefix with a service. */
export type SecretName = { fixed: string } | { stem: string; service?: string };

/** One vendor token format. */
export interface TokenFormat {
  /** Who issues it. */
  vendor: string;
  /** The vendor's page that documents the shape. */
  source: string;
  /** A literal every match contains (a cheap pre-check); several: any of them. */
  hint: string | readonly string[];
  re: RegExp;
  label: string | ((m: RegExpExecArray) => string);
  name: (m: RegExpExecArray) => SecretName;
  /** Checks on the secret part (group 2) beyond the default ones. */
  body?: (body: string, m: RegExpExecArray) => boolean;
  /** Skip the default randomness checks (a body with its own structure, such as a PEM block). */
  structured?: boolean;
}

const TOKEN_CHARS = 'A-Za-z0-9_-';

/** `(?<![chars])(prefix)(body)(?![chars])`: a token not glued to more token characters. */
function token(prefix: string, body: string, chars = TOKEN_CHARS): RegExp {
  return new RegExp(`(?<![${chars}])(${prefix})(${body})(?![${chars}])`, 'g');
}

const fixed = (name: string) => (): SecretName => ({ fixed: name });
const named = (stem: string, service: string) => (): SecretName => ({ stem, service });

/** Base64 (standard or URL-safe) decoded as Latin-1 text, or '' when it is not base64. */
export function decodeBase64(s: string): string {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return '';
  return Buffer.from(t, 'base64').toString('latin1');
}

export const TOKEN_FORMATS: readonly TokenFormat[] = [
  {
    vendor: 'Anthropic',
    source: 'https://docs.anthropic.com/en/api/getting-started (keys `sk-ant-api03-…`, admin keys `sk-ant-admin01-…`)',
    hint: 'sk-ant-',
    re: token('sk-ant-(?:api|admin)\\d{2}-', `[${TOKEN_CHARS}]{40,}`),
    label: 'an Anthropic API key',
    name: fixed('ANTHROPIC_API_KEY'),
  },
  {
    vendor: 'OpenAI',
    source: 'https://platform.openai.com/docs/api-reference/authentication (project `sk-proj-`, service-account `sk-svcacct-`, admin `sk-admin-` keys; every OpenAI key carries `T3BlbkFJ`, base64 of "OpenAI")',
    hint: 'sk-',
    re: token('sk-(?:proj-|svcacct-|admin-|None-)?', `[${TOKEN_CHARS}]{20,}`),
    label: 'an OpenAI-style API key',
    name: () => ({ stem: 'API_KEY', service: 'OPENAI' }),
    body: (b, m) => {
      if (b.startsWith('ant-')) return false;
      // The OpenAI forms carry the marker; without it the string is a look-alike (a test value).
      if ((m[1] as string).length > 3 || /^(?:proj|svcacct|admin)-/.test(b)) return b.includes('T3BlbkFJ');
      // Other `sk-` keys (DeepSeek, Moonshot, …): random keys mix cases and digits, or are long hex.
      return (/[a-z]/.test(b) && /[A-Z]/.test(b) && /\d/.test(b)) || /^[a-f0-9]{32,}$/.test(b);
    },
  },
  {
    vendor: 'AWS',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids (access key ids `AKIA`, temporary `ASIA`, …)',
    hint: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    re: token('AKIA|ASIA|ABIA|ACCA', '[A-Z0-9]{16}'),
    label: (m) => (m[1] === 'ASIA' ? 'an AWS temporary access key id' : 'an AWS access key id'),
    name: named('access_key_id', 'aws'),
    body: (b) => /\d/.test(b) && /[A-Z]/.test(b),
  },
  {
    vendor: 'AWS (Amazon Bedrock)',
    source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-how.html (long-term keys: service-specific credentials, base64 of "BedrockAPIKey-…")',
    hint: 'ABSK',
    re: token('ABSK', '[A-Za-z0-9+/]{20,}={0,2}', 'A-Za-z0-9+/=_-'),
    label: 'an Amazon Bedrock API key',
    name: named('api_key', 'aws_bedrock'),
    body: (b) => decodeBase64(b).startsWith('BedrockAPIKey-'),
  },
  {
    vendor: 'AWS (Amazon Bedrock)',
    source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-how.html (short-term keys: a pre-signed SigV4 URL for bedrock.amazonaws.com, base64)',
    hint: 'bedrock-api-key-',
    re: token('bedrock-api-key-', '[A-Za-z0-9+/]{20,}={0,2}', 'A-Za-z0-9+/=_-'),
    label: 'an Amazon Bedrock short-term API key',
    name: named('api_key', 'aws_bedrock'),
    body: (b) => decodeBase64(b).startsWith('bedrock.amazonaws.com'),
  },
  {
    vendor: 'GitHub',
    source: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats',
    hint: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    re: token('gh[pousr]_', '[A-Za-z0-9]{36,}'),
    label: 'a GitHub token',
    name: named('token', 'github'),
  },
  {
    vendor: 'GitHub',
    source: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats',
    hint: 'github_pat_',
    re: token('github_pat_', '[A-Za-z0-9_]{50,}'),
    label: 'a GitHub fine-grained token',
    name: named('token', 'github'),
  },
  {
    vendor: 'GitLab',
    source: 'https://docs.gitlab.com/security/tokens/#token-prefixes (glpat-, gloas-, gldt-, glrt-, glcbt-, glptt-, glft-, glimt-, glagent-, glsoat-, glffct-; routable tokens add `.`-separated parts)',
    hint: 'gl',
    re: token('gl(?:pat|oas|dt|rt|cbt|ptt|ft|imt|agent|soat|ffct)-', `[${TOKEN_CHARS}]{20,}(?:\\.[${TOKEN_CHARS}]+)*`, 'A-Za-z0-9_.-'),
    label: 'a GitLab token',
    name: (m) => ({ stem: m[1] === 'glrt-' ? 'runner_token' : 'token', service: 'gitlab' }),
  },
  {
    vendor: 'GitLab',
    source: 'https://docs.gitlab.com/ci/runners/ (runner registration tokens start with GR1348941)',
    hint: 'GR1348941',
    re: token('GR1348941', `[${TOKEN_CHARS}]{20}`),
    label: 'a GitLab runner registration token',
    name: named('runner_registration_token', 'gitlab'),
  },
  {
    vendor: 'GitLab',
    source: 'https://docs.gitlab.com/security/tokens/#token-prefixes (session cookies `_gitlab_session=`)',
    hint: '_gitlab_session=',
    re: new RegExp(`(_gitlab_session=)([0-9a-z]{32})(?![${TOKEN_CHARS}])`, 'g'),
    label: 'a GitLab session cookie',
    name: named('session_cookie', 'gitlab'),
  },
  {
    vendor: 'Slack',
    source: 'https://api.slack.com/methods/tooling.tokens.rotate (configuration tokens xoxe.xoxp-/xoxe.xoxb-, refresh tokens xoxe-)',
    hint: 'xoxe',
    re: token('xoxe\\.xox[bp]-|xoxe-', '\\d-[A-Za-z0-9]{20,}'),
    body: (b) => /\d/.test(b.slice(2)),
    label: (m) => ((m[1] as string).includes('.') ? 'a Slack configuration token' : 'a Slack refresh token'),
    name: (m) => ({ stem: (m[1] as string).includes('.') ? 'config_token' : 'refresh_token', service: 'slack' }),
  },
  {
    vendor: 'Slack',
    source: 'https://api.slack.com/authentication/token-types (bot xoxb-, user xoxp-, legacy workspace xoxa-, refresh xoxr-, session xoxs-)',
    hint: 'xox',
    re: token('xox[abprs]-', '[A-Za-z0-9-]{10,}'),
    label: 'a Slack token',
    name: (m) => ({ stem: m[1] === 'xoxb-' ? 'bot_token' : 'token', service: 'slack' }),
    body: (b) => /\d/.test(b) && b.replace(/-/g, '').length >= 10,
  },
  {
    vendor: 'Slack',
    source: 'https://api.slack.com/authentication/token-types#app-level (app-level tokens xapp-)',
    hint: 'xapp-',
    re: token('xapp-', '\\d-[A-Z0-9]{9,}-\\d+-[A-Za-z0-9]{20,}'),
    label: 'a Slack app-level token',
    name: named('app_token', 'slack'),
  },
  {
    vendor: 'Slack',
    source: 'https://api.slack.com/messaging/webhooks (https://hooks.slack.com/services/T…/B…/…) and Workflow Builder webhooks (…/workflows/…, …/triggers/…)',
    hint: 'hooks.slack.com/',
    re: new RegExp('(?<![A-Za-z0-9_.-])((?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/)([A-Za-z0-9_/-]{20,})(?![A-Za-z0-9_/-])', 'g'),
    label: 'a Slack webhook URL',
    name: named('webhook_url', 'slack'),
    body: (b) => /\d/.test(b) && /[A-Za-z]/.test(b),
  },
  {
    vendor: 'Stripe',
    source: 'https://docs.stripe.com/keys (secret keys sk_live_/sk_test_, restricted keys rk_live_/rk_test_)',
    hint: ['sk_', 'rk_'],
    re: token('(?:sk|rk)_(?:live|test)_', '[A-Za-z0-9]{16,}'),
    label: (m) => `a Stripe ${m[1]?.includes('live') ? 'live' : 'test'} ${m[1]?.startsWith('rk') ? 'restricted' : 'secret'} key`,
    name: (m) => ({ stem: m[1]?.startsWith('rk') ? 'restricted_key' : 'api_key', service: 'stripe' }),
  },
  {
    vendor: 'Stripe',
    source: 'https://docs.stripe.com/webhooks#verify-events (signing secrets whsec_)',
    hint: 'whsec_',
    re: token('whsec_', '[A-Za-z0-9+/=]{24,}', 'A-Za-z0-9+/=_-'),
    label: 'a Stripe webhook signing secret',
    name: named('webhook_secret', 'stripe'),
  },
  {
    vendor: 'Google',
    source: 'https://cloud.google.com/docs/authentication/api-keys (keys start with AIza, 39 characters)',
    hint: 'AIza',
    re: token('AIza', '[0-9A-Za-z_-]{35}'),
    label: 'a Google API key',
    name: fixed('GOOGLE_API_KEY'),
  },
  {
    vendor: 'Hugging Face',
    source: 'https://huggingface.co/docs/hub/security-tokens (user access tokens hf_; deprecated organization tokens api_org_)',
    hint: ['hf_', 'api_org_'],
    re: token('hf_|api_org_', '[A-Za-z]{34}'),
    label: (m) => (m[1] === 'hf_' ? 'a Hugging Face access token' : 'a Hugging Face organization token'),
    name: fixed('HUGGINGFACE_API_KEY'),
    body: (b) => /[a-z]/.test(b) && /[A-Z]/.test(b),
  },
  {
    vendor: 'JSON Web Token',
    source: 'RFC 7519 §3 and RFC 7515 §7.1: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature), the header a JSON object with "alg" (RFC 7515 §4.1.1)',
    hint: 'eyJ',
    re: new RegExp('(?<![A-Za-z0-9_.-])(eyJ)([A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*)(?![A-Za-z0-9_.-])', 'g'),
    label: 'a JSON Web Token',
    name: () => ({ stem: 'token' }),
    body: (b) => decodeBase64(`eyJ${b.slice(0, b.indexOf('.'))}`).includes('"alg"'),
  },
  {
    vendor: 'Microsoft Entra ID (Azure AD)',
    source: 'https://github.com/microsoft/security-utilities (Microsoft\'s identifiable client secrets: 3 characters, a version digit, "Q~", then 31 (version 7) or 34 (version 8) characters)',
    hint: 'Q~',
    // No public prefix: the three leading characters are part of the secret.
    re: new RegExp('(?<![A-Za-z0-9_~.+/=-])()([A-Za-z0-9_~.-]{3}(?:7Q~(?=[A-Za-z0-9_~.-]{31}(?![A-Za-z0-9_~.-]))|8Q~(?=[A-Za-z0-9_~.-]{34}(?![A-Za-z0-9_~.-])))[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.+/=-])', 'g'),
    label: 'a Microsoft Entra ID client secret',
    name: named('client_secret', 'azure'),
  },
  {
    vendor: 'HashiCorp Vault',
    source: 'https://developer.hashicorp.com/vault/docs/concepts/tokens (Vault 1.10+: service hvs., batch hvb., recovery hvr., at least 95 characters)',
    hint: 'hv',
    re: token('hv[sbr]\\.', `[${TOKEN_CHARS}]{90,}`, 'A-Za-z0-9_.-'),
    label: (m) => `a HashiCorp Vault ${m[1] === 'hvb.' ? 'batch' : m[1] === 'hvr.' ? 'recovery' : 'service'} token`,
    name: named('token', 'vault'),
  },
  {
    vendor: 'HashiCorp Vault',
    source: 'https://developer.hashicorp.com/vault/docs/upgrading/upgrade-to-1.0.0 (before 1.10: service tokens `s.` + 24 base62 characters)',
    hint: 's.',
    re: token('s\\.', '[A-Za-z0-9]{24}', 'A-Za-z0-9_.-'),
    label: 'a HashiCorp Vault service token',
    name: named('token', 'vault'),
    body: (b) => /[a-z]/.test(b) && /[A-Z]/.test(b) && /\d/.test(b),
  },
  {
    vendor: 'Databricks',
    source: 'https://docs.databricks.com/aws/en/dev-tools/auth/pat (personal access tokens dapi + 32 hex) and Microsoft\'s AzureDatabricksPat format (github.com/microsoft/security-utilities)',
    hint: 'dapi',
    re: token('dapi', '[0-9a-fA-F]{32}(?:-\\d+)?'),
    label: 'a Databricks personal access token',
    name: named('token', 'databricks'),
  },
  {
    vendor: 'Shopify',
    source: 'https://shopify.dev/changelog/length-of-the-shopify-access-token-is-increasing (shpat_/shpca_/shppa_ + 32) and …/app-secret-key-length-has-increased (shpss_ + 32)',
    hint: 'shp',
    re: token('shp(?:at|ca|pa|ss)_', '[A-Za-z0-9]{32}'),
    label: (m) => (m[1] === 'shpss_' ? 'a Shopify app secret' : 'a Shopify access token'),
    name: (m) => ({ stem: m[1] === 'shpss_' ? 'app_secret' : 'access_token', service: 'shopify' }),
  },
  {
    vendor: 'Cloudflare',
    source: 'https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/ (cfk_/cfut_/cfat_ + 40 characters + a checksum)',
    hint: 'cf',
    re: token('cf(?:k|ut|at)_', '[A-Za-z0-9]{40}[0-9a-f]{8}'),
    label: (m) => (m[1] === 'cfk_' ? 'a Cloudflare global API key' : 'a Cloudflare API token'),
    name: (m) => ({ stem: m[1] === 'cfk_' ? 'api_key' : 'api_token', service: 'cloudflare' }),
  },
  {
    vendor: 'Cloudflare',
    source: 'https://developers.cloudflare.com/ssl/origin-configuration/origin-ca/ (Origin CA keys v1.0-…)',
    hint: 'v1.0-',
    re: token('v1\\.0-', '[0-9a-f]{24}-[0-9a-f]{146}', 'A-Za-z0-9_.-'),
    label: 'a Cloudflare Origin CA key',
    name: named('origin_ca_key', 'cloudflare'),
  },
  {
    vendor: 'Heroku',
    source: 'https://devcenter.heroku.com/articles/authentication (API keys HRKU- + 60 characters)',
    hint: 'HRKU-',
    re: token('HRKU-', `[${TOKEN_CHARS}]{60}`),
    label: 'a Heroku API key',
    name: named('api_key', 'heroku'),
  },
  {
    vendor: 'Twilio SendGrid',
    source: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys (SG. + 22-character id + . + 43-character secret)',
    hint: 'SG.',
    re: token('SG\\.', `[${TOKEN_CHARS}]{22}\\.[${TOKEN_CHARS}]{43}`, 'A-Za-z0-9_.-'),
    label: 'a SendGrid API key',
    name: named('api_key', 'sendgrid'),
  },
  {
    vendor: 'npm',
    source: 'https://docs.npmjs.com/about-access-tokens and https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/ (npm_ + 36 base62 with checksum)',
    hint: 'npm_',
    re: token('npm_', '[A-Za-z0-9]{36}'),
    label: 'an npm access token',
    name: named('token', 'npm'),
  },
  {
    vendor: 'DigitalOcean',
    source: 'https://docs.digitalocean.com/reference/api/create-personal-access-token/ (dop_v1_ personal, doo_v1_ OAuth, dor_v1_ refresh: 64 hex)',
    hint: '_v1_',
    re: token('do[opr]_v1_', '[a-f0-9]{64}'),
    label: 'a DigitalOcean token',
    name: named('token', 'digitalocean'),
  },
  {
    vendor: 'Grafana',
    source: 'https://grafana.com/docs/grafana/latest/administration/service-accounts/ (service account tokens glsa_ + 32 + _ + 8-hex checksum)',
    hint: 'glsa_',
    re: token('glsa_', '[A-Za-z0-9]{32}_[0-9a-f]{8}'),
    label: 'a Grafana service account token',
    name: named('token', 'grafana'),
  },
  {
    vendor: 'Grafana',
    source: 'https://grafana.com/docs/grafana-cloud/security-and-account-management/authentication-and-permissions/access-policies/ (Cloud access policy tokens glc_ + base64)',
    hint: 'glc_',
    re: token('glc_', '[A-Za-z0-9+/]{32,}={0,2}', 'A-Za-z0-9+/=_-'),
    label: 'a Grafana Cloud access policy token',
    name: named('token', 'grafana'),
  },
  {
    vendor: 'Grafana',
    source: 'https://grafana.com/docs/grafana/latest/developers/http_api/auth/ (legacy API keys: base64 of {"k":"…","n":"…","id":…})',
    hint: 'eyJrIjoi',
    re: token('eyJrIjoi', '[A-Za-z0-9+/]{40,}={0,2}', 'A-Za-z0-9+/=_.-'),
    label: 'a Grafana API key',
    name: named('api_key', 'grafana'),
  },
  {
    vendor: 'Groq',
    source: 'https://console.groq.com/docs/quickstart (API keys gsk_ + 52 base62)',
    hint: 'gsk_',
    re: token('gsk_', '[A-Za-z0-9]{52}'),
    label: 'a Groq API key',
    name: fixed('GROQ_API_KEY'),
  },
  {
    vendor: 'Perplexity',
    source: 'https://docs.perplexity.ai/guides/getting-started (API keys pplx- + 48 characters)',
    hint: 'pplx-',
    re: token('pplx-', '[A-Za-z0-9]{48}'),
    label: 'a Perplexity API key',
    name: fixed('PERPLEXITY_API_KEY'),
  },
  {
    vendor: 'Notion',
    source: 'https://developers.notion.com/docs/authorization (internal integration tokens ntn_, formerly secret_)',
    hint: 'ntn_',
    re: token('ntn_', '\\d{11}[A-Za-z0-9]{35}'),
    label: 'a Notion integration token',
    name: named('token', 'notion'),
    body: (b) => /[a-z]/.test(b) && /[A-Z]/.test(b),
  },
  {
    vendor: 'Sentry',
    source: 'https://docs.sentry.io/security-legal-pii/security/token-formats/ (user tokens sntryu_ + 64 hex; organization tokens sntrys_ + base64 JSON payload + _ + secret)',
    hint: 'sntry',
    re: token('sntryu_', '[a-f0-9]{64}'),
    label: 'a Sentry user auth token',
    name: named('auth_token', 'sentry'),
  },
  {
    vendor: 'Sentry',
    source: 'https://docs.sentry.io/security-legal-pii/security/token-formats/',
    hint: 'sntrys_',
    re: token('sntrys_', 'eyJ[A-Za-z0-9+/=]{20,}_[A-Za-z0-9+/=]{20,}', 'A-Za-z0-9+/=_-'),
    label: 'a Sentry organization auth token',
    name: named('auth_token', 'sentry'),
  },
  {
    vendor: 'Doppler',
    source: 'https://docs.doppler.com/docs/token-formats (dp.pt. personal, dp.st. service, dp.sa. service account, dp.ct. CLI, dp.scim., dp.audit.)',
    hint: 'dp.',
    re: token('dp\\.(?:pt|st|sa|ct|scim|audit)\\.', '[A-Za-z0-9]{40,44}', 'A-Za-z0-9_.-'),
    label: 'a Doppler token',
    name: named('token', 'doppler'),
  },
  {
    vendor: 'PyPI',
    source: 'https://pypi.org/help/#apitoken (tokens pypi- + a macaroon whose location is pypi.org: base64 "AgEIcHlwaS5vcmc…")',
    hint: 'pypi-',
    re: token('pypi-', `AgEIcHlwaS5vcmc[${TOKEN_CHARS}]{50,}`),
    label: 'a PyPI API token',
    name: named('token', 'pypi'),
  },
  {
    vendor: 'Postman',
    source: 'https://learning.postman.com/docs/developer/postman-api/authentication/ (API keys PMAK- + 24 hex + - + 34 hex)',
    hint: 'PMAK-',
    re: token('PMAK-', '[a-f0-9]{24}-[a-f0-9]{34}'),
    label: 'a Postman API key',
    name: named('api_key', 'postman'),
  },
  {
    vendor: 'Pulumi',
    source: 'https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/ (access tokens pul- + 40 hex)',
    hint: 'pul-',
    re: token('pul-', '[a-f0-9]{40}'),
    label: 'a Pulumi access token',
    name: named('access_token', 'pulumi'),
  },
  {
    vendor: 'Linear',
    source: 'https://linear.app/developers/graphql#personal-api-keys (personal API keys lin_api_ + 40)',
    hint: 'lin_api_',
    re: token('lin_api_', '[A-Za-z0-9]{40}'),
    label: 'a Linear API key',
    name: named('api_key', 'linear'),
  },
  {
    vendor: 'Atlassian',
    source: 'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/ (API tokens ATATT3…)',
    hint: 'ATATT3',
    re: token('ATATT3', '[A-Za-z0-9_=-]{150,}', 'A-Za-z0-9_=-'),
    label: 'an Atlassian API token',
    name: named('api_token', 'atlassian'),
  },
  {
    vendor: 'Square',
    source: 'https://developer.squareup.com/docs/build-basics/access-tokens (access tokens EAAA…, 64 characters; legacy sq0atp-; application secrets sq0csp-)',
    hint: 'EAAA',
    re: token('EAAA', `[${TOKEN_CHARS}]{60}`),
    label: 'a Square access token',
    name: named('access_token', 'square'),
  },
  {
    vendor: 'Square',
    source: 'https://developer.squareup.com/docs/build-basics/access-tokens',
    hint: 'sq0',
    re: token('sq0atp-|sq0csp-', `[${TOKEN_CHARS}]{22,43}`),
    label: (m) => (m[1] === 'sq0csp-' ? 'a Square application secret' : 'a Square access token'),
    name: (m) => ({ stem: m[1] === 'sq0csp-' ? 'application_secret' : 'access_token', service: 'square' }),
  },
  {
    vendor: '1Password',
    source: 'https://developer.1password.com/docs/service-accounts/ (service account tokens ops_ + base64 JSON)',
    hint: 'ops_eyJ',
    re: token('ops_', 'eyJ[A-Za-z0-9+/]{100,}={0,2}', 'A-Za-z0-9+/=_-'),
    label: 'a 1Password service account token',
    name: named('service_account_token', 'onepassword'),
  },
  {
    vendor: 'Mailgun',
    source: 'https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/ (private API keys key- + 32 hex)',
    hint: 'key-',
    re: token('key-', '[0-9a-f]{32}'),
    label: 'a Mailgun API key',
    name: named('api_key', 'mailgun'),
  },
  {
    vendor: 'Clojars',
    source: 'https://github.com/clojars/clojars-web/wiki/Deploy-Tokens (deploy tokens CLOJARS_ + 60 hex)',
    hint: 'CLOJARS_',
    re: token('CLOJARS_', '[a-f0-9]{60}'),
    label: 'a Clojars deploy token',
    name: named('deploy_token', 'clojars'),
  },
  {
    vendor: 'Red Hat OpenShift',
    source: 'https://docs.openshift.com/container-platform/latest/authentication/managing-oauth-access-tokens.html (OAuth access tokens sha256~ + 43 base64url)',
    hint: 'sha256~',
    re: token('sha256~', `[${TOKEN_CHARS}]{43}`),
    label: 'an OpenShift OAuth access token',
    name: named('token', 'openshift'),
  },
  {
    vendor: 'PEM (RFC 7468)',
    source: 'RFC 7468 §10–11: "-----BEGIN PRIVATE KEY-----" … "-----END PRIVATE KEY-----" (and the RSA/EC/OPENSSH/ENCRYPTED variants)',
    hint: '-----BEGIN',
    re: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)([\s\S]*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    label: 'a private key',
    name: () => ({ stem: 'private_key' }),
    structured: true,
    // The header alone (documentation, an empty template) is not a key.
    body: (b) => b.replace(/\s+/g, '').length >= 40,
  },
];

/** The default checks on a token's secret part: not made up, not a run, not a walk, random enough. */
export function plausibleBody(body: string): boolean {
  if (PLACEHOLDER_BODY.test(body) || /^(.)\1+$/.test(body) || hasAlphabetWalk(body)) return false;
  return body.length < 16 || shannonBitsPerChar(body) >= 3;
}
