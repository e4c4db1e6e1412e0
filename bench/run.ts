/**
 * `npm run bench`: every benchmark in one process run, one table — figure, ours, baseline, ratio,
 * target, pass/fail. A throwaway PostgreSQL server is started the way the tests start it (or
 * SECRETREF_BENCH_DATABASE_URL is used) and stopped at the end.
 *
 *   npm run bench                  # text table on stdout, progress on stderr
 *   npm run bench -- --json        # the same as JSON
 *   npm run bench -- --markdown    # the README "Performance" section (bench/RESULTS.md)
 *   npm run bench -- --from FILE [--markdown]   # re-print a saved --json report, no measuring
 *
 *   npm run bench -- --strict      # exit code 1 when a target is missed (CI)
 */
import { readFileSync } from 'node:fs';
import { benchCli, LINT_FILE } from './cli.js';
import { definition } from './lint.js';
import { lint } from '../src/lint/index.js';
import { benchManySecrets } from './many-secrets.js';
import { machine, median } from './measure.js';
import { benchRender } from './render.js';
import { formatMarkdown, formatText, ms, num, times, type Report, type Row } from './report.js';
import { benchResolve } from './resolve.js';
import { benchServe } from './serve.js';
import { benchStoreDecrypt } from './store-decrypt.js';
import { benchScale } from './scale.js';
import { startPgServer, type PgServer } from '../test/setup/pg-server.js';
import { startPgBouncer, type PgBouncer } from '../test/setup/pgbouncer.js';
import { startPgStandby, type PgStandby } from '../test/setup/pg-standby.js';

const argv = process.argv.slice(2);
const fromAt = argv.indexOf('--from');
const fromFile = fromAt >= 0 ? argv[fromAt + 1] : undefined;
const args = new Set(fromAt >= 0 ? argv.filter((_, i) => i !== fromAt && i !== fromAt + 1) : argv);
for (const a of args) {
  if (!['--json', '--markdown', '--strict'].includes(a) || (fromAt >= 0 && !fromFile)) {
    process.stderr.write(`bench: unknown option ${a} (use --json, --markdown, --strict or --from FILE)\n`);
    process.exit(2);
  }
}

function print(report: Report): void {
  if (args.has('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (args.has('--markdown')) process.stdout.write(formatMarkdown(report));
  else process.stdout.write(formatText(report));
  if (args.has('--strict') && report.rows.some((r) => r.pass === false)) process.exitCode = 1;
}

/**
 * Offline lint throughput over bench/lint.ts's corpus: `passes` passes over `count` definitions,
 * each timed in slices of `slice` (a burst of other work on the machine spoils one slice, not the
 * figure); the median slice rate is reported.
 */
async function lintThroughput(count: number, slice: number, passes: number) {
  const corpus = Array.from({ length: count }, (_, i) => definition(i));
  for (let i = 0; i < Math.min(500, count); i++) await lint(corpus[i] as string);
  const rates: number[] = [];
  const whole: number[] = [];
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    for (let i = 0; i < count; i += slice) {
      const t = performance.now();
      for (let j = i; j < Math.min(count, i + slice); j++) await lint(corpus[j] as string);
      rates.push((Math.min(count, i + slice) - i) / ((performance.now() - t) / 1000));
    }
    whole.push(count / ((performance.now() - start) / 1000));
  }
  return { definitions: count, bytes: corpus.reduce((n, x) => n + x.length, 0), sliceSize: slice, slices: rates.length, passes: whole, medianDefinitionsPerSecond: median(rates) };
}

const t0 = performance.now();
const progress = (s: string): void => {
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);
};

