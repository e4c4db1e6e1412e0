/**
 * The process the crash suites kill: `node --import tsx test/helpers/crash-child.ts COMMAND JSON`.
 * Keys come from the environment (SECRETS_MASTER_KEY, SECRETREF_CHILD_NEW_KEY, SECRETREF_CHILD_OTHER_KEY), never argv. After
 * each operation the library acknowledged, it prints one JSON line (`ack`); Linux writes to a pipe
 * synchronously, so an ack the parent read is an operation that had returned.
 */
import { openStore } from '../../src/store/open.js';
import { secretName, valueOf } from './canary.js';

interface Args {
  url: string;
  schema: string;
  /** Secret i belongs to developers[i % developers.length]. */
  developers: string[];
  from?: number;
  count?: number;
  gen?: number;
  graceMs?: number;
  batchSize?: number;
  /** migrate: the target store (its key in SECRETREF_CHILD_NEW_KEY). */
  to?: { url: string; schema: string };
}

const say = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function main(): Promise<void> {
  const [cmd, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? '{}') as Args;
  const store = await openStore({ url: args.url, schema: args.schema, lockTimeoutMs: 60_000 });
  say({ event: 'open', pid: process.pid });
  const dev = (i: number): string => args.developers[i % args.developers.length] as string;
  const from = args.from ?? 0;
  const count = args.count ?? 0;
  if (cmd === 'rotate') {
    // With SECRETREF_CHILD_OTHER_KEY (the new key of a rekey running meanwhile), a row the rekey
    // already moved is rotated under that key: a write must hold the key of the row it replaces.
    const otherKey = process.env.SECRETREF_CHILD_OTHER_KEY;
    const other = otherKey ? await openStore({ url: args.url, schema: args.schema, masterKey: otherKey, lockTimeoutMs: 60_000 }) : undefined;
    for (let i = from; i < count; i++) {
      const rotate = (s: typeof store) => s.scope(dev(i)).rotate(secretName(i), valueOf(i, args.gen ?? 1), { graceMs: args.graceMs ?? 3_600_000 });
      await rotate(store).catch((e: unknown) => {
        if (other && (e as { code?: string }).code === 'ENCRYPTION_ERROR') return rotate(other);
        throw e;
      });
      say({ event: 'ack', i });
    }
    await other?.close();
  } else if (cmd === 'write') {
    for (let i = from; i < count; i++) {
      await store.scope(dev(i)).create({ name: secretName(i), value: valueOf(i, 0), metadata: { i } });
      say({ event: 'ack', i });
    }
  } else if (cmd === 'rekey') {
    const result = await store.rekey(process.env.SECRETREF_CHILD_NEW_KEY ?? '', {
      batchSize: args.batchSize ?? 10,
      onProgress: (p) => say({ event: 'progress', ...p }),
    });
    say({ event: 'rekeyed', rekeyed: result.rekeyed, otherKeys: result.otherKeys });
  } else if (cmd === 'migrate') {
    if (!args.to) throw new Error('migrate needs args.to');
    const target = await openStore({ url: args.to.url, schema: args.to.schema, masterKey: process.env.SECRETREF_CHILD_NEW_KEY ?? '', lockTimeoutMs: 60_000 });
    const r = await store.migrateTo!(target, { onProgress: (p) => say({ event: 'progress', ...p }) });
    say({ event: 'migrated', copied: r.copied, alreadyThere: r.alreadyThere, verified: r.verified, mismatches: r.mismatches.length });
    await target.close();
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
  await store.close();
  say({ event: 'done' });
}

main().catch((e: unknown) => {
  const err = e as { code?: string };
  say({ event: 'error', code: err.code ?? 'uncatalogued' });
  process.exitCode = 1;
});
