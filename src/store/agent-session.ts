/**
 * The one PGlite session of the store agent, as handed to pglite-socket's PGLiteSocketServer.
 *
 * PGlite is one PostgreSQL session. pglite-socket multiplexes its clients onto it one protocol
 * message at a time and keeps a client's turn only while PGlite reports an explicit transaction
 * block (`isInTransaction()`). That is not enough: an extended-protocol exchange (Parse, Bind,
 * Describe, Execute … Sync, which is what `pg` sends for every parameterised query) is one unit
 * of the session too — its unnamed statement and portal, and after an error the skipping of
 * everything up to Sync. When a client's messages arrive in more than one read (a large value),
 * another client's Parse lands in between, and the first client's Bind runs the other's
 * statement with its own parameters (found by test/integration/agent-interleaving.test.ts,
 * whose error then even quoted the other client's parameter).
 *
 * So the session below reports "in a transaction" from the protocol itself: a client keeps its
 * turn until PGlite's answer to its Sync or simple Query ends in ReadyForQuery with status `I`
 * (idle). Status `T`/`E` (an explicit transaction, or a failed one) and any message without a
 * ReadyForQuery keep the turn. When a client leaves in the middle, pglite-socket calls
 * `exec('ROLLBACK')`: here that first ends a half-sent exchange with a Sync, then rolls back an
 * open transaction block, so the next client starts on a clean session.
 *
 * The same scan picks NotificationResponse messages out of the answers (the agent's session
 * LISTENs on the store's channel), for the agent to pass on to its subscribers. Nothing here
 * keeps or prints what passes through: statements carry per-tenant keys as parameters.
 */
import type { PGlite } from '@electric-sql/pglite';

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/** What of PGlite pglite-socket's query queue uses (checked by the interleaving test). */
export type SocketSession = Pick<PGlite, 'waitReady' | 'isInTransaction' | 'runExclusive' | 'execProtocolRawStream' | 'exec'>;

/** Splits a stream of backend messages; calls `onNotification` for each NotificationResponse. */
class BackendScanner {
  private pending = Buffer.alloc(0);
  /** Status byte of the last ReadyForQuery seen in the current answer, or 0. */
  readyStatus = 0;

  constructor(private readonly onNotification: (channel: string, payload: string) => void) {}

  begin(): void {
    this.readyStatus = 0;
  }

  feed(chunk: Uint8Array): void {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (this.pending.length - at >= 5) {
      const type = this.pending[at] as number;
      const length = this.pending.readUInt32BE(at + 1);
      if (this.pending.length - at < 1 + length) break;
      const body = this.pending.subarray(at + 5, at + 1 + length);
      if (type === 0x5a /* Z */) this.readyStatus = body[0] ?? 0;
      else if (type === 0x41 /* A */) {
        // int32 pid, channel\0, payload\0
        const end = body.indexOf(0, 4);
        const channel = body.subarray(4, end).toString('utf8');
        const payload = body.subarray(end + 1, body.indexOf(0, end + 1)).toString('utf8');
        this.onNotification(channel, payload);
      } else this.readyStatus = 0;
      at += 1 + length;
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
  }
}

/** A startup message has no type byte: length, then protocol 3.0. */
function isStartup(message: Uint8Array): boolean {
  return message.length >= 8 && message[4] === 0 && message[5] === 3 && message[6] === 0 && message[7] === 0;
}

/**
 * Wraps `db` for PGLiteSocketServer so that whole exchanges and transactions of one client never
 * interleave with another's (see the module comment).
 */
export function serialisedSession(db: PGlite, onNotification: (channel: string, payload: string) => void, onFatal: (e: unknown) => void = () => undefined): SocketSession {
  const scanner = new BackendScanner(onNotification);
  /** The client being served has not reached an idle ReadyForQuery yet. */
  let held = false;
  return {
    get waitReady() {
      return db.waitReady;
    },
    isInTransaction: () => held || db.isInTransaction(),
    runExclusive: (fn) => db.runExclusive(fn),
    async execProtocolRawStream(message, options) {
      scanner.begin();
      const first = message[0];
      const ends = first === 0x53 /* Sync */ || first === 0x51 /* Query */ || isStartup(message);
      try {
        await db.execProtocolRawStream(message, {
          ...options,
          onRawData: (data) => {
            scanner.feed(data);
            options.onRawData(data);
          },
        });
      } catch (e) {
        // PGlite itself failed (its answers to errors are protocol messages, not exceptions), and
        // pglite-socket's queue stops for good after a throw: the caller ends the agent.
        onFatal(e);
        throw e;
      } finally {
        held = !(ends && scanner.readyStatus === 0x49 /* I */);
      }
    },
    // Only pglite-socket's clean-up of a client that left during its turn calls this.
    async exec(sql, options) {
      if (sql.trim().toUpperCase() !== 'ROLLBACK') return await db.exec(sql, options);
      await db.runExclusive(async () => await db.execProtocolRawStream(SYNC, { onRawData: (data) => scanner.feed(data) }));
      held = false;
      return db.isInTransaction() ? await db.exec('ROLLBACK', options) : [];
    },
  };
}
