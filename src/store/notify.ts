/**
 * Change notifications. Writes through a store object are announced to its listeners at once;
 * every write also runs `pg_notify` in its own transaction, and a dedicated LISTEN connection
 * (opened on the first subscribe, to `notifyUrl` when given) carries other store objects' and
 * other processes' writes. When that connection drops, listeners get `{ type: 'reset' }` (changes
 * may have been missed), the connection is re-established with backoff, and `reset` is sent
 * again once it is back.
 *
 * A LISTEN that succeeds does not prove notifications arrive: behind a transaction pooler they
 * are dropped silently. So after LISTEN the hub sends itself a probe notification through the
 * store's own connections (the path every writer's NOTIFY takes) and waits for it on the LISTEN
 * connection, and probes again every INTERNAL_LIMITS.notifyProbeIntervalMs. The outcome is the
 * `NotificationState` a resolver reads to decide how long it may trust its cache.
 */
import { INTERNAL_LIMITS } from '../limits.js';
import { randomUUID } from 'node:crypto';
import type { Driver, ListenConnection, Queryable } from './driver.js';
import type { ReadFence } from './replica.js';
import { NOTIFY_CHANNEL } from './sql.js';
import type { NotificationState, NotificationStatus, StoreEvent, StoreListener } from './types.js';

/** pg_notify payloads must stay under 8000 bytes. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Payload {
  s: string;
  d: string;
  n: string[];
  o: string;
  /** A probe's id (no `d`, no `n`). */
  p?: string;
}

