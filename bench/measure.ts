/**
 * Shared measuring helpers of `npm run bench`: medians of tinybench samples, the machine the run
 * happens on, and wall time of child processes.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { Bench } from 'tinybench';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  memoryGiB: number;
  /** 1-minute load average when the run started: other work on the machine skews absolute times. */
  loadAverage: number;
}

/** CPU model from /proc/cpuinfo (falls back to os.cpus()), cores, node version. */
export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu,
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface Sampled {
  /** Median of the samples, ms. */
  medianMs: number;
  samples: number;
}

/**
 * Median latency (ms) of each task, measured by tinybench in one Bench (warm-up, then samples
 * interleaved by task order), so ratios between the tasks come from the same run.
 */
export async function medians(
  tasks: Record<string, () => unknown>,
  opts: { time?: number; iterations?: number; warmupIterations?: number } = {},
): Promise<Record<string, Sampled>> {
  const bench = new Bench({
    time: opts.time ?? 500,
    iterations: opts.iterations ?? 10,
    warmup: true,
    warmupIterations: opts.warmupIterations ?? 5,
    warmupTime: 100,
  });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out: Record<string, Sampled> = {};
  for (const name of Object.keys(tasks)) {
    const task = bench.getTask(name);
    const r = task?.result as { state?: string; error?: unknown; latency?: { p50: number; samplesCount: number } } | undefined;
    if (r?.error) throw r.error;
    if (!r?.latency) throw new Error(`bench task ${name} has no result (${r?.state ?? 'not run'})`);
    out[name] = { medianMs: r.latency.p50, samples: r.latency.samplesCount };
  }
  return out;
}

/** Wall ms of one child process run to completion; throws with its stderr when it fails. */
export function wallMs(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  return ms;
}
