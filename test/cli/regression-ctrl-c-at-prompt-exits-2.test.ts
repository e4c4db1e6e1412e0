/**
 * Ctrl-C at the hidden prompt exited 2, as a usage error (issue 18); an interrupted command exits
 * 130 by convention (128 + SIGINT), and says that nothing was stored.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { hiddenPrompt, PromptCancelled } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { fakeIo } from '../helpers/cli.js';

/** A terminal on stdin that types `text` once the prompt reads. */
function typing(text: string): NodeJS.ReadStream {
  const tty = new EventEmitter() as unknown as NodeJS.ReadStream & { raw: boolean };
  Object.assign(tty, {
    raw: false,
    setRawMode(on: boolean) {
      tty.raw = on;
      return tty;
    },
    resume() {
      setImmediate(() => tty.emit('data', Buffer.from(text)));
      return tty;
    },
    pause: () => tty,
  });
  return tty;
}

describe('Ctrl-C at the hidden prompt', () => {
  it('the prompt rejects with PromptCancelled and leaves raw mode', async () => {
    const stdin = typing('abc\u0003');
    let shown = '';
    await expect(hiddenPrompt('Value: ', stdin, { write: (s: string) => (shown += s) })).rejects.toBeInstanceOf(PromptCancelled);
    expect((stdin as unknown as { raw: boolean }).raw).toBe(false);
    expect(shown).not.toContain('abc');
  });

  it('the CLI exits 130 and says nothing was stored', async () => {
    const io = fakeIo({ tty: true, env: { SECRETS_MASTER_KEY: 'unused' } });
    io.promptHidden = async () => {
      throw new PromptCancelled();
    };
    expect(await run(['secrets', 'create', 'db_password'], io)).toBe(130);
    expect(io.err()).toMatch(/cancelled.*nothing was stored/i);
  });
});
