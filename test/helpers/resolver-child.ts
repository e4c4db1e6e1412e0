/**
 * A process with a resolver over a store, for the multi-process invalidation tests, run as
 * `node --import tsx test/helpers/resolver-child.ts watch JSON`. The key comes from the
 * environment (SECRETS_MASTER_KEY), never from argv. Resolves `name` every `pollMs` and prints one
 * JSON line when it is ready and one each time the version it sees changes (versions, never values).
 */
import { createResolver } from '../../src/resolve/resolver.js';
import { openStore } from '../../src/store/open.js';

interface Args {
  url: string;
  notifyUrl?: string;
  readUrl?: string;
  schema: string;
  developerId: string;
  name: string;
  ttlMs: number;
  pollMs: number;
}

const say = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function main(): Promise<void> {
  const [cmd, json] = process.argv.slice(2);
  if (cmd !== 'watch') throw new Error(`unknown command ${cmd}`);
  const a = JSON.parse(json ?? '{}') as Args;
  const store = await openStore({ url: a.url, schema: a.schema, ...(a.notifyUrl ? { notifyUrl: a.notifyUrl } : {}), ...(a.readUrl ? { readUrl: a.readUrl } : {}) });
  const r = createResolver(store, { developerId: a.developerId, ttlMs: a.ttlMs });
  await store.listening();
  const version = async (): Promise<number | undefined> => (await r.resolve({ names: [a.name] })).values.get(a.name)?.version;
  let last = await version();
  say({ event: 'ready', version: last, notifications: r.stats().notifications, probeMs: store.notifications?.().probeMs ?? null, reads: store.stats().replica?.reads ?? null });
  let stopped = false;
  process.stdin.once('close', () => void (stopped = true)).resume();
  while (!stopped) {
    await new Promise((res) => setTimeout(res, a.pollMs));
    const v = await version().catch(() => last);
    if (v !== last) {
      last = v;
      say({ event: 'changed', version: v, at: Date.now(), storeQueries: r.stats().storeQueries, reads: store.stats().replica?.reads ?? null });
    }
  }
  r.close();
  await store.close();
}

main().catch((e: unknown) => {
  const err = e as { code?: string; message?: string };
  say({ event: 'error', code: err.code, message: err.message });
  process.exitCode = 1;
});
