/**
 * A second process for the store's multi-process tests, run as
 * `node --import tsx test/helpers/store-child.ts COMMAND JSON`. Keys come from the environment
 * (SECRETS_MASTER_KEY, SECRETREF_CHILD_NEW_KEY), never from argv. Prints one JSON line per event.
 */
import { openStore } from '../../src/store/open.js';

interface Args {
  url: string;
  schema: string;
  developerId?: string;
  prefix?: string;
  count?: number;
  batchSize?: number;
  lockTimeoutMs?: number;
}

const say = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function main(): Promise<void> {
  const [cmd, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? '{}') as Args;
  const started = Date.now();
  const store = await openStore({ url: args.url, schema: args.schema, ...(args.lockTimeoutMs ? { lockTimeoutMs: args.lockTimeoutMs } : {}) });
  say({ event: 'open', ms: Date.now() - started, pid: process.pid });
  if (cmd === 'rekey') {
    const result = await store.rekey(process.env.SECRETREF_CHILD_NEW_KEY ?? '', {
      batchSize: args.batchSize ?? 10,
      onProgress: (p) => say({ event: 'progress', ...p }),
    });
    say({ event: 'done', rekeyed: result.rekeyed });
  } else if (cmd === 'write') {
    const dev = store.scope(args.developerId ?? '00000000-0000-0000-0000-000000000000');
    for (let i = 0; i < (args.count ?? 1); i++) {
      await dev.create({ name: `${args.prefix ?? 'w'}_${i}`, value: `value-${args.prefix ?? 'w'}-${i}` });
    }
    say({ event: 'done' });
  } else if (cmd === 'hold') {
    say({ event: 'holding' });
    await new Promise((resolve) => process.stdin.once('close', resolve).resume());
  } else if (cmd !== 'open') {
    throw new Error(`unknown command ${cmd}`);
  }
  await store.close();
  say({ event: 'closed' });
}

main().catch((e: unknown) => {
  const err = e as { code?: string; message?: string };
  say({ event: 'error', code: err.code, message: err.message });
  process.exitCode = 1;
});
