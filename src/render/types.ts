/**
 * Public types of the renderer (SPEC §4, §7).
 */
import type { ErrorCode, Problem, Range } from '../errors.js';
import type { Destination, SecretSource } from '../resolve/types.js';
import type { Dialect } from '../syntax/dialect.js';
import type { SourceFormat } from '../syntax/document.js';
import type { Reference } from '../syntax/reference.js';

/** Secret values in hand, keyed by name. Only own properties of a record are looked at. */
export type SecretsInput = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

/** A caller-provided variable's value (`vars`); variables are not secrets and are never redacted. */
export type VarValue = string | number | boolean | null;

export interface CompileOptions {
  /** Shown in error locations when compiling source text. */
  filename?: string;
  /** How strings are read: `secretref` (default) or `julep` (grammar/julep.md). */
  dialect?: Dialect;
  /** Names of the caller-provided variables expressions and templates may use. */
  vars?: readonly string[];
  /** How source text is written: `yaml` (YAML or JSON, default) or `dotenv` (an environment file). */
  format?: SourceFormat;
}

export interface RenderWithSecretsOptions {
  /** Values of the variables named at compile time; own properties only. */
  vars?: Readonly<Record<string, VarValue>>;
  /**
   * The tool being rendered, for every reference (usage policies): overrides the `name` of the
   * tool definition each reference belongs to. A map of values in hand has no policy to check.
   */
  tool?: string;
  /** `prod` looks up `prod_NAME` first, then `NAME` (the seed's prefix convention). */
  environment?: string;
  /**
   * Adds `plan` to the result: which secret each reference uses, never a value. A plan also
   * plans what cannot render: when the only problems are references that are missing, expired or
   * denied, the render does not reject; `plan` lists them with their status and `value` is null
   * (nothing was rendered). Any other problem still rejects.
   */
  plan?: boolean;
}

export interface RenderOptions extends RenderWithSecretsOptions {
  /** Where values come from (the cached store resolver). Exactly one of `resolver` / `secrets`. */
  resolver?: SecretSource;
  /** Values in hand. Exactly one of `resolver` / `secrets`. */
  secrets?: SecretsInput;
  /** Shown in error locations when rendering source text. */
  filename?: string;
  /** How strings are read: `secretref` (default) or `julep` (grammar/julep.md). */
  dialect?: Dialect;
  /** How source text is written: `yaml` (YAML or JSON, default) or `dotenv` (an environment file). */
  format?: SourceFormat;
}

/** What one reference used, for `secretref render --plan`. Never a value. */
export interface PlanEntry {
  /** The name as written in the definition. */
  reference: string;
  /** The concrete secret used (`prod_x` for `x` in environment `prod`); null when absent and optional. */
  secret: string | null;
  /** JSON pointer of the string holding the reference. */
  path: string;
  range?: Range;
  /** Store metadata; null when the value came from a map in hand. */
  version: number | null;
  updatedAt: Date | null;
  expiresAt: Date | null;
  keyId: string | null;
  /** `ok`; `absent` (optional, no such secret); `missing`, `expired`, `denied`: it cannot render. */
  status: PlanStatus;
  /** Why it cannot render (`SECRET_NOT_FOUND`, `SECRET_EXPIRED`, `PERMISSION_DENIED`), names only. */
  problem?: { code: ErrorCode; message: string };
  /** With an environment: true when no `ENV_NAME` exists and the unprefixed `NAME` is used. */
  fallback: boolean;
}

export type PlanStatus = 'ok' | 'absent' | 'missing' | 'expired' | 'denied';

/** A reference that, in the chosen environment, uses the unprefixed secret (no `ENV_NAME` exists). */
export interface EnvironmentFallback {
  reference: string;
  /** JSON pointer of the string holding the reference. */
  path: string;
  range?: Range;
}

/** The result of one render. `value` is freshly built: the caller may mutate it. */
export interface Rendered {
  value: unknown;
  references: readonly Reference[];
  /** Masks every secret value used by this render wherever it appears in `text`. */
  redact(text: string): string;
  /** Problems that did not stop the render (Julep: a computed name left for the platform to resolve), with paths and ranges. */
  warnings?: Problem[];
  plan?: PlanEntry[];
  /** With an environment: every reference that fell back to the unprefixed name (in document order). */
  fallbacks?: EnvironmentFallback[];
}

/** A definition parsed and checked once, rendered many times without parsing. */
export interface CompiledDefinition {
  /** Every static reference, in document order. */
  readonly references: readonly Reference[];
  /** Distinct names referenced, in order of first appearance. */
  readonly names: readonly string[];
  /** Where each name's value goes: the tool and host of each reference (see `src/policy/destination.ts`). */
  readonly destinations: ReadonlyMap<string, readonly Destination[]>;
  /** Renders with values in hand. Throws one SecretrefError listing every problem. */
  render(secrets: SecretsInput, options?: RenderWithSecretsOptions): Rendered;
}

export type { SecretSource };
