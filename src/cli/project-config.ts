/**
 * The project config file, found upward from the working folder the way linters find theirs, so
 * `secretref lint tools/` in CI needs no flags. In each folder, from the working folder up, the
 * first of `secretref.config.json`, `secretref.config.yaml`, `secretref.config.yml`, and a
 * `"secretref"` key in `package.json` wins; the search stops after the folder holding `.git` (a
 * folder, or the file of a worktree) and at the filesystem root. docs/cli.md documents the format:
 *
 *   { "dialect": "secretref", "dialects": { "tasks/**\/*.yaml": "julep" },
 *     "environment": "prod", "databaseUrl": "postgres://db.internal/secrets" }
 *
 * Globs are relative to the file's folder; the first matching glob, in the order written, wins.
 * A glob without `/` matches the file's base name in any folder (`*.julep.yaml`).
 */
import type Picomatch from 'picomatch';
import type * as ZodNamespace from 'zod';
import { readFile, stat } from 'node:fs/promises';
import { exists } from './files.js';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type * as YamlNamespace from 'yaml';
import { INTERNAL_LIMITS, SecretrefError } from '../core.js';
import type { Problem } from '../index.js';
import { DEFAULT_DIALECT, DIALECTS, type Dialect } from './dialect.js';

/** A problem of the config file: every problem carries its position; the file is named once. */
export class ConfigFileError extends SecretrefError {
  constructor(
    /** The config file as shown to the user (relative to the working folder). */
    readonly file: string,
    problems: readonly Problem[],
  ) {
    const base = SecretrefError.fromProblems(problems, file);
    super(base.code, base.message, { ...(base.path !== undefined ? { path: base.path } : {}), ...(base.range ? { range: base.range } : {}), problems });
  }
}

/** Candidate file names, in the order they are looked for in each folder. */
export const CONFIG_FILES = ['secretref.config.json', 'secretref.config.yaml', 'secretref.config.yml', 'package.json'] as const;

/** The key that holds secretref's settings inside package.json. */
export const PACKAGE_JSON_KEY = 'secretref';

/** A config file larger than this is refused (it is a handful of settings). */

/** One `dialects` entry, compiled. */
export interface DialectRule {
  glob: string;
  dialect: Dialect;
  matches(relativePath: string): boolean;
}

/** A loaded, validated project config. */
export interface ProjectConfig {
  /** Absolute path of the file the settings came from. */
  file: string;
  /** Its folder: globs and `file:` store URLs are relative to it. */
  dir: string;
  /** The dialect of files no glob matches. */
  dialect?: Dialect;
  dialects: readonly DialectRule[];
  environment?: string;
  /** A reference that falls back from `ENV_NAME` to `NAME` is an error (`render --strict-environment`). */
  strictEnvironment?: boolean;
  databaseUrl?: string;
}

/** What `--config FILE` / `--no-config` said: a file to use, none at all, or search. */
export type ConfigChoice = { kind: 'search' } | { kind: 'file'; path: string } | { kind: 'none' };

/** Finds (or reads the given) config file and validates it; undefined when there is none. */
export async function loadProjectConfig(cwd: string, choice: ConfigChoice): Promise<ProjectConfig | undefined> {
  if (choice.kind === 'none') return undefined;
  if (choice.kind === 'file') {
    const path = resolve(cwd, choice.path);
    const text = await readConfig(path, cwd);
    if (text === undefined) throw new SecretrefError('INVALID_INPUT', `No such config file: ${choice.path}`, { path: '' });
    const parsed = parseConfig(await libraries(), text, path, cwd, basename(path) === 'package.json');
    if (parsed === 'absent') throw new SecretrefError('INVALID_INPUT', `${choice.path} has no "${PACKAGE_JSON_KEY}" key.`, { path: '' });
    return parsed;
  }
  for (let dir = resolve(cwd); ; ) {
    for (const name of CONFIG_FILES) {
      const path = join(dir, name);
      const text = await readConfig(path, cwd);
      if (text === undefined || (name === 'package.json' && withoutOurKey(text))) continue;
      const parsed = parseConfig(await libraries(), text, path, cwd, name === 'package.json');
      if (parsed !== 'absent') return parsed;
    }
    const parent = dirname(dir);
    if (parent === dir || (await exists(join(dir, '.git')))) return undefined;
    dir = parent;
  }
}

