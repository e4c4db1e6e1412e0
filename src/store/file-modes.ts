/**
 * Modes of the embedded store's data folder. PGlite's file system ignores the modes PostgreSQL
 * asks for: it creates files 0666 and folders 0777, less the process umask, so a data folder made
 * under umask 0 is world-writable and under 022 world-readable. The folder is made 0700 before
 * PGlite touches it (files created while the store is open are then out of other users' reach),
 * and every folder 0700 and file 0600 at open and at close. Symbolic links are neither followed
 * nor changed. Only the data folder is exposure: files loose inside a 0700 folder were never
 * reachable, so only a loose folder is reported as such.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FolderModes } from './types.js';

export const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** What a walk over the data folder found (and, for `tightenModes`, changed). */
export type ModeReport = FolderModes;

/** Modes only mean this on POSIX systems. */
const POSIX = process.platform !== 'win32';

function walk(root: string, fix: boolean): ModeReport {
  const report: ModeReport = { folderMode: null, looseFolders: 0, looseFiles: 0, failed: 0, exposed: false };
  const visit = (path: string, st: Stats): void => {
    const mode = st.mode & 0o777;
    const dir = st.isDirectory();
    const want = dir ? FOLDER_MODE : FILE_MODE;
    if (mode !== want) {
      if (dir) report.looseFolders++;
      else report.looseFiles++;
      if (fix) {
        try {
          chmodSync(path, want);
        } catch {
          report.failed++;
        }
      }
    }
    if (!dir) return;
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch {
      report.failed++;
      return;
    }
    for (const e of entries) {
      const child = join(path, e);
      let cst: Stats;
      try {
        cst = lstatSync(child);
      } catch {
        continue; // removed meanwhile
      }
      if (cst.isSymbolicLink() || !(cst.isDirectory() || cst.isFile())) continue;
      visit(child, cst);
    }
  };
  let st: Stats;
  try {
    st = lstatSync(root);
  } catch {
    return report;
  }
  if (!st.isDirectory()) return report;
  report.folderMode = st.mode & 0o777;
  report.exposed = (report.folderMode & 0o077) !== 0;
  visit(root, st);
  return report;
}

/** The modes under `folder`, changing nothing. */
export function inspectModes(folder: string): ModeReport {
  return POSIX ? walk(folder, false) : { folderMode: null, looseFolders: 0, looseFiles: 0, failed: 0, exposed: false };
}

/** Sets every folder under `folder` to 0700 and every file to 0600; reports what it found. */
export function tightenModes(folder: string): ModeReport {
  return POSIX ? walk(folder, true) : inspectModes(folder);
}

/**
 * Before PGlite opens `folder`: creates it 0700 when absent (exactly 0700, whatever the umask).
 * Returns true when it existed already.
 */
export function prepareFolder(folder: string): boolean {
  try {
    lstatSync(folder);
    return true;
  } catch {
    mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
    if (POSIX) chmodSync(folder, FOLDER_MODE);
    return false;
  }
}

/** One sentence about a tightening that closed an exposure; never a file's content. */
export function describeTightening(folder: string, r: ModeReport): string {
  const was = r.folderMode === null ? 'open' : `0${r.folderMode.toString(8)}`;
  const failed = r.failed ? ` ${r.failed} could not be changed (check their owner).` : '';
  return (
    `The embedded store ${folder} was open to other users (folder mode ${was}, ${r.looseFiles} file(s) not 0600); ` +
    `secretref set the folders to 0700 and the files to 0600.${failed} If other users can log in to this machine, ` +
    'consider rotating the secrets it holds.'
  );
}
