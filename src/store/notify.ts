/**
 * Change notifications. Writes through a store object are announced to its listeners at once;
 * every write also runs `pg_notify` in its own transaction, and a dedicated LISTEN connection
 * (opened on the first subscribe) carries other store objects' and other processes' writes. When
 * that connection drops, listeners get `{ type: 'reset' }` (changes may have been missed), the
 * connection is re-established with backoff, and `reset` is sent again once it is back.
 */
import { INTERNAL_LIMITS } from '../limits.js';
import { randomUUID } from 'node:crypto';
import type { Driver, ListenConnection, Queryable } from './driver.js';
import { NOTIFY_CHANNEL } from './sql.js';
import type { StoreEvent, StoreListener } from './types.js';

/** pg_notify payloads must stay under 8000 bytes. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Payload {
  s: string;
  d: string;
  n: string[];
  o: string;
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

  constructor(
    private readonly driver: Driver,
    private readonly schema: string,
  ) {}

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

  /** Resolves once notifications from elsewhere are being received (or cannot be). */
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
    this.stop();
    await this.connecting?.catch(() => undefined);
  }

  private stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const c = this.conn;
    this.conn = undefined;
    void c?.close();
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
        this.conn = conn;
        this.failures = 0;
        conn.onNotification((p) => this.deliver(p));
        conn.onLost(() => {
          if (this.conn !== conn) return;
          this.conn = undefined;
          this.emit({ type: 'reset' });
          this.schedule();
        });
        if (afterLoss) this.emit({ type: 'reset' });
      } catch {
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
    if (p.s !== this.schema || p.o === this.origin || typeof p.d !== 'string' || !UUID.test(p.d)) return;
    if (!Array.isArray(p.n) || !p.n.every((n) => typeof n === 'string')) return;
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