async function measure(): Promise<Report> {
  const m = machine();
  progress(`machine: ${m.cpu}, ${m.cores} cores, Node.js ${m.node}, load average ${m.loadAverage}`);

  let server: PgServer | undefined;
  let bouncer: PgBouncer | undefined;
  let standby: PgStandby | undefined;
  const stopServer = (): void => {
    standby?.stop();
    bouncer?.stop();
    server?.stop();
  };
  process.once('SIGINT', () => {
    stopServer();
    process.exit(130);
  });

  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    // CPU-only figures first, before the server runs beside us.
    progress('render: ours vs nunjucks vs hand-written (20 tools / 60 refs)');
    const r = await benchRender();
    details.render = r;
    rows.push({
      figure: `warm render, ${r.tools} tools / ${r.references} refs, secrets in hand`,
      ours: ms(r.oursNsPerRender / 1e6),
      baseline: `nunjucks.renderString per string: ${ms(r.nunjucksNsPerRender / 1e6)}`,
      ratio: `${times(r.ratios.nunjucksOverOurs)} faster`,
      target: '≥ 50× faster',
      pass: r.ratios.nunjucksOverOurs >= 50,
      values: { oursNs: r.oursNsPerRender, nunjucksNs: r.nunjucksNsPerRender, ratio: r.ratios.nunjucksOverOurs },
    });
    rows.push({
      figure: 'same',
      ours: ms(r.oursNsPerRender / 1e6),
      baseline: `hand-written concatenation: ${ms(r.handNsPerRender / 1e6)}`,
      ratio: `${times(r.ratios.oursOverHand)} slower`,
      target: '≤ 3× slower',
      pass: r.ratios.oursOverHand <= 3,
      values: { oursNs: r.oursNsPerRender, handNs: r.handNsPerRender, ratio: r.ratios.oursOverHand, meanRatio: r.meanRatios.oursOverHand },
      note: `from mean latencies instead of medians (garbage collection included; ours allocates per-render state the hand-written code does not): ${times(r.meanRatios.oursOverHand)}; nunjucks ${times(r.meanRatios.nunjucksOverOurs)} slower.`,
    });

    progress('lint: 10,000 definitions offline (2 passes, timed in slices of 500)');
    const lintFigures = await lintThroughput(10_000, 500, 2);
    const perSecond = lintFigures.medianDefinitionsPerSecond;
    details.lint = lintFigures;

    let url = process.env.SECRETREF_BENCH_DATABASE_URL;
    if (!url) {
      progress('starting a throwaway PostgreSQL server (test/setup/pg-server.ts)');
      server = await startPgServer({ database: 'secretref_bench' });
      url = server.appUrl;
      // store-decrypt.ts reads it: one server for the whole run.
      process.env.SECRETREF_BENCH_DATABASE_URL = url;
    }

    progress('resolver: cold batch vs single-name queries, 1,000 concurrent renders, warm cost, cache memory');
    const v = await benchResolve({ url });
    details.resolve = v;
    rows.push({
      figure: 'cold render through the resolver, 60 refs',
      ours: `${ms(v.cold60BatchMs)}, ${v.cold60BatchQueries} round trip`,
      baseline: `60 single-name queries: ${ms(v.cold60SingleSequentialMs)}`,
      ratio: `${times(v.batchSpeedup)} faster`,
      target: '1 round trip; report ratio',
      pass: v.cold60BatchQueries === 1,
      values: { batchMs: v.cold60BatchMs, queries: v.cold60BatchQueries, singleSequentialMs: v.cold60SingleSequentialMs, singleParallelMs: v.cold60SingleParallelMs, ratio: v.batchSpeedup },
      note:
        `timed: \`resolver.resolve\` of the 60 names a cold render asks for, cache emptied each sample, against 60 \`resolveDetailed([name])\` one after another; ` +
        `issued all at once (pool of 10) the 60 single-name queries take ${ms(v.cold60SingleParallelMs)}.`,
    });
    rows.push({
      figure: '1,000 concurrent cold renders',
      ours: `${v.concurrentColdRendersQueries} store ${v.concurrentColdRendersQueries === 1 ? 'query' : 'queries'} (${ms(v.concurrentColdRendersMs)} in all)`,
      baseline: '—',
      ratio: '—',
      target: 'exactly 1 store query',
      pass: v.concurrentColdRendersQueries === 1,
      values: { queries: v.concurrentColdRendersQueries, ms: v.concurrentColdRendersMs },
    });
    rows.push({
      figure: 'warm resolution per reference',
      ours: `${num(v.warmResolveMicrosPerRef)} µs`,
      baseline: '—',
      ratio: '—',
      target: '< 5 µs',
      pass: v.warmResolveMicrosPerRef < 5 && v.warmQueries === 0,
      values: { micros: v.warmResolveMicrosPerRef, renderMicros: v.warmRenderMicrosPerRef, storeQueries: v.warmQueries },
      note: `a warm render through the resolver costs ${num(v.warmRenderMicrosPerRef)} µs per reference, renderer included; ${v.warmQueries} store queries while warm.`,
    });

    progress('store: decrypt per secret, ours vs pgcrypto default S2K (server and PGlite)');
    const d = await benchStoreDecrypt();
    details.decrypt = d;
    rows.push({
      figure: 'decrypt per secret on the server',
      ours: `${num(d.serverUsPerDecrypt)} µs`,
      baseline: `pgcrypto default S2K: ${num(d.serverDefaultUsPerDecrypt)} µs`,
      ratio: `${times(d.ratio)} cheaper`,
      target: '≤ 20 µs, ≥ 10× cheaper',
      pass: d.serverUsPerDecrypt <= 20 && d.ratio >= 10,
      values: { micros: d.serverUsPerDecrypt, defaultMicros: d.serverDefaultUsPerDecrypt, ratio: d.ratio, pgliteMicros: d.pgliteUsPerDecrypt, pgliteDefaultMicros: d.pgliteDefaultUsPerDecrypt },
      note: `options \`${d.options}\`; embedded (PGlite): ${num(d.pgliteUsPerDecrypt)} µs vs ${num(d.pgliteDefaultUsPerDecrypt)} µs with the default S2K.`,
    });

    progress('store: developer with 1,000 secrets, tool uses 3');
    const many = await benchManySecrets(url);
    details.manySecrets = many;
    const defaultAllMs = (many.secrets * d.serverDefaultUsPerDecrypt) / 1000;
    rows.push({
      figure: `developer with ${num(many.secrets)} secrets, tool uses ${many.used}`,
      ours: `resolveMany(${many.used} names): ${ms(many.resolveUsedMs)}`,
      baseline: `decrypt all ${num(many.secrets)}: ${ms(many.decryptAllMs)}`,
      ratio: `${times(many.ratio)} faster`,
      target: 'report the ratio',
      pass: null,
      values: { resolveMs: many.resolveUsedMs, decryptAllMs: many.decryptAllMs, ratio: many.ratio, decryptAllDefaultS2kEstimateMs: defaultAllMs },
      note:
        `the baseline uses our cheap S2K and no audit rows; with pgcrypto's default S2K (as the reference platform encrypts) ` +
        `decrypting all ${num(many.secrets)} would add about ${ms(defaultAllMs)} (${num(many.secrets)} × the default-S2K decrypt above).`,
    });

    rows.push({
      figure: 'offline lint, 10,000 definitions',
      ours: `${num(perSecond)} definitions/s`,
      baseline: '—',
      ratio: '—',
      target: '≥ 5,000 definitions/s',
      pass: perSecond >= 5000,
      values: { definitionsPerSecond: perSecond },
      note:
          `bench/lint.ts's generated corpus (${num(lintFigures.bytes / 1024)} KiB: OpenAI/Anthropic JSON tools, Julep api_call/integration YAML), each definition linted as its own document; ` +
          `median rate of ${lintFigures.slices} slices of ${lintFigures.sliceSize} (whole passes: ${lintFigures.passes.map((x) => num(x)).join(', ')} definitions/s).`,
    });

    let pooledUrl = process.env.SECRETREF_BENCH_POOLED_DATABASE_URL ?? null;
    if (server && !pooledUrl) {
      const app = new URL(server.appUrl);
      bouncer = await startPgBouncer({ serverPort: server.port, database: 'secretref_bench', user: app.username, password: app.password });
      pooledUrl = bouncer.appUrl;
    }
    let readUrl = process.env.SECRETREF_BENCH_READ_DATABASE_URL ?? null;
    if (server && !readUrl) {
      standby = await startPgStandby(server);
      readUrl = standby.appUrl;
    }
    progress('scale: cold resolutions direct vs PgBouncer vs a hot standby, listing 1,000 vs 10,000 names, audit bytes');
    const sc = await benchScale({ url, pooledUrl, readUrl });
    details.scale = sc;
    const by = (n: number) => sc.throughput.find((t) => t.callers === n);
    const t16 = by(16);
    rows.push({
      figure: 'cold 10-name resolutions/s, 16 callers, through PgBouncer (transaction mode)',
      ours: t16?.pooled == null ? 'no PgBouncer' : `${num(t16.pooled)}/s`,
      baseline: `direct: ${num(t16?.direct ?? 0)}/s`,
      ratio: t16?.pooled == null ? '—' : `${times(t16.pooled / t16.direct)} of direct`,
      target: 'report',
      pass: null,
      values: Object.fromEntries(sc.throughput.flatMap((t) => [[`direct${t.callers}`, t.direct], [`pooled${t.callers}`, t.pooled ?? -1]])),
      note: `each a resolveMany of 10 names (one read transaction: BEGIN+SET LOCAL, the statement, COMMIT), poolSize 16; 1 / 4 / 16 callers: ${sc.throughput
        .map((t) => `${num(t.direct)} / ${t.pooled === null ? '—' : num(t.pooled)}`)
        .join(', ')} per second (direct / pooled).`,
    });
    rows.push({
      figure: 'cold 10-name resolutions/s, 16 callers, reading from a hot standby (readUrl)',
      ours: t16?.replica == null ? 'no standby' : `${num(t16.replica)}/s`,
      baseline: `direct: ${num(t16?.direct ?? 0)}/s`,
      ratio: t16?.replica == null ? '—' : `${times(t16.replica / t16.direct)} of direct`,
      target: 'report',
      pass: null,
      values: Object.fromEntries(sc.throughput.map((t) => [`replica${t.callers}`, t.replica ?? -1])),
      note: `reads on the standby (read_unlogged), their audit buffered and written to the primary in batches; 1 / 4 / 16 callers: ${sc.throughput
        .map((t) => `${num(t.direct)} / ${t.replica === null ? '—' : num(t.replica)}`)
        .join(', ')} per second (direct / standby), on the same machine as the primary.`,
    });
    const [l1, l10] = sc.list;
    rows.push({
      figure: 'list every name, 10,000-secret developer',
      ours: `${ms(l10?.ms ?? 0)} (${num(l10?.usPerName ?? 0)} µs/name)`,
      baseline: `1,000 secrets: ${ms(l1?.ms ?? 0)} (${num(l1?.usPerName ?? 0)} µs/name)`,
      ratio: `${times(sc.listGrowth)} per name`,
      target: '≤ 3× per name (linear; the generic plan before migration 6 read ≈ 5.5×)',
      pass: sc.listGrowth <= 3,
      values: { ms1k: l1?.ms ?? 0, ms10k: l10?.ms ?? 0, growth: sc.listGrowth },
    });
    rows.push({
      figure: 'audit bytes per 1,000 cold 10-name resolutions',
      ours: `${num(sc.auditBytesPer1000 / 1024)} KiB (one record per batch)`,
      baseline: `one record per name: ${num(sc.auditBytesPer1000PerName / 1024)} KiB`,
      ratio: `${times(sc.auditBytesPer1000PerName / sc.auditBytesPer1000)} smaller`,
      target: '≥ 3× smaller',
      pass: sc.auditBytesPer1000PerName / sc.auditBytesPer1000 >= 3,
      values: { bytes: sc.auditBytesPer1000, perNameBytes: sc.auditBytesPer1000PerName },
      note: 'table and indexes (pg_total_relation_size after VACUUM); the baseline is a table of the audit\'s shape and indexes holding the records read_secrets wrote before migration 7.',
    });

    progress('command line: lint --offline and render (embedded store) as fresh processes');
    const c = await benchCli();
    details.cli = c;
    const lintRatio = c.lintMs / c.nodeBareMs;
    rows.push({
      figure: '`secretref lint FILE` process, no store (--offline)',
      ours: `${ms(c.lintMs)} wall`,
      baseline: `node -e 0: ${ms(c.nodeBareMs)}`,
      ratio: `${times(lintRatio)}`,
      target: '≤ 2× node -e 0',
      pass: lintRatio <= 2,
      values: { ms: c.lintMs, nodeBareMs: c.nodeBareMs, ratio: lintRatio },
      note:
        `median of ${c.lintRounds} runs of \`node dist/cli/main.js lint --offline ${LINT_FILE}\`, taking turns with \`node -e 0\` and the 1,000-file lint; Node.js itself takes ${ms(c.nodeBareMs)} of it here, ` +
        `secretref's start-up and the lint ${ms(c.lintMs - c.nodeBareMs)}: the launcher loads the one-file bundle with the V8 code cache the build made (docs/development.md), then runs yaml, nunjucks' parser, commander and the syntax and lint stages cold — not the store, the renderer or zod; \`--version\` and \`--help\` run none of the libraries.`,
    });
    const manyRatio = c.lintManyMs / c.lintMs;
    rows.push({
      figure: `\`secretref lint DIR\` process, ${num(c.manyFiles)} files (--offline)`,
      ours: `${ms(c.lintManyMs)} wall`,
      baseline: `one file: ${ms(c.lintMs)}`,
      ratio: `${times(manyRatio)}`,
      target: '≤ 4× the single file',
      pass: manyRatio <= 4,
      values: { ms: c.lintManyMs, singleFileMs: c.lintMs, files: c.manyFiles, ratio: manyRatio },
      note: `median of ${c.lintRounds} fresh processes linting a folder of ${num(c.manyFiles)} copies of the example tools (fixtures/tools), in turns with the single-file lint; each file is read synchronously, then parsed (strict JSON and block YAML in one pass by src/syntax/json-fast.ts and yaml-fast.ts, anything else by yaml) and linted.`,
    });
    const p = c.renderPhases;
    const renderRatio = c.renderMs / c.nodeBareMs;
    rows.push({
      figure: '`secretref render FILE` process, embedded store, cold',
      ours: `${ms(c.renderMs)} wall`,
      baseline: `node -e 0: ${ms(c.nodeBareMs)}`,
      ratio: `${times(renderRatio)}`,
      target: '≤ 10× node -e 0',
      pass: renderRatio <= 10,
      values: { ms: c.renderMs, ratio: renderRatio, ...p },
      note:
        `median of ${c.runs} runs on a store folder created beforehand. Phase by phase, in one fresh process on the library's unbundled modules (dist/, as an application would; the CLI loads its code-cached bundle instead): loading the modules ${ms(p.importModules)}, ` +
        `PGlite boot (WebAssembly + data folder) ${ms(p.pgliteBoot)}, migrations check ${ms(p.migrationsCheck)}, ` +
        `opening the store on the booted instance ${ms(p.openStoreShared)}, first store query (resolve + decrypt; pgcrypto's module loads here) ${ms(p.firstStoreQuery)}, ` +
        `render ${ms(p.render)}, close ${ms(p.close)}; the rest is Node.js start-up (${ms(c.nodeBareMs)}).`,
    });
    const agentRatio = c.renderAgentMs / c.nodeBareMs;
    rows.push({
      figure: '`secretref render FILE` process through a running store agent',
      ours: `${ms(c.renderAgentMs)} wall`,
      baseline: `node -e 0: ${ms(c.nodeBareMs)}`,
      ratio: `${times(agentRatio)}`,
      target: '≤ 4× node -e 0',
      pass: agentRatio <= 4,
      values: { ms: c.renderAgentMs, nodeBareMs: c.nodeBareMs, coldMs: c.renderMs, ratio: agentRatio },
      note:
        `median of ${c.runs} runs of the same render with \`secretref agent start\` run first (docs/agent.md): the process loads no PGlite, connects with pg over the agent's Unix socket, ` +
        `checks the migrations and resolves through the agent's one PGlite session; the cold render above boots PGlite itself (SECRETREF_AGENT=never, ${ms(c.renderMs)}).`,
    });
    progress('serve: warm POST /render over the Unix socket at 1/8/32 clients vs a CLI render process');
    const sv = await benchServe();
    details.serve = sv;
    for (const level of sv.levels) {
      rows.push({
        figure: `\`secretref serve\` warm render, ${level.clients} concurrent client${level.clients === 1 ? '' : 's'}`,
        ours: `p50 ${ms(level.p50Ms)}, p99 ${ms(level.p99Ms)} (${num(level.rendersPerSecond)}/s)`,
        baseline: `\`secretref render FILE\` process: ${ms(sv.cliRenderMs)}`,
        ratio: `${times(sv.cliRenderMs / level.p50Ms)} faster (p50)`,
        target: 'report',
        pass: null,
        values: { ...level, cliRenderMs: sv.cliRenderMs },
        ...(level.clients === 1
          ? { note: `${sv.file} over keep-alive connections to the Unix socket, after 50 warm-up renders; ${sv.storeQueriesWhileWarm} store queries during the timed renders; the CLI figure is the median of ${sv.cliRuns} fresh processes on the same embedded store.` }
          : {}),
      });
    }
    rows.push({
      figure: 'peak memory of that render process',
      ours: `${num(c.renderRssMiB)} MiB RSS`,
      baseline: '—',
      ratio: '—',
      target: '≤ 200 MiB',
      pass: c.renderRssMiB <= 200,
      values: { rssMiB: c.renderRssMiB },
      note: "median of 3 runs; the process's own peak resident set size (VmHWM of /proc/self/status at exit). The CLI boots PGlite with shared_buffers=16MB and max_connections=5 and compiles its WebAssembly with V8's baseline compiler only.",
    });
    rows.push({
      figure: 'memory: resolver cache with 100,000 entries',
      ours: `${num(v.cacheBytesPerEntry)} bytes/entry`,
      baseline: '—',
      ratio: '—',
      target: 'report; bounded by maxEntries',
      pass: v.cacheEntriesAfterOverflow <= 100_000,
      values: { bytesPerEntry: v.cacheBytesPerEntry, entriesAfter150k: v.cacheEntriesAfterOverflow },
      note: `heap growth per entry (name, 40-character value, metadata); after 150,000 inserts into a cache with maxEntries 100,000 it holds ${num(v.cacheEntriesAfterOverflow)}.`,
    });
  } finally {
    stopServer();
  }

  const report: Report = {
    version: 1,
    date: new Date().toISOString(),
    machine: m,
    command: 'npm run bench',
    seconds: (performance.now() - t0) / 1000,
    rows,
    details,
  };
  progress('done');
  return report;
}

print(fromFile ? (JSON.parse(readFileSync(fromFile, 'utf8')) as Report) : await measure());