export class ChangeHub {
  /** Identifies this store object's own notifications (already delivered locally). */
  readonly origin = randomUUID();
  private readonly listeners = new Set<StoreListener>();
  private conn: ListenConnection | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private status: NotificationStatus;
  /** Probes on their way: id → called when it arrives. */
  private readonly probes = new Map<string, () => void>();
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly driver: Driver,
    private readonly schema: string,
  ) {
    // Embedded in this process: no other process can open the database, and PGlite delivers
    // every notification. Through the store agent, other processes write too: LISTEN it is.
    this.local = (driver.backend === 'embedded' && driver.viaAgent !== true) || !driver.listen;
    this.status = { state: this.local ? 'local' : 'connecting', probeMs: null, since: Date.now() };
  }

  private readonly local: boolean;
  /** With `readUrl`: told the primary's WAL position as changes are heard of (replica.ts). */
  private fence: ReadFence | undefined;

  /** Feeds `fence` from the LISTEN connection from now on. */
  feed(fence: ReadFence): void {
    this.fence = fence;
  }

  /** Something listens for changes (the LISTEN connection is wanted). */
  get subscribed(): boolean {
    return this.listeners.size > 0 && !this.closed;
  }

  /** Whether changes made elsewhere reach this store object. */
  notifications(): NotificationStatus {
    return { ...this.status };
  }

  private setState(state: NotificationState, probeMs: number | null = this.status.probeMs): void {
    if (this.local) return;
    if (state !== this.status.state) this.status = { state, probeMs, since: Date.now() };
    else this.status.probeMs = probeMs;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    if (!this.closed && this.driver.listen && !this.conn && !this.connecting && !this.retry) {
      void this.connect(false);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Resolves once notifications from elsewhere are being received and the first probe has settled (or they cannot be). */
  async listening(): Promise<void> {
    await this.connecting;
  }

  emit(event: StoreEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // a failing listener must not break the write that triggered it
      }
    }
  }

  /** Announces a committed write locally. */
  changed(developerId: string, names: string[]): void {
    if (names.length) this.emit({ type: 'change', developerId, names: [...new Set(names)] });
  }

  /** Queues the NOTIFY of a write inside its transaction (delivered on commit only). */
  async notify(tx: Queryable, developerId: string, names: string[]): Promise<void> {
    for (const chunk of chunkNames([...new Set(names)])) {
      const payload: Payload = { s: this.schema, d: developerId, n: chunk, o: this.origin };
      await tx.query('select pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify(payload)]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    // A probe on its way must not hold the close up for its timeout (its outcome is ignored now).
    for (const settle of this.probes.values()) settle();
    this.stop();
    await this.connecting?.catch(() => undefined);
  }

  private stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    const c = this.conn;
    this.conn = undefined;
    void c?.close();
    this.fence?.idle();
    this.setState('connecting');
  }

  /**
   * Sends a probe through the store's connections and waits for it on `conn`. A probe that does
   * not arrive makes the state `unverified`; after `verified`, listeners get a reset as well
   * (changes may have been missed since the last probe that arrived).
   */
  private async probe(conn: ListenConnection): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    const id = randomUUID();
    const started = performance.now();
    try {
      const arrived = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), INTERNAL_LIMITS.notifyProbeTimeoutMs);
        timer.unref();
        this.probes.set(id, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      const payload: Omit<Payload, 'd' | 'n'> = { s: this.schema, o: this.origin, p: id };
      let sent = true;
      try {
        await this.driver.notify?.(NOTIFY_CHANNEL, JSON.stringify(payload));
      } catch {
        sent = false; // the store is unreachable: nothing was verified
      }
      const ok = sent && (await arrived);
      if (this.conn !== conn || this.closed) return;
      if (ok) {
        this.setState('verified', Math.round(performance.now() - started));
        // Every write notified before the probe lies before this position (and a failed question is answered).
        if (this.fence && conn.walLsn) this.fence.ask(() => conn.walLsn?.() ?? Promise.resolve(null));
      }
      else {
        const was = this.status.state;
        this.setState('unverified');
        if (was === 'verified') this.emit({ type: 'reset' });
      }
    } finally {
      this.probes.delete(id);
      this.probing = false;
    }
  }

  private connect(afterLoss: boolean): Promise<void> {
    const listen = this.driver.listen?.bind(this.driver);
    if (!listen) return Promise.resolve();
    this.connecting = (async () => {
      try {
        const conn = await listen(NOTIFY_CHANNEL);
        if (this.closed || this.listeners.size === 0) {
          await conn.close();
          return;
        }
        if (conn.inRecovery) {
          // A standby cannot LISTEN (and is not where writers NOTIFY): say so, try again later.
          await conn.close();
          this.setState('standby');
          this.schedule();
          return;
        }
        this.conn = conn;
        this.failures = 0;
        // Every write committed before LISTEN lies before this position; later ones are notified.
        if (this.fence) this.fence.track(conn.walLsn ? conn.walLsn() : Promise.resolve(null), true);
        conn.onNotification((p) => this.deliver(p));
        conn.onLost(() => {
          if (this.conn !== conn) return;
          this.conn = undefined;
          if (this.probeTimer) clearInterval(this.probeTimer);
          this.probeTimer = undefined;
          this.setState('lost');
          this.fence?.lose();
          this.emit({ type: 'reset' });
          this.schedule();
        });
        if (afterLoss) this.emit({ type: 'reset' });
        if (this.local) return;
        await this.probe(conn);
        if (this.conn === conn && !this.probeTimer) {
          this.probeTimer = setInterval(() => void this.probe(conn), INTERNAL_LIMITS.notifyProbeIntervalMs);
          this.probeTimer.unref();
        }
      } catch {
        if (this.status.state !== 'standby') this.setState('lost');
        this.schedule();
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private schedule(): void {
    if (this.closed || this.listeners.size === 0 || this.retry) return;
    const delay = Math.min(5_000, 100 * 2 ** this.failures++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect(true);
    }, delay);
    this.retry.unref();
  }

  private deliver(raw: string): void {
    let p: Partial<Payload>;
    try {
      p = JSON.parse(raw) as Partial<Payload>;
    } catch {
      return;
    }
    if (p.s !== this.schema) return;
    if (typeof p.p === 'string') {
      if (p.o === this.origin) this.probes.get(p.p)?.();
      return;
    }
    if (p.o === this.origin || typeof p.d !== 'string' || !UUID.test(p.d)) return;
    if (!Array.isArray(p.n) || !p.n.every((n) => typeof n === 'string')) return;
    // Before the listeners drop their caches: a reload waits until the standby has replayed this write.
    const conn = this.conn;
    if (this.fence) this.fence.ask(() => (conn?.walLsn ? conn.walLsn() : Promise.resolve(null)));
    this.changed(p.d, p.n);
  }
}

function chunkNames(names: string[]): string[][] {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const n of names) {
    if (size + n.length + 3 > INTERNAL_LIMITS.notifyPayloadBytes - 200 && cur.length) {
      chunks.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(n);
    size += n.length + 3;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}
