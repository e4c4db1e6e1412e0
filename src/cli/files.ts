/**
 * Expands FILE|DIR arguments into definition files, and reads them with the format their name
 * says: YAML or JSON (`.yaml`, `.yml`, `.json`), or an environment file (`.env`, `.env.*`,
 * `*.env`, `*.env.tpl`). A folder is searched for YAML/JSON and for environment *templates*
 * only (`.env.tpl`, `.env.template`, `*.env.tpl`, `*.env.template`): a plain `.env` holds values,
 * and is read only when named.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { isSecretrefError, LIMITS, SecretrefError } from '../core.js';
import type { SourceFormat } from '../index.js';

import type { Io } from './io.js';
import { CONFIG_FILES } from './project-config.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIP_DIRS = new Set(['node_modules', '.git', '.secretref']);
/**
 * The project config file is settings, not a tool definition (named explicitly, it is still read).
 * Built on first use: files.ts and project-config.ts import each other.
 */
let skipFiles: Set<string> | undefined;
const isConfigFile = (name: string): boolean => (skipFiles ??= new Set<string>(CONFIG_FILES.filter((f) => f !== 'package.json'))).has(name);

export interface InputFile {
  /** As shown to the user: relative to the working directory, or `<stdin>`. */
  name: string;
  source: string;
  format: SourceFormat;
}

const DOTENV_TEMPLATE = /(^|\.)env\.(tpl|template)$/i;

/** The format a file's name says: `dotenv` for environment files, else `yaml` (YAML or JSON). */
export function formatOf(path: string): SourceFormat {
  if (path === '-') return 'yaml';
  const name = basename(path).toLowerCase();
  return name === '.env' || name.startsWith('.env.') || name.endsWith('.env') || DOTENV_TEMPLATE.test(name) ? 'dotenv' : 'yaml';
}

/** Every definition file named by `args`, folders searched recursively, in a stable order. */
export async function collectFiles(args: readonly string[], io: Io): Promise<string[]> {
  return (await collectInputs(args, io)).map((f) => f.path);
}

/** A collected file and the folder argument it was found under (undefined for a file argument or `-`). */
export interface CollectedFile {
  path: string;
  root: string | undefined;
}

/** As `collectFiles`, with the folder each file was found under (for mirroring a tree). */
export async function collectInputs(args: readonly string[], io: Io): Promise<CollectedFile[]> {
  const out: CollectedFile[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push({ path: '-', root: undefined });
      continue;
    }
    const abs = resolve(io.cwd, arg);
    let s;
    try {
      s = await stat(abs);
    } catch {
      throw new SecretrefError('INVALID_INPUT', `No such file or folder: ${arg}`);
    }
    if (s.isDirectory()) {
      const found: string[] = [];
      await walk(abs, found);
      found.sort();
      if (found.length === 0) throw new SecretrefError('INVALID_INPUT', `No .yaml, .yml, .json or .env.tpl files in ${arg}`);
      out.push(...found.map((path) => ({ path, root: abs })));
    } else out.push({ path: abs, root: undefined });
  }
  return out;
}

/**
 * Reads collected files in the order given; the first that cannot be read throws. One after
 * another, synchronously: a small file costs four system calls this way (about 15 µs), against
 * about 120 µs of main-thread work for fs/promises' open, stat, read and close round trips through
 * the thread pool, which measured slower for 1,000 files than the lint itself waited on the disk.
 */
export async function readInputs(paths: readonly string[], io: Io): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const path of paths) out.push(await readInput(path, io));
  return out;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), out);
    } else if (e.isFile() && (EXTENSIONS.has(extname(e.name).toLowerCase()) || DOTENV_TEMPLATE.test(e.name)) && !isConfigFile(e.name)) out.push(join(dir, e.name));
  }
}

/**
 * Reads one collected file (or stdin for `-`), refusing oversize and invalid UTF-8 input. The
 * format is `format` when given (`run --env` reads environment files whatever their name), else
 * what the name says.
 */
export async function readInput(path: string, io: Io, format: SourceFormat = formatOf(path)): Promise<InputFile> {
  if (path === '-') return { name: '<stdin>', source: await io.readStdin(), format };
  const name = relative(io.cwd, path) || path;
  let fd: number;
  try {
    // Non-blocking: opening a named pipe would otherwise wait for a writer; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new SecretrefError('INVALID_INPUT', (e as NodeJS.ErrnoException).code === 'EISDIR' ? notAFile(name) : `No such file: ${name}`);
  }
  let bytes: Buffer;
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new SecretrefError('INVALID_INPUT', notAFile(name));
    if (s.size > LIMITS.maxDocumentBytes * 4) {
      throw new SecretrefError('LIMIT_EXCEEDED', `${name} is ${s.size} bytes; the limit is ${LIMITS.maxDocumentBytes} characters (maxDocumentBytes).`);
    }
    bytes = readAll(fd, s.size, name);
  } finally {
    closeSync(fd);
  }
  let source: string;
  try {
    source = UTF8.decode(bytes);
  } catch {
    throw new SecretrefError('INVALID_INPUT', `${name} is not valid UTF-8; save it as UTF-8.`);
  }
  return { name, source, format };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const notAFile = (name: string): string => `${name} is not a file; pass a YAML, JSON or environment file.`;

/** The file's bytes: `size` as fstat said, or what is there when it changed while being read. */
function readAll(fd: number, size: number, name: string): Buffer {
  let buf = Buffer.allocUnsafe(size + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > LIMITS.maxDocumentBytes * 4) throw new SecretrefError('LIMIT_EXCEEDED', `${name} grew past ${LIMITS.maxDocumentBytes} characters (maxDocumentBytes) while being read.`);
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger);
      buf = bigger;
    }
    const r = readSync(fd, buf, n, buf.length - n, null);
    if (r === 0) return buf.subarray(0, n);
    n += r;
  }
}

/** Whether `path` exists (any kind of entry). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** An error about one input file: its message, and each of its problem lines, name the file. */
export class FileError extends SecretrefError {
  constructor(
    /** The file as shown to the user. */
    readonly file: string,
    e: SecretrefError,
  ) {
    const base = SecretrefError.fromProblems(e.problems.length > 0 ? e.problems : [{ code: e.code, message: e.message }], file);
    super(base.code, base.message, { ...(base.path !== undefined ? { path: base.path } : {}), ...(base.range ? { range: base.range } : {}), problems: base.problems });
  }
}

/** Runs `fn` for the file shown as `name`; an error that does not say which file it is about is made to. */
export async function inFile<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw isSecretrefError(e) ? namingFile(name, e) : e;
  }
}

/** `e`, made to say which file it is about unless it does already. */
export function namingFile(name: string, e: SecretrefError): SecretrefError {
  return e instanceof FileError || (e.problems.length <= 1 && e.message.includes(name)) ? e : new FileError(name, e);
}
