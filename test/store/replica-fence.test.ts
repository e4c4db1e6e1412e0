/**
 * The read fence of `readUrl` (src/store/replica.ts) without a database: LSN order, the wait for
 * positions on their way, coalesced questions, and what makes the position unknown (reads then go
 * to the primary). The behaviour against a real standby is test/integration/store-replica.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ReadFence, parseLsn } from '../../src/store/replica.js';

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the read fence', () => {
  it('orders LSNs by both halves, and refuses what is not one', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/3000028')).toBe(0x3000028n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(parseLsn('A/1') - parseLsn('A/0')).toBe(1n);
    for (const bad of ['', '0', '0/', 'x/1', '0/123456789', '1/2/3']) expect(() => parseLsn(bad)).toThrow(/WAL position/);
  });

  it('only ever rises', async () => {
    const f = new ReadFence();
    expect(await f.target(10)).toBe(0n);
    f.raise('0/500');
    f.raise('0/400');
    f.raise(null);
    expect(await f.target(10)).toBe(0x500n);
  });

  it('waits for a position on its way, and gives up (unknown) after the bound', async () => {
    const f = new ReadFence();
    const d = deferred<string | null>();
    f.track(d.promise);
    const t = f.target(1_000);
    d.resolve('0/900');
    expect(await t).toBe(0x900n);
    const slow = deferred<string | null>();
    f.track(slow.promise);
    expect(await f.target(20)).toBeNull();
    slow.resolve('0/901');
    expect(await f.target(20)).toBe(0x901n);
  });

  it('asks once at a time, and once more for changes heard while a question was on its way', async () => {
    const f = new ReadFence();
    const answers = [deferred<string | null>(), deferred<string | null>()];
    let asked = 0;
    const position = (): Promise<string | null> => (answers[asked++] as { promise: Promise<string | null> }).promise;
    f.ask(position);
    f.ask(position);
    f.ask(position);
    expect(asked).toBe(1);
    const t = f.target(1_000);
    answers[0]?.resolve('0/10');
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toBe(2);
    answers[1]?.resolve('0/20');
    expect(await t).toBe(0x20n);
  });

  it('a failed question, or a lost connection, makes it unknown until answered or reset', async () => {
    const f = new ReadFence();
    f.ask(() => Promise.reject(new Error('connection lost')));
    expect(await f.target(100)).toBeNull();
    f.ask(() => Promise.resolve('0/30'));
    expect(await f.target(100)).toBe(0x30n);
    f.lose();
    expect(await f.target(100)).toBeNull();
    f.track(Promise.resolve('0/40'));
    expect(await f.target(100)).toBeNull();
    f.track(Promise.resolve('0/50'), true);
    expect(await f.target(100)).toBe(0x50n);
  });

  it('once nothing listens, failures of the old connection no longer count', async () => {
    const f = new ReadFence();
    const d = deferred<string | null>();
    f.track(d.promise, true);
    f.lose();
    f.idle();
    d.reject(new Error('closed'));
    expect(await f.target(100)).toBe(0n);
  });
});
