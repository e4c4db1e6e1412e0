/**
 * The clone plan: at compile time the definition becomes a tree of builders, so a render only
 * copies prepared templates (`{ ...template }`, `template.slice()`) and fills in the string sites.
 * Subtrees without references are copied, never shared: the caller may mutate what it gets.
 */
import { setOwn } from '../syntax/document.js';
import type { RenderState } from './evaluate.js';

export type Builder = (st: RenderState) => unknown;

/** A node of the site trie: the builder of the site at this path, or deeper sites by key. */
export interface SiteTrie {
  site?: Builder;
  children?: Map<string | number, SiteTrie>;
}

/** Adds the builder of the string at `keys` to the trie. */
export function addSite(root: SiteTrie, keys: readonly (string | number)[], site: Builder): void {
  let node = root;
  for (const k of keys) {
    const children = (node.children ??= new Map());
    let next = children.get(k);
    if (!next) children.set(k, (next = {}));
    node = next;
  }
  node.site = site;
}

type Plan = { constant: true; value: unknown } | { constant: false; build: Builder };

/** The builder of a whole definition value. */
export function buildPlan(value: unknown, trie: SiteTrie): Builder {
  const p = plan(value, trie);
  if (!p.constant) return p.build;
  const v = p.value;
  return () => v;
}

function plan(value: unknown, trie: SiteTrie | undefined): Plan {
  if (trie?.site) return { constant: false, build: trie.site };
  if (value === null || typeof value !== 'object') return { constant: true, value };
  if (Array.isArray(value)) return planArray(value, trie);
  return planObject(value as Record<string, unknown>, trie);
}

function planArray(value: readonly unknown[], trie: SiteTrie | undefined): Plan {
  const template: unknown[] = [];
  const at: number[] = [];
  const builders: Builder[] = [];
  value.forEach((item, i) => {
    const p = plan(item, trie?.children?.get(i));
    if (p.constant && (p.value === null || typeof p.value !== 'object')) template.push(p.value);
    else {
      template.push(null);
      at.push(i);
      builders.push(p.constant ? cloner(p.value) : p.build);
    }
  });
  const n = at.length;
  return {
    constant: false,
    build:
      n === 0
        ? () => template.slice()
        : (st) => {
            const out = template.slice();
            for (let i = 0; i < n; i++) out[at[i] as number] = (builders[i] as Builder)(st);
            return out;
          },
  };
}

function planObject(value: Record<string, unknown>, trie: SiteTrie | undefined): Plan {
  // Every key is in the template, in order, so the copy keeps the definition's key order and
  // filling a site is an assignment to an existing own property (safe for `__proto__` too).
  const template: Record<string, unknown> = {};
  const at: string[] = [];
  const builders: Builder[] = [];
  for (const key of Object.keys(value)) {
    const p = plan(value[key], trie?.children?.get(key));
    if (p.constant && (p.value === null || typeof p.value !== 'object')) setOwn(template, key, p.value);
    else {
      setOwn(template, key, null);
      at.push(key);
      builders.push(p.constant ? cloner(p.value) : p.build);
    }
  }
  return { constant: false, build: spreadBuilder(template, at, builders) };
}

function spreadBuilder(template: Record<string, unknown>, at: readonly string[], builders: readonly Builder[]): Builder {
  const n = at.length;
  return n === 0
    ? () => ({ ...template })
    : (st) => {
        const out = { ...template };
        for (let i = 0; i < n; i++) out[at[i] as string] = (builders[i] as Builder)(st);
        return out;
      };
}

function cloner(value: unknown): Builder {
  const p = plan(value, undefined);
  return p.constant ? () => p.value : p.build;
}
