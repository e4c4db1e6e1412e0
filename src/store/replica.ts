/**
 * Reads from a hot standby (`readUrl`). Writes, migrations and LISTEN stay on the primary; reads
 * go to a pool on the standby, and three things keep them honest:
 *
 * - a **fence**: the primary's WAL position that a read must see replayed. It is raised by every
 *   transaction this store commits (the COMMIT's round trip returns `pg_current_wal_insert_lsn()`,
 *   so a rotate then a resolve in one process returns the new value) and by every change
 *   notification from elsewhere (the LISTEN connection, on the primary, is asked for its WAL
 *   position as the notification arrives: the write's commit lies before it). A read on the
 *   standby opens its transaction together with `pg_last_wal_replay_lsn()` and runs only when the
 *   standby has replayed that far; otherwise it looks again every INTERNAL_LIMITS.replicaPollMs up
 *   to replicaWaitMs, then reads from the primary. An invalidation therefore never reloads the old
 *   value from a standby that has not replayed the write yet.
 * - **routing**: while something listens for changes and the notification path is not `verified`,
 *   writes made elsewhere may go unseen, so the fence is unknown: reads go to the primary. A
 *   standby that cannot be reached is left alone for replicaBackoffMs (reads go to the primary).
 * - the **audit** of values read on the standby, which refuses writes: records wait in the process
 *   (AuditBuffer) and are written to the primary in batches, bounded; full means reads of values
 *   are refused until the primary takes them (fail closed), never an unaudited read.
 */
import { SecretrefError } from '../errors.js';
import { INTERNAL_LIMITS } from '../limits.js';
import { errorSqlState } from './db-errors.js';
import type { Driver, Queryable } from './driver.js';
import { WAL_POSITION } from './sql.js';
import type { ChangeHub } from './notify.js';
import * as st from './statements.js';
import type { SqlNames } from './statements.js';
import type { AuditBufferStats, ReadReplicaStatus, ReplicaReadStats } from './types.js';

/** An LSN `X/Y` (hex halves) as a number. */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new SecretrefError('STORE_UNAVAILABLE', 'The server returned a WAL position secretref does not understand.');
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** The WAL position reads must see replayed (see the module comment). */
export class ReadFence {
  #at = 0n;
  /** A position could not be learned: unknown until the next reset. */
  #unknown = false;
  readonly #pending = new Set<Promise<void>>();

