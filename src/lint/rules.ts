/**
 * Every code `lint` can report, with its default severity, a one-line summary (SARIF
 * shortDescription) and the fix (SARIF help). Syntax codes keep their catalog summaries; the
 * lint-only codes are documented here and nowhere else. The order of this table is the SARIF
 * rule order (`ruleIndex`), so append new rules at the end.
 */
import { ERROR_CATALOG } from '../errors.js';

/** How bad a finding is. `error` fails CI (exit 1); `warning` and `info` never do. */
export type Severity = 'error' | 'warning' | 'info';

/** Metadata of one lint rule. */
export interface LintRule {
  /** Default severity (a finding may be downgraded, e.g. a missing *optional* reference is a warning). */
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  /** One line: how to fix it. */
  help: string;
  /** Findings of this rule are security problems (SARIF `security` tag and severity score). */
  security?: boolean;
}

function rule(severity: Severity, summary: string, help: string, security?: boolean): LintRule {
  return security ? { severity, summary, help, security } : { severity, summary, help };
}

/** code → severity, summary and help, for every code `lint` reports. */
export const LINT_RULES = {
  REFERENCE_SYNTAX: rule('error', ERROR_CATALOG.REFERENCE_SYNTAX, 'Write $secrets.NAME, ${secrets.NAME}, "$ secrets.NAME" or "{{ secrets.NAME }}".'),
  REFERENCE_DYNAMIC: rule('error', ERROR_CATALOG.REFERENCE_DYNAMIC, 'Name the secret literally (secrets.NAME or secrets["NAME"]) so it can be resolved in one batch and linted.'),
  REFERENCE_IN_KEY: rule('error', ERROR_CATALOG.REFERENCE_IN_KEY, 'Move the reference from the mapping key into a value.'),
  UNSAFE_TEMPLATE: rule('error', ERROR_CATALOG.UNSAFE_TEMPLATE, 'Use only {{ ref | filter }}, {% if %}/{% elif %}/{% else %}/{% endif %} and {% raw %}.', true),
  UNSAFE_EXPRESSION: rule('error', ERROR_CATALOG.UNSAFE_EXPRESSION, 'Use only literals, secrets.NAME, +, template literals, f-strings, ?:, ?? and || defaults, and the built-in functions.', true),
  UNKNOWN_FILTER: rule('error', ERROR_CATALOG.UNKNOWN_FILTER, 'Use a built-in: urlencode, b64encode, b64decode, json, trim, lower, upper, default(value), raw.'),
  UNKNOWN_VARIABLE: rule('error', ERROR_CATALOG.UNKNOWN_VARIABLE, 'Refer to secrets.NAME, or pass the variable to lint/render as vars.'),
  INVALID_NAME: rule('error', ERROR_CATALOG.INVALID_NAME, 'A secret name starts with a letter and holds only letters, digits and underscores (at most 128).'),
  INVALID_INPUT: rule('error', ERROR_CATALOG.INVALID_INPUT, 'Fix the JSON/YAML syntax at the position shown.'),
  LIMIT_EXCEEDED: rule('error', ERROR_CATALOG.LIMIT_EXCEEDED, 'Split the document or shorten the value; the limits are listed in LIMITS.'),
  NAME_STYLE: rule('info', 'A secret name is neither snake_case nor an ALL_CAPS provider key.', 'Prefer snake_case names (stripe_api_key); ALL_CAPS_SNAKE (OPENAI_API_KEY) is fine for provider keys.'),
  LOOKS_LIKE_REFERENCE: rule('warning', 'Text looks like a secret reference but is not one, so it would pass through literally.', 'Write $secrets.NAME, ${secrets.NAME} or {{ secrets.NAME }} exactly (lowercase "secrets", no space after "$" inside a longer string).'),
  SECRET_IN_MODEL_FIELD: rule('error', 'A secret is referenced in a field that is sent to the model (name, description, parameter schema).', 'Move the reference to a field used only when the tool runs (url, headers, body, setup).', true),
  PASTED_CREDENTIAL: rule('error', 'A credential is pasted in clear text in the definition.', 'Store it with `secretref secrets create NAME` (value on stdin), write the suggested reference instead, and revoke the exposed credential.', true),
  SECRET_NOT_FOUND: rule('error', ERROR_CATALOG.SECRET_NOT_FOUND, 'Create the secret, or fix the name (see the suggestion).'),
  SECRET_EXPIRED: rule('error', ERROR_CATALOG.SECRET_EXPIRED, 'Rotate the secret or update its expiry.'),
  SECRET_EXPIRING: rule('warning', 'A referenced secret expires soon.', 'Rotate the secret or extend its expiry before it lapses.'),
  PERMISSION_DENIED: rule('error', ERROR_CATALOG.PERMISSION_DENIED, "Add the tool/host to the secret's allowedTools/allowedHosts, or use another secret.", true),
  ENVIRONMENT_OVERLAY: rule('info', 'Which concrete secret a reference resolves to in the chosen environment.', 'Create ENV_NAME to override NAME in that environment; nothing to fix otherwise.'),
} as const satisfies Record<string, LintRule>;

/** Every code a lint diagnostic can carry. */
export type LintCode = keyof typeof LINT_RULES;

/** Codes in table order (the SARIF `ruleIndex` order). */
export const LINT_CODES = Object.keys(LINT_RULES) as LintCode[];

/** True when `code` is a lint code. */
export function isLintCode(code: string): code is LintCode {
  return Object.prototype.hasOwnProperty.call(LINT_RULES, code);
}
