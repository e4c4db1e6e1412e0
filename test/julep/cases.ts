/** The recognition table of fixtures/julep/recognition.yaml, typed, with spans resolved. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { ErrorCode } from '../../src/errors.js';
import type { JulepEncoding, JulepForm } from '../../src/syntax/julep/index.js';

interface SpanSpec {
  text: string;
  nth?: number;
}

export interface RecognitionCase {
  string: string;
  platform?: boolean;
  form?: JulepForm;
  implicit?: boolean;
  refs?: (SpanSpec & { name: string; optional?: boolean })[];
  encodings?: JulepEncoding[];
  findings?: (SpanSpec & { code: ErrorCode; severity: 'error' | 'warning'; suggestion?: string })[];
}

export const CASES: RecognitionCase[] = (
  YAML.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'julep', 'recognition.yaml'), 'utf8')) as { cases: RecognitionCase[] }
).cases;

/** [start, end) of the nth occurrence of `spec.text` in `s`; throws when there is none (a bad fixture). */
export function spanOf(s: string, spec: SpanSpec): [number, number] {
  let at = -1;
  for (let k = 0; k <= (spec.nth ?? 0); k++) {
    at = s.indexOf(spec.text, at + 1);
    if (at === -1) throw new Error(`fixture: ${JSON.stringify(spec.text)} (#${spec.nth ?? 0}) is not in ${JSON.stringify(s)}`);
  }
  return [at, at + spec.text.length];
}