/** The dialect of one input file (absolute path, or `-` for stdin) under `config`. */
export function dialectFor(config: ProjectConfig | undefined, path: string): Dialect {
  if (!config) return DEFAULT_DIALECT;
  if (path !== '-') {
    const rel = relative(config.dir, path);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
      const posix = rel.split(sep).join('/');
      for (const rule of config.dialects) if (rule.matches(posix)) return rule.dialect;
    }
  }
  return config.dialect ?? DEFAULT_DIALECT;
}

/**
 * A package.json that is valid JSON without the "secretref" key: most projects have one, and it
 * needs neither the YAML parser nor zod (start-up time). Anything else is parsed in full, so that
 * an error has its position.
 */
function withoutOurKey(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Object.hasOwn(value, PACKAGE_JSON_KEY);
}

type Z = typeof ZodNamespace.z;
type Yaml = Omit<typeof YamlNamespace, 'default'>;
type Node = YamlNamespace.Node;

/** zod, yaml and picomatch are loaded only when there is a config file: most runs have none, and they cost start-up time. */
async function libraries(): Promise<Libraries> {
  // yaml and picomatch are CommonJS: the module object is the default export (also in the bundled CLI).
  const [{ z }, { default: yaml }, { default: picomatch }] = await Promise.all([import('zod'), import('yaml'), import('picomatch')]);
  return { z, yaml, picomatch };
}

interface Libraries {
  z: Z;
  yaml: Yaml;
  picomatch: typeof Picomatch;
}


/** The file's text, or undefined when there is no such file. */
async function readConfig(path: string, cwd: string): Promise<string | undefined> {
  let s;
  try {
    s = await stat(path);
  } catch {
    return undefined;
  }
  if (!s.isFile()) return undefined;
  const shown = relative(cwd, path) || path;
  if (s.size > INTERNAL_LIMITS.configFileBytes) throw new SecretrefError('LIMIT_EXCEEDED', `${shown} is ${s.size} bytes; a config file may hold at most ${INTERNAL_LIMITS.configFileBytes}.`, { path: '' });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path));
  } catch {
    throw new SecretrefError('INVALID_INPUT', `${shown} is not valid UTF-8; save it as UTF-8.`, { path: '' });
  }
}

type Settings = { dialect?: Dialect; dialects?: Record<string, Dialect>; environment?: string; strictEnvironment?: boolean; databaseUrl?: string };

/**
 * Parses and validates one file; `'absent'` for a package.json without the key. JSON is read by
 * the YAML parser (a superset), which keeps the position of every node for the errors.
 */
function parseConfig({ z, yaml, picomatch }: Libraries, text: string, path: string, cwd: string, packageJson: boolean): ProjectConfig | 'absent' {
  const shown = relative(cwd, path) || path;
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offsets: readonly [number, number], message: string, pointer: string): Problem => ({ code: 'INVALID_INPUT', message, path: pointer, offset: [offsets[0], offsets[1]], range: range(lines, offsets) });
  if (doc.errors.length > 0) {
    throw new ConfigFileError(
      shown,
      doc.errors.map((e) => at([e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)], `the file is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0] ?? ''}`, '')),
    );
  }
  let root: string[] = [];
  let value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (packageJson) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, PACKAGE_JSON_KEY)) return 'absent';
    value = (value as Record<string, unknown>)[PACKAGE_JSON_KEY];
    root = [PACKAGE_JSON_KEY];
  }
  if (value === null || value === undefined) value = {};
  const problems = validate(z, value).map((issue) => {
    const full = [...root, ...issue.path];
    const node = locate(yaml, doc, full, issue.key);
    const offsets: [number, number] = node?.range ? [node.range[0], Math.max(node.range[1], node.range[0] + 1)] : [0, Math.min(1, text.length)];
    return at(offsets, issue.message, pointer(issue.key === undefined ? full : [...full, issue.key]));
  });
  if (problems.length > 0) throw new ConfigFileError(shown, problems);
  const s = value as Settings;
  const dir = dirname(path);
  return {
    file: path,
    dir,
    ...(s.dialect !== undefined ? { dialect: s.dialect } : {}),
    dialects: Object.entries(s.dialects ?? {}).map(([glob, dialect]) => ({ glob, dialect, matches: compileGlob(picomatch, glob) })),
    ...(s.environment !== undefined ? { environment: s.environment } : {}),
    ...(s.strictEnvironment !== undefined ? { strictEnvironment: s.strictEnvironment } : {}),
    ...(s.databaseUrl !== undefined ? { databaseUrl: s.databaseUrl } : {}),
  };
}