  raise(lsn: string | null | undefined): void {
    if (!lsn) return;
    const v = parseLsn(lsn);
    if (v > this.#at) this.#at = v;
  }

  /** Changes may have been missed (the notification path dropped): no standby read until `track(…, true)`. */
  lose(): void {
    this.#unknown = true;
  }

  /**
   * A position on its way (asked as a notification arrived, or after LISTEN with `reset`: every
   * write committed before LISTEN lies before it). Reads wait for it.
   */
  track(position: Promise<string | null>, reset = false): void {
    const gen = this.#gen;
    const p: Promise<void> = position.then(
      (lsn) => {
        this.raise(lsn);
        if (gen !== this.#gen) return;
        if (lsn === null) this.lose();
        else if (reset) this.#unknown = false;
      },
      () => {
        if (gen === this.#gen) this.lose();
      },
    );
    const tracked = p.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /**
   * Nothing listens any more (the LISTEN connection closes): what was unknown about writes made
   * elsewhere no longer matters (no cache depends on it; the next LISTEN starts with `track(…, true)`),
   * and answers from that connection that fail are ignored.
   */
  idle(): void {
    this.#gen++;
    this.#unknown = false;
    this.#askFailed = false;
  }

  #gen = 0;
  #asking: Promise<void> | undefined;
  #askAgain = false;
  #askFailed = false;

  /**
   * A change was heard of: asks `position()` for the WAL position now. Coalesced: while one
   * question is on its way, later changes ask once more after it (its answer may predate them).
   */
  ask(position: () => Promise<string | null>): void {
    if (this.#asking) {
      this.#askAgain = true;
      return;
    }
    this.#asking = (async () => {
      do {
        this.#askAgain = false;
        const gen = this.#gen;
        try {
          const lsn = await position();
          this.raise(lsn);
          if (gen === this.#gen) this.#askFailed = lsn === null;
        } catch {
          // Unknown until a later question is answered (the next change, or the next probe).
          if (gen === this.#gen) this.#askFailed = true;
        }
      } while (this.#askAgain);
    })().finally(() => {
      this.#asking = undefined;
    });
  }

  /** The position to wait for, once the ones on their way have arrived (bounded); null: unknown. */
  async target(maxWaitMs: number): Promise<bigint | null> {
    const waiting = (): Promise<unknown>[] => [...this.#pending, ...(this.#asking ? [this.#asking] : [])];
    if (waiting().length > 0) await Promise.race([Promise.all(waiting()), sleep(maxWaitMs)]);
    return waiting().length > 0 || this.#unknown || this.#askFailed ? null : this.#at;
  }
}

/** One read's audit record, as `statements.auditBatch` writes it on the primary. */
interface PendingRecord {
  developerId: string;
  json: string;
}

/** A read's rows as the audit needs them. */
export interface AuditedRow {
  name: string;
  version: number;
  secret_id: unknown;
}

/** Audit records of reads made on the standby, on their way to the primary (module comment). */
export class AuditBuffer {
  #records: PendingRecord[] = [];
  #bytes = 0;
  #reserved = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #failedAt = -Infinity;
  /** Records (and bytes) of the flush on its way: still waiting until the primary has them. */
  #inFlight = 0;
  #inFlightBytes = 0;
  readonly #counts = { written: 0, dropped: 0, refused: 0, failedFlushes: 0 };

  constructor(
    private readonly primary: Driver,
    private readonly n: SqlNames,
    private readonly onWarning: (message: string, code: string) => void,
  ) {}

  stats(): AuditBufferStats {
    return { pending: this.#records.length + this.#inFlight, pendingBytes: this.#bytes + this.#inFlightBytes, ...this.#counts };
  }

  #full(): boolean {
    const records = this.#records.length + this.#inFlight + this.#reserved;
    return records >= INTERNAL_LIMITS.auditBufferRecords || this.#bytes + this.#inFlightBytes >= INTERNAL_LIMITS.auditBufferBytes;
  }

  /** Before a read of values on the standby: room for its record, or STORE_UNAVAILABLE (fail closed). */
  async reserve(): Promise<void> {
    // Full: one attempt to make room, unless one just failed (a down primary would cost every read a connect timeout).
    if (this.#full() && performance.now() - this.#failedAt > INTERNAL_LIMITS.auditFlushMs) await this.flush().catch(() => undefined);
    if (this.#full()) {
      this.#counts.refused++;
      throw new SecretrefError(
        'STORE_UNAVAILABLE',
        `Reading secret values is refused: ${this.#records.length + this.#inFlight} audit records of reads on the standby are waiting for the primary, ` +
          `the most this process keeps (${INTERNAL_LIMITS.auditBufferRecords} records or ${INTERNAL_LIMITS.auditBufferBytes} bytes), and no value is read unaudited. ` +
          'Check that the primary (the database URL, SECRETREF_DATABASE_URL) is reachable; reads resume once the records are written.',
      );
    }
    this.#reserved++;
  }

  /** The reserved record was not needed (the read went to the primary, which audits it itself, or failed). */
  release(): void {
    if (this.#reserved > 0) this.#reserved--;
  }

  /** Records the read of `rows` by `developerId` (none when no row was found) and releases the reservation. */
  add(developerId: string, action: 'resolve' | 'reveal', rows: readonly AuditedRow[]): void {
    this.release();
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    const names = sorted.map((r) => r.name);
    const json = JSON.stringify({
      secret_id: sorted.length === 1 ? String(sorted[0]?.secret_id) : null,
      name: names[0],
      names,
      action,
      detail: { versions: Object.fromEntries(sorted.map((r) => [r.name, r.version])) },
      at: new Date().toISOString(),
    });
    if (this.#closed) {
      // A read that was on its way when the store closed: nothing will write its record any more.
      this.#counts.dropped++;
      this.onWarning('1 audit record of a read on the standby finished after the store closed, and is lost.', 'SECRETREF_AUDIT_LOST');
      return;
    }
    this.#records.push({ developerId, json });
    this.#bytes += json.length;
    if (this.#records.length >= INTERNAL_LIMITS.auditFlushRecords) void this.flush().catch(() => undefined);
    else if (!this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush().catch(() => undefined);
      }, INTERNAL_LIMITS.auditFlushMs);
      this.#timer.unref();
    }
  }

  /** Writes every waiting record to the primary (one transaction); on failure they stay and are retried. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => undefined);
    if (this.#records.length === 0) return;
    const batch = this.#records;
    this.#records = [];
    const bytes = this.#bytes;
    this.#bytes = 0;
    this.#inFlight = batch.length;
    this.#inFlightBytes = bytes;
    this.#flushing = (async () => {
      try {
        const byDeveloper = new Map<string, string[]>();
        for (const r of batch) {
          const list = byDeveloper.get(r.developerId) ?? [];
          list.push(r.json);
          byDeveloper.set(r.developerId, list);
        }
        await this.primary.transaction(async (tx) => {
          for (const [developerId, list] of byDeveloper) {
            const begin = st.beginTenant(this.n, developerId);
            await tx.query(begin.text, begin.params);
            const s = st.appendAudit(this.n, { developerId, records: `[${list.join(',')}]` });
            await tx.query(s.text, s.params);
          }
        });
        this.#counts.written += batch.length;
      } catch (e) {
        this.#counts.failedFlushes++;
        this.#failedAt = performance.now();
        this.#records = batch.concat(this.#records);
        this.#bytes += bytes;
        if (!this.#timer && !this.#closed) {
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            void this.flush().catch(() => undefined);
          }, INTERNAL_LIMITS.auditFlushMs);
          this.#timer.unref();
        }
        throw e;
      } finally {
        this.#inFlight = 0;
        this.#inFlightBytes = 0;
        this.#flushing = undefined;
      }
    })();
    await this.#flushing;
  }

  /** Flushes once more; what the primary does not take then is lost, counted and warned about. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.flush();
    } catch {
      const lost = this.#records.length;
      this.#counts.dropped += lost;
      this.#records = [];
      this.#bytes = 0;
      this.onWarning(
        `${lost} audit records of reads on the standby could not be written to the primary before the store closed, and are lost.`,
        'SECRETREF_AUDIT_LOST',
      );
    }
  }
}

/** Connection-level failures: the standby cannot be used, the primary may still answer. */
function unreachable(e: unknown): boolean {
  if (!(e instanceof SecretrefError) || e.code !== 'STORE_UNAVAILABLE') return false;
  const state = errorSqlState(e);
  return state === undefined || state.startsWith('08') || state.startsWith('57P') || state.startsWith('53');
}

/** Routes a store's reads between the standby pool and the primary (module comment). */
export class ReplicaReads {
  readonly audit: AuditBuffer;
  #downUntil = 0;
  #impatientUntil = 0;
  readonly #counts = { replica: 0, primary: 0, waits: 0, replicaErrors: 0 };

  constructor(
    readonly fence: ReadFence,
    readonly pool: Driver,
    private readonly primary: Driver,
    private readonly hub: ChangeHub,
    n: SqlNames,
    onWarning: (message: string, code: string) => void,
  ) {
    this.audit = new AuditBuffer(primary, n, onWarning);
    hub.feed(fence);
  }

  stats(): ReplicaReadStats {
    return { ...this.#counts };
  }

  /** Reads may go to the standby: it is up, and every write made elsewhere is heard of (or nothing listens). */
  #routable(): boolean {
    if (performance.now() < this.#downUntil) return false;
    return !this.hub.subscribed || this.hub.notifications().state === 'verified';
  }

  /**
   * `onStandby` on the read pool once its server has replayed the fence (`standby`: it is in
   * recovery; false when readUrl leads to a primary), else `onPrimary` on the primary.
   */
  async read<T>(onStandby: (tx: Queryable, standby: boolean) => Promise<T>, onPrimary: (q: Queryable) => Promise<T>): Promise<T> {
    const readTransaction = this.pool.readTransaction?.bind(this.pool);
    if (readTransaction && this.#routable()) {
      const target = await this.fence.target(INTERNAL_LIMITS.replicaWaitMs);
      if (target !== null) {
        // A standby that made a read give up lately gets one look per read, not a wait, for a while.
        const patient = performance.now() >= this.#impatientUntil;
        const deadline = performance.now() + (patient ? INTERNAL_LIMITS.replicaWaitMs : 0);
        for (let first = true; ; first = false) {
          try {
            const r = await readTransaction(async (tx, at) => {
              if (at.recovery && (at.lsn === null || parseLsn(at.lsn) < target)) return { ok: false as const };
              return { ok: true as const, value: await onStandby(tx, at.recovery) };
            });
            if (r.ok) {
              this.#counts.replica++;
              this.#impatientUntil = 0;
              return r.value;
            }
          } catch (e) {
            if (!unreachable(e)) throw e;
            this.#counts.replicaErrors++;
            this.#downUntil = performance.now() + INTERNAL_LIMITS.replicaBackoffMs;
            break;
          }
          if (first) this.#counts.waits++;
          if (performance.now() + INTERNAL_LIMITS.replicaPollMs > deadline) {
            if (patient) this.#impatientUntil = performance.now() + INTERNAL_LIMITS.replicaBackoffMs;
            break;
          }
          await sleep(INTERNAL_LIMITS.replicaPollMs);
        }
      }
    }
    this.#counts.primary++;
    return await onPrimary(this.primary);
  }

  /** What `readUrl` leads to and how far behind the primary it is (doctor). */
  async status(): Promise<ReadReplicaStatus> {
    const rt = this.pool.readTransaction?.bind(this.pool);
    if (!rt) throw new SecretrefError('STORE_UNAVAILABLE', 'The read pool cannot report where it stands.');
    const at = await rt(async (_tx, position) => position);
    const primary = (await this.primary.query<{ lsn: string }>(WAL_POSITION))[0]?.lsn;
    const behind = at.recovery && at.lsn !== null && primary ? parseLsn(primary) - parseLsn(at.lsn) : null;
    return { standby: at.recovery, replayLsn: at.lsn, primaryLsn: primary ?? null, bytesBehind: behind === null ? null : Number(behind > 0n ? behind : 0n) };
  }

  async close(): Promise<void> {
    await this.audit.close();
    await this.pool.close();
  }
}
