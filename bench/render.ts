/**
 * Renderer speed (issue 5): 20 tools / 60 references with the secrets in hand, rendering every
 * tool once per iteration with
 * - ours: the compiled definitions (`compile(tool).render(secrets)`),
 * - nunjucks: what a user would write by hand with stock nunjucks — walk the definition and call
 *   `renderString` on each string holding `{{`,
 * - hand: a hand-written function per tool that builds the output with literals and `+`.
 * Targets: nunjucks / ours >= 50, ours / hand <= 3.
 * Run: node --import tsx bench/render.ts
 */
import { deepStrictEqual } from 'node:assert';
import { pathToFileURL } from 'node:url';
import nunjucks from 'nunjucks';
import { Bench } from 'tinybench';
import { compile } from '../src/render/index.js';
import { HAND, TOOLS, benchSecrets } from './render-tools.js';

export interface RenderBenchFigures {
  tools: number;
  references: number;
  /** Nanoseconds to render all 20 tools once. */
  oursNsPerRender: number;
  nunjucksNsPerRender: number;
  handNsPerRender: number;
  ratios: {
    /** How many times faster than nunjucks.renderString per string (target >= 50). */
    nunjucksOverOurs: number;
    /** How many times slower than the hand-written concatenation (target <= 3). */
    oursOverHand: number;
  };
  /** The same ratios from mean latencies (garbage collection pauses included). */
  meanRatios: { nunjucksOverOurs: number; oursOverHand: number };
}

function walkNunjucks(env: nunjucks.Environment, v: unknown, ctx: object): unknown {
  if (typeof v === 'string') return v.includes('{{') ? env.renderString(v, ctx) : v;
  if (Array.isArray(v)) return v.map((x) => walkNunjucks(env, x, ctx));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = walkNunjucks(env, (v as Record<string, unknown>)[k], ctx);
    return out;
  }
  return v;
}

/** Runs the three contenders on the same definitions and returns the figures. */
export async function benchRender(opts: { time?: number } = {}): Promise<RenderBenchFigures> {
  const secrets = benchSecrets();
  const compiled = TOOLS.map((t) => compile(t));
  const references = compiled.reduce((n, c) => n + c.references.length, 0);
  const env = new nunjucks.Environment(null, { autoescape: false });
  env.addFilter('urlencode', (s: string) => encodeURIComponent(s));
  const ctx = { secrets };

  const ours = () => compiled.map((c) => c.render(secrets).value);
  const stock = () => TOOLS.map((t) => walkNunjucks(env, t, ctx));
  const hand = () => HAND.map((f) => f(secrets));
  // All three must produce the same documents, or the comparison means nothing.
  deepStrictEqual(ours(), hand());
  deepStrictEqual(stock(), hand());

  let sink = 0;
  const bench = new Bench({ time: opts.time ?? 1000, warmup: true });
  bench
    .add('ours', () => {
      sink += ours().length;
    })
    .add('nunjucks', () => {
      sink += stock().length;
    })
    .add('hand', () => {
      sink += hand().length;
    });
  await bench.run();
  if (sink < 0) throw new Error('unreachable');
  const ns = (name: string): number => {
    // Medians: one descheduled sample on a shared machine must not move the figure.
    const r = bench.getTask(name)?.result as { latency?: { p50: number } } | undefined;
    const p50 = r?.latency?.p50;
    if (p50 === undefined) throw new Error(`bench task ${name} has no result`);
    return p50 * 1e6;
  };
  const o = ns('ours');
  const n = ns('nunjucks');
  const h = ns('hand');
  const mean = (name: string): number => ((bench.getTask(name)?.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? Number.NaN) * 1e6;
  return {
    tools: TOOLS.length,
    references,
    oursNsPerRender: o,
    nunjucksNsPerRender: n,
    handNsPerRender: h,
    ratios: { nunjucksOverOurs: n / o, oursOverHand: o / h },
    meanRatios: { nunjucksOverOurs: mean('nunjucks') / mean('ours'), oursOverHand: mean('ours') / mean('hand') },
  };
}

function printTable(f: RenderBenchFigures): void {
  const rows: [string, string][] = [
    ['definitions / references', `${f.tools} / ${f.references}`],
    ['ours (compiled render)', `${(f.oursNsPerRender / 1000).toFixed(2)} µs per render of all tools`],
    ['nunjucks.renderString per string', `${(f.nunjucksNsPerRender / 1000).toFixed(2)} µs`],
    ['hand-written concatenation', `${(f.handNsPerRender / 1000).toFixed(2)} µs`],
    ['nunjucks / ours (target >= 50)', `${f.ratios.nunjucksOverOurs.toFixed(1)}×`],
    ['ours / hand (target <= 3)', `${f.ratios.oursOverHand.toFixed(2)}×`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await benchRender());
}
