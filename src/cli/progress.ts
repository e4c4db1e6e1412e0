/** A progress bar on stderr, only when stderr is a terminal (cli-progress). */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { CliContext } from './context.js';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressBar(ctx: CliContext, label: string): Progress {
  if (!ctx.io.stderr.isTTY) return { update() {}, stop() {} };
  // Required only on a terminal: commands whose output is piped never load it at start-up.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, stream: ctx.io.stderr as NodeJS.WritableStream, hideCursor: true, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
