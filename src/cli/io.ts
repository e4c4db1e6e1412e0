/**
 * What the CLI touches of the outside world, passed in so commands run in-process in tests with
 * fake streams and a fake environment (STYLE habit 11).
 */
import { isatty } from 'node:tty';

/** Ctrl-C at a prompt: the CLI exits 130 (128 + SIGINT), as an interrupted command does. */
export class PromptCancelled extends Error {
  constructor() {
    super('Cancelled at the prompt; nothing was stored.');
    this.name = 'PromptCancelled';
  }
}

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  /** Reads all of standard input as text. */
  readStdin(): Promise<string>;
  /** Reads all of standard input as bytes (secret values: checked to be UTF-8, never repaired). */
  readStdinBytes?(): Promise<Uint8Array>;
  /** True when standard input is a terminal (values are then asked for with a hidden prompt). */
  stdinIsTTY: boolean;
  /** Asks for a value without echoing it. Only called when stdinIsTTY. */
  promptHidden(question: string): Promise<string>;
  /** Asks a yes/no question on the terminal. Only called when stdinIsTTY. */
  confirm(question: string): Promise<boolean>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The streams are the process's own, so a child (`secretref run`) may be handed them as they are. */
  inheritStdio?: boolean;
}

/** The real process streams. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Not process.stdin.isTTY: the first read of process.stdin sets up a stream (~10 ms of start-up).
    stdinIsTTY: isatty(0),
    env: process.env,
    cwd: process.cwd(),
    inheritStdio: true,
    async readStdin() {
      return (await readAllStdin()).toString('utf8');
    },
    readStdinBytes: readAllStdin,
    promptHidden: (question) => hiddenPrompt(question, process.stdin, process.stderr),
    async confirm(question) {
      const { createInterface } = await import('node:readline');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
      rl.close();
      return /^y(es)?$/i.test(answer.trim());
    },
  };
}

async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Reads one line from the terminal `stdin` in raw mode, echoing nothing; Ctrl-C rejects with PromptCancelled. */
export function hiddenPrompt(question: string, stdin: NodeJS.ReadStream, stderr: OutStream): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(question);
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new PromptCancelled());
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
