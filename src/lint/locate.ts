/**
 * Source positions of text inside any string value. Strings holding references carry an offset
 * map from the syntax layer. Plain strings do not (mapping every string would slow every
 * document down), so the rare document where a plain string has a finding is parsed a second
 * time, lazily, to find that scalar: clean documents are parsed once.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Range } from '../errors.js';
import type { AnalyzedDocument, Site } from '../syntax/document.js';
import { scalarOffsets, type OffsetMap, type ScalarKind } from '../syntax/scalar-offsets.js';
import { DOCUMENT_START } from './diagnostic.js';

export class Locator {
  private doc: Document.Parsed | null | undefined;
  private readonly maps = new Map<string, OffsetMap | null>();

  constructor(
    private readonly source: string | undefined,
    private readonly analyzed: AnalyzedDocument,
  ) {}

  /** 1-based range of `[start, end)` (indices into the string value at `keys`). */
  range(keys: readonly (string | number)[], path: string, value: string, start: number, end: number, site?: Site): Range {
    const lines = this.analyzed.lines;
    if (!lines) return DOCUMENT_START;
    const map = site?.offsets ?? this.offsetsOf(keys, path, value);
    if (!map) return DOCUMENT_START;
    return lines.range(map(start), map(end));
  }

  private offsetsOf(keys: readonly (string | number)[], path: string, value: string): OffsetMap | null {
    if (this.maps.has(path)) return this.maps.get(path) ?? null;
    const node = this.source === undefined ? undefined : this.scalarAt(keys);
    let map: OffsetMap | null = null;
    if (node && this.source !== undefined && isScalar(node) && typeof node.value === 'string' && node.value === value && node.range) {
      map = scalarOffsets(this.source, node.range[0], node.range[1], node.type as ScalarKind | undefined, value);
    }
    this.maps.set(path, map);
    return map;
  }

  private scalarAt(keys: readonly (string | number)[]): YamlNode | undefined {
    if (this.doc === undefined) {
      try {
        this.doc = parseDocument(this.source ?? '', { uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2', keepSourceTokens: false });
      } catch {
        this.doc = null;
      }
    }
    const doc = this.doc;
    if (!doc) return undefined;
    let node = doc.contents as YamlNode | null;
    // Aliases are followed a bounded number of times: the syntax layer already capped expansion.
    let hops = 0;
    for (const key of keys) {
      while (node && isAlias(node) && hops++ < 1000) node = (node.resolve(doc) as YamlNode | undefined) ?? null;
      if (!node) return undefined;
      if (isMap(node)) {
        let next: YamlNode | null = null;
        for (const pair of node.items) {
          const k = pair.key as YamlNode | null;
          const name = k === null || k === undefined ? '' : isScalar(k) ? String(k.value ?? '') : undefined;
          if (name === String(key)) next = pair.value as YamlNode | null;
        }
        node = next;
      } else if (isSeq(node) && typeof key === 'number') {
        node = (node.items[key] as YamlNode | undefined) ?? null;
      } else return undefined;
    }
    while (node && isAlias(node) && hops++ < 1000) node = (node.resolve(doc) as YamlNode | undefined) ?? null;
    return node ?? undefined;
  }
}