/** picomatch's own base-name option also applies to globs with `/`, so the rule is applied here. */
function compileGlob(picomatch: typeof Picomatch, glob: string): (relativePath: string) => boolean {
  const test = picomatch(glob, { dot: true });
  return glob.includes('/') ? test : (p) => test(p.slice(p.lastIndexOf('/') + 1));
}

interface Issue {
  path: readonly PropertyKey[];
  /** An unknown key: the issue points at the key itself. */
  key?: string;
  message: string;
}

const SETTINGS = ['dialect', 'dialects', 'environment', 'strictEnvironment', 'databaseUrl'];
const ONE_OF = DIALECTS.map((d) => `"${d}"`).join(' or ');

/** Every problem of the settings, checked with zod, as messages that say what to write instead. */
function validate(z: Z, value: unknown): Issue[] {
  const dialect = z.enum(DIALECTS, { error: `a dialect is ${ONE_OF}` });
  const schema = z.strictObject(
    {
      dialect: dialect.optional(),
      dialects: z.record(
        z
          .string()
          .min(1, { error: 'a glob may not be empty' })
          .refine((g) => !g.startsWith('/'), { error: "a glob is relative to the config file's folder; drop the leading /" }),
        dialect,
        { error: 'dialects maps globs to dialects, e.g. {"tasks/**/*.yaml": "julep"}' },
      ).optional(),
      environment: z.string({ error: 'environment is a name such as "prod"' }).min(1, { error: 'environment may not be empty' }).optional(),
      strictEnvironment: z.boolean({ error: 'strictEnvironment is true or false' }).optional(),
      databaseUrl: z.string({ error: 'databaseUrl is a store URL (postgres://…, file:PATH or memory:)' }).min(1, { error: 'databaseUrl may not be empty' }).optional(),
    },
    { error: (iss) => (iss.code === 'invalid_type' ? `the settings are an object with ${SETTINGS.join(', ')}` : undefined) },
  );
  const r = schema.safeParse(value);
  if (r.success) return [];
  const out: Issue[] = [];
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) out.push({ path: i.path, key, message: `unknown setting "${key}"; the settings are ${SETTINGS.join(', ')}` });
    } else out.push({ path: i.path, message: i.message });
  }
  return out;
}

/** The node at `path` (the key's node when `key` is given), for an error's position. */
function locate({ isMap, isScalar }: Yaml, doc: YamlNamespace.Document, path: readonly PropertyKey[], key: string | undefined): Node | undefined {
  const segs = path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const node = segs.length === 0 ? doc.contents : doc.getIn(segs, true);
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  // A record's key problem (an empty or absolute glob): zod's path ends at the key.
  if (node === undefined && segs.length > 0) {
    const parent = segs.length === 1 ? doc.contents : doc.getIn(segs.slice(0, -1), true);
    const last = segs[segs.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair && isScalar(pair.key)) return pair.key;
    }
  }
  return (node as Node | null | undefined) ?? undefined;
}

function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function range(lines: YamlNamespace.LineCounter, [start, end]: readonly [number, number]): NonNullable<Problem['range']> {
  const a = lines.linePos(start);
  const b = lines.linePos(end);
  return { start: { line: a.line, column: a.col }, end: { line: b.line, column: b.col } };
}
