/**
 * The renderer's redaction (Rendered.redact) over a stream (`secretref run`): text arrives in chunks, cut anywhere
 * — inside a value, inside a multi-byte character — and leaves line by line, masked. A line is
 * written once it is complete and no match of the redactor runs past it into what is still to
 * come; a value that spans lines is caught by holding `holdLines` complete lines back. A partial
 * line is written, masked, when the stream has been quiet for `idleMs` (a prompt without a
 * newline must show) or grows past `maxPending`.
 */
import { StringDecoder } from 'node:string_decoder';

export interface LineMaskerOptions {
  /** Complete lines kept back so that a value holding N line breaks is seen whole. Default 0. */
  holdLines?: number;
  /** Quiet time after which a partial line is written. Default 200 ms. */
  idleMs?: number;
  /** Characters kept at most before writing regardless. Default 1 MiB. */
  maxPending?: number;
}

export class LineMasker {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private readonly holdLines: number;
  private readonly idleMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly redact: (text: string) => string,
    private readonly write: (text: string) => void,
    options: LineMaskerOptions = {},
  ) {
    this.holdLines = options.holdLines ?? 0;
    this.idleMs = options.idleMs ?? 200;
    this.maxPending = options.maxPending ?? 1 << 20;
  }

  /** Takes a chunk of bytes (decoded as UTF-8 across chunk boundaries) or text. */
  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.drain();
  }

  /** Writes everything still held, masked (the stream ended). */
  end(): void {
    this.pending += this.decoder.end();
    this.flush();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending !== '') this.write(this.redact(this.pending));
    this.pending = '';
  }

  private drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    if (p.length > this.maxPending) return this.flush();
    const cut = cutPoint(p, this.holdLines);
    if (cut > 0) {
      const head = this.redact(p.slice(0, cut));
      // A match that runs past the cut changes the masked head: wait until it lies inside.
      if (cut === p.length || this.redact(p).startsWith(head)) {
        this.write(head);
        this.pending = p.slice(cut);
      }
    }
    if (this.pending !== '') {
      this.timer = setTimeout(() => this.flush(), this.idleMs);
      this.timer.unref();
    }
  }
}

/** Just past the line break that leaves `hold` complete lines after it; 0 when there is none. */
function cutPoint(text: string, hold: number): number {
  let at = text.length;
  for (let k = 0; k <= hold; k++) {
    const i = text.lastIndexOf('\n', at - 1);
    if (i < 0) return 0;
    if (k === hold) return i + 1;
    at = i;
  }
  return 0;
}
