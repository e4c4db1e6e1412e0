/**
 * The ignore file's name, on its own: the command line's help names it at start-up, which must not
 * load the glob matcher that reading the file takes (src/lint/ignore-file.ts).
 */
export const IGNORE_FILE = '.secretrefignore';
